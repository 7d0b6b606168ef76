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

    /** A Parse body from the statement name on: name NUL, text NUL, the count of type OIDs and the OIDs. */
    private static byte[] parseBody(String text, int... typeOids) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0);  // unnamed statement
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        out.write(typeOids.length >> 8);
        out.write(typeOids.length);
        for (int oid : typeOids) {
            out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(oid).array());
        }
        return out.toByteArray();
    }

    @Test
    void aParseTextIsFoundFromTheMessageEndOnlyWhenACachedTextProvesIt() {
        PgStatementCache cache = new PgStatementCache(true);
        String text = "UPDATE t SET v = v + $1 WHERE id = $2";
        byte[] untyped = parseBody(text);
        byte[] typed = parseBody(text, 23, 23);
        byte[] unspecified = parseBody(text, 0);  // its last five bytes also read as "NUL, no types"
        assertThat(cache.cachedParseText(untyped, 1, untyped.length)).isNull();  // not seen yet

        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        PgStatement cached = cache.lookup(t, 0, t.length);
        assertThat(cache.cachedParseText(untyped, 1, untyped.length)).isSameAs(cached);
        assertThat(cache.cachedParseText(typed, 1, typed.length)).isSameAs(cached);
        // the k = 0 guess takes the NUL and the count into the text: no cached text can match it
        assertThat(cache.cachedParseText(unspecified, 1, unspecified.length)).isNull();

        // a malformed Query whose text (NULs inside) is exactly that wrong guess must not be taken for it
        byte[] guess = java.util.Arrays.copyOfRange(unspecified, 1, unspecified.length - 3);
        assertThat(guess).contains((byte) 0);
        cache.lookup(guess, 0, guess.length);
        assertThat(cache.cachedParseText(unspecified, 1, unspecified.length)).isNull();
    }
}
