package dev.jollama.server.template;

/**
 * A typed Go nil: what a null record component of a list, map or record type stands for. Unlike the untyped nil
 * (Java {@code null}, printed {@code <no value>}), these print as Go prints them: {@code []}, {@code map[]},
 * {@code <nil>}; all are false, have length 0 where Go allows len, and marshal to JSON {@code null}.
 */
enum GoNil {
    SLICE, MAP, POINTER
}
