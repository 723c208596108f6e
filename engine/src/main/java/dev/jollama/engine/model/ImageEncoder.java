package dev.jollama.engine.model;

import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufFormatException;
import dev.jollama.engine.gguf.GgufTensorInfo;
import dev.jollama.engine.image.ImagePreprocessor;
import dev.jollama.engine.image.Resampling;
import dev.jollama.engine.image.RgbImage;
import dev.jollama.engine.kvcache.KvCache;
import dev.jollama.engine.kvcache.KvCacheType;
import dev.jollama.engine.tensor.FloatTensor;
import dev.jollama.engine.tensor.MatmulInput;
import dev.jollama.engine.tensor.WorkerPool;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * An image projector: turns an image into rows of the text model's embedding width, to be fed in place of token
 * embeddings. Read from the reference's projector ("mmproj") GGUF, {@code general.architecture = clip}, or from the
 * vision tensors of Ollama's single-file Gemma 3 under its own names. Two kinds: {@code mlp} (LLaVA 1.5: CLIP,
 * features without the first patch row, then a two-layer MLP) and {@code gemma3} (SigLIP, average pooling, a
 * soft-embedding RMSNorm and an input projection). The transformer is a {@link VisionEncoder} run in a
 * {@link ForwardPass}; the patch convolution and the projection are products around it.
 */
public final class ImageEncoder implements AutoCloseable {

    /** The projector kinds the engine runs, by their {@code clip.projector_type} name. */
    public enum Kind {
        MLP(Resampling.BICUBIC, new int[] {122, 116, 104}),
        GEMMA3(Resampling.BILINEAR, new int[] {0, 0, 0});

        final Resampling resampling;
        final int[] pad;

        Kind(Resampling resampling, int[] pad) {
            this.resampling = resampling;
            this.pad = pad;
        }
    }

    private final GgufFile file;
    private final boolean ownsFile;
    private final Kind kind;
    private final ImagePreprocessor preprocessor;
    private final int patchSize;
    /** Patches along each side. */
    private final int grid;
    private final int width;
    private final int textWidth;
    private final int imageTokens;
    private final FloatTensor patchKernel;
    private final float[] patchBias;
    private final float[] classEmbedding;
    private final ForwardPass pass;
    private final Batch batch;
    private final KvCache cache;
    private final int positions;
    private final float[] patchEmbeddings;
    private final MatmulInput patches;
    // mlp
    private final FloatTensor mlpIn, mlpOut;
    private final float[] mlpInBias, mlpOutBias;
    // gemma3
    private final float[] softEmbeddingNorm;
    private final FloatTensor inputProjection;
    private final int poolWindow;
    private final float epsilon;
    private final long multiplyAdds;

