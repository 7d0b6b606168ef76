package io.spanscope.parsers.stream;

import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserStats;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StreamAssemblerTest {

    /** Consumes lines only (like a header parser), recording bytes, gaps and positions. */
    private static final class LineConsumer implements StreamConsumer {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<String> gaps = new ArrayList<>();
        final List<Long> timestamps = new ArrayList<>();
        long expectedPosition;

        @Override
        public int onBytes(byte[] buffer, int offset, int length, long position, ChunkOrigin origin) {
            assertThat(position).isEqualTo(expectedPosition);
            int consumed = 0;
            for (int i = offset; i < offset + length; i++) {
                if (buffer[i] == '\n') {
                    consumed = i + 1 - offset;
                }
            }
            bytes.write(buffer, offset, consumed);
            timestamps.add(origin.timestampNs());
            expectedPosition += consumed;
            return consumed;
        }

        @Override
        public void onGap(long position, long missingBytes, ChunkOrigin origin) {
            gaps.add(position + "+" + missingBytes);
            expectedPosition = position + missingBytes;
        }

        String text() {
            return bytes.toString(StandardCharsets.US_ASCII);
        }
    }

    private final ParserStats stats = new ParserStats(new MemoryBudget(1 << 20));
    private final LineConsumer consumer = new LineConsumer();
    private final StreamAssembler assembler = new StreamAssembler(consumer, stats, 4096, 8192, 8);

    private void offer(int seq, String text, long ts) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        assembler.offer(seq, b.length, b, 0, b.length, ts, 1);
    }

    @Test
    void unconsumedBytesArePresentedAgainWithTheNextChunkAcrossTheSequenceWrap() {
        int base = 0xFFFF_FFFA;
        offer(base, "abc\nde", 1);
        offer(base + 6, "f\ngh", 2);
        offer(base + 10, "i\n", 3);
        assertThat(consumer.text()).isEqualTo("abc\ndef\nghi\n");
        assertThat(consumer.gaps).isEmpty();
        assertThat(stats.bufferedBytes()).isZero();
    }

    /** The first event seen defines the stream start: no earlier initial sequence number is known. */
    @Test
    void outOfOrderChunksArePutInPlaceAndOverlapsTrimmed() {
        int base = 1000;
        offer(base, "ab", 1);
        offer(base + 8, "ij\nkl\n", 3);
        offer(base + 4, "efgh", 2);
        assertThat(consumer.text()).isEmpty();
        offer(base + 3, "de", 9);
        offer(base + 2, "cdef", 9);
        offer(base + 3, "defghij", 7);
        offer(base - 2, "xxab", 7);
        assertThat(consumer.text()).isEqualTo("abcdefghij\nkl\n");
        assertThat(stats.outOfOrderChunks()).isEqualTo(3);
        assertThat(stats.duplicateBytes()).as("held 'de' covered by 'cdef' (2), 'efgh' overlapping 'cdef' (2), 'defghij' (7), "
                + "'xxab' (4)").isEqualTo(2 + 2 + 7 + 4);
        assertThat(consumer.gaps).isEmpty();
        assertThat(stats.bufferedBytes()).isZero();
    }

    @Test
    void truncatedEventIsAGapOfKnownLengthRightAfterItsPayload() {
        byte[] b = "xy\nz".getBytes(StandardCharsets.US_ASCII);
        assembler.offer(0, 100, b, 0, b.length, 5, 1);
        offer(100, "after\n", 6);
        assertThat(consumer.gaps).containsExactly("3+97");
        assertThat(consumer.text()).isEqualTo("xy\nafter\n");
        assertThat(stats.gaps()).isEqualTo(1);
        assertThat(stats.gapBytes()).isEqualTo(96);
    }

    @Test
    void flushDeclaresMissingRangesAndDeliversHeldChunks() {
        offer(0, "a\n", 1);
        offer(10, "b\n", 2);
        offer(20, "c\n", 3);
        assembler.flush();
        assertThat(consumer.gaps).containsExactly("2+8", "12+8");
        assertThat(consumer.text()).isEqualTo("a\nb\nc\n");
    }

    @Test
    void heldChunksBeyondTheirBoundAreGivenUpAsAGap() {
        offer(0, "start\n", 1);
        for (int i = 0; i < 20; i++) {
            offer(100 + i * 10, "0123456789".substring(0, 9) + "\n", i);
            assertThat(assembler.bufferedBytes()).isLessThanOrEqualTo(8 * 10);
        }
        assertThat(stats.drops(DropReason.OUT_OF_ORDER_LIMIT)).isGreaterThan(0);
        assertThat(consumer.gaps).first().isEqualTo("6+94");
        assertThat(consumer.text()).startsWith("start\n012345678\n");
    }

    @Test
    void unconsumableBytesBeyondTheBufferBoundAreDroppedAsAGap() {
        byte[] noNewline = new byte[3000];
        java.util.Arrays.fill(noNewline, (byte) 'x');
        assembler.offer(0, 3000, noNewline, 0, 3000, 1, 1);
        assembler.offer(3000, 3000, noNewline, 0, 3000, 2, 1);
        assertThat(stats.drops(DropReason.DIRECTION_BUFFER_LIMIT)).isEqualTo(1);
        assertThat(consumer.gaps).containsExactly("0+3000");
        assertThat(assembler.bufferedBytes()).isLessThanOrEqualTo(4096);
        assertThat(stats.peakBufferedBytes()).isLessThanOrEqualTo(4096);
    }

    @Test
    void nonsenseRangesAreIgnoredOrClamped() {
        byte[] b = "ok\n".getBytes(StandardCharsets.US_ASCII);
        assembler.offer(0, -5, b, 0, 3, 1, 1);
        assembler.offer(0, 0, b, 0, 3, 1, 1);
        assembler.offer(0, 2, b, 0, 3, 1, 1);
        assembler.offer(2, 1, b, 2, 1, 1, 1);
        assertThat(consumer.text()).isEqualTo("ok\n");
    }
}
