package io.spanscope.spans.export;

import static io.spanscope.spans.TestExchanges.server;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.sdk.trace.data.SpanData;
import io.spanscope.spans.CapturedSpanData;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SpanExportQueueTest {

    private static List<SpanData> spans(int n) {
        return IntStream.range(0, n).mapToObj(i -> (SpanData) CapturedSpanData.of(
                server(2, 2, 1_000L * i, 1_000L * i + 500, i, i + 1), 7, 9, 0, false)).toList();
    }

    private static Set<String> ids(List<SpanData> spans) {
        return spans.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 30 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static SpanExportQueue queue(FlakyExporter exporter, int capacity, int maxBatch) {
        return new SpanExportQueue(exporter, capacity, maxBatch, Duration.ofMillis(5), Duration.ofSeconds(5),
                Duration.ofMillis(20));
    }

    @Test
    void nothingIsLostWhileTheBackendFailsAndRecovers() throws InterruptedException {
        FlakyExporter exporter = new FlakyExporter(3);
        List<SpanData> sent = spans(300);
        try (SpanExportQueue queue = queue(exporter, 1_000, 50)) {
            sent.forEach(queue::offer);
            await(() -> exporter.received().size() >= 300);

            ExportStats stats = queue.stats();
            assertThat(stats.exported()).isEqualTo(300);
            assertThat(stats.failedAttempts()).isEqualTo(3);
            assertThat(stats.droppedQueueFull()).isZero();
            assertThat(stats.queued()).isZero();
            assertThat(stats.capacity()).isEqualTo(1_000);
        }
        assertThat(exporter.received()).hasSize(300);
        assertThat(ids(exporter.received())).isEqualTo(ids(sent));
        assertThat(exporter.isShutDown()).isTrue();
    }

    @Test
    void aFullQueueRefusesAndCountsAndShutdownCountsWhatWasNeverSent() {
        FlakyExporter down = new FlakyExporter(-1);
        SpanExportQueue queue = queue(down, 10, 5);
        spans(100).forEach(queue::offer);

        ExportStats during = queue.stats();
        // at most one batch is out with the (failing) exporter and the queue holds at most 10
        assertThat(during.droppedQueueFull()).isBetween(85L, 90L);
        assertThat(during.queued()).isLessThanOrEqualTo(10);

        queue.shutdown(Duration.ofMillis(200));
        ExportStats after = queue.stats();
        assertThat(after.exported()).isZero();
        assertThat(after.droppedQueueFull() + after.droppedAtShutdown()).isEqualTo(100);
        assertThat(after.droppedAtShutdown()).isBetween(10L, 15L);
        assertThat(after.queued()).isZero();
        assertThat(down.received()).isEmpty();
        assertThat(down.calls()).isPositive();
        assertThat(down.isShutDown()).isTrue();
    }

    @Test
    void shutdownExportsWhatIsQueuedWhenTheBackendIsUp() {
        FlakyExporter exporter = new FlakyExporter(0);
        SpanExportQueue queue = queue(exporter, 2_000, 64);
        List<SpanData> sent = spans(1_500);
        sent.forEach(queue::offer);
        queue.shutdown(Duration.ofSeconds(30));

        assertThat(queue.stats().exported()).isEqualTo(1_500);
        assertThat(queue.stats().droppedAtShutdown()).isZero();
        assertThat(ids(exporter.received())).isEqualTo(ids(sent));

        queue.offer(sent.get(0));
        assertThat(queue.stats().droppedQueueFull()).isEqualTo(1);
        assertThat(exporter.received()).hasSize(1_500);
    }

    @Test
    void awaitExportedReturnsOnlyOnceTheBackendTookEverySpanUpToTheMark() throws InterruptedException {
        FlakyExporter exporter = new FlakyExporter(2); // the first two attempts fail
        try (SpanExportQueue queue = queue(exporter, 1_000, 50)) {
            spans(120).forEach(queue::offer);
            long mark = queue.accepted();
            assertThat(mark).isEqualTo(120);

            assertThat(queue.awaitExported(mark, Duration.ofSeconds(30))).isTrue();
            assertThat(exporter.received()).hasSizeGreaterThanOrEqualTo(120);
            assertThat(queue.stats().exported()).isGreaterThanOrEqualTo(120);
        }
        FlakyExporter down = new FlakyExporter(Integer.MAX_VALUE);
        try (SpanExportQueue queue = new SpanExportQueue(down, 10, 5, Duration.ofMillis(5), Duration.ofSeconds(1),
                Duration.ofMillis(20))) {
            spans(3).forEach(queue::offer);
            assertThat(queue.awaitExported(queue.accepted(), Duration.ofMillis(300))).isFalse();
            queue.shutdown(Duration.ofMillis(100));
        }
    }
}
