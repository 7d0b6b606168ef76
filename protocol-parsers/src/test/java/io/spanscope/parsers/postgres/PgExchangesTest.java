package io.spanscope.parsers.postgres;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PgExchangesTest {

    @Test
    void aReleasedExchangeComesBackBlankUnderItsNumber() {
        PgExchanges exchanges = new PgExchanges();
        PgExchange first = exchanges.take();
        first.dataRows = 7;
        first.otherTag = "VACUUM FULL";
        first.commonTag = 1;
        first.emitted = true;
        exchanges.release(first);
        exchanges.release(first);  // twice is once

        PgExchange again = exchanges.take();
        assertThat(again).isSameAs(first);
        assertThat(again.dataRows).isZero();
        assertThat(again.commandTag()).isNull();
        assertThat(again.emitted).isFalse();
        assertThat(exchanges.get(again.id)).isSameAs(again);
        assertThat(exchanges.take()).isNotSameAs(first);  // the free list held it once only
        assertThat(exchanges.created()).isEqualTo(2);
    }

    @Test
    void reclaimFreesExactlyTheExchangesNotMarkedLive() {
        PgExchanges exchanges = new PgExchanges();
        PgExchange[] taken = new PgExchange[40];
        for (int i = 0; i < taken.length; i++) {
            taken[i] = exchanges.take();  // never released: dropped by the matcher
        }
        boolean[] live = new boolean[exchanges.created()];
        live[taken[3].id] = true;
        live[taken[39].id] = true;
        exchanges.reclaim(live);

        Set<PgExchange> reused = new HashSet<>();
        for (int i = 0; i < 38; i++) {
            reused.add(exchanges.take());
        }
        assertThat(reused).hasSize(38).doesNotContain(taken[3], taken[39]);
        assertThat(exchanges.created()).isEqualTo(40);
        assertThat(exchanges.hasFree()).isFalse();
    }
}
