package io.spanscope.parsers.postgres;

import java.util.Arrays;

/**
 * The {@link PgExchange}s of one connection, each known by a small number ({@link PgExchange#id}), so
 * the matcher's queues hold ints. Storing a reference into a long-lived array costs G1 a card-marking
 * barrier with a memory fence; a statement passes through the queues five or six times, and those
 * stores were the parser's largest single cost. Exchanges are reused once released.
 *
 * <p>An exchange the matcher drops without releasing (lost track, flushed batches) keeps its number
 * until {@link #reclaim} is given the live set: the handler does that before the table grows, so the
 * table is bounded by what is live, not by history.
 */
final class PgExchanges {

    private static final int INITIAL = 16;

    private PgExchange[] all = new PgExchange[INITIAL];
    private int created;
    private int[] free = new int[INITIAL];
    private int freeCount;

    PgExchange get(int id) {
        return all[id];
    }

    boolean hasFree() {
        return freeCount > 0;
    }

    int created() {
        return created;
    }

    /** A blank exchange: a released one when there is one. */
    PgExchange take() {
        if (freeCount > 0) {
            PgExchange exchange = all[free[--freeCount]];
            exchange.free = false;
            return exchange;
        }
        if (created == all.length) {
            all = Arrays.copyOf(all, created * 2);
            free = Arrays.copyOf(free, created * 2);
        }
        PgExchange exchange = new PgExchange(created);
        all[created++] = exchange;
        return exchange;
    }

    /** The exchange's record is out and nothing refers to it any more. */
    void release(PgExchange exchange) {
        if (!exchange.free) {
            exchange.reset();
            exchange.free = true;
            free[freeCount++] = exchange.id;
        }
    }

    /** Releases every exchange not marked in {@code live} (indexed by id, at least {@link #created()} long). */
    void reclaim(boolean[] live) {
        for (int id = 0; id < created; id++) {
            if (!live[id]) {
                release(all[id]);
            }
        }
    }
}
