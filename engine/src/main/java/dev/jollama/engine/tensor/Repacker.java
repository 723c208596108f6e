package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufTensorInfo;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Makes a model's matrices as their products read them ({@link #matrix}) and fills the copies in the layouts of
 * their own ({@link RowGroupsTensor}) in the background, from the first decode-sized product on: the load stays a
 * mapping of the file with nothing read, prompts read the file's layout anyway, and a model that only ever sees
 * prompts (an embedding model) never pays for the copies. Until a matrix is filled its products read the file's
 * layout.
 */
public final class Repacker implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Repacker.class.getName());

    /** What the repacker was made for, named in its messages. */
    private final String owner;
    /**
     * Where the copies' memory belongs, unmapped when the repacker closes: left to the garbage collector, the private
     * mappings of a model loaded again and again piled up, and with them the cost of each first write to a page of
     * the file (filling a tinyllama-shape Q4_K_M model's copies took 0.3 s the first two times, 4-6 s from the third).
     */
    private final Arena arena = Arena.ofShared();
    private final List<RowGroupsTensor> copies = new ArrayList<>();
    /** Guarded by this; null until the first decode-sized product. */
    private Thread filler;
    private boolean closed;

    public Repacker(String owner) {
        this.owner = owner;
    }

    /**
     * {@code file} as a matrix of rows {@code rowLength} wide: where its type has a layout of its own and its shape
     * fits it, a copy in that layout in the memory {@code memory} gives for as many bytes as the file's (null: none;
     * memory of {@link #arena()}, or of one that outlives the repacker), filled later; otherwise {@code file} itself.
     */
    public synchronized FloatTensor matrix(FloatTensor file, long rowLength, LongFunction<MemorySegment> memory) {
        RowGroupsTensor copy = RowGroupsTensor.of(file, rowLength, memory, this);
        if (copy == null) {
            return file;
        }
        copies.add(copy);
        return copy;
    }

    /**
     * Tensor {@code info} of {@code file} as a matrix of rows {@code rowLength} wide, as {@link #matrix(FloatTensor,
     * long, LongFunction)}, a copy going to a private copy-on-write mapping of the tensor's bytes in the file. Mapped
     * like every other tensor, not allocated: kernels compiled while both kinds of memory segment were in use grew
     * past C2's node budget and boxed their vectors.
     */
    public FloatTensor matrix(GgufFile file, GgufTensorInfo info, long rowLength) {
        return matrix(FloatTensor.of(file.path(), info), rowLength, bytes -> privateCopy(file, info));
    }

    /**
     * The tensor's bytes mapped copy-on-write (what is written stays in this process's memory; the file never changes),
     * or null where the tensor is not mapped from {@code file}, the file cannot be opened for writing (which such a
     * mapping needs) or the mapping fails (logged): the tensor then keeps the file's layout.
     */
    private MemorySegment privateCopy(GgufFile file, GgufTensorInfo info) {
        if (!info.data().isMapped() || !Files.isWritable(file.path())) {
            return null;
        }
        try (FileChannel channel = FileChannel.open(file.path(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return channel.map(FileChannel.MapMode.PRIVATE, file.dataOffset() + info.offset(), info.data().byteSize(), arena);
        } catch (IOException | UnsupportedOperationException e) {
            // The model still works from the file's layout, only its decode is slower.
            LOG.log(System.Logger.Level.WARNING, "{0}: tensor ''{1}'' stays in the file''s layout (a copy-on-write mapping failed: {2})",
                    file.path(), info.name(), e.getMessage());
            return null;
        }
    }

    /** The arena the copies' memory is to be mapped in (see {@link #matrix}). */
    public Arena arena() {
        return arena;
    }

    /** Starts filling the copies, once: a matrix's first decode-sized product asks. */
    synchronized void start() {
        if (filler == null && !closed) {
            filler = Thread.ofPlatform().daemon().name("jollama-repack").start(this::fillAll);
        }
    }

    private void fillAll() {
        List<RowGroupsTensor> all;
        synchronized (this) {
            all = List.copyOf(copies);
        }
        try {
            for (RowGroupsTensor copy : all) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                copy.fill();
            }
        } catch (RuntimeException e) {
            // The products keep reading the file's layout: correct, only decode is slower.
            LOG.log(System.Logger.Level.WARNING, "{0}: matrices left in the file''s layout (filling their copies failed: {1})", owner, e.toString());
        }
    }

    /** Fills every copy now, if not done yet, and waits for it: for benchmarks that measure decode once it is steady. */
    public void awaitFilled() throws InterruptedException {
        Thread running;
        synchronized (this) {
            start();
            running = filler;
        }
        if (running != null) {
            running.join();
        }
    }

    /**
     * Stops filling and waits for the filler, then unmaps the copies: for when their model closes (its products are
     * over), before its file is unmapped.
     */
    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            running = filler;
        }
        if (running != null) {
            running.interrupt();
            boolean interrupted = false;
            while (running.isAlive()) {
                try {
                    running.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        arena.close();
    }
}
