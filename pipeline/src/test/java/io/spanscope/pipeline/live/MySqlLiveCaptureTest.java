package io.spanscope.pipeline.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.spanscope.capture.event.Role;
import io.spanscope.capture.live.LiveCapture;
import io.spanscope.parsers.record.Record;
import io.spanscope.pipeline.run.LocalRun;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live capture into the MySQL parser against a real MariaDB: every command mysqlslap sends is one record,
 * on both ends of each connection; and in a local run, the database calls a thread-per-request service
 * makes while answering HTTP requests are children of those requests' server spans.
 */
@Tag("live")
class MySqlLiveCaptureTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SLAP_QUERY = "SELECT name, price FROM items WHERE id < 3";

    @TempDir
    Path work;

    private MariaDbServer mariadb;

    @BeforeEach
    void startServer() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "live capture needs root");
        mariadb = MariaDbServer.start(work);
    }

    @AfterEach
    void stopServer() throws Exception {
        if (mariadb != null) {
            mariadb.close();
        }
    }

    /**
     * mysqlslap with --concurrency=C opens C+1 connections (one to manage the run, one per client), logs in
     * with the schema in the handshake (no COM_INIT_DB), shares the N queries among the clients, and ends
     * every connection with COM_QUIT: N COM_QUERY and C+1 COM_QUIT records per end, nothing else.
     */
    @Test
    void everyCommandMysqlslapSendsIsOneRecordOnEachEnd() throws Exception {
        int queries = 40;
        int concurrency = 2;
        Process slap;
        List<Record> records;
        try (LiveRecords live = LiveRecords.capturePorts(List.of(mariadb.port()))) {
            slap = new ProcessBuilder("mysqlslap", "--no-defaults", "-h127.0.0.1", "-P" + mariadb.port(),
                    "-u" + MariaDbServer.USER, "-p" + MariaDbServer.PASSWORD, "--create-schema=" + MariaDbServer.DATABASE,
                    "--no-drop", "--query=" + SLAP_QUERY, "--number-of-queries=" + queries,
                    "--concurrency=" + concurrency, "--iterations=1").redirectErrorStream(true).start();
            String out = new String(slap.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(slap.waitFor()).as(out).isZero();
            records = live.finish();
        }
        List<Record> client = records.stream().filter(r -> r.tgid() == slap.pid()).toList();
        List<Record> server = records.stream().filter(r -> r.tgid() == mariadb.pid()).toList();

        for (List<Record> end : List.of(client, server)) {
            Map<String, Long> commands = end.stream().collect(Collectors.groupingBy(
                    r -> r.attributes().getString("spanscope.mysql.command"), Collectors.counting()));
            assertThat(commands).containsExactlyInAnyOrderEntriesOf(
                    Map.of("COM_QUERY", (long) queries, "COM_QUIT", (long) concurrency + 1));
            assertThat(end.stream().map(Record::connectionId).distinct()).hasSize(concurrency + 1);
            assertThat(end).allSatisfy(r -> {
                assertThat(r.flags()).as("flags of %s", r).isEmpty();
                assertThat(r.attributes().getString("db.system.name")).isEqualTo("mariadb");
                assertThat(r.attributes().getString("spanscope.mysql.user")).isEqualTo(MariaDbServer.USER);
                assertThat(r.attributes().containsKey("error.type")).isFalse();
            });
            List<Record> selects = end.stream().filter(r -> "COM_QUERY".equals(r.attributes().getString("spanscope.mysql.command")))
                    .toList();
            assertThat(selects).allSatisfy(r -> {
                assertThat(r.attributes().getString("db.namespace")).isEqualTo(MariaDbServer.DATABASE);
                assertThat(r.attributes().getString("db.query.text")).isEqualTo("SELECT name, price FROM items WHERE id < ?");
                assertThat(r.attributes().getString("db.operation.name")).isEqualTo("SELECT");
                assertThat(r.attributes().getString("db.collection.name")).isEqualTo("items");
                assertThat(r.attributes().get("db.response.returned_rows")).isEqualTo(2L);
                assertThat(r.responseEndNs()).isGreaterThanOrEqualTo(r.requestStartNs());
            });
            List<Record> quits = end.stream().filter(r -> "COM_QUIT".equals(r.attributes().getString("spanscope.mysql.command")))
                    .toList();
            assertThat(quits).allSatisfy(r -> assertThat(r.responseSequence()).as("COM_QUIT is not answered").isNegative());
            // the clients log in with the schema; the managing connection without one
            List<String> quitNamespaces = new ArrayList<>(Collections.nCopies(concurrency, MariaDbServer.DATABASE));
            quitNamespaces.add("null");
            assertThat(quits.stream().map(r -> String.valueOf(r.attributes().getString("db.namespace"))))
                    .containsExactlyInAnyOrderElementsOf(quitNamespaces);
        }
        assertThat(client).allSatisfy(r -> assertThat(r.role()).isEqualTo(Role.CLIENT));
        assertThat(server).allSatisfy(r -> assertThat(r.role()).isEqualTo(Role.SERVER));
        // both ends saw the same messages: the same TCP sequence numbers start each request and response
        assertThat(server.stream().map(Record::requestSequence).collect(Collectors.toSet()))
                .isEqualTo(client.stream().map(Record::requestSequence).collect(Collectors.toSet()));
        assertThat(server.stream().map(Record::responseSequence).collect(Collectors.toSet()))
                .isEqualTo(client.stream().map(Record::responseSequence).collect(Collectors.toSet()));
    }

    @Test
    void eachQueryAServiceRunsForARequestIsAChildOfThatRequestsServerSpan() throws Exception {
        int requests = 12;
        int httpPort = TestPorts.free();
        Path spansFile = work.resolve("spans.jsonl");
        try (PythonPeer service = PythonPeer.start(work, "db_service.py", "db_service.py", Map.of(),
                "--driver", "mysql", "--port", "" + httpPort, "--db-port", "" + mariadb.port(), "--user", MariaDbServer.USER,
                "--password", MariaDbServer.PASSWORD, "--database", MariaDbServer.DATABASE)) {
            TestPorts.awaitListening(httpPort, Duration.ofSeconds(20));
            try (LocalRun run = LocalRun.builder(LiveCapture.builder().allowPorts(List.of(httpPort, mariadb.port())))
                    .spansOut(spansFile).start()) {
                PythonPeer loadgen = PythonPeer.start(work, "loadgen.py", "loadgen.py", Map.of(), "--port", "" + httpPort,
                        "--count", "" + requests, "--prefix", "/items/");
                List<String> measured = loadgen.awaitExit(120);
                assertThat(measured).hasSize(requests).allSatisfy(line -> assertThat(line.split(" ")[2]).isEqualTo("200"));
                assertThat(run.awaitCaptureDrained(Duration.ofSeconds(10))).isTrue();
            }
        }
        DbServiceSpans.assertEachQueryIsAChildOfItsRequest(spansFile, "db_service", requests, "mariadb", MariaDbServer.DATABASE);
    }
}
