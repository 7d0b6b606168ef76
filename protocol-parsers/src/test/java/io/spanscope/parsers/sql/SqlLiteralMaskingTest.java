package io.spanscope.parsers.sql;

import io.spanscope.capture.pcap.PcapReader;
import io.spanscope.capture.pcap.Views;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.record.Record;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one {@code maskSqlLiterals} setting governs both SQL parsers, on real captures: masked (the
 * default) no record of either carries a literal, a parameter value or an unmasked error message;
 * unmasked, the same statements come as the clients sent them, with their parameter values.
 */
class SqlLiteralMaskingTest {

    private static final Path CAPTURES = Path.of("..", "test-pcaps");
    private static final ParserConfig UNMASKED = ParserConfig.builder().maskSqlLiterals(false).build();

    @Test
    void masksByDefault() {
        assertThat(ParserConfig.defaults().maskSqlLiterals()).isTrue();
    }

    @Test
    void postgresqlTextsParametersAndErrorsFollowTheSetting() throws IOException {
        for (String capture : List.of("postgresql/pg-psql.pcap", "postgresql/pg-jdbc.pcap")) {
            List<Record> masked = replay(capture, ParserConfig.defaults());
            List<Record> unmasked = replay(capture, UNMASKED);
            assertSameStatements(masked, unmasked);
            assertNoLiterals(masked);
            assertThat(masked).noneMatch(r -> r.attributes().containsKey("spanscope.postgresql.error_message"));
        }
        List<String> psql = texts(replay("postgresql/pg-psql.pcap", UNMASKED));
        // as psql sent them (test-pcaps/postgresql/pg-psql.expected.tsv)
        assertThat(psql).contains("INSERT INTO accounts (id, owner) VALUES (1, 'duplicate');",
                "UPDATE accounts SET balance = balance - 10.5 WHERE owner = 'alice';");
        assertThat(texts(replay("postgresql/pg-psql.pcap", ParserConfig.defaults())))
                .contains("INSERT INTO accounts (id, owner) VALUES (?, ?);",
                        "UPDATE accounts SET balance = balance - ? WHERE owner = ?;");
        List<Record> psqlUnmasked = replay("postgresql/pg-psql.pcap", UNMASKED);
        assertThat(psqlUnmasked).anySatisfy(r -> {
            assertThat(r.attributes().getString("error.type")).isEqualTo("23505");
            assertThat(r.attributes().getString("spanscope.postgresql.error_message")).contains("duplicate key");
        });
        assertThat(replay("postgresql/pg-jdbc.pcap", UNMASKED))
                .anyMatch(r -> r.attributes().containsKey("db.query.parameter.0"));
    }

    @Test
    void mysqlTextsParametersAndErrorsFollowTheSetting() throws IOException {
        for (String capture : List.of("mysql/mariadb-cli.pcap", "mysql/connectorj-prepared.pcap", "mysql/pymysql.pcap")) {
            List<Record> masked = replay(capture, ParserConfig.defaults());
            List<Record> unmasked = replay(capture, UNMASKED);
            assertSameStatements(masked, unmasked);
            assertNoLiterals(masked);
        }
        // MySQL error messages quote names and values: kept, with the quoted parts masked
        List<Record> cliErrors = replay("mysql/mariadb-cli.pcap", ParserConfig.defaults()).stream()
                .filter(r -> r.attributes().containsKey("spanscope.mysql.error_message")).toList();
        List<Record> cliErrorsSent = replay("mysql/mariadb-cli.pcap", UNMASKED).stream()
                .filter(r -> r.attributes().containsKey("spanscope.mysql.error_message")).toList();
        assertThat(cliErrors).isNotEmpty().hasSameSizeAs(cliErrorsSent);
        for (int i = 0; i < cliErrors.size(); i++) {
            String sent = cliErrorsSent.get(i).attributes().getString("spanscope.mysql.error_message");
            String masked = cliErrors.get(i).attributes().getString("spanscope.mysql.error_message");
            assertThat(sent).matches(".*'[^']+'.*");
            assertThat(masked).contains("?").isNotEqualTo(sent).doesNotContain(sent.substring(sent.indexOf('\''), sent.indexOf('\'', sent.indexOf('\'') + 1) + 1));
        }
        List<String> cliMasked = texts(replay("mysql/mariadb-cli.pcap", ParserConfig.defaults()));
        List<String> cliUnmasked = texts(replay("mysql/mariadb-cli.pcap", UNMASKED));
        assertThat(cliUnmasked).anyMatch(t -> t.contains("'"));
        assertThat(cliMasked).isNotEqualTo(cliUnmasked);
        // Connector/J's server-side prepared INSERTs: their executed values only when unmasked
        List<Record> executes = replay("mysql/connectorj-prepared.pcap", UNMASKED).stream()
                .filter(r -> "COM_STMT_EXECUTE".equals(r.attributes().getString("spanscope.mysql.command"))
                        && "INSERT".equals(r.attributes().getString("db.operation.name"))).toList();
        assertThat(executes).extracting(r -> r.attributes().getString("db.query.parameter.0") + "/"
                + r.attributes().getString("db.query.parameter.1"))
                .containsExactly("jdbc-item-1/101", "jdbc-item-2/102", "jdbc-item-3/103");
    }

    /** Masking changes what a record says, never which records there are. */
    private static void assertSameStatements(List<Record> masked, List<Record> unmasked) {
        assertThat(masked).hasSameSizeAs(unmasked).isNotEmpty();
        for (int i = 0; i < masked.size(); i++) {
            Record m = masked.get(i);
            Record u = unmasked.get(i);
            assertThat(m.attributes().getString("db.operation.name")).isEqualTo(u.attributes().getString("db.operation.name"));
            assertThat(m.requestSequence()).isEqualTo(u.requestSequence());
            String maskedText = m.attributes().getString("db.query.text");
            String sentText = u.attributes().getString("db.query.text");
            if (sentText != null && sentText.chars().noneMatch(c -> c == '\'' || Character.isDigit(c))) {
                assertThat(maskedText).isEqualTo(sentText);
            }
        }
    }

    private static void assertNoLiterals(List<Record> masked) {
        assertThat(masked).allSatisfy(r -> {
            String text = r.attributes().getString("db.query.text");
            if (text != null) {
                assertThat(text).doesNotContain("'");
            }
            assertThat(r.attributes().asMap().keySet()).noneMatch(k -> k.startsWith("db.query.parameter."));
        });
        assertThat(masked).anyMatch(r -> {
            String text = r.attributes().getString("db.query.text");
            return text != null && text.contains("?");
        });
    }

    private static List<String> texts(List<Record> records) {
        return records.stream().map(r -> r.attributes().getString("db.query.text")).filter(t -> t != null).toList();
    }

    private static List<Record> replay(String capture, ParserConfig config) throws IOException {
        List<Record> records = new ArrayList<>();
        ConnectionTracker tracker = new ConnectionTracker(config, records::add);
        try (PcapReader reader = PcapReader.builder().views(Views.CLIENT_ONLY).open(CAPTURES.resolve(capture))) {
            reader.read(tracker);
        }
        tracker.endAll();
        return records;
    }
}
