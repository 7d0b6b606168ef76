package io.spanscope.parsers.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Bytes and records per second, reported beside the operations per second of a parser benchmark. */
@AuxCounters(AuxCounters.Type.OPERATIONS)
@State(Scope.Thread)
public class ReplayCounters {
    public long bytes;
    public long records;

    @Setup(Level.Iteration)
    public void reset() {
        bytes = 0;
        records = 0;
    }
}
