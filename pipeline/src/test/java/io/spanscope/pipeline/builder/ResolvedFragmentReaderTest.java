package io.spanscope.pipeline.builder;

import static io.spanscope.pipeline.wire.WireFragments.frontendFragment;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.spanscope.pipeline.builder.proto.ResolvedFragment;
import io.spanscope.pipeline.builder.proto.ResolvedFragments;
import io.spanscope.pipeline.builder.proto.ResolvedSpan;
import io.spanscope.pipeline.wire.FragmentEncoder;
import io.spanscope.spans.link.Fragment;
import io.spanscope.spans.resolve.FragmentResolutionListener;
import io.spanscope.spans.resolve.KnownSpan;
import io.spanscope.spans.resolve.TraceKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ResolvedFragmentReaderTest {

    private final FragmentEncoder encoder = new FragmentEncoder("agent-1");
    private final List<Handed> handed = new ArrayList<>();
    private final ResolvedFragmentReader reader = new ResolvedFragmentReader(new FragmentResolutionListener() {
        @Override
        public void onResolved(Fragment fragment, TraceKey trace, long rootParentSpanId, KnownSpan caller) {
            handed.add(new Handed(fragment, trace, rootParentSpanId, caller));
        }
    });

    private record Handed(Fragment fragment, TraceKey trace, long rootParentSpanId, KnownSpan caller) {
    }

    @Test
    void everyFragmentOfABatchIsHandedOverWithItsTraceAndCaller() {
        Fragment first = frontendFragment(0x100, 0x99);
        Fragment second = frontendFragment(0x200, 0);
        ResolvedSpan caller = ResolvedSpan.newBuilder().setTraceIdHigh(7).setTraceIdLow(8).setServiceName("loadgen")
                .setDurationNanos(1_500).setError(true).setClient(true).build();
        byte[] record = ResolvedFragments.newBuilder()
                .addFragments(resolved(first, 7, 8).setRootParentSpanId(0x99).setCaller(caller))
                .addFragments(resolved(second, 0, 9))
                .build().toByteArray();

        assertThat(reader.read(record)).isEqualTo(6);

        assertThat(handed).containsExactly(
                new Handed(first, new TraceKey(7, 8), 0x99, new KnownSpan(new TraceKey(7, 8), "loadgen", 1_500, true, true)),
                new Handed(second, new TraceKey(0, 9), 0, null));
        assertThat(reader.unreadable()).isZero();
    }

    @Test
    void aDamagedFragmentIsCountedAndTheOthersOfItsRecordAreKept() {
        byte[] good = encoder.encode(frontendFragment(0x300, 0), 1);
        byte[] damaged = Arrays.copyOf(good, good.length - 3);
        byte[] record = ResolvedFragments.newBuilder()
                .addFragments(ResolvedFragment.newBuilder().setTraceIdLow(1).setFragment(ByteString.copyFrom(damaged)))
                .addFragments(ResolvedFragment.newBuilder().setTraceIdLow(2).setFragment(ByteString.copyFrom(good)))
                .addFragments(ResolvedFragment.newBuilder().setTraceIdLow(3)) // no fragment at all
                .build().toByteArray();

        assertThat(reader.read(record)).isEqualTo(3);

        assertThat(handed).extracting(h -> h.trace().low()).containsExactly(2L);
        assertThat(reader.unreadable()).isEqualTo(2);
    }

    @Test
    void aCallerThatOccursTwiceIsMergedAsTheGeneratedParserMergesIt() throws Exception {
        byte[] once = resolved(frontendFragment(0x400, 0), 1, 2)
                .setCaller(ResolvedSpan.newBuilder().setServiceName("a").setDurationNanos(5)).build().toByteArray();
        byte[] again = ResolvedFragment.newBuilder()
                .setCaller(ResolvedSpan.newBuilder().setTraceIdLow(2).setError(true)).build().toByteArray();
        byte[] record = concat(once, again); // a single ResolvedFragment, as span builders before batching wrote

        assertThat(reader.read(record)).isEqualTo(3);

        ResolvedSpan merged = ResolvedFragment.parseFrom(record).getCaller();
        assertThat(handed.get(0).caller()).isEqualTo(KnownSpans.fromMessage(merged));
        assertThat(handed.get(0).caller()).isEqualTo(new KnownSpan(new TraceKey(0, 2), "a", 5, true, false));
    }

    @Test
    void damagedRecordsAreCountedNeverThrown() {
        byte[] record = ResolvedFragments.newBuilder()
                .addFragments(resolved(frontendFragment(0x500, 0), 1, 2))
                .addFragments(resolved(frontendFragment(0x600, 0), 1, 3)).build().toByteArray();
        Random random = new Random(65);
        for (int i = 0; i < 3_000; i++) {
            byte[] damaged = record.clone();
            damaged[random.nextInt(damaged.length)] ^= (byte) (1 << random.nextInt(8));
            byte[] truncated = Arrays.copyOf(damaged, random.nextInt(damaged.length + 1));

            int spans = reader.read(truncated);

            assertThat(spans).isBetween(0, 6);
        }
        assertThat(reader.unreadable()).isPositive();
        assertThat(reader.read(null)).isZero();
    }

    private ResolvedFragment.Builder resolved(Fragment fragment, long traceHigh, long traceLow) {
        return ResolvedFragment.newBuilder().setTraceIdHigh(traceHigh).setTraceIdLow(traceLow)
                .setFragment(ByteString.copyFrom(encoder.encode(fragment, 1)));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
