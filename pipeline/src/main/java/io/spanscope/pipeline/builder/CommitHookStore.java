package io.spanscope.pipeline.builder;

import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A state store that holds nothing and runs its task's {@link #onCommit} action when the task prepares a
 * commit, before the commit's transaction closes: what a processor sends from that action is part of the
 * same exactly-once transaction as the input offsets it commits. Kafka Streams offers no public pre-commit
 * hook to processors (a punctuation may run after the last record before a commit, or not; {@code
 * StateStore.flush} and {@code Processor.close} run after the commit), so this uses the one it gives its
 * own record caches: {@code StreamTask.prepareCommit} calls {@code CachedStateStore.flushCache} on every
 * store of the task (Kafka Streams 3.8; {@code SpanBuilderTopologyTest} runs the same task code through
 * {@code TopologyTestDriver}). Not changelogged, not persistent.
 */
final class CommitHookStore implements StateStore, CachedStateStore<byte[], byte[]> {

    private final String name;
    private Runnable onCommit = () -> { };
    private boolean open;

    CommitHookStore(String name) {
        this.name = name;
    }

    static StoreBuilder<CommitHookStore> builder(String name) {
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<CommitHookStore> withCachingEnabled() {
                return this;
            }

            @Override
            public StoreBuilder<CommitHookStore> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<CommitHookStore> withLoggingEnabled(Map<String, String> config) {
                throw new UnsupportedOperationException("store " + name + " holds nothing to log");
            }

            @Override
            public StoreBuilder<CommitHookStore> withLoggingDisabled() {
                return this;
            }

            @Override
            public CommitHookStore build() {
                return new CommitHookStore(name);
            }

            @Override
            public Map<String, String> logConfig() {
                return Map.of();
            }

            @Override
            public boolean loggingEnabled() {
                return false;
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    /** @param onCommit runs before each commit of the task, on the stream thread */
    void register(Runnable onCommit) {
        this.onCommit = onCommit;
    }

    @Override
    public void flushCache() {
        onCommit.run();
    }

    /** Called when a task is recycled (its processor is closed then, and what it held goes with it). */
    @Override
    public void clearCache() {
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<byte[], byte[]> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public String name() {
        return name;
    }

    @Deprecated
    @Override
    public void init(org.apache.kafka.streams.processor.ProcessorContext context, StateStore root) {
        context.register(root, (key, value) -> { });
        open = true;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        context.register(root, (key, value) -> { });
        open = true;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }
}
