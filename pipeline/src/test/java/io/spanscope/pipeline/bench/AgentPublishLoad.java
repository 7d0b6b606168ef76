package io.spanscope.pipeline.bench;

import io.spanscope.pipeline.agent.FragmentPublisher;
import io.spanscope.pipeline.agent.PublisherStats;
import io.spanscope.pipeline.config.AgentConfig;
import io.spanscope.pipeline.config.KafkaConfig;
import io.spanscope.pipeline.wire.WireFragments;
import io.spanscope.spans.link.Fragment;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Load harness for the agent's publish path against a real broker: fragments → {@link FragmentPublisher}
 * (encode, queue, idempotent acks=all lz4 producer with the agent's settings) → acknowledged. Reports
 * records/s (wall) and records per CPU-second of this process (all its threads: caller, publisher, producer
 * I/O, GC, JIT), the per-core figure. A warm-up round runs first.
 *
 * <pre>
 * java -cp … io.spanscope.pipeline.bench.AgentPublishLoad 127.0.0.1:9092 2000000 [compression]
 * </pre>
 */
public final class AgentPublishLoad {

    public static void main(String[] args) throws Exception {
        String bootstrap = args.length > 0 ? args[0] : "127.0.0.1:9092";
        int records = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
        String compression = args.length > 2 ? args[2] : "lz4";
        AgentConfig config = AgentConfig.builder().agentId("bench")
                .kafka(KafkaConfig.builder().bootstrapServers(bootstrap).clientId("agent-bench").build())
                .compression(compression).bufferBytes(256L << 20).build();
        Fragment[] fragments = new Fragment[1024];
        for (int i = 0; i < fragments.length; i++) {
            fragments[i] = WireFragments.frontendFragment(1_000L * (i + 1), 9_000_000L + i);
        }
        encodeOnly(fragments, records);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config.producerProperties())) {
            round("warm-up", producer, config, fragments, records / 4);
            round("measured", producer, config, fragments, records);
        }
    }

    /** Encode + key alone, per CPU-second of this thread (robust on a machine other processes load). */
    private static void encodeOnly(Fragment[] fragments, int records) {
        var threads = ManagementFactory.getThreadMXBean();
        io.spanscope.pipeline.wire.FragmentEncoder encoder = new io.spanscope.pipeline.wire.FragmentEncoder("bench");
        long sink = 0;
        for (int round = 0; round < 2; round++) {
            long cpu0 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < records; i++) {
                Fragment f = fragments[i & (fragments.length - 1)];
                sink += encoder.encode(f, i).length + io.spanscope.pipeline.wire.FragmentKeys.key(f).length;
            }
            long cpu = threads.getCurrentThreadCpuTime() - cpu0;
            System.out.printf("encode only (%s): %.0f fragments per CPU-second (%d bytes)%n",
                    round == 0 ? "warm-up" : "measured", records / (cpu / 1e9), sink);
        }
    }

    private static void round(String name, KafkaProducer<byte[], byte[]> producer, AgentConfig config,
                              Fragment[] fragments, int records) throws InterruptedException {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        FragmentPublisher publisher = new FragmentPublisher(producer, config.kafka().fragmentsTopic(), "bench",
                config.bufferBytes(), config.producerMemory() * 3 / 4, System::nanoTime).start();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        for (int i = 0; i < records; i++) {
            publisher.accept(fragments[i & (fragments.length - 1)]);
            // the span pipeline hands over fragments as records come; stay within the buffer like it would
            if ((i & 4095) == 0) {
                while (publisher.stats().queuedBytes() > config.bufferBytes() / 2) {
                    Thread.onSpinWait();
                }
            }
        }
        while (publisher.stats().sentRecords() + publisher.stats().failedRecords() < records) {
            Thread.sleep(1);
        }
        long wall = System.nanoTime() - t0;
        long cpu = os.getProcessCpuTime() - cpu0;
        PublisherStats s = publisher.stats();
        publisher.close(Duration.ofSeconds(5));
        System.out.printf("%s: %d records (%d bytes, %d B each) in %.2f s wall, %.2f s CPU: %.0f records/s, "
                        + "%.0f records per CPU-second; dropped %d, failed %d%n",
                name, s.sentRecords(), s.sentBytes(), s.sentBytes() / Math.max(1, s.sentRecords()), wall / 1e9,
                cpu / 1e9, records / (wall / 1e9), records / (cpu / 1e9), s.droppedRecords(), s.failedRecords());
    }
}
