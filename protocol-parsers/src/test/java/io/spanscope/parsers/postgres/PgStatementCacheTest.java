package io.spanscope.parsers.postgres;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class PgStatementCacheTest {

    @Test
    void aWorkingSetOfStatementsIsLexedOnceEach() {
        PgStatementCache cache = new PgStatementCache(true);
        byte[][] texts = new byte[40][];
        PgStatement[] first = new PgStatement[texts.length];
        for (int i = 0; i < texts.length; i++) {
            texts[i] = ("SELECT c" + i + " FROM t WHERE id = $1").getBytes(StandardCharsets.UTF_8);
            first[i] = cache.lookup(texts[i], 0, texts[i].length);
        }
        int hits = 0;
        for (int i = 0; i < texts.length; i++) {
            PgStatement again = cache.lookup(texts[i], 0, texts[i].length);
            assertThat(again.text).isEqualTo(first[i].text);
            hits += again == first[i] ? 1 : 0;
        }
        // 40 texts in 128 slots probed 4 ways: nearly all stay
        assertThat(hits).isGreaterThanOrEqualTo(36);
    }

    @Test
    void aFloodOfDistinctTextsNeverGrowsTheCacheAndStillAnswersRight() {
        PgStatementCache cache = new PgStatementCache(true);
        for (int i = 0; i < 100_000; i++) {
            byte[] text = ("SELECT " + i).getBytes(StandardCharsets.UTF_8);
            assertThat(cache.lookup(text, 0, text.length).summary().text()).isEqualTo("SELECT ?");
        }
    }
}
