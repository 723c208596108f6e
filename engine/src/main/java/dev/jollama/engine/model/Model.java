package dev.jollama.engine.model;

import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufFormatException;
import dev.jollama.engine.gguf.GgufTensorInfo;
import dev.jollama.engine.kvcache.KvCache;
import dev.jollama.engine.kvcache.KvCacheType;
import dev.jollama.engine.tensor.Q8Kernels;
import dev.jollama.engine.tensor.Repacker;
import dev.jollama.engine.tensor.WorkerPool;
import dev.jollama.engine.tokenizer.Tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A loaded model: its file (kept mapped while the model is open), configuration, architecture, tokenizer and KV
 * cache. Generation state lives in {@link Sequence}s, so one model serves many sequences; their forward passes take
 * turns (one {@link ForwardPass} per model), and {@link #steps()} gathers them into shared passes.
 */
public final class Model implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Model.class.getName());
    /** Rows per forward pass: enough to reuse each weight block many times, small enough for cache. */
    public static final int BATCH_CAPACITY = 64;

    /**
     * How to load a model.
     *
     * @param threads       workers of its own pool; 0 for the process's shared pool (one per processor)
     * @param sequences     sequences the KV cache holds at once (at least one), each of up to {@code contextLength}
     *                      tokens (0 or more than the trained context: the trained context); its storage is
     *                      allocated as blocks are first used
     */
    public record Options(int threads, KvCacheType cacheType, int sequences, int contextLength) {
        public static final Options DEFAULT = new Options(0, KvCacheType.F16, 4, 0);
    }

    private final GgufFile file;
    private final ModelConfig config;
    private final Architecture architecture;
    private final Tokenizer tokenizer;
    private final Pooling pooling;
    private final KvCache cache;
    /** A sequence's share of the cache: what {@link #embed} keeps to, its inputs taking a block or more each. */
    private final int blocksPerSequence;
    private final WorkerPool pool;
    private final boolean ownsPool;
    /** Guarded by this model's monitor, as is {@link #single}; replaced by a larger one for a batch holding an image. */
    private ForwardPass pass;
    private final int passCapacity;
    private final Batch single = new Batch(BATCH_CAPACITY);
    private final StepRunner steps;
    /** Fills the copies of matrices kept in a layout of their own, in the background once decoding starts. */
    private final Repacker repacker;

    private Model(GgufFile file, ModelConfig config, Tokenizer tokenizer, Options options, Repacker repacker) {
        this.file = file;
        this.config = config;
        this.tokenizer = tokenizer;
        this.repacker = repacker;
        this.architecture = Architectures.load(file, config, repacker);
        this.pooling = Pooling.of(file, config.architecture());
        this.ownsPool = options.threads() > 0;
        this.pool = ownsPool ? new WorkerPool(options.threads()) : WorkerPool.shared();
        this.blocksPerSequence = KvCache.blocksFor(config.sequenceLength());
        int blocks = Math.multiplyExact(Math.max(1, options.sequences()), blocksPerSequence);
        this.cache = newCache(cacheType(options.cacheType(), config), blocks);
        // An encoder's input goes through whole, in one pass: room for its whole context.
        this.passCapacity = architecture.attendsBothWays() ? Math.max(BATCH_CAPACITY, config.sequenceLength()) : BATCH_CAPACITY;
        this.pass = new ForwardPass(config, architecture, pool, passCapacity);
        this.steps = new StepRunner(this);
    }

    /**
     * Opens a GGUF model computing on the process's shared worker pool, with an f16 KV cache for four sequences of
     * the trained context; any problem with the file is a {@link GgufFormatException} naming it.
     */
    public static Model load(Path path) {
        return load(path, Options.DEFAULT);
    }

    /** Opens a GGUF model computing on its own pool of {@code threads} workers (0: the shared pool). */
    public static Model load(Path path, int threads) {
        return load(path, new Options(threads, Options.DEFAULT.cacheType(), Options.DEFAULT.sequences(), 0));
    }

    public static Model load(Path path, Options options) {
        GgufFile file = GgufFile.open(path);
        try {
            return load(file, options);
        } catch (RuntimeException | Error e) { // an OutOfMemoryError too: the mapping is not left behind
            file.close();
            throw e;
        }
    }

    /** Builds a model over an open file; the model takes ownership of it. */
    public static Model load(GgufFile file) {
        return load(file, Options.DEFAULT);
    }

    private static Model load(GgufFile file, Options options) {
        String architecture = Architectures.nameOf(file);
        GgufTensorInfo embedding = file.requireTensor("token_embd.weight");
        if (embedding.shape().length != 2 || embedding.shape()[1] > Integer.MAX_VALUE) {
            throw new GgufFormatException(file.path(), "tensor 'token_embd.weight' must be a matrix of at most 2^31 rows, found " + embedding);
        }
        ModelConfig config = ModelConfig.read(file, architecture, (int) embedding.shape()[1], options.contextLength());
        Tokenizer tokenizer = Tokenizer.fromGguf(file);
        if (tokenizer.vocabularySize() > config.vocabularySize()) {
            throw new GgufFormatException(file.path(), "the vocabulary has " + tokenizer.vocabularySize()
                    + " tokens but token_embd.weight only " + config.vocabularySize() + " rows");
        }
        Repacker repacker = new Repacker(file.path().toString());
        try {
            return new Model(file, config, tokenizer, options, repacker);
        } catch (RuntimeException | Error e) { // the copies mapped for the matrices read before the error are unmapped
            repacker.close();
            throw e;
        }
    }

    /**
     * q8_0 blocks run along a head: a head size that is not a multiple of 32 falls back to f16, as in Ollama. An
     * embedding model's cache holds only the inputs of the pass under way, never a conversation, so it keeps them
     * in f32: its vectors then do not move with the cache type (f16 keys and values moved them by up to 5e-5).
     */
    private KvCacheType cacheType(KvCacheType wanted, ModelConfig c) {
        if (architecture.attendsBothWays() || Pooling.isDeclaredBy(file)) {
            return KvCacheType.F32;
        }
        if (wanted == KvCacheType.Q8_0 && c.headDim() % Q8Kernels.BLOCK != 0) {
            LOG.log(System.Logger.Level.WARNING, "{0}: a q8_0 KV cache needs a head size that is a multiple of {1}, this model''s is {2}; using f16",
                    file.path().getFileName(), Q8Kernels.BLOCK, c.headDim());
            return KvCacheType.F16;
        }
        return wanted;
    }

    private KvCache newCache(KvCacheType type, int blocks) {
        return new KvCache(type, config.blockCount(), config.kvDim(), blocks);
    }

    /**
     * Where {@link #embed} keeps its passes' keys and values: in f32, so that vectors do not move with the cache
     * type (an f16 cache moved a generative model's by up to 5e-5). That is the model's cache when it is f32 (an
     * embedding model's always is), else a cache of the call's own, one sequence's share, allocated as used and
     * dropped after the call; it also leaves the conversations' prefixes in the model's cache alone.
     */
    private KvCache embeddingCache() {
        return cache.type() == KvCacheType.F32 ? cache : newCache(KvCacheType.F32, blocksPerSequence);
    }

    /** The {@code general.architecture} names the engine runs. */
    public static java.util.Set<String> supportedArchitectures() {
        return Architectures.names();
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

    public KvCache cache() {
        return cache;
    }

    public int threads() {
        return pool.threads();
    }

    /** Gathers the forward passes of sequences generating at the same time into shared passes. */
    public StepRunner steps() {
        return steps;
    }

    /** A new empty sequence holding at most {@code contextLength} tokens. */
    public Sequence newSequence(int contextLength) {
        if (contextLength < 1) {
            throw new IllegalArgumentException("context length must be at least 1, was " + contextLength);
        }
        return newSequence(cache, contextLength);
    }

    private Sequence newSequence(KvCache in, int contextLength) {
        return new Sequence(in.newTable(contextLength), config.vocabularySize());
    }

    /** Runs one forward pass over the batch's rows (see {@link Batch}). */
    public synchronized void forward(Batch batch) {
        for (int r = 0; r < batch.size(); r++) {
            if (batch.isVector(r)) {
                checkWidth(batch, r);
            } else {
                checkToken(batch.tokens[r]);
            }
        }
        if (batch.size() > pass.capacity) {
            pass = new ForwardPass(config, architecture, pool, batch.size());
        }
        pass.run(batch);
    }

    /**
     * Feeds one token at the sequence's next position and returns the logits of the next token. The array belongs
     * to the sequence and is overwritten by its next pass.
     */
    public synchronized float[] forward(Sequence sequence, int token) {
        single.clear();
        single.add(sequence, token, Batch.Output.LOGITS);
        forward(single);
        return sequence.logits();
    }

    /**
     * Feeds many tokens and returns the logits of the token after the last, as feeding them one by one with
     * {@link #forward(Sequence, int)} would (up to float rounding), but in passes of {@link #BATCH_CAPACITY} rows.
     */
    public synchronized float[] forward(Sequence sequence, int[] tokens, int from, int to) {
        if (from >= to) {
            throw new IllegalArgumentException("no tokens to feed (" + from + ".." + to + ")");
        }
        for (int i = from; i < to; ) {
            single.clear();
            for (; i < to && !single.isFull(); i++) {
                single.add(sequence, tokens[i], i == to - 1 ? Batch.Output.LOGITS : Batch.Output.NONE);
            }
            forward(single);
        }
        return sequence.logits();
    }

    private void checkWidth(Batch batch, int row) {
        if (batch.vectorOffsets[row] + config.embeddingLength() > batch.vectors[row].length) {
            throw new IllegalArgumentException("row " + row + "'s vector ends past its array: rows of this model are "
                    + config.embeddingLength() + " wide");
        }
    }

    private void checkToken(int token) {
        if (token < 0 || token >= config.vocabularySize()) {
            throw new IllegalArgumentException("token " + token + " is outside the vocabulary (0.." + (config.vocabularySize() - 1) + ")");
        }
    }

    /**
     * Text embeddings: each input's final normalised hidden states pooled as the file says ({@link Pooling}; the
     * mean for generative models, which have no pooling head). Not length-normalised. The inputs share passes, as
     * many at a time as one sequence's share of the KV cache holds; an encoder's inputs each go through whole.
     */
    public List<float[]> embed(List<int[]> inputs) {
        List<float[]> pooled = new ArrayList<>(inputs.size());
        Batch batch = new Batch(passCapacity);
        boolean whole = architecture.attendsBothWays();
        Sequence[] sequences = new Sequence[inputs.size()];
        float[] hidden = new float[config.embeddingLength()];
        KvCache passCache = embeddingCache();
        try {
            int input = 0, token = 0;
            while (input < inputs.size()) {
                batch.clear();
                int firstInput = input, firstToken = token;
                int blocks = token > 0 ? KvCache.blocksFor(inputs.get(input).length) : 0;
                while (input < inputs.size() && !batch.isFull()) {
                    int[] tokens = inputs.get(input);
                    if (tokens.length == 0) {
                        throw new IllegalArgumentException("input " + input + " has no tokens");
                    }
                    if (sequences[input] == null) {
                        if (whole && tokens.length > passCapacity) {
                            throw new IllegalArgumentException("input " + input + " has " + tokens.length
                                    + " tokens, more than the model's context of " + passCapacity);
                        }
                        blocks += KvCache.blocksFor(tokens.length);
                        boolean fits = blocks <= blocksPerSequence && (!whole || batch.size() + tokens.length <= passCapacity);
                        if (batch.size() > 0 && !fits) {
                            break; // the next pass starts with it
                        }
                        sequences[input] = newSequence(passCache, tokens.length);
                        pooled.add(new float[config.embeddingLength()]);
                    }
                    for (; token < tokens.length && !batch.isFull(); token++) {
                        batch.add(sequences[input], tokens[token], Batch.Output.HIDDEN_STATE);
                    }
                    if (token == tokens.length) {
                        input++;
                        token = 0;
                    }
                }
                forward(batch);
                for (int i = 0, at = firstInput, index = firstToken; i < batch.hiddenStateCount(); i++, index++) {
                    if (index == inputs.get(at).length) {
                        sequences[at].close();
                        sequences[at] = null;
                        at++;
                        index = 0;
                    }
                    pooling.add(pooled.get(at), batch.hiddenState(i, hidden), index, inputs.get(at).length);
                }
            }
            return pooled;
        } finally {
            for (Sequence s : sequences) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    /** The embedding of one input (see {@link #embed(List)}). */
    public float[] embed(int[] tokens) {
        return embed(List.of(tokens)).getFirst();
    }

    /**
     * Fills the copies of matrices kept in a layout of their own now, if not done yet, and waits for them (see
     * {@link Repacker}): for measurements of decoding once it is steady. Returns early if the thread is interrupted,
     * with its interrupt flag set.
     */
    public void awaitLayouts() {
        try {
            repacker.awaitFilled();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() { // waits for a pass under way
        steps.close();
        repacker.close();
        if (ownsPool) {
            pool.close();
        }
        file.close();
    }
}