    private ImageEncoder(GgufFile file, boolean ownsFile, WorkerPool pool) {
        this.file = file;
        this.ownsFile = ownsFile;
        String architecture = file.requireString("general.architecture");
        boolean ollamaGemma3 = !architecture.equals("clip");
        if (ollamaGemma3 && !(architecture.equals("gemma3") && file.tensor("v.patch_embedding.weight") != null)) {
            throw new GgufFormatException(file.path(), "not an image projector: general.architecture is '" + architecture + "', not 'clip'");
        }
        String p = ollamaGemma3 ? "gemma3.vision." : "clip.vision.";
        kind = ollamaGemma3 ? Kind.GEMMA3 : kindOf(file);
        int imageSize = file.requireInt(p + "image_size", 1);
        patchSize = file.requireInt(p + "patch_size", 1);
        if (imageSize % patchSize != 0) {
            throw new GgufFormatException(file.path(), "image_size " + imageSize + " is not a multiple of patch_size " + patchSize);
        }
        grid = imageSize / patchSize;
        width = file.requireInt(p + "embedding_length", 1);
        int feedForward = file.requireInt(p + "feed_forward_length", 1);
        int heads = file.requireInt(p + "attention.head_count", 1);
        int headDim = file.getInt(p + "attention.head_dim", width / heads, 1);
        epsilon = file.getFloat(p + "attention.layer_norm_epsilon", 1e-6f);
        int blocks = file.requireInt(p + "block_count", 1);
        preprocessor = new ImagePreprocessor(imageSize, kind.resampling, kind.pad,
                ollamaGemma3 ? new float[] {0.5f, 0.5f, 0.5f} : triple(file, p + "image_mean"),
                ollamaGemma3 ? new float[] {0.5f, 0.5f, 0.5f} : triple(file, p + "image_std"));
        int blocksRun = kind == Kind.MLP ? llavaBlocksRun(file, p, blocks) : blocks;
        positions = grid * grid + (kind == Kind.MLP ? 1 : 0);
        ModelConfig c = new ModelConfig(architecture, width, feedForward, blocksRun, heads, heads, headDim, headDim,
                positions, 0, epsilon, 10_000f, 1f, headDim, positions, 0, 0, 0);
        WeightReader r = new WeightReader(file, names(file, ollamaGemma3, width));
        VisionEncoder encoder = new VisionEncoder(r, c, epsilon, activation(file, ollamaGemma3));
        patchKernel = r.tensor("v.patch_embd.weight", patchSize, patchSize, 3, width);
        patchBias = r.has("v.patch_embd.bias") ? r.vector("v.patch_embd.bias", width) : null;
        classEmbedding = kind == Kind.MLP ? r.vector("v.class_embd", width) : null;
        if (kind == Kind.MLP) {
            GgufTensorInfo out = r.info("mm.2.weight");
            textWidth = out == null || out.shape().length != 2 ? 0 : (int) out.shape()[1];
            mlpIn = r.matrix("mm.0.weight", width, textWidth);
            mlpInBias = r.vector("mm.0.bias", textWidth);
            mlpOut = r.matrix("mm.2.weight", textWidth, textWidth);
            mlpOutBias = r.vector("mm.2.bias", textWidth);
            softEmbeddingNorm = null;
            inputProjection = null;
            poolWindow = 1;
        } else {
            GgufTensorInfo projection = r.info("mm.input_projection.weight");
            textWidth = projection == null || projection.shape().length != 2 ? 0 : (int) projection.shape()[0];
            poolWindow = file.getInt("clip.vision.projector.scale_factor", 4, 1);
            if (grid % poolWindow != 0) {
                throw new GgufFormatException(file.path(), grid + " patches a side do not pool in windows of " + poolWindow);
            }
            softEmbeddingNorm = r.vector("mm.soft_emb_norm.weight", width);
            inputProjection = transposed(r.matrix("mm.input_projection.weight", textWidth, width), width, textWidth);
            mlpIn = mlpOut = null;
            mlpInBias = mlpOutBias = null;
        }
        imageTokens = kind == Kind.MLP ? grid * grid : (grid / poolWindow) * (grid / poolWindow);
        long patchCount = (long) grid * grid;
        multiplyAdds = patchCount * 3 * patchSize * patchSize * width
                + blocksRun * ((long) positions * (4L * width * headDim * heads + 2L * width * feedForward)
                + 2L * positions * positions * headDim * heads)
                + (kind == Kind.MLP ? patchCount * ((long) width * textWidth + (long) textWidth * textWidth) : (long) imageTokens * width * textWidth);
        pass = new ForwardPass(c, encoder, pool, positions);
        batch = new Batch(positions);
        // Float keys and values: the reference keeps the encoder's attention in float32.
        cache = new KvCache(KvCacheType.F32, encoder.cacheLayers(), c.kvDim(), KvCache.blocksFor(positions));
        patchEmbeddings = new float[positions * width];
        patches = new MatmulInput(3 * patchSize * patchSize, grid * grid);
    }

