package io.spanscope.pipeline.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnknownFieldSet;
import io.opentelemetry.api.common.AttributeKey;
import io.spanscope.pipeline.wire.proto.BoolArray;
import io.spanscope.pipeline.wire.proto.DoubleArray;
import io.spanscope.pipeline.wire.proto.Endpoint;
import io.spanscope.pipeline.wire.proto.KeyValue;
import io.spanscope.pipeline.wire.proto.LongArray;
import io.spanscope.pipeline.wire.proto.Service;
import io.spanscope.pipeline.wire.proto.Span;
import io.spanscope.pipeline.wire.proto.Status;
import io.spanscope.pipeline.wire.proto.StringArray;
import io.spanscope.spans.ExchangeSpan;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The field-by-number {@link FragmentDecoder} against the generated classes' parse
 * ({@link GeneratedFragmentDecoder}) on random fragments of every shape the schema allows, on wire forms
 * the generated serializer never writes (merged messages, unpacked arrays, known numbers with another wire
 * type), and on damaged bytes: where the reference decodes, the results are equal; where it fails, the new
 * decoder throws {@link WireFormatException} and nothing else.
 */
class FragmentDecoderAgreementTest {

    private static final String[] WORDS = {"", "GET", "POST", "frontend", "héllo ✓", "/orders/{id}", "k", "日本",
            "a-somewhat-longer-string-that-is-not-shared-because-it-is-over-the-limit"};

    private final FragmentDecoder decoder = new FragmentDecoder();
    private final GeneratedFragmentDecoder reference = new GeneratedFragmentDecoder();

    @Test
    void randomFragmentsDecodeAsTheGeneratedClassesDo() {
        Random random = new Random(61);
        for (int i = 0; i < 3_000; i++) {
            byte[] bytes = randomFragment(random).toByteArray();

            assertAgree(bytes);
        }
    }

    @Test
    void concatenatedFragmentsMergeAsTheGeneratedClassesMergeThem() {
        // protobuf: the concatenation of two messages is their merge (singular messages merged, repeated
        // fields appended, the last scalar wins)
        Random random = new Random(62);
        int decoded = 0;
        for (int i = 0; i < 1_000; i++) {
            byte[] bytes = concat(randomFragment(random).toByteArray(), randomFragment(random).toByteArray());

            decoded += assertAgree(bytes) ? 1 : 0;
        }
        assertThat(decoded).isGreaterThan(500);
    }

    @Test
    void unpackedArraysAndOneofChangesReadAsTheGeneratedClassesReadThem() throws IOException {
        ByteArrayOutputStream unpacked = new ByteArrayOutputStream();
        CodedOutputStream elements = CodedOutputStream.newInstance(unpacked);
        elements.writeSInt64(1, -3);
        elements.writeSInt64(1, 300);
        elements.flush();
        ByteArrayOutputStream kv = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(kv);
        out.writeString(1, "mixed");
        out.writeMessage(8, LongArray.newBuilder().addValues(1).addValues(2).build()); // packed
        out.writeByteArray(8, unpacked.toByteArray()); // a second LongArray, elements unpacked: merged
        out.writeDouble(5, 2.5); // the oneof changes to double …
        out.writeMessage(8, LongArray.newBuilder().addValues(9).build()); // … and back to the array
        out.flush();
        ByteArrayOutputStream doubles = new ByteArrayOutputStream();
        CodedOutputStream d = CodedOutputStream.newInstance(doubles);
        d.writeString(1, "unpacked doubles");
        d.writeTag(9, 2);
        d.writeUInt32NoTag(18);
        d.writeDouble(1, 1.5);
        d.writeDouble(1, Double.NaN);
        d.flush();
        Span root = Span.newBuilder().setSpanId(1)
                .addAttributes(KeyValue.parseFrom(kv.toByteArray()))
                .addAttributes(KeyValue.parseFrom(doubles.toByteArray()))
                .build();
        byte[] bytes = io.spanscope.pipeline.wire.proto.Fragment.newBuilder().setRoot(root)
                .addServices(Service.newBuilder().setServiceName("s")).build().toByteArray();
        byte[] withUnpacked = replaceRootAttributes(bytes, kv.toByteArray(), doubles.toByteArray());

        assertThat(assertAgree(withUnpacked)).isTrue();
        assertThat(decoder.decode(withUnpacked).fragment().root().attributes()
                .get(AttributeKey.longArrayKey("mixed"))).containsExactly(1L, 2L, -3L, 300L, 9L);
    }

    @Test
    void aKnownFieldWithAnotherWireTypeIsSkippedAsUnknown() throws IOException {
        ByteArrayOutputStream span = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(span);
        out.writeFixed64(1, 77);
        out.writeUInt64(1, 5); // span_id as a varint: not span_id
        out.writeString(3, "kind as a string");
        out.flush();
        byte[] bytes = concat(fieldOf(1, span.toByteArray()),
                io.spanscope.pipeline.wire.proto.Fragment.newBuilder()
                        .addServices(Service.newBuilder().setServiceName("s")).build().toByteArray());

        assertThat(assertAgree(bytes)).isTrue();
        assertThat(decoder.decode(bytes).fragment().root().spanId()).isEqualTo(77);
    }

