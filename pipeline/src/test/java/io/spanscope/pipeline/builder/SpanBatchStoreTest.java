package io.spanscope.pipeline.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import io.spanscope.pipeline.builder.proto.AnnouncedSpan;
import io.spanscope.pipeline.builder.proto.AnnouncedSpans;
import io.spanscope.pipeline.builder.proto.PendingSpan;
import io.spanscope.pipeline.builder.proto.ResolvedSpan;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Test;

/**
 * The batch store and its owner: lookups by span id over batches, one store write (one changelog record)
 * per batch, whole-batch expiry and eviction, and a restore from the writes the changelog holds.
 */
class SpanBatchStoreTest {

    private static AnnouncedSpan resolved(long id, long traceLow) {
        return AnnouncedSpan.newBuilder().setSpanId(id)
                .setResolved(ResolvedSpan.newBuilder().setTraceIdLow(traceLow).setServiceName("s" + id)).build();
    }

    private static AnnouncedSpan pending(long id, long until) {
        return AnnouncedSpan.newBuilder().setSpanId(id)
                .setPending(PendingSpan.newBuilder().setUntilEpochNanos(until)).build();
    }

    private static byte[] batch(AnnouncedSpan... spans) {
        return AnnouncedSpans.newBuilder().addAllSpans(List.of(spans)).build().toByteArray();
    }

    private static AnnouncedSpan lookup(SpanBatches batches, long id) throws InvalidProtocolBufferException {
        byte[] b = batches.get(id);
        return b == null ? null : AnnouncedSpan.parseFrom(b);
    }

    @Test
    void spansAreFoundByIdAndEachBatchIsOneWrite() throws Exception {
        RecordingStore store = new RecordingStore(new SpanBatchStore("known"));
        SpanBatches batches = new SpanBatches(store, 100);
        byte[] first = batch(resolved(1, 11), resolved(2, 12), pending(3, 500));
        batches.put(10, first, 0, first.length, 1_000);

        assertThat(lookup(batches, 1).getResolved().getTraceIdLow()).isEqualTo(11);
        assertThat(lookup(batches, 2).getResolved().getServiceName()).isEqualTo("s2");
        assertThat(lookup(batches, 3).getPending().getUntilEpochNanos()).isEqualTo(500);
        assertThat(lookup(batches, 4)).isNull();
        assertThat(batches.size()).isEqualTo(3);
        assertThat(store.changelog).hasSize(1);
    }

    @Test
    void aLaterBatchWinsExceptThatAPendingMarkerNeverHidesAResolution() throws Exception {
        SpanBatches batches = new SpanBatches(new SpanBatchStore("known"), 100);
        byte[] first = batch(pending(1, 500), resolved(2, 12));
        byte[] second = batch(resolved(1, 21), pending(2, 600));
        batches.put(10, first, 0, first.length, 1_000);
        batches.put(11, second, 0, second.length, 1_100);

        assertThat(lookup(batches, 1).getResolved().getTraceIdLow()).isEqualTo(21);
        assertThat(lookup(batches, 2).getResolved().getTraceIdLow()).isEqualTo(12);
        assertThat(batches.size()).isEqualTo(2);
    }

    @Test
    void batchesExpireWholeAndOnlyTheirOwnEntriesGo() throws Exception {
        SpanBatches batches = new SpanBatches(new SpanBatchStore("known"), 100);
        byte[] first = batch(resolved(1, 11), resolved(2, 12));
        byte[] second = batch(resolved(2, 22), resolved(3, 23));
        batches.put(10, first, 0, first.length, 1_000);
        batches.put(11, second, 0, second.length, 2_000);

        batches.expire(999);
        assertThat(batches.size()).isEqualTo(3);
        batches.expire(1_000);
        assertThat(lookup(batches, 1)).isNull();
        assertThat(lookup(batches, 2).getResolved().getTraceIdLow()).isEqualTo(22); // held by the later batch
        assertThat(batches.size()).isEqualTo(2);
        batches.expire(2_000);
        assertThat(batches.size()).isZero();
    }

