package dev.jollama.engine.model;

import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufFormatException;
import dev.jollama.engine.gguf.GgufTensorInfo;
import dev.jollama.engine.tensor.WorkerPool;
import dev.jollama.engine.tokenizer.Tokenizer;

import java.nio.file.Path;

/**
 * A loaded model: its file (kept mapped while the model is open), configuration, weights and tokenizer. Generation state lives
 * in {@link Sequence}s, so one model serves many sequences.
 */
public final class Model implements AutoCloseable {
    /** Prompt tokens fed per forward pass: enough to reuse each weight block many times, small enough for cache. */
    public static final int BATCH_CAPACITY = 64;

    private final GgufFile file;
    private final ModelConfig config;
    private final ModelWeights weights;
    private final Tokenizer tokenizer;
    private final Transformer transformer;
    private final DecodeSteps decodeSteps;
    private final WorkerPool pool;
    private final boolean ownsPool;

    private Model(GgufFile file, ModelConfig config, ModelWeights weights, Tokenizer tokenizer, WorkerPool pool, boolean ownsPool) {
        this.file = file;
        this.pool = pool;
        this.ownsPool = ownsPool;
        this.config = config;
        this.weights = weights;
        this.tokenizer = tokenizer;
        this.transformer = new Transformer(config, weights);
        this.decodeSteps = new DecodeSteps(transformer, config.vocabularySize());
    }

    /**
     * Opens a GGUF model computing on the process's shared worker pool (one thread per processor); any problem with
     * the file is a {@link GgufFormatException} naming it.
     */
    public static Model load(Path path) {
        return load(path, 0);
    }

    /** Opens a GGUF model computing on its own pool of {@code threads} workers (0: the shared pool). */
    public static Model load(Path path, int threads) {
        GgufFile file = GgufFile.open(path);
        try {
            return load(file, threads);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Builds a model over an open file; the model takes ownership of it. */
    public static Model load(GgufFile file) {
        return load(file, 0);
    }

    private static Model load(GgufFile file, int threads) {
        Architecture architecture = Architecture.of(file);
        GgufTensorInfo embedding = file.requireTensor("token_embd.weight");
        if (embedding.shape().length != 2 || embedding.shape()[1] > Integer.MAX_VALUE) {
            throw new GgufFormatException(file.path(), "tensor 'token_embd.weight' must be a matrix of at most 2^31 rows, found " + embedding);
        }
        ModelConfig config = ModelConfig.read(file, architecture, (int) embedding.shape()[1]);
        Tokenizer tokenizer = Tokenizer.fromGguf(file);
        if (tokenizer.vocabularySize() > config.vocabularySize()) {
            throw new GgufFormatException(file.path(), "the vocabulary has " + tokenizer.vocabularySize()
                    + " tokens but token_embd.weight only " + config.vocabularySize() + " rows");
        }
        ModelWeights weights = ModelWeights.load(file, config);
        return threads > 0 ? new Model(file, config, weights, tokenizer, new WorkerPool(threads), true)
                : new Model(file, config, weights, tokenizer, WorkerPool.shared(), false);
    }

    public GgufFile file() {
        return file;
    }

    public ModelConfig config() {
        return config;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public ModelWeights weights() {
        return weights;
    }

    /** The threads this model computes on. */
    Transformer transformer() {
        return transformer;
    }

    DecodeSteps decodeSteps() {
        return decodeSteps;
    }

    public int threads() {
        return pool.threads();
    }

    /** A new empty sequence whose KV cache holds {@code contextLength} tokens. */
    public Sequence newSequence(int contextLength) {
        if (contextLength < 1) {
            throw new IllegalArgumentException("context length must be at least 1, was " + contextLength);
        }
        return new Sequence(config, contextLength, pool, BATCH_CAPACITY);
    }

    /**
     * Feeds one token at the sequence's next position and returns the logits of the next token. The array belongs
     * to the sequence and is overwritten by the next call. Threads decoding other sequences at the same time share
     * one pass through the weights ({@link DecodeSteps}).
     */
    public float[] forward(Sequence sequence, int token) {
        checkToken(token);
        if (sequence.length() >= sequence.contextLength()) {
            throw new IllegalStateException("the sequence is full (" + sequence.contextLength() + " tokens)");
        }
        return decodeSteps.forward(sequence, token);
    }

    /**
     * Feeds many tokens and returns the logits of the token after the last, as feeding them one by one with
     * {@link #forward(Sequence, int)} would (up to float rounding), but in chunks of {@link #BATCH_CAPACITY}
     * tokens that go through each weight matrix together.
     */
    public float[] forward(Sequence sequence, int[] tokens, int from, int to) {
        if (from >= to) {
            throw new IllegalArgumentException("no tokens to feed (" + from + ".." + to + ")");
        }
        for (int i = from; i < to; i++) {
            checkToken(tokens[i]);
        }
        float[] logits = null;
        for (int i = from; i < to; i += sequence.batchCapacity) {
            logits = transformer.forward(sequence, tokens, i, Math.min(sequence.batchCapacity, to - i));
        }
        return logits;
    }

    private void checkToken(int token) {
        if (token < 0 || token >= config.vocabularySize()) {
            throw new IllegalArgumentException("token " + token + " is outside the vocabulary (0.." + (config.vocabularySize() - 1) + ")");
        }
    }

    /**
     * A text embedding: the mean over the tokens of the final normalised hidden state (a generative model has no
     * pooling head, so mean pooling is the neutral choice). Not length-normalised.
     */
    public float[] embed(int[] tokens) {
        Sequence sequence = newSequence(Math.max(1, tokens.length));
        float[] mean = new float[config.embeddingLength()];
        for (int token : tokens) {
            forward(sequence, token);
            float[] finalHidden = sequence.normed.values(); // the output norm of the last position, at offset 0
            for (int i = 0; i < mean.length; i++) {
                mean[i] += finalHidden[i] / tokens.length;
            }
        }
        return mean;
    }

    @Override
    public void close() {
        if (ownsPool) {
            pool.close();
        }
        file.close();
    }
}
