package dev.jollama.engine.gguf;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One tensor of a GGUF file: its name, shape ({@code shape[0]} is the contiguous row length), type,
 * and its bytes, a slice of the file's memory-mapped data section.
 */
public record GgufTensorInfo(String name, long[] shape, GgmlType type, long offset, MemorySegment data) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape);
    }
}
