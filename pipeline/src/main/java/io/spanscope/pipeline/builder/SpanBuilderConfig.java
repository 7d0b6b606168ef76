package io.spanscope.pipeline.builder;

import io.spanscope.pipeline.config.KafkaConfig;
import io.spanscope.pipeline.config.Setting;
import io.spanscope.pipeline.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * What {@code spanscope span-builder} needs, read from the one configuration model (flags, SPANSCOPE_*
 * variables, config file): Kafka, the topology's settings, Streams sizing, export and HTTP. Immutable.
 *
 * @param partitions partition count for topics the span builder creates when they do not exist
 * @param stateDir Kafka Streams state directory (in-memory stores keep only checkpoints there)
 * @param commitInterval how often a task commits: the hop latency of announcements and resolved fragments
 */
public record SpanBuilderConfig(KafkaConfig kafka, String applicationId, SpanBuilderSettings topology,
                                int partitions, int streamThreads, Path stateDir, int exportQueueSpans,
                                String httpAddress, int httpPort, Duration commitInterval) {

    /** Batch size of the Streams producer (see {@link #streamsProperties()}). */
    static final int PRODUCER_BATCH_BYTES = 256 * 1024;

    public static SpanBuilderConfig from(Settings s) {
        String applicationId = s.required(Setting.BUILDER_APPLICATION_ID);
        KafkaConfig kafka = KafkaConfig.from(s, applicationId);
        Duration wait = s.duration(Setting.BUILDER_PARENT_WAIT, Duration.ofMillis(10));
        Duration retention = s.duration(Setting.BUILDER_KNOWN_SPAN_RETENTION, Duration.ofMillis(10));
        if (retention.compareTo(wait) < 0) {
            throw s.invalid(Setting.BUILDER_KNOWN_SPAN_RETENTION, "must be at least builder.parent-wait ("
                    + wait.toMillis() + "ms)");
        }
        SpanBuilderSettings topology = SpanBuilderSettings.builder()
                .fragmentsTopic(kafka.fragmentsTopic())
                .knownSpansTopic(s.required(Setting.BUILDER_TOPIC_KNOWN_SPANS))
                .resolvedTopic(s.required(Setting.BUILDER_TOPIC_RESOLVED))
                .parentWait(wait)
                .knownSpanRetention(retention)
                .maxKnownSpans(s.integer(Setting.BUILDER_MAX_KNOWN_SPANS, 1, 100_000_000))
                .maxWaitingFragments(s.integer(Setting.BUILDER_MAX_WAITING_FRAGMENTS, 1, 10_000_000))
                .maxSeenFragments(s.integer(Setting.BUILDER_MAX_KNOWN_SPANS, 1, 100_000_000))
                .tracedNetworks(tracedNetworks(s))
                .build();
        // a wait's input probe comes back a commit later, and one late by a fifth of the wait restarts every due wait
        Duration commitInterval = s.duration(Setting.BUILDER_COMMIT_INTERVAL, Duration.ofMillis(10));
        if (commitInterval.compareTo(wait.dividedBy(10)) > 0) {
            throw s.invalid(Setting.BUILDER_COMMIT_INTERVAL, "must be at most a tenth of builder.parent-wait ("
                    + wait.dividedBy(10).toMillis() + "ms)");
        }
        Path stateDir = s.string(Setting.BUILDER_STATE_DIR).map(Path::of)
                .orElse(Path.of(System.getProperty("java.io.tmpdir"), "spanscope-span-builder"));
        return new SpanBuilderConfig(kafka, applicationId, topology,
                s.integer(Setting.BUILDER_PARTITIONS, 1, 10_000),
                s.integer(Setting.BUILDER_STREAM_THREADS, 1, 64),
                stateDir,
                s.integer(Setting.BUILDER_EXPORT_QUEUE, 1_000, 10_000_000),
                s.required(Setting.HTTP_ADDRESS),
                s.integer(Setting.HTTP_PORT, -1, 65_535),
                commitInterval);
    }

    private static TracedNetworks tracedNetworks(Settings s) {
        try {
            return TracedNetworks.parse(s.string(Setting.BUILDER_TRACED_NETWORKS).orElse(""));
        } catch (IllegalArgumentException e) {
            throw s.invalid(Setting.BUILDER_TRACED_NETWORKS, e.getMessage());
        }
    }

    /**
     * The Streams properties. {@code exactly_once_v2}: a task's store changes, its announcements and
     * resolved fragments, and its input offsets commit in one transaction, so after a crash the stores
     * are exactly what the committed offsets produced (no announcement or duplicate-detection entry that
     * the outputs do not match), and the exporter reads only committed resolved fragments.
     */
    public Map<String, Object> streamsProperties() {
        Map<String, Object> p = new HashMap<>(kafka.clientProperties());
        p.remove("client.id");
        p.put("application.id", applicationId);
        p.put("processing.guarantee", "exactly_once_v2");
        p.put("num.stream.threads", streamThreads);
        p.put("state.dir", stateDir.toString());
        p.put("commit.interval.ms", commitInterval.toMillis());
        // the resolver takes fragments and announcements in any order: a task must not stall waiting to
        // line up the two inputs' timestamps (with the default it idles whenever announcements it just
        // produced are on the broker but not yet fetched)
        p.put("max.task.idle.ms", -1L);
        // a commit sends megabytes (resolved fragments, the waiting log, announcements): in the default 16 KiB
        // batches the producer's I/O thread spent a fifth more CPU per span on per-batch and per-request work
        p.put("producer.batch.size", PRODUCER_BATCH_BYTES);
        return p;
    }
}
