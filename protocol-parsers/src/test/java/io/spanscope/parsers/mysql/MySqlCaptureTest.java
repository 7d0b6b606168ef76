package io.spanscope.parsers.mysql;

import io.spanscope.capture.pcap.PcapReader;
import io.spanscope.capture.pcap.Views;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.record.RecordFlag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every MySQL capture of real traffic (test-pcaps/mysql/, MariaDB 10.11 with the mariadb client,
 * mysqlslap, Connector/J and PyMySQL), replayed as the client and as the server saw it: the records
 * per command type are exactly what the server's general query log counted, and the statements the
 * client reported appear in its order with its outcomes (rows, affected rows, error codes).
 */
class MySqlCaptureTest {

    static final Path CAPTURES = Path.of("..", "test-pcaps", "mysql");

    /** General-log command names to protocol command names. */
    private static final Map<String, String> LOG_COMMANDS = Map.of(
            "Query", "COM_QUERY", "Prepare", "COM_STMT_PREPARE", "Execute", "COM_STMT_EXECUTE",
            "Close stmt", "COM_STMT_CLOSE", "Quit", "COM_QUIT", "Init DB", "COM_INIT_DB",
            "Reset stmt", "COM_STMT_RESET", "Ping", "COM_PING");

    static Stream<Path> captures() throws IOException {
        try (Stream<Path> files = Files.list(CAPTURES)) {
            List<Path> list = files.filter(p -> p.toString().endsWith(".pcap")).sorted().toList();
            assertThat(list).as("MySQL captures").hasSizeGreaterThanOrEqualTo(4);
            return list.stream();
        }
    }

    static List<Record> replay(Path capture, Views view, ParserConfig config, ConnectionTracker[] trackerOut)
            throws IOException {
        List<Record> records = new ArrayList<>();
        ConnectionTracker tracker = new ConnectionTracker(config, records::add);
        try (PcapReader reader = PcapReader.builder().views(view).open(capture)) {
            reader.read(tracker);
        }
        tracker.endAll();
        if (trackerOut != null) {
            trackerOut[0] = tracker;
        }
        return records;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void recordsMatchTheServerLogAndTheClientsReport(Path capture) throws IOException {
        String base = capture.getFileName().toString().replace(".pcap", "");
        Map<String, Long> expectedCounts = serverLogCounts(capture.resolveSibling(base + ".commands.tsv"));
        List<String> expectedStatements = clientReport(capture.resolveSibling(base + ".expected.tsv"));

        for (Views view : new Views[] {Views.CLIENT_ONLY, Views.SERVER_ONLY}) {
            ConnectionTracker[] tracker = new ConnectionTracker[1];
            List<Record> records = replay(capture, view, ParserConfig.defaults(), tracker);
            String described = view + " " + records;

            Map<String, Long> counts = new TreeMap<>();
            for (Record r : records) {
                counts.merge(r.attributes().getString("spanscope.mysql.command"), 1L, Long::sum);
            }
            assertThat(counts).as(described).isEqualTo(expectedCounts);
            assertThat(statementsInOrder(records, expectedStatements)).as(described).isTrue();
            assertThat(tracker[0].stats().parseErrors()).as("parse errors").isZero();
            assertThat(tracker[0].stats().drops(DropReason.MYSQL_SEQUENCE_MISMATCH)).isZero();
            assertThat(records).allSatisfy(r -> {
                assertThat(r.protocol()).isEqualTo(Protocol.MYSQL);
                assertThat(r.attributes().getString("db.system.name")).isEqualTo("mariadb");
                assertThat(r.requestSequence()).isNotNegative();
                assertThat(r.requestStartNs()).isLessThanOrEqualTo(r.requestEndNs());
                if (!"COM_QUIT".equals(r.attributes().getString("spanscope.mysql.command"))
                        && !"COM_STMT_CLOSE".equals(r.attributes().getString("spanscope.mysql.command"))) {
                    assertThat(r.isIntact()).as("intact %s", r).isTrue();
                    assertThat(r.responseSequence()).isNotNegative();
                    assertThat(r.requestEndNs()).isLessThanOrEqualTo(r.responseStartNs());
                    assertThat(r.responseStartNs()).isLessThanOrEqualTo(r.responseEndNs());
                } else {
                    assertThat(r.flags()).doesNotContain(RecordFlag.RESPONSE_MISSING);
                }
                assertThat(String.valueOf(r.attributes().asMap())).doesNotContain("secret-pw");
            });
        }
    }

    /** The client's statements appear in the records in order, with the same outcome. */
    private static boolean statementsInOrder(List<Record> records, List<String> expected) {
        int next = 0;
        for (Record r : records) {
            if (next < expected.size() && outcome(r).equals(expected.get(next))) {
                next++;
            }
        }
        return next == expected.size();
    }

    static String outcome(Record r) {
        var a = r.attributes();
        String op = a.getString("db.operation.name");
        if (a.getString("error.type") != null) {
            return op + " err " + a.getString("error.type");
        }
        if (a.get("db.response.returned_rows") != null) {
            Object sets = a.get("spanscope.mysql.result_sets");
            return op + " ok rows " + a.get("db.response.returned_rows") + (sets == null ? "" : " sets " + sets);
        }
        if (a.get("spanscope.mysql.affected_rows") != null && !"INIT_DB".equals(op)) {
            return op + " ok affected " + a.get("spanscope.mysql.affected_rows");
        }
        return op + " ok";
    }

    private static Map<String, Long> serverLogCounts(Path tsv) throws IOException {
        Map<String, Long> counts = new TreeMap<>();
        List<String> lines = Files.readAllLines(tsv);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            counts.put(LOG_COMMANDS.getOrDefault(f[0], f[0]), Long.parseLong(f[1]));
        }
        return counts;
    }

    private static List<String> clientReport(Path tsv) throws IOException {
        List<String> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(tsv);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            out.add(f[1] + " " + f[2]);
        }
        return out;
    }
}
