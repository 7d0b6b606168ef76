package io.spanscope.pipeline.builder;

import static io.spanscope.pipeline.wire.WireFragments.EPOCH;
import static io.spanscope.pipeline.wire.WireFragments.frontendFragment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedOutputStream;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.spanscope.pipeline.wire.FragmentEncoder;
import io.spanscope.pipeline.wire.WireFormatException;
import io.spanscope.spans.ExchangeSpan;
import io.spanscope.spans.link.Fragment;
import io.spanscope.spans.resolve.ResolvedSpans;
import io.spanscope.spans.resolve.TraceKey;
import io.spanscope.spans.service.ServiceIdentity;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The outline keeps exactly what the resolver reads of a fragment the agent's encoder wrote. */
class FragmentOutlineDecoderTest {

    private final FragmentEncoder encoder = new FragmentEncoder("agent-test");
    private final FragmentOutlineDecoder decoder = new FragmentOutlineDecoder();

    private static void assertOutlineOf(Fragment outline, Fragment full) {
        assertThat(outline.rootParentSpanId()).isEqualTo(full.rootParentSpanId());
        assertThat(outline.rootParentIsRemote()).isEqualTo(full.rootParentIsRemote());
        assertThat(outline.size()).isEqualTo(full.size());
        assertSpanOutline(outline.root(), full.root());
        for (int i = 0; i < full.children().size(); i++) {
            assertSpanOutline(outline.children().get(i), full.children().get(i));
        }
    }

    private static void assertSpanOutline(ExchangeSpan outline, ExchangeSpan full) {
        assertThat(outline.spanId()).isEqualTo(full.spanId());
        assertThat(outline.remoteParentSpanId()).isEqualTo(full.remoteParentSpanId());
        assertThat(outline.kind()).isEqualTo(full.kind());
        assertThat(outline.startEpochNanos()).isEqualTo(full.startEpochNanos());
        assertThat(outline.endEpochNanos()).isEqualTo(full.endEpochNanos());
        assertThat(outline.service().serviceName()).isEqualTo(full.service().serviceName());
        assertThat(outline.service().traced()).isEqualTo(full.service().traced());
        // what a span announces about itself is the same from the outline as from the full span
        TraceKey trace = new TraceKey(1, 2);
        assertThat(ResolvedSpans.known(outline, trace)).isEqualTo(ResolvedSpans.known(full, trace));
        assertThat(outline.attributes().isEmpty()).isTrue();
    }

    @Test
    void aFragmentOutlineKeepsIdsParentsKindsTimesErrorsAndServices() {
        Fragment full = frontendFragment(0x1234, 0x99);
        Fragment outline = decoder.decode(encoder.encode(full, EPOCH));
        assertOutlineOf(outline, full);
        assertThat(outline.children().get(1).error()).isTrue();
        assertThat(outline.root().service().serviceName()).isEqualTo("frontend");
    }

    @Test
    void randomFragmentsHaveTheirOutlines() {
        Random random = new Random(11);
        for (int i = 0; i < 2_000; i++) {
            List<ServiceIdentity> services = new ArrayList<>();
            for (int s = 0; s < 1 + random.nextInt(3); s++) {
                services.add(io.spanscope.pipeline.wire.WireFragments.service("svc-" + random.nextInt(5), s));
            }
            List<ExchangeSpan> children = new ArrayList<>();
            for (int c = random.nextInt(6); c > 0; c--) {
                children.add(span(random, SpanKind.CLIENT, services.get(random.nextInt(services.size()))));
            }
            Fragment full = new Fragment(span(random, random.nextBoolean() ? SpanKind.SERVER : SpanKind.CLIENT,
                    services.get(0)), children, random.nextBoolean() ? 0 : random.nextLong());
            byte[] bytes = encoder.encode(full, random.nextLong());
            assertOutlineOf(decoder.decode(bytes), full);
            List<Long> ids = new ArrayList<>();
            FragmentOutlineDecoder.forEachSpanId(bytes, ids::add);
            List<Long> expected = new ArrayList<>();
            full.children().forEach(c -> expected.add(c.spanId()));
            expected.add(full.root().spanId());
            assertThat(ids).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void fieldsOfANewerSchemaAreSkipped() throws Exception {
        ByteArrayOutputStream newer = new ByteArrayOutputStream();
        newer.write(encoder.encode(frontendFragment(5, 6), EPOCH));
        CodedOutputStream extra = CodedOutputStream.newInstance(newer);
        extra.writeString(99, "a field this reader does not know");
        extra.writeFixed64(100, 7);
        extra.flush();

        assertOutlineOf(decoder.decode(newer.toByteArray()), frontendFragment(5, 6));
    }

    @Test
    void badBytesAreOneClearException() {
        assertThatThrownBy(() -> decoder.decode(new byte[] {0x0a, 0x7f, 1}))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("not a spanscope.v1.Fragment");
        assertThatThrownBy(() -> decoder.decode(new byte[0]))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("without a root");
        byte[] danglingService = io.spanscope.pipeline.wire.proto.Fragment.newBuilder()
                .setRoot(io.spanscope.pipeline.wire.proto.Span.newBuilder().setSpanId(3).setServiceIndex(2))
                .build().toByteArray();
        assertThatThrownBy(() -> decoder.decode(danglingService))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("names service 2 of 0");
    }

    private static ExchangeSpan span(Random random, SpanKind kind, ServiceIdentity service) {
        long start = random.nextLong();
        return new ExchangeSpan(random.nextLong(), kind == SpanKind.SERVER ? random.nextLong() : 0, kind,
                "op-" + random.nextInt(9), start, start + random.nextInt(1 << 30),
                Attributes.builder().put("k", "v" + random.nextInt()).build(), StatusData.unset(), service,
                random.nextInt(1 << 22), 1, 2, 3, 4, null, random.nextBoolean(), 0, 0, 0, -1, 0, -1, -1, 0, -1);
    }
}