    @Test
    void removingABatchTakesOnlyTheEntriesItIndexedEvenInAReusedSlot() {
        SpanBatchStore store = new SpanBatchStore("known");
        byte[] first = batch(resolved(1, 11), resolved(2, 12));
        byte[] marker = batch(pending(1, 500)); // not indexed: span 1 is resolved
        byte[] third = batch(resolved(2, 32), resolved(3, 33));
        store.put(SpanBatchStore.batchKey(10), withExpiry(first));
        store.put(SpanBatchStore.batchKey(11), withExpiry(marker));
        store.delete(SpanBatchStore.batchKey(11));
        assertThat(store.get(HashKeyValueStore.idKey(1))).isNotNull(); // the marker's removal left span 1 alone

        store.put(SpanBatchStore.batchKey(12), withExpiry(third)); // takes the marker's freed slot
        store.delete(SpanBatchStore.batchKey(10));
        assertThat(store.get(HashKeyValueStore.idKey(1))).isNull();
        assertThat(store.get(HashKeyValueStore.idKey(2))).isNotNull(); // held by the batch in the reused slot
        assertThat(store.approximateNumEntries()).isEqualTo(2);
        store.delete(SpanBatchStore.batchKey(12));
        assertThat(store.approximateNumEntries()).isZero();
        assertThat(store.batchCount()).isZero();
    }

    private static byte[] withExpiry(byte[] spans) {
        byte[] value = new byte[SpanBatchStore.EXPIRY_BYTES + spans.length];
        System.arraycopy(spans, 0, value, SpanBatchStore.EXPIRY_BYTES, spans.length);
        return value;
    }

    @Test
    void aFullStoreEvictsTheOldestBatchesAndCountsEverySpanInThem() throws Exception {
        SpanBatches batches = new SpanBatches(new SpanBatchStore("known"), 4);
        byte[] first = batch(resolved(1, 11), resolved(2, 12));
        byte[] second = batch(resolved(3, 13), resolved(4, 14));
        byte[] third = batch(resolved(5, 15));
        batches.put(10, first, 0, first.length, 1_000);
        batches.put(11, second, 0, second.length, 1_001);
        batches.put(12, third, 0, third.length, 1_002);

        assertThat(batches.evicted()).isEqualTo(2);
        assertThat(batches.size()).isEqualTo(3);
        assertThat(lookup(batches, 1)).isNull();
        assertThat(lookup(batches, 5)).isNotNull();
    }

    @Test
    void replayingTheChangelogRestoresTheSameSpansAndExpiryOrder() throws Exception {
        RecordingStore store = new RecordingStore(new SpanBatchStore("known"));
        SpanBatches batches = new SpanBatches(store, 100);
        byte[] first = batch(resolved(1, 11), pending(2, 500));
        byte[] second = batch(resolved(2, 22), resolved(3, 23));
        byte[] third = batch(resolved(4, 24));
        batches.put(10, first, 0, first.length, 1_000);
        batches.put(11, second, 0, second.length, 2_000);
        batches.put(12, third, 0, third.length, 3_000);
        batches.expire(1_500); // the first batch's deletion is logged too

        SpanBatchStore restored = new SpanBatchStore("known");
        store.changelog.forEach(kv -> restored.put(kv.key, kv.value)); // what the restore callback does
        SpanBatches again = new SpanBatches(restored, 100);

        for (long id = 1; id <= 4; id++) {
            assertThat(lookup(again, id)).as("span %d", id).isEqualTo(lookup(batches, id));
        }
        assertThat(again.size()).isEqualTo(3);
        again.expire(2_000); // the restored expiry order: the second batch goes first
        assertThat(lookup(again, 2)).isNull();
        assertThat(lookup(again, 4)).isNotNull();
    }

    @Test
    void onlyBatchKeysAreWrittenAndAllListsBatches() {
        SpanBatchStore store = new SpanBatchStore("known");
        assertThatThrownBy(() -> store.put(HashKeyValueStore.idKey(1), new byte[8]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batch keys");
        byte[] spans = batch(resolved(1, 11));
        SpanBatches batches = new SpanBatches(store, 10);
        batches.put(7, spans, 0, spans.length, 1_000);
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            KeyValue<Bytes, byte[]> only = it.next();
            assertThat(SpanBatchStore.batchIdOf(only.key)).isEqualTo(7);
            assertThat(SpanBatchStore.expiryOf(only.value)).isEqualTo(1_000);
            assertThat(it.hasNext()).isFalse();
        }
    }

}
