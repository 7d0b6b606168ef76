package io.spanscope.capture.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpscByteQueueTest {

    @Test
    void recordsComeOutWholeAndInOrderAcrossManyWraps() {
        SpscByteQueue queue = new SpscByteQueue(1024);
        List<byte[]> out = new ArrayList<>();
        int next = 0;
        for (int round = 0; round < 200; round++) {
            for (int i = 0; i < 3; i++) {
                byte[] record = record(next++, 50 + (round * 7 + i * 13) % 200);
                assertThat(queue.offer(ByteBuffer.wrap(record), 0, record.length)).isTrue();
            }
            queue.drain((b, o, l) -> out.add(Arrays.copyOfRange(b, o, o + l)), Integer.MAX_VALUE);
        }
        assertThat(out).hasSize(600);
        int n = 0;
        for (int round = 0; round < 200; round++) {
            for (int i = 0; i < 3; i++) {
                assertThat(out.get(n)).isEqualTo(record(n, 50 + (round * 7 + i * 13) % 200));
                n++;
            }
        }
    }

    @Test
    void fullQueueRefusesWithoutBlockingAndAcceptsAgainAfterDrain() {
        SpscByteQueue queue = new SpscByteQueue(256);
        byte[] record = record(1, 60); // 64 bytes with its length word
        int accepted = 0;
        while (queue.offer(ByteBuffer.wrap(record), 0, record.length)) {
            accepted++;
        }
        assertThat(accepted).isEqualTo(4);
        assertThat(queue.drain((b, o, l) -> { }, 1)).isEqualTo(1);
        assertThat(queue.offer(ByteBuffer.wrap(record), 0, record.length)).isTrue();
        assertThat(queue.offer(ByteBuffer.wrap(new byte[300]), 0, 300)).isFalse();
    }

    @Test
    void concurrentProducerAndConsumerLoseNothingThatWasAccepted() throws Exception {
        SpscByteQueue queue = new SpscByteQueue(4096);
        int total = 200_000;
        long[] sum = new long[1];
        int[] count = new int[1];
        Thread consumer = new Thread(() -> {
            while (count[0] < total) {
                queue.drain((b, o, l) -> {
                    sum[0] += ByteBuffer.wrap(b, o, l).getInt();
                    count[0]++;
                }, 64);
            }
        });
        consumer.start();
        ByteBuffer record = ByteBuffer.allocate(4 + 20);
        long expected = 0;
        for (int i = 0; i < total; i++) {
            record.putInt(0, i);
            while (!queue.offer(record, 0, 4 + (i % 20))) {
                Thread.onSpinWait();
            }
            expected += i;
        }
        consumer.join(30_000);
        assertThat(count[0]).isEqualTo(total);
        assertThat(sum[0]).isEqualTo(expected);
    }

    private static byte[] record(int seed, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed + i * 3);
        }
        return b;
    }
}
