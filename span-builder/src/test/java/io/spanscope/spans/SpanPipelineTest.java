package io.spanscope.spans;

import static io.spanscope.spans.TestExchanges.clientRecord;
import static io.spanscope.spans.TestExchanges.endpoint;
import static io.spanscope.spans.TestExchanges.serverRecord;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanKind;
import io.spanscope.capture.proc.ProcessMetadata;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.record.RecordSink;
import io.spanscope.spans.link.LinkerConfig;
import io.spanscope.spans.resolve.ResolvedSpanListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SpanPipelineTest {

    private static final int LOADGEN = 1;
    private static final int FRONTEND = 2;

    private final List<CapturedSpanData> spans = Collections.synchronizedList(new ArrayList<>());
    private final ResolvedSpanListener collector = spans::add;

    private static Optional<ProcessMetadata> process(int pid) {
        String name = pid == LOADGEN ? "loadgen" : "frontend";
        return Optional.of(new ProcessMetadata(pid, "/usr/bin/" + name, List.of(name), 1, Optional.empty(),
                Map.of()));
    }

    private SpanPipeline.Builder pipeline() {
        long ms = TimeUnit.MILLISECONDS.toNanos(1);
        return SpanPipeline.builder().clock(TestExchanges.CLOCK).processes(SpanPipelineTest::process)
                .linkerConfig(new LinkerConfig(5 * ms, 50 * ms, 100 * ms)).parentWait(Duration.ofSeconds(5))
                .addListener(collector);
    }

    /** Exchange i: loadgen calls the frontend; both ends see the same sequence numbers. */
    private static Record call(int i) {
        return clientRecord(LOADGEN, 7, 1_000_000L * i, 1_000_000L * i + 900_000, 10_000 + i, 90_000 + i)
                .server(TestExchanges.FRONTEND_LISTEN).build();
    }

    private static Record served(int i) {
        return serverRecord(FRONTEND, 11, 1_000_000L * i + 100_000, 1_000_000L * i + 800_000, 10_000 + i, 90_000 + i)
                .client(endpoint("10.0.0.1", 50_007)).build();
    }

    @Test
    void recordsFromTwoThreadsComeOutAsLinkedSpansAndCloseFlushesEverything() throws InterruptedException {
        int exchanges = 500;
        SpanPipeline pipeline = pipeline().build().start();
        RecordSink sink = pipeline.recordSink();
        Thread clients = new Thread(() -> {
            for (int i = 0; i < exchanges; i++) {
                sink.onRecord(call(i));
            }
        });
        Thread servers = new Thread(() -> {
            for (int i = 0; i < exchanges; i++) {
                sink.onRecord(served(i));
            }
        });
        clients.start();
        servers.start();
        clients.join();
        servers.join();
        pipeline.close();

        SpanPipelineStats stats = pipeline.stats();
        assertThat(stats.recordsIn()).isEqualTo(2L * exchanges);
        assertThat(stats.recordsDropped()).isZero();
        assertThat(stats.spansOut()).isEqualTo(2L * exchanges);
        assertThat(stats.listenerFailures()).isZero();
        assertThat(spans).hasSize(2 * exchanges);
        assertThat(spans.stream().map(CapturedSpanData::getSpanId).distinct()).hasSize(2 * exchanges);

        Map<String, CapturedSpanData> byId = spans.stream()
                .collect(Collectors.toMap(CapturedSpanData::getSpanId, Function.identity()));
        List<CapturedSpanData> serverSpans = spans.stream().filter(s -> s.getKind() == SpanKind.SERVER).toList();
        assertThat(serverSpans).hasSize(exchanges);
        for (CapturedSpanData server : serverSpans) {
            CapturedSpanData caller = byId.get(server.getParentSpanId());
            assertThat(caller).as("caller of %s", server).isNotNull();
            assertThat(caller.getKind()).isEqualTo(SpanKind.CLIENT);
            assertThat(caller.getResource().getAttribute(io.opentelemetry.api.common.AttributeKey
                    .stringKey("service.name"))).isEqualTo("loadgen");
            assertThat(server.getTraceId()).isEqualTo(caller.getTraceId());
            assertThat(server.getParentSpanContext().isRemote()).isTrue();
            assertThat(caller.getParentSpanContext().isValid()).isFalse();
        }
        assertThat(stats.resolver().waiting()).isZero();
    }

    @Test
    void aFragmentSinkReceivesEveryFragmentInsteadOfTheResolver() {
        List<io.spanscope.spans.link.Fragment> fragments = Collections.synchronizedList(new ArrayList<>());
        SpanPipeline pipeline = pipeline().fragmentSink(fragments::add).build().start();
        for (int i = 0; i < 20; i++) {
            pipeline.recordSink().onRecord(call(i));
            pipeline.recordSink().onRecord(served(i));
        }
        pipeline.close();

        assertThat(fragments).hasSize(40);
        assertThat(spans).isEmpty();
        assertThat(pipeline.stats().spansOut()).isZero();
        List<io.spanscope.spans.link.Fragment> servers = fragments.stream().filter(f -> f.root().isServer()).toList();
        assertThat(servers).hasSize(20).allSatisfy(f -> assertThat(f.rootParentIsRemote()).isTrue());
        assertThat(servers.stream().map(f -> f.rootParentSpanId()))
                .containsExactlyInAnyOrderElementsOf(fragments.stream().filter(f -> !f.root().isServer())
                        .map(f -> f.root().spanId()).toList());
    }

    @Test
    void callsToAnAddressATracedServiceAnswersAtNameThatService() {
        SpanPipeline pipeline = pipeline().build().start();
        pipeline.recordSink().onRecord(served(0));
        pipeline.recordSink().onRecord(call(1));
        pipeline.close();

        CapturedSpanData call = spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();
        assertThat(call.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("peer.service")))
                .isEqualTo("frontend");
    }

    @Test
    void aFullIntakeDropsAndCountsAndWhatWasTakenStillComesOut() {
        SpanPipeline pipeline = pipeline().intakeCapacity(10).build();
        RecordSink sink = pipeline.recordSink();
        for (int i = 0; i < 25; i++) {
            sink.onRecord(call(i));
        }
        assertThat(pipeline.stats().recordsIn()).isEqualTo(10);
        assertThat(pipeline.stats().recordsDropped()).isEqualTo(15);
        assertThat(pipeline.stats().intakeQueued()).isEqualTo(10);

        pipeline.start().close();
        assertThat(pipeline.stats().spansOut()).isEqualTo(10);
        assertThat(spans).hasSize(10);
    }

    @Test
    void aFailingListenerDoesNotStarveTheOthers() {
        SpanPipeline pipeline = pipeline().addListener(span -> {
            throw new IllegalStateException("listener bug");
        }).build().start();
        pipeline.recordSink().onRecord(call(1));
        pipeline.close();

        assertThat(spans).hasSize(1);
        assertThat(pipeline.stats().listenerFailures()).isEqualTo(1);
    }
}
