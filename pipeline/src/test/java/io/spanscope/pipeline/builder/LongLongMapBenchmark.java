package io.spanscope.pipeline.builder;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The span index's lookups at the sizes a span builder holds (half a million to a million and a half spans,
 * tables far larger than the caches): {@code get} of random present span ids, and {@code put} of a new id
 * with {@code remove} of an old one, as a batch's arrival and another's expiry do. Random ids, as span ids are.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = "-Xmx2g")
@State(Scope.Thread)
public class LongLongMapBenchmark {

    private static final int OPS = 1024;
    /** Far more lookup keys than the caches hold, read in order: each lookup's slot is a cold one. */
    private static final int LOOKUPS = 1 << 21;

    @Param({"500000", "1500000"})
    int spans;

    private LongLongMap map;
    private long[] keys;
    private long[] lookups;
    private SplittableRandom random;
    private int oldest;
    private int next;

    @Setup
    public void fill() {
        random = new SplittableRandom(7);
        map = new LongLongMap();
        keys = new long[spans];
        for (int i = 0; i < spans; i++) {
            keys[i] = random.nextLong() | 1;
            map.put(keys[i], i);
        }
        lookups = new long[LOOKUPS];
        for (int i = 0; i < LOOKUPS; i++) {
            lookups[i] = keys[random.nextInt(spans)];
        }
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public long get() {
        long sum = 0;
        for (int i = 0; i < OPS; i++) {
            sum += map.get(lookups[next]);
            next = (next + 1) & (LOOKUPS - 1);
        }
        return sum;
    }

    /** One new span in, the oldest out: the map stays at its size. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long putAndRemove() {
        long sum = 0;
        for (int i = 0; i < OPS; i++) {
            long key = random.nextLong() | 1;
            sum += map.put(key, i);
            sum += map.remove(keys[oldest]);
            keys[oldest] = key;
            oldest = (oldest + 1) % spans;
        }
        return sum;
    }
}
