package io.spanscope.pipeline.wire;

import static io.spanscope.pipeline.wire.WireFragments.EPOCH;
import static io.spanscope.pipeline.wire.WireFragments.client;
import static io.spanscope.pipeline.wire.WireFragments.endpoint;
import static io.spanscope.pipeline.wire.WireFragments.frontendFragment;
import static io.spanscope.pipeline.wire.WireFragments.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedOutputStream;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.spanscope.spans.ExchangeSpan;
import io.spanscope.spans.link.Fragment;
import io.spanscope.spans.service.ServiceIdentity;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FragmentCodecTest {

    private final FragmentEncoder encoder = new FragmentEncoder("agent-1");
    private final FragmentDecoder decoder = new FragmentDecoder();

    @Test
    void aFragmentComesBackEqualWithItsStamp() {
        Fragment fragment = frontendFragment(0x1234_5678_9abc_def0L, 0x0fed_cba9_8765_4321L);

        FragmentDecoder.Decoded decoded = decoder.decode(encoder.encode(fragment, EPOCH + 77));

        assertThat(decoded.fragment()).isEqualTo(fragment);
        assertThat(decoded.agentId()).isEqualTo("agent-1");
        assertThat(decoded.publishedEpochNanos()).isEqualTo(EPOCH + 77);
    }

    @Test
    void theEncoderWritesWhatTheGeneratedSerializerWrites() throws Exception {
        Fragment fragment = frontendFragment(-1L, 42L);
        byte[] encoded = encoder.encode(fragment, EPOCH);

        io.spanscope.pipeline.wire.proto.Fragment parsed = io.spanscope.pipeline.wire.proto.Fragment.parseFrom(encoded);

        assertThat(parsed.toByteArray()).isEqualTo(encoded);
        assertThat(parsed.getRoot().getSpanId()).isEqualTo(-1L);
        assertThat(parsed.getRoot().getKind()).isEqualTo(io.spanscope.pipeline.wire.proto.SpanKind.SPAN_KIND_SERVER);
        assertThat(parsed.getChildren(1).getStatus().getCode())
                .isEqualTo(io.spanscope.pipeline.wire.proto.Status.Code.CODE_ERROR);
        assertThat(parsed.getChildren(1).getPeer().getAddress().size()).isEqualTo(16);
        assertThat(parsed.getRoot().getPeer().getAddress().size()).isEqualTo(4);
    }

    @Test
    void aServiceSharedBySpansIsWrittenOnce() throws Exception {
        ServiceIdentity frontend = service("frontend", 1);
        ServiceIdentity sameButAnotherObject = service("frontend", 1);
        ServiceIdentity other = service("batch", 2);
        Fragment fragment = new Fragment(WireFragments.server(10, 0, frontend),
                List.of(client(11, sameButAnotherObject, false), client(12, other, false)), 0);

        byte[] encoded = encoder.encode(fragment, EPOCH);

        io.spanscope.pipeline.wire.proto.Fragment parsed = io.spanscope.pipeline.wire.proto.Fragment.parseFrom(encoded);
        assertThat(parsed.getServicesList()).extracting(s -> s.getServiceName()).containsExactly("frontend", "batch");
        assertThat(parsed.getChildren(1).getServiceIndex()).isEqualTo(1);
        Fragment back = decoder.decode(encoded).fragment();
        assertThat(back).isEqualTo(fragment);
        assertThat(back.children().get(0).service()).isSameAs(back.root().service());
    }

    @Test
    void everyAttributeTypeAndDefaultValueSurvives() {
        ServiceIdentity odd = new ServiceIdentity("", Resource.create(WireFragments.everyAttributeType(),
                "https://opentelemetry.io/schemas/1.27.0"), false);
        ExchangeSpan span = new ExchangeSpan(1, 0, SpanKind.INTERNAL, "", 0, 0, WireFragments.everyAttributeType(),
                StatusData.ok(), odd, 0, 0, 0, 0, 0, null, false, 0, 0, 0, -1, 0, -1, -1, 0, -1);
        Fragment fragment = new Fragment(span, List.of(), 0);

        Fragment back = decoder.decode(new FragmentEncoder("").encode(fragment, 0)).fragment();

        assertThat(back).isEqualTo(fragment);
        assertThat(back.root().service().resource().getSchemaUrl()).isEqualTo("https://opentelemetry.io/schemas/1.27.0");
    }

    @Test
    void randomFragmentsRoundTrip() {
        Random random = new Random(6);
        for (int i = 0; i < 2_000; i++) {
            ServiceIdentity service = service("svc-" + random.nextInt(5), random.nextInt(1 << 22));
            List<ExchangeSpan> children = new ArrayList<>();
            int calls = random.nextInt(6);
            for (int c = 0; c < calls; c++) {
                children.add(randomSpan(random, SpanKind.CLIENT, service));
            }
            Fragment fragment = new Fragment(randomSpan(random, SpanKind.SERVER, service), children,
                    random.nextBoolean() ? 0 : random.nextLong());
            long published = random.nextLong();

            FragmentDecoder.Decoded back = decoder.decode(encoder.encode(fragment, published));

            assertThat(back.fragment()).isEqualTo(fragment);
            assertThat(back.publishedEpochNanos()).isEqualTo(published);
        }
    }

    @Test
    void fieldsOfANewerSchemaAreSkipped() throws Exception {
        byte[] encoded = encoder.encode(frontendFragment(5, 6), EPOCH);
        ByteArrayOutputStream newer = new ByteArrayOutputStream();
        newer.write(encoded);
        CodedOutputStream extra = CodedOutputStream.newInstance(newer);
        extra.writeString(99, "a field this reader does not know");
        extra.writeFixed64(100, 7);
        extra.flush();

        assertThat(decoder.decode(newer.toByteArray()).fragment()).isEqualTo(frontendFragment(5, 6));
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

    @Test
    void keysAreTheAwaitedSpanIdBigEndianElseTheRootsOwn() {
        Fragment waiting = frontendFragment(0x1111, 0x0102_0304_0506_0708L);
        Fragment root = frontendFragment(0xff00_0000_0000_00aaL, 0);

        assertThat(FragmentKeys.key(waiting)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(FragmentKeys.spanIdOf(FragmentKeys.key(root))).isEqualTo(0xff00_0000_0000_00aaL);
        assertThat(FragmentKeys.key(root)[0]).isEqualTo((byte) 0xff);
        assertThatThrownBy(() -> FragmentKeys.spanIdOf(new byte[4])).isInstanceOf(IllegalArgumentException.class);
    }

    private static ExchangeSpan randomSpan(Random random, SpanKind kind, ServiceIdentity service) {
        Attributes attributes = Attributes.builder()
                .put("http.request.method", random.nextBoolean() ? "GET" : "POST")
                .put("http.response.status_code", (long) random.nextInt(600))
                .put("n", random.nextLong()).put("f", random.nextDouble()).put("flag", random.nextBoolean()).build();
        StatusData status = random.nextInt(4) == 0 ? StatusData.error() : StatusData.unset();
        return new ExchangeSpan(random.nextLong(), random.nextLong(), kind, "op " + random.nextInt(1000),
                random.nextLong(), random.nextLong(), attributes, status, service, random.nextInt(1 << 22),
                random.nextInt(), random.nextInt(), random.nextLong(), random.nextLong(),
                random.nextBoolean() ? null : endpoint(random.nextBoolean() ? "10.1.2.3" : "2001:db8::7",
                        random.nextInt(65_536)), random.nextBoolean(), random.nextLong(), random.nextLong(), 0, -1, 0, -1, -1, 0, -1);
    }
}
