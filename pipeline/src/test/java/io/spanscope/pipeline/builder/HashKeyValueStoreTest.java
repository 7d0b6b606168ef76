package io.spanscope.pipeline.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** The span-id store, bare and inside Streams' store layers (changelog restore: live SpanBuilderScaleOutTest). */
class HashKeyValueStoreTest {

    private static Bytes id(long v) {
        return HashKeyValueStore.idKey(v);
    }

    @Test
    void putGetDeleteAndPutIfAbsentBehaveAsAMap() {
        HashKeyValueStore store = new HashKeyValueStore("t");
        store.put(id(1), new byte[] {1});
        store.put(id(2), new byte[] {2});
        store.put(id(1), new byte[] {3});

        assertThat(store.get(id(1))).containsExactly(3);
        assertThat(store.putIfAbsent(id(2), new byte[] {9})).containsExactly(2);
        assertThat(store.putIfAbsent(id(4), new byte[] {4})).isNull();
        assertThat(store.approximateNumEntries()).isEqualTo(3);
        assertThat(store.delete(id(2))).containsExactly(2);
        assertThat(store.get(id(2))).isNull();
        store.put(id(4), null); // a tombstone deletes
        assertThat(store.get(id(4))).isNull();
        assertThat(store.approximateNumEntries()).isEqualTo(1);
    }

    @Test
    void allIsASnapshotOfEveryEntry() {
        HashKeyValueStore store = new HashKeyValueStore("t");
        for (long i = 1; i <= 1_000; i++) {
            store.put(id(i * 7919), new byte[] {(byte) i});
        }
        List<Long> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            store.delete(id(7919)); // after the snapshot: still listed
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> e = it.next();
                keys.add(java.nio.ByteBuffer.wrap(e.key.get()).getLong());
            }
        }
        assertThat(keys).hasSize(1_000).doesNotHaveDuplicates().allMatch(k -> k % 7919 == 0);
    }

    @Test
    void onlySpanIdKeysAreTaken() {
        HashKeyValueStore store = new HashKeyValueStore("t");
        assertThatThrownBy(() -> store.put(Bytes.wrap(new byte[] {1, 2}), new byte[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8-byte span ids");
    }

    @Test
    void worksUnderStreamsMeteringLayer() throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "t");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        MockProcessorContext<byte[], byte[]> context = new MockProcessorContext<>(props, new TaskId(0, 0),
                java.nio.file.Files.createTempDirectory("hash-store").toFile());
        KeyValueStore<Bytes, byte[]> store = Stores.keyValueStoreBuilder(HashKeyValueStore.supplier("s"),
                Serdes.Bytes(), Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        store.put(id(5), new byte[] {5});
        assertThat(store.get(id(5))).containsExactly(5);
        assertThat(store.persistent()).isFalse();
        assertThat(store.isOpen()).isTrue();
        store.close();
        assertThat(store.isOpen()).isFalse();
    }
}
