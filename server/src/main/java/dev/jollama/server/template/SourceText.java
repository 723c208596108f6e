package dev.jollama.server.template;

/** A template's name and text, to turn node offsets into Go's {@code name:line:col} error locations. */
record SourceText(String name, String text) {

    /** Go's location form: 1-based line, 0-based column counted in UTF-8 bytes from the start of the line. */
    String location(int pos) {
        int safePos = Math.min(Math.max(pos, 0), text.length());
        String before = text.substring(0, safePos);
        int lastNewline = before.lastIndexOf('\n');
        long line = 1 + before.chars().filter(c -> c == '\n').count();
        int column = GoStrings.utf8Length(before.substring(lastNewline + 1));
        return name + ":" + line + ":" + column;
    }

    TemplateException error(int pos, String message) {
        return new TemplateException("template: " + location(pos) + ": " + message);
    }
}
