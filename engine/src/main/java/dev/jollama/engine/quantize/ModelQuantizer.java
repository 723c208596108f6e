package dev.jollama.engine.quantize;

import dev.jollama.engine.gguf.GgmlType;
import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufTensorInfo;
import dev.jollama.engine.gguf.GgufWriter;
import dev.jollama.engine.tensor.FloatTensor;
import dev.jollama.engine.tensor.Quantizers;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Writes a model quantized to a file type: the metadata copied (with the new file type and quantization version 2,
 * as llama.cpp's quantizer writes them), each tensor in the type its {@link QuantizationPlan} gives, quantized a few
 * rows at a time (chunks in parallel) so no tensor needs to fit in memory as floats. The bytes equal the reference's quantizer's.
 */
public final class ModelQuantizer {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /**
     * Values converted and quantized at a time (whole rows, at least one): small enough that the test models' tensors
     * split into several chunks, so the parallel path is the one their byte comparisons check.
     */
    private static final int CHUNK_VALUES = 1 << 16;
    /** The quantization format version written beside the file type (GGML_QNT_VERSION). */
    private static final int QUANTIZATION_VERSION = 2;

    /** After each tensor: its number (from 1), the count, its name and types, and the source bytes read so far. */
    public record Progress(int tensor, int tensors, String name, GgmlType from, GgmlType to, long bytesDone, long bytesTotal) {
    }

    private ModelQuantizer() {
    }

    /**
     * The file type of a model: its {@code general.file_type}, else (as llama.cpp guesses) the type most of its
     * matrices have when that is F32, F16 or BF16.
     */
    public static Optional<FileType> fileTypeOf(GgufFile model) {
        if (model.metadata().containsKey("general.file_type")) {
            return FileType.of(model.getInt("general.file_type", -1, 0));
        }
        Map<GgmlType, Long> counts = model.tensors().values().stream().filter(t -> t.shape().length >= 2)
                .collect(Collectors.groupingBy(GgufTensorInfo::type, Collectors.counting()));
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).flatMap(t -> switch (t) {
            case F32 -> Optional.of(FileType.F32);
            case F16 -> Optional.of(FileType.F16);
            case BF16 -> Optional.of(FileType.BF16);
            default -> Optional.empty();
        });
    }

    /**
     * Writes {@code model} quantized to {@code target} at {@code out}. The model must be F32, F16 or BF16
     * ({@link FileType#isQuantizeSource()}); {@code target} one of {@link FileType#quantizeTargets()}.
     */
    public static void quantize(GgufFile model, FileType target, Path out, java.util.function.Consumer<Progress> progress) throws IOException {
        FileType source = fileTypeOf(model).orElse(null);
        if (source == null || !source.isQuantizeSource()) {
            throw new IllegalArgumentException(model.path() + " is " + (source == null ? "of an unknown file type" : source)
                    + "; only F32, F16 and BF16 models can be quantized");
        }
        QuantizationPlan plan = QuantizationPlan.of(model, target);
        GgufWriter writer = new GgufWriter();
        for (String key : model.metadata().keySet()) {
            if (!List.of("general.alignment", "general.quantization_version", "general.file_type").contains(key)) {
                writer.copy(model, key);
            }
        }
        writer.put("general.quantization_version", QUANTIZATION_VERSION).put("general.file_type", target.id);
        List<QuantizationPlan.Entry> entries = plan.entries();
        long total = model.tensors().values().stream().mapToLong(t -> t.data().byteSize()).sum();
        long[] done = {0};
        for (int i = 0; i < entries.size(); i++) {
            GgufTensorInfo tensor = model.requireTensor(entries.get(i).weight().name());
            GgmlType type = entries.get(i).type();
            int number = i + 1;
            writer.tensor(tensor.name(), tensor.shape(), type, sink -> {
                write(model.path(), tensor, type, sink);
                done[0] += tensor.data().byteSize();
                progress.accept(new Progress(number, entries.size(), tensor.name(), tensor.type(), type, done[0], total));
            });
        }
        writer.write(out);
    }

    private static void write(Path file, GgufTensorInfo tensor, GgmlType type, OutputStream out) throws IOException {
        if (type == tensor.type()) {
            out.write(tensor.data().toArray(ValueLayout.JAVA_BYTE));
            return;
        }
        long rowLength = tensor.shape()[0];
        long rows = tensor.elementCount() / rowLength;
        int rowsPerChunk = (int) Math.max(1, CHUNK_VALUES / rowLength);
        int chunks = (int) ((rows + rowsPerChunk - 1) / rowsPerChunk);
        FloatTensor generic = tensor.type() == GgmlType.F32 || tensor.type() == GgmlType.F16 || tensor.type() == GgmlType.BF16
                ? null : FloatTensor.of(file, tensor);
        // a few chunks at a time on every processor (the K-quant searches take most of the time), written in order
        int batch = 2 * Runtime.getRuntime().availableProcessors();
        for (int first = 0; first < chunks; first += batch) {
            byte[][] quantized = IntStream.range(first, Math.min(chunks, first + batch)).parallel().mapToObj(c -> {
                long row = (long) c * rowsPerChunk;
                int n = (int) (Math.min(rowsPerChunk, rows - row) * rowLength);
                float[] values = floats(tensor, generic, row * rowLength, n);
                byte[] bytes = new byte[(int) type.byteSize(n)];
                Quantizers.quantize(type, values, 0, n, bytes, 0);
                return bytes;
            }).toArray(byte[][]::new);
            for (byte[] bytes : quantized) {
                out.write(bytes);
            }
        }
    }

    /** {@code n} values from value {@code first} of the tensor, as float ({@code generic} reads types other than F32/F16/BF16). */
    private static float[] floats(GgufTensorInfo tensor, FloatTensor generic, long first, int n) {
        float[] values = new float[n];
        MemorySegment data = tensor.data();
        for (int i = 0; i < n; i++) {
            long at = first + i;
            values[i] = switch (tensor.type()) {
                case F32 -> data.getAtIndex(FLOAT, at);
                case F16 -> Float.float16ToFloat(data.getAtIndex(SHORT, at));
                case BF16 -> Float.intBitsToFloat(data.getAtIndex(SHORT, at) << 16);
                default -> generic.getFloat(at);
            };
        }
        return values;
    }
}