    @Test
    void damagedBytesThrowOnlyWireFormatException() {
        Random random = new Random(63);
        int rejected = 0;
        int decoded = 0;
        for (int i = 0; i < 5_000; i++) {
            byte[] bytes = damage(randomFragment(random).toByteArray(), random);

            if (assertAgree(bytes)) {
                decoded++;
            } else {
                rejected++;
            }
        }
        // both outcomes were exercised
        assertThat(rejected).isGreaterThan(1_000);
        assertThat(decoded).isGreaterThan(100);
    }

    @Test
    void aServiceIndexBeyondTwoToThe31IsAWireFormatException() {
        byte[] bytes = io.spanscope.pipeline.wire.proto.Fragment.newBuilder()
                .setRoot(Span.newBuilder().setSpanId(3).setServiceIndex(-2))
                .addServices(Service.newBuilder().setServiceName("s")).build().toByteArray();

        // the generated-class decoder compared it as a signed int and threw IndexOutOfBoundsException
        assertThatThrownBy(() -> decoder.decode(bytes)).isInstanceOf(WireFormatException.class)
                .hasMessageContaining("names service 4294967294 of 1");
    }

    @Test
    void servicesKeysAndShortStringsAreSharedAcrossFragments() {
        Random random = new Random(64);
        io.spanscope.pipeline.wire.proto.Fragment message = randomFragment(random).toBuilder()
                .setRoot(Span.newBuilder().setSpanId(1).setName("GET /x")
                        .addAttributes(KeyValue.newBuilder().setKey("http.request.method").setStringValue("GET")))
                .build();

        ExchangeSpan first = decoder.decode(message.toByteArray()).fragment().root();
        ExchangeSpan second = decoder.decode(message.toByteArray()).fragment().root();

        assertThat(second).isEqualTo(first);
        assertThat(second.service()).isSameAs(first.service());
        assertThat(second.name()).isSameAs(first.name());
        AttributeKey<?> firstKey = first.attributes().asMap().keySet().iterator().next();
        AttributeKey<?> secondKey = second.attributes().asMap().keySet().iterator().next();
        assertThat(secondKey).isSameAs(firstKey);
        assertThat(second.attributes().get(AttributeKey.stringKey("http.request.method")))
                .isSameAs(first.attributes().get(AttributeKey.stringKey("http.request.method")));
    }

    /** @return true when the bytes decoded (equally), false when both decoders rejected them */
    private boolean assertAgree(byte[] bytes) {
        FragmentDecoder.Decoded expected;
        try {
            expected = reference.decode(bytes);
        } catch (RuntimeException referenceFailure) {
            assertThat(catchThrowable(() -> decoder.decode(bytes)))
                    .as("reference threw %s on %s", referenceFailure, HexFormat.of().formatHex(bytes))
                    .isInstanceOf(WireFormatException.class);
            return false;
        }
        FragmentDecoder.Decoded actual = decoder.decode(bytes);
        assertThat(actual).isEqualTo(expected);
        // equal values; also equal in what equals does not compare
        assertThat(actual.fragment().root().service().resource().getSchemaUrl())
                .isEqualTo(expected.fragment().root().service().resource().getSchemaUrl());
        return true;
    }

    private static io.spanscope.pipeline.wire.proto.Fragment randomFragment(Random random) {
        io.spanscope.pipeline.wire.proto.Fragment.Builder f = io.spanscope.pipeline.wire.proto.Fragment.newBuilder();
        int services = random.nextInt(4);
        for (int i = 0; i < services; i++) {
            Service.Builder s = Service.newBuilder().setServiceName(word(random)).setTraced(random.nextBoolean())
                    .setSchemaUrl(random.nextInt(3) == 0 ? "https://opentelemetry.io/schemas/1.27.0" : "");
            for (int a = random.nextInt(4); a > 0; a--) {
                s.addResourceAttributes(keyValue(random));
            }
            f.addServices(maybeUnknown(s, random));
        }
        // a missing root and a dangling service index are kept for a few, to compare failures too
        if (random.nextInt(50) != 0) {
            f.setRoot(span(random, services));
        }
        for (int c = random.nextInt(5); c > 0; c--) {
            f.addChildren(span(random, services));
        }
        f.setRootParentSpanId(random.nextBoolean() ? 0 : random.nextLong())
                .setAgentId(random.nextBoolean() ? "agent-" + random.nextInt(3) : "")
                .setPublishedEpochNanos(random.nextLong());
        return maybeUnknown(f, random).build();
    }

