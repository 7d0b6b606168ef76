package io.spanscope.parsers.postgres;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class SqlTextTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "SELECT * FROM t WHERE a = 'x' AND b = 42 | SELECT * FROM t WHERE a = ? AND b = ?",
        "SELECT 'it''s', E'a\\'b', 'c' | SELECT ?, ?, ?",
        "SELECT $$ dollar 'quoted' $$, $tag$ x $tag$ | SELECT ?, ?",
        "SELECT a1, t2.c3 FROM t2 WHERE x = $1 | SELECT a1, t2.c3 FROM t2 WHERE x = $1",
        "UPDATE t SET v = -1.5e+3, w = .5 | UPDATE t SET v = -?, w = ?",
        "SELECT B'0101', X'ff', U&'d\\0061t' | SELECT ?, ?, ?",
        "SELECT \"weird 'name'\" FROM \"T\" | SELECT \"weird 'name'\" FROM \"T\"",
        "SELECT 'unterminated | SELECT ?",
    })
    void masksEveryLiteralAndNothingElse(String sql, String masked) {
        assertThat(SqlText.summarize(sql.replace("\\n", "\n"), true).text()).isEqualTo(masked.replace("\\n", "\n"));
    }

    @Test
    void commentsAreKeptAsTheyAre() {
        assertThat(SqlText.summarize("SELECT 1 -- note 'x'\nFROM t", true).text()).isEqualTo("SELECT ? -- note 'x'\nFROM t");
        assertThat(SqlText.summarize("SELECT /* 'a' /* nested */ 'b' */ 7", true).text())
                .isEqualTo("SELECT /* 'a' /* nested */ 'b' */ ?");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "select * from users u where u.id = 1 | SELECT | users",
        "INSERT INTO public.orders (a) VALUES (1) | INSERT | public.orders",
        "UPDATE ONLY stock SET q = 1 | UPDATE | stock",
        "DELETE FROM carts WHERE id = 3 | DELETE | carts",
        "COPY accounts TO STDOUT | COPY | accounts",
        "SELECT * FROM a JOIN b ON a.id = b.id | SELECT |",
        "SELECT * FROM a, b | SELECT |",
        "SELECT (SELECT 1 FROM x) | SELECT |",
        "WITH r AS (SELECT 1) SELECT * FROM r | WITH |",
        "BEGIN | BEGIN |",
    })
    void namesTheOperationAndASingleObviousTable(String sql, String operation, String collection) {
        SqlText.Summary s = SqlText.summarize(sql, true);
        assertThat(s.operation()).isEqualTo(operation);
        assertThat(s.collection()).isEqualTo(collection);
    }

    @Test
    void splitsAtTopLevelSemicolonsOnly() {
        assertThat(SqlText.split("SELECT ';'; SELECT $x$;$x$ ;-- c;\n SELECT 3;"))
                .containsExactly("SELECT ';'", "SELECT $x$;$x$", "-- c;\n SELECT 3");
        assertThat(SqlText.split("BEGIN;")).containsExactly("BEGIN;");
        assertThat(SqlText.split("")).containsExactly("");
    }

    @Test
    void randomTextNeverThrows() {
        Random random = new Random(3);
        String alphabet = "ab1$'\"-/*;() E\\.\n";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int j = random.nextInt(40); j > 0; j--) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String sql = sb.toString();
            assertThatCode(() -> {
                SqlText.summarize(sql, true);
                SqlText.split(sql);
            }).as(sql).doesNotThrowAnyException();
        }
    }
}
