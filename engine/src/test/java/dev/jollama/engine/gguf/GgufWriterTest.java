package dev.jollama.engine.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GgufWriterTest {

    /** Integers are written as uint32 (as llama.cpp has them), so a negative one is refused, naming its key. */
    @Test
    void refusesNegativeIntegers(@TempDir Path directory) {
        GgufWriter writer = new GgufWriter().put("general.architecture", "llama").put("llama.block_count", -1);

        assertThatThrownBy(() -> writer.write(directory.resolve("bad.gguf")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metadata 'llama.block_count': -1 is negative; integers are written as uint32");
    }

    /** Copied metadata keeps every GGUF value type: a file of one key per type, copied key by key, comes out the same. */
    @Test
    void copiedMetadataKeepsItsTypes(@TempDir Path directory) throws Exception {
        Header h = new Header();
        h.key("u8", 0).put((byte) 200);
        h.key("i8", 1).put((byte) -3);
        h.key("u16", 2).putShort((short) 60000);
        h.key("i16", 3).putShort((short) -300);
        h.key("u32", 4).putInt(-1);
        h.key("i32", 5).putInt(-7);
        h.key("f32", 6).putFloat(1.5f);
        h.key("bool", 7).put((byte) 1);
        h.key("string", 8);
        h.string("text");
        h.key("u64", 10).putLong(-2);
        h.key("i64", 11).putLong(-5);
        h.key("f64", 12).putDouble(0.25);
        h.key("u8s", 9).putInt(0).putLong(2).put((byte) 1).put((byte) 255);
        h.key("bools", 9).putInt(7).putLong(2).put((byte) 0).put((byte) 1);
        h.key("i64s", 9).putInt(11).putLong(1).putLong(-9);
        h.key("f64s", 9).putInt(12).putLong(1).putDouble(-0.5);
        h.key("strings", 9).putInt(8).putLong(2);
        h.string("a");
        h.string("bc");
        byte[] original = h.bytes();

        Path copy = directory.resolve("copy.gguf");
        try (GgufFile source = GgufFile.of(Path.of("typed.gguf"), MemorySegment.ofArray(original))) {
            GgufWriter writer = new GgufWriter();
            source.metadata().keySet().forEach(key -> writer.copy(source, key));
            writer.write(copy);
        }
        assertThat(Files.readAllBytes(copy)).isEqualTo(original);
    }

    /** A GGUF version 3 header with no tensors, padded to 32 bytes as the writer pads it. */
    private static final class Header {
        private final ByteBuffer kv = ByteBuffer.allocate(1 << 12).order(ByteOrder.LITTLE_ENDIAN);
        private int count;

        ByteBuffer key(String name, int type) {
            count++;
            string(name);
            return kv.putInt(type);
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            kv.putLong(b.length).put(b);
        }

        byte[] bytes() {
            ByteBuffer head = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(0x46554747).putInt(3).putLong(0).putLong(count);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(head.array());
            out.write(kv.array(), 0, kv.position());
            while (out.size() % 32 != 0) {
                out.write(0);
            }
            return out.toByteArray();
        }
    }
}