    private static Span span(Random random, int services) {
        Span.Builder s = Span.newBuilder().setSpanId(random.nextLong()).setRemoteParentSpanId(random.nextLong())
                .setKindValue(random.nextInt(7)).setName(word(random))
                .setStartEpochNanos(random.nextLong()).setEndEpochNanos(random.nextLong())
                .setServiceIndex(random.nextInt(60) == 0 ? services : random.nextInt(Math.max(1, services)))
                .setTgid(random.nextInt()).setRequestTid(random.nextInt()).setResponseTid(random.nextInt())
                .setStartMonoNanos(random.nextLong()).setEndMonoNanos(random.nextLong())
                .setError(random.nextBoolean()).setConnectDurationNanos(random.nextLong())
                .setAcceptQueueWaitNanos(random.nextLong());
        for (int a = random.nextInt(8); a > 0; a--) {
            s.addAttributes(keyValue(random));
        }
        if (random.nextBoolean()) {
            s.setStatus(Status.newBuilder().setCodeValue(random.nextInt(4)).setDescription(word(random)));
        }
        if (random.nextInt(3) != 0) {
            int length = random.nextInt(20) == 0 ? 5 : random.nextBoolean() ? 4 : 16;
            byte[] address = new byte[length];
            random.nextBytes(address);
            s.setPeer(Endpoint.newBuilder().setAddress(ByteString.copyFrom(address))
                    .setPort(random.nextInt(40) == 0 ? 70_000 : random.nextInt(65_536)));
        }
        return maybeUnknown(s, random).build();
    }

    private static KeyValue keyValue(Random random) {
        KeyValue.Builder kv = KeyValue.newBuilder().setKey(random.nextInt(10) == 0 ? "" : "attr." + random.nextInt(12));
        switch (random.nextInt(9)) {
            case 0 -> kv.setStringValue(word(random));
            case 1 -> kv.setBoolValue(random.nextBoolean());
            case 2 -> kv.setLongValue(random.nextInt(3) == 0 ? Long.MIN_VALUE : random.nextLong());
            case 3 -> kv.setDoubleValue(random.nextInt(5) == 0 ? Double.NaN : random.nextGaussian());
            case 4 -> kv.setStringArray(StringArray.newBuilder().addAllValues(
                    Arrays.asList(word(random), word(random)).subList(0, random.nextInt(3))));
            case 5 -> kv.setBoolArray(BoolArray.newBuilder().addValues(random.nextBoolean()).addValues(true));
            case 6 -> kv.setLongArray(random.nextBoolean() ? LongArray.getDefaultInstance()
                    : LongArray.newBuilder().addValues(random.nextLong()).addValues(-1).build());
            case 7 -> kv.setDoubleArray(DoubleArray.newBuilder().addValues(random.nextDouble()).addValues(-0.0));
            default -> { } // no value: a type from a newer schema
        }
        return maybeUnknown(kv, random).build();
    }

    private static <B extends com.google.protobuf.Message.Builder> B maybeUnknown(B builder, Random random) {
        if (random.nextInt(4) == 0) {
            UnknownFieldSet.Field.Builder field = UnknownFieldSet.Field.newBuilder();
            switch (random.nextInt(4)) {
                case 0 -> field.addVarint(random.nextLong());
                case 1 -> field.addFixed64(random.nextLong());
                case 2 -> field.addFixed32(random.nextInt());
                default -> field.addLengthDelimited(ByteString.copyFromUtf8(word(random)));
            }
            builder.setUnknownFields(UnknownFieldSet.newBuilder().addField(40 + random.nextInt(60), field.build()).build());
        }
        return builder;
    }

    private static String word(Random random) {
        return WORDS[random.nextInt(WORDS.length)];
    }

    private static byte[] damage(byte[] bytes, Random random) {
        if (bytes.length == 0) {
            return new byte[] {(byte) random.nextInt()};
        }
        return switch (random.nextInt(4)) {
            case 0 -> Arrays.copyOf(bytes, random.nextInt(bytes.length));
            case 1 -> {
                byte[] flipped = bytes.clone();
                for (int n = 1 + random.nextInt(3); n > 0; n--) {
                    flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
                }
                yield flipped;
            }
            case 2 -> {
                byte[] replaced = bytes.clone();
                replaced[random.nextInt(replaced.length)] = (byte) random.nextInt();
                yield replaced;
            }
            default -> {
                int at = random.nextInt(bytes.length);
                byte[] inserted = new byte[1 + random.nextInt(4)];
                random.nextBytes(inserted);
                yield concat(Arrays.copyOf(bytes, at), inserted, Arrays.copyOfRange(bytes, at, bytes.length));
            }
        };
    }

    /** The fragment with its root's KeyValues replaced by hand-written ones (forms the serializer never writes). */
    private static byte[] replaceRootAttributes(byte[] fragment, byte[]... keyValues) throws IOException {
        io.spanscope.pipeline.wire.proto.Fragment parsed = io.spanscope.pipeline.wire.proto.Fragment.parseFrom(fragment);
        byte[] rootWithout = parsed.getRoot().toBuilder().clearAttributes().build().toByteArray();
        List<byte[]> parts = new ArrayList<>(List.of(rootWithout));
        for (byte[] kv : keyValues) {
            parts.add(fieldOf(7, kv));
        }
        byte[] root = concat(parts.toArray(byte[][]::new));
        return concat(fieldOf(1, root), parsed.toBuilder().clearRoot().build().toByteArray());
    }

    private static byte[] fieldOf(int number, byte[] message) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeByteArray(number, message);
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
