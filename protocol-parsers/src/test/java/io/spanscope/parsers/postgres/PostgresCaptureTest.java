package io.spanscope.parsers.postgres;

import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.pcap.PcapReader;
import io.spanscope.capture.pcap.Views;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.record.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PostgreSQL captures of test-pcaps/postgresql/ (psql, pgbench in three modes, pgjdbc, psycopg against
 * a real PostgreSQL 15), replayed from both ends, yield exactly the statements their clients reported
 * in {@code NAME.expected.tsv}: per connection, in order, outcome (OK or SQLSTATE), row count and text.
 */
class PostgresCaptureTest {

    static final Path CAPTURES = Path.of("..", "test-pcaps", "postgresql");

    static Stream<Path> captures() throws IOException {
        try (Stream<Path> files = Files.list(CAPTURES)) {
            List<Path> list = files.filter(p -> p.toString().endsWith(".expected.tsv")).sorted().toList();
            assertThat(list).as("PostgreSQL captures").hasSizeGreaterThanOrEqualTo(6);
            return list.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void statementsMatchWhatTheClientsReported(Path expectedFile) throws IOException {
        List<List<String>> expected = expected(expectedFile);
        Path capture = capture(expectedFile);
        ParserConfig unmasked = ParserConfig.builder().maskSqlLiterals(false).build();

        List<Record> clientView = replay(capture, Views.CLIENT_ONLY, unmasked);
        List<Record> serverView = replay(capture, Views.SERVER_ONLY, unmasked);
        for (List<Record> records : List.of(clientView, serverView)) {
            assertThat(byConnection(records)).as("%s", capture.getFileName()).isEqualTo(expected);
            assertThat(records).allSatisfy(r -> {
                assertThat(r.isIntact()).as("intact: %s", r).isTrue();
                assertThat(r.attributes().getString("db.system.name")).isEqualTo("postgresql");
                assertThat(r.attributes().getString("db.namespace")).isEqualTo("shop");
                assertThat(r.attributes().getString("spanscope.postgresql.user")).isEqualTo("spanscope");
                assertThat(r.requestSequence()).isNotNegative();
                assertThat(r.responseSequence()).isNotNegative();
                assertThat(r.requestStartNs()).isLessThanOrEqualTo(r.requestEndNs());
                assertThat(r.requestStartNs()).isLessThanOrEqualTo(r.responseStartNs());
                assertThat(r.responseStartNs()).isLessThanOrEqualTo(r.responseEndNs());
            });
        }
        // both ends agree on the sequence numbers span linking is built on
        assertThat(sequences(clientView)).isEqualTo(sequences(serverView));
    }

    @Test
    void literalsAndSecretsStayOutOfRecordsByDefault() throws IOException {
        for (String name : List.of("pg-psql", "pg-psycopg", "pg-jdbc", "pg-pgbench-simple")) {
            List<Record> records = replay(CAPTURES.resolve(name + ".pcap"), Views.CLIENT_ONLY, ParserConfig.defaults());
            assertThat(records).isNotEmpty();
            for (Record r : records) {
                String all = r.attributes().toString();
                assertThat(all).doesNotContain("s3cret-pw", "alice", "'duplicate'", "plum", "batch-", "27177");
                assertThat(r.attributes().getString("db.query.text")).doesNotContainPattern("'[^']");
            }
        }
    }

    @Test
    void maskedTextsNameOperationAndTable() throws IOException {
        List<Record> records = replay(CAPTURES.resolve("pg-psql.pcap"), Views.CLIENT_ONLY, ParserConfig.defaults());
        Record insert = records.get(2);
        assertThat(insert.attributes().getString("db.query.text"))
                .isEqualTo("INSERT INTO accounts (owner, balance) VALUES (?, ?), (?, ?), (?, ?);");
        assertThat(insert.attributes().getString("db.operation.name")).isEqualTo("INSERT");
        assertThat(insert.attributes().getString("db.collection.name")).isEqualTo("accounts");
        assertThat(insert.attributes().getLong("spanscope.postgresql.affected_rows")).isEqualTo(3);
        assertThat(insert.attributes().getString("spanscope.postgresql.application_name")).isEqualTo("psql");

        Record duplicate = records.get(9);
        assertThat(duplicate.attributes().getString("error.type")).isEqualTo("23505");
        assertThat(duplicate.attributes().getString("spanscope.postgresql.error_severity")).isEqualTo("ERROR");
        assertThat(duplicate.attributes().getString("spanscope.postgresql.error_message")).isNull();

        Record copyIn = records.get(10);
        assertThat(copyIn.attributes().getLong("spanscope.postgresql.copy_in_bytes")).isEqualTo("dave\t5\nerin\t7\n\\.\n".length());  // psql sends the end marker line too
        Record copyOut = records.get(11);
        assertThat(copyOut.attributes().getLong("spanscope.postgresql.copy_out_bytes")).isPositive();
        Record notify = records.get(13);
        assertThat(notify.attributes().getLong("spanscope.postgresql.notifications")).isEqualTo(1);
        Record select = records.get(4);
        assertThat(select.attributes().getString("db.operation.name")).isEqualTo("SELECT");
        assertThat(select.attributes().getLong("db.response.returned_rows")).isEqualTo(2);
    }

    @Test
    void unmaskedExtendedQueriesCarryTheirParameters() throws IOException {
        ParserConfig unmasked = ParserConfig.builder().maskSqlLiterals(false).build();
        List<Record> records = replay(CAPTURES.resolve("pg-psycopg.pcap"), Views.SERVER_ONLY, unmasked);
        Record insert = records.get(4);
        assertThat(insert.attributes().getString("db.query.text")).isEqualTo("INSERT INTO items VALUES ($1, $2, $3)");
        assertThat(insert.attributes().getString("db.query.parameter.1")).isEqualTo("plum's");
        assertThat(insert.attributes().getLong("spanscope.postgresql.parameter_count")).isEqualTo(3);
        // binary-format parameters are shown as hex
        assertThat(records.get(5).attributes().getString("db.query.parameter.1")).isEqualTo("\\x78");
        Record failed = records.get(14);
        assertThat(failed.attributes().getString("spanscope.postgresql.error_message"))
                .isEqualTo("relation \"no_such_table\" does not exist");
    }

    /**
     * pg-jdbc.pcap cut with editcap to start at the 4th INSERT: no handshake, no login, and the INSERT
     * statement pgjdbc prepared as S_1 was parsed before the cut. Every statement after the cut is still a
     * record, the first two by statement name only.
     */
    @Test
    void connectionJoinedAfterPgjdbcPreparedItsStatements() throws IOException {
        List<String> full = expected(CAPTURES.resolve("pg-jdbc.expected.tsv")).get(0);
        List<String> afterCut = full.subList(4, full.size());
        for (Views view : new Views[] {Views.CLIENT_ONLY, Views.SERVER_ONLY}) {
            List<Record> records = replay(CAPTURES.resolve("pg-jdbc-midstream.pcap"), view,
                    ParserConfig.builder().maskSqlLiterals(false).build());
            assertThat(records).hasSize(afterCut.size());
            for (int i = 0; i < records.size(); i++) {
                Record r = records.get(i);
                assertThat(r.hasFlag(io.spanscope.parsers.record.RecordFlag.JOINED_MID_STREAM)).isTrue();
                assertThat(r.isIntact()).as("%s", r).isTrue();
                String[] expected = afterCut.get(i).split("\t", 3);
                String[] actual = line(r).split("\t", 3);
                assertThat(actual[0] + " " + actual[1]).isEqualTo(expected[0] + " " + expected[1]);
                if (i < 2) {
                    assertThat(r.attributes().getString("spanscope.postgresql.statement_name")).isEqualTo("S_1");
                    assertThat(r.attributes().getString("db.query.text")).isNull();
                    assertThat(r.attributes().getString("db.operation.name")).isEqualTo("INSERT");
                } else {
                    assertThat(actual[2]).isEqualTo(expected[2]);
                }
            }
        }
    }

    static List<Record> replay(Path capture, Views view, ParserConfig config) throws IOException {
        List<Record> records = new ArrayList<>();
        ConnectionTracker tracker = new ConnectionTracker(config, records::add);
        try (PcapReader reader = PcapReader.builder().views(view).open(capture)) {
            reader.read(tracker);
        }
        tracker.endAll();
        assertThat(tracker.stats().parseErrors()).as("parse errors in %s", capture).isZero();
        return records;
    }

    private static List<List<String>> byConnection(List<Record> records) {
        Map<ConnectionId, List<String>> grouped = new LinkedHashMap<>();
        for (Record r : records) {
            grouped.computeIfAbsent(r.connectionId(), k -> new ArrayList<>()).add(line(r));
        }
        return new ArrayList<>(grouped.values());
    }

    private static List<String> sequences(List<Record> records) {
        return records.stream().map(r -> r.requestSequence() + "/" + r.responseSequence()).toList();
    }

    static String line(Record r) {
        Long returned = r.attributes().getLong("db.response.returned_rows");
        Long affected = r.attributes().getLong("spanscope.postgresql.affected_rows");
        String status = r.attributes().getString("db.response.status_code");
        long rows = returned != null ? returned : affected != null ? affected : 0;
        return (status == null ? "OK" : status) + "\t" + rows + "\t" + r.attributes().getString("db.query.text");
    }

    private static List<List<String>> expected(Path tsv) throws IOException {
        Map<Integer, List<String>> byStream = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(tsv);
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", 4);
            byStream.computeIfAbsent(Integer.parseInt(f[0]), k -> new ArrayList<>()).add(f[1] + "\t" + f[2] + "\t" + f[3]);
        }
        return new ArrayList<>(byStream.values());
    }

    private static Path capture(Path expectedFile) {
        return expectedFile.resolveSibling(expectedFile.getFileName().toString().replace(".expected.tsv", ".pcap"));
    }
}
