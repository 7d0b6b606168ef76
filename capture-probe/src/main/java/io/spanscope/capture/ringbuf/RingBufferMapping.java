package io.spanscope.capture.ringbuf;

import com.sun.jna.Pointer;
import io.spanscope.capture.bpf.Libc;
import java.io.IOException;

/**
 * The memory of a BPF ring buffer as the kernel lays it out for user space: a consumer page (RW, the
 * consumer position at offset 0), a producer page (RO, the producer position at offset 0), then the
 * data area mapped twice in a row so that a record crossing the end reads contiguously.
 */
public final class RingBufferMapping implements AutoCloseable {

    private final Pointer consumerPage;
    private final Pointer producerPage;
    private final long pageSize;
    private final long dataSize;
    private final int backingFd;
    private boolean closed;

    private RingBufferMapping(Pointer consumerPage, Pointer producerPage, long pageSize, long dataSize, int backingFd) {
        this.consumerPage = consumerPage;
        this.producerPage = producerPage;
        this.pageSize = pageSize;
        this.dataSize = dataSize;
        this.backingFd = backingFd;
    }

    /** Maps a {@code BPF_MAP_TYPE_RINGBUF} map: consumer page RW at offset 0, the rest RO at one page. */
    public static RingBufferMapping ofBpfMap(int mapFd, long dataSize) throws IOException {
        long page = Libc.pageSize();
        requireValidSize(dataSize, page);
        Pointer consumer = Libc.mmap(null, page, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, mapFd, 0);
        if (Libc.MAP_FAILED.equals(consumer)) {
            throw new IOException("mmap of the ring buffer consumer page failed, errno " + Libc.lastErrno());
        }
        Pointer producer = Libc.mmap(null, page + 2 * dataSize, Libc.PROT_READ, Libc.MAP_SHARED, mapFd, page);
        if (Libc.MAP_FAILED.equals(producer)) {
            int errno = Libc.lastErrno();
            Libc.munmap(consumer, page);
            throw new IOException("mmap of the ring buffer data failed, errno " + errno);
        }
        return new RingBufferMapping(consumer, producer, page, dataSize, -1);
    }

    /**
     * The same layout over a memfd, writable everywhere: lets tests and benchmarks play the kernel's
     * producer role against the unchanged reader.
     */
    public static RingBufferMapping anonymous(long dataSize) throws IOException {
        long page = Libc.pageSize();
        requireValidSize(dataSize, page);
        int fd = Libc.memfd_create("spanscope-ringbuf", 0);
        if (fd < 0) {
            throw new IOException("memfd_create failed, errno " + Libc.lastErrno());
        }
        int rw = Libc.PROT_READ | Libc.PROT_WRITE;
        if (Libc.ftruncate(fd, 2 * page + dataSize) != 0) {
            Libc.close(fd);
            throw new IOException("ftruncate failed, errno " + Libc.lastErrno());
        }
        Pointer consumer = Libc.mmap(null, page, rw, Libc.MAP_SHARED, fd, 0);
        Pointer region = Libc.mmap(null, page + 2 * dataSize, rw, Libc.MAP_SHARED, fd, page);
        // map the data a second time right after itself, as the kernel does for BPF ring buffers
        Pointer second = Libc.mmap(region.share(page + dataSize), dataSize, rw, Libc.MAP_SHARED | Libc.MAP_FIXED,
                fd, 2 * page);
        if (Libc.MAP_FAILED.equals(consumer) || Libc.MAP_FAILED.equals(region) || Libc.MAP_FAILED.equals(second)) {
            Libc.close(fd);
            throw new IOException("mmap of the anonymous ring failed, errno " + Libc.lastErrno());
        }
        return new RingBufferMapping(consumer, region, page, dataSize, fd);
    }

    private static void requireValidSize(long dataSize, long page) {
        if (dataSize < page || Long.bitCount(dataSize) != 1 || dataSize > (1L << 29)) {
            throw new IllegalArgumentException(
                    "ring buffer size must be a power of 2 between one page and 512 MiB: " + dataSize);
        }
    }

    public Pointer consumerPage() {
        return consumerPage;
    }

    public Pointer producerPage() {
        return producerPage;
    }

    /** Start of the (double-mapped) data area. */
    public Pointer data() {
        return producerPage.share(pageSize);
    }

    public long dataSize() {
        return dataSize;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.munmap(consumerPage, pageSize);
        Libc.munmap(producerPage, pageSize + 2 * dataSize);
        if (backingFd >= 0) {
            Libc.close(backingFd);
        }
    }
}