    /** Opens a projector file; any problem with it is a {@link GgufFormatException} naming it. */
    public static ImageEncoder load(Path path) {
        GgufFile file = GgufFile.open(path);
        try {
            return new ImageEncoder(file, true, WorkerPool.shared());
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** The vision part of Ollama's single-file Gemma 3, read from the text model's open file (which stays the model's). */
    public static ImageEncoder of(Model model) {
        return new ImageEncoder(model.file(), false, WorkerPool.shared());
    }

    /** Whether the file holds an image projector: the reference's mmproj, or Ollama's single-file Gemma 3's vision part. */
    public static boolean isProjector(GgufFile file) {
        String architecture = file.getString("general.architecture", "");
        return architecture.equals("clip") || (architecture.equals("gemma3") && file.tensor("v.patch_embedding.weight") != null);
    }

    private static Kind kindOf(GgufFile file) {
        String type = file.getString("clip.projector_type", file.getString("clip.vision.projector_type", "mlp"));
        return switch (type) {
            case "mlp" -> Kind.MLP;
            case "gemma3" -> Kind.GEMMA3;
            default -> throw new GgufFormatException(file.path(), "projector type '" + type + "' is not supported (mlp and gemma3 are)");
        };
    }

    /**
     * The reference never runs LLaVA's last stored block; a single feature layer k instead runs k blocks (the
     * hidden state after them).
     */
    private static int llavaBlocksRun(GgufFile file, String p, int blocks) {
        int[] featureLayers = file.getArray(p + "feature_layer", int[].class);
        if (featureLayers == null) {
            return blocks - 1;
        }
        if (featureLayers.length != 1 || featureLayers[0] < 1 || featureLayers[0] > blocks) {
            throw new GgufFormatException(file.path(), "feature layers " + java.util.Arrays.toString(featureLayers)
                    + " are not supported (one layer from 1 to block_count is)");
        }
        return featureLayers[0];
    }

    private static Activation activation(GgufFile file, boolean ollamaGemma3) {
        if (ollamaGemma3) {
            return Activation.GELU;
        }
        boolean gelu = file.getBoolean("clip.use_gelu", false), silu = file.getBoolean("clip.use_silu", false);
        if (gelu && silu) {
            throw new GgufFormatException(file.path(), "clip.use_gelu and clip.use_silu are both set");
        }
        return gelu ? Activation.GELU : silu ? Activation.SILU : Activation.QUICK_GELU;
    }

    private static float[] triple(GgufFile file, String key) {
        float[] values = file.getArray(key, float[].class);
        if (values == null || values.length != 3) {
            throw new GgufFormatException(file.path(), "metadata '" + key + "' must be three floats");
        }
        return values;
    }

    /** Ollama's single-file Gemma 3 names, and the reference's up/down swap. */
    private static final Map<String, String> OLLAMA_NAMES = Map.of(
            "v.patch_embd.", "v.patch_embedding.", "v.position_embd.", "v.position_embedding.",
            ".ln1.", ".layer_norm1.", ".ln2.", ".layer_norm2.", ".ffn_up.", ".mlp.fc1.", ".ffn_down.", ".mlp.fc2.",
            "v.post_ln.", "v.post_layernorm.", "mm.input_projection.", "mm.mm_input_projection.",
            "mm.soft_emb_norm.", "mm.mm_soft_emb_norm.");

    /**
     * From the engine's names (the reference's, with attention's output as {@code attn_output}) to the file's. The
     * reference swaps up and down when "down" reads the model width: old converters named CLIP's first product so.
     */
    private static UnaryOperator<String> names(GgufFile file, boolean ollamaGemma3, int width) {
        if (ollamaGemma3) {
            return name -> {
                for (var e : OLLAMA_NAMES.entrySet()) {
                    name = name.replace(e.getKey(), e.getValue());
                }
                return name;
            };
        }
        GgufTensorInfo down = file.tensor("v.blk.0.ffn_down.weight");
        boolean swapped = down != null && down.shape()[0] == width;
        return name -> {
            String n = name.replace(".attn_output.", ".attn_out.");
            if (swapped) {
                n = n.contains(".ffn_up.") ? n.replace(".ffn_up.", ".ffn_down.") : n.replace(".ffn_down.", ".ffn_up.");
            }
            return n;
        };
    }

    /** A matrix of {@code rows} rows of {@code rowLength}, as {@code rowLength} rows of {@code rows} in float32. */
    private static FloatTensor transposed(FloatTensor m, int rows, int rowLength) {
        float[] row = new float[rowLength];
        float[] t = new float[rows * rowLength];
        for (int i = 0; i < rows; i++) {
            m.copyTo((long) i * rowLength, row, 0, rowLength);
            for (int j = 0; j < rowLength; j++) {
                t[j * rows + i] = row[j];
            }
        }
        return FloatTensor.ofFloats(t);
    }

    /** Multiply-adds one image takes: the patch embedding, the blocks' products and attention, the projection. */
    public long multiplyAddsPerImage() {
        return multiplyAdds;
    }

    public Kind kind() {
        return kind;
    }

    public ImagePreprocessor preprocessor() {
        return preprocessor;
    }

    /** Rows an image becomes. */
    public int imageTokens() {
        return imageTokens;
    }

    /** The width of each row: the text model's embedding length. */
    public int textWidth() {
        return textWidth;
    }

    /** Whether an image's rows attend to each other both ways in the text model (Gemma 3), not causally (LLaVA). */
    public boolean imageAttendsBothWays() {
        return kind == Kind.GEMMA3;
    }

    /** Text the prompt carries right before and after each image (parsed for special tokens), as the reference adds. */
    public String textBeforeImage() {
        return kind == Kind.GEMMA3 ? "<start_of_image>" : "";
    }

    public String textAfterImage() {
        return kind == Kind.GEMMA3 ? "<end_of_image>" : "";
    }

    /** The rows of a decoded image: {@link #imageTokens()} rows of {@link #textWidth()} values. */
    public float[] encode(RgbImage image) {
        return encodePixels(preprocessor.pixels(image));
    }

    /** The rows of a preprocessed image: three planes of image_size² normalised values. */
    public synchronized float[] encodePixels(float[] pixels) {
        embedPatches(pixels);
        Sequence sequence = new Sequence(cache.newTable(positions), 0);
        try {
            batch.clear();
            for (int i = 0; i < positions; i++) {
                // LLaVA's features leave out the first row (the first patch; the class token comes last).
                Batch.Output output = kind == Kind.MLP && i == 0 ? Batch.Output.NONE : Batch.Output.HIDDEN_STATE;
                batch.addVector(sequence, 0, patchEmbeddings, i * width, 0, output);
            }
            pass.run(batch);
        } finally {
            sequence.close();
        }
        return kind == Kind.MLP ? projectMlp() : projectGemma3();
    }

    /** Each patch's values in the kernel's order (channel, row, column) times the kernel, plus CLIP's class embedding. */
    private void embedPatches(float[] pixels) {
        int size = grid * patchSize, plane = size * size, values = 3 * patchSize * patchSize;
        float[] in = patches.values();
        for (int py = 0, patch = 0; py < grid; py++) {
            for (int px = 0; px < grid; px++, patch++) {
                int at = patch * values;
                for (int c = 0; c < 3; c++) {
                    for (int ky = 0; ky < patchSize; ky++) {
                        System.arraycopy(pixels, c * plane + (py * patchSize + ky) * size + px * patchSize, in, at, patchSize);
                        at += patchSize;
                    }
                }
            }
        }
        patches.count(grid * grid);
        pass.matmul.multiply(patchKernel, patches, patchEmbeddings, width);
        if (patchBias != null) {
            for (int patch = 0; patch < grid * grid; patch++) {
                addTo(patchEmbeddings, patch * width, patchBias);
            }
        }
        if (classEmbedding != null) {
            System.arraycopy(classEmbedding, 0, patchEmbeddings, grid * grid * width, width);
        }
    }

    private float[] projectMlp() {
        MatmulInput features = new MatmulInput(width, imageTokens);
        System.arraycopy(batch.hiddenStates, 0, features.values(), 0, imageTokens * width);
        features.count(imageTokens);
        MatmulInput hidden = new MatmulInput(textWidth, imageTokens);
        pass.matmul.multiply(mlpIn, features, hidden.values(), textWidth);
        float[] h = hidden.values();
        for (int t = 0; t < imageTokens; t++) {
            addTo(h, t * textWidth, mlpInBias);
        }
        for (int i = 0; i < imageTokens * textWidth; i++) {
            h[i] = Activation.GELU.apply(h[i]);
        }
        hidden.count(imageTokens);
        float[] out = new float[imageTokens * textWidth];
        pass.matmul.multiply(mlpOut, hidden, out, textWidth);
        for (int t = 0; t < imageTokens; t++) {
            addTo(out, t * textWidth, mlpOutBias);
        }
        return out;
    }

    /** Average pooling of the patch grid in windows, the soft-embedding norm, then the input projection. */
    private float[] projectGemma3() {
        int side = grid / poolWindow;
        MatmulInput pooled = new MatmulInput(width, imageTokens);
        float[] v = pooled.values(), hidden = batch.hiddenStates;
        float share = 1f / (poolWindow * poolWindow);
        for (int oy = 0; oy < side; oy++) {
            for (int ox = 0; ox < side; ox++) {
                int out = (oy * side + ox) * width;
                for (int ky = 0; ky < poolWindow; ky++) {
                    for (int kx = 0; kx < poolWindow; kx++) {
                        addTo(v, out, hidden, ((oy * poolWindow + ky) * grid + ox * poolWindow + kx) * width, width);
                    }
                }
                for (int i = 0; i < width; i++) {
                    v[out + i] *= share;
                }
                RmsNorm.apply(v, out, v, out, softEmbeddingNorm, epsilon);
            }
        }
        pooled.count(imageTokens);
        float[] out = new float[imageTokens * textWidth];
        pass.matmul.multiply(inputProjection, pooled, out, textWidth);
        return out;
    }

    private static void addTo(float[] x, int offset, float[] y) {
        addTo(x, offset, y, 0, y.length);
    }

    private static void addTo(float[] x, int offset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            x[offset + i] += y[yOffset + i];
        }
    }

    @Override
    public void close() {
        if (ownsFile) {
            file.close();
        }
    }
}
