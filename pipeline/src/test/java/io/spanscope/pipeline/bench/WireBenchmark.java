package io.spanscope.pipeline.bench;

import io.spanscope.pipeline.wire.FragmentDecoder;
import io.spanscope.pipeline.wire.FragmentEncoder;
import io.spanscope.pipeline.wire.FragmentKeys;
import io.spanscope.pipeline.wire.GeneratedFragmentDecoder;
import io.spanscope.pipeline.wire.WireFragments;
import io.spanscope.spans.link.Fragment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The agent's share of the publish path per fragment (encode + key) and the span builder's decode, for a
 * fragment of the usual shape: an HTTP server span and two calls, one service, seven attributes each.
 * {@code decodeGeneratedClasses}: the decode before session 5 (generated message classes, then mapped), the
 * baseline of {@code decode} (field by field from the bytes).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WireBenchmark {

    private final FragmentEncoder encoder = new FragmentEncoder("node-a");
    private final FragmentDecoder decoder = new FragmentDecoder();
    private final GeneratedFragmentDecoder generatedClassesDecoder = new GeneratedFragmentDecoder();
    private Fragment fragment;
    private byte[] encoded;

    @Setup
    public void setUp() {
        fragment = WireFragments.frontendFragment(0x1234_5678_9abcL, 0x0fed_cba9L);
        encoded = encoder.encode(fragment, 1);
    }

    @Benchmark
    public int encode() {
        byte[] key = FragmentKeys.key(fragment);
        return encoder.encode(fragment, 1).length + key.length;
    }

    @Benchmark
    public Fragment decode() {
        return decoder.decode(encoded).fragment();
    }

    @Benchmark
    public Fragment decodeGeneratedClasses() {
        return generatedClassesDecoder.decode(encoded).fragment();
    }
}
