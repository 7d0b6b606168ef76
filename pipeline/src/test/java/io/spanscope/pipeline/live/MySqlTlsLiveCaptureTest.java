package io.spanscope.pipeline.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.spanscope.capture.event.Role;
import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.record.Record;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MariaDB with {@code require_secure_transport} and mysqlslap with {@code --ssl} (issue 9): on the socket
 * each connection shows the greeting, the SSL request and the TLS handshake; the commands are parsed from
 * the TLS plaintext of both mysqlslap and mariadbd (both use libssl.so.3), the same records as over
 * plaintext ({@link MySqlLiveCaptureTest}), and both ends agree on the sequence numbers.
 */
@Tag("live")
class MySqlTlsLiveCaptureTest {

    private static final String SLAP_QUERY = "SELECT name, price FROM items WHERE id < 3";

    @TempDir
    Path work;

    private MariaDbServer mariadb;

    @BeforeEach
    void startServer() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "live capture needs root");
        assumeTrue(Files.isReadable(Path.of("/sys/kernel/btf/vmlinux")), "live capture needs a BTF kernel");
        mariadb = MariaDbServer.startTls(work);
    }

    @AfterEach
    void stopServer() throws Exception {
        if (mariadb != null) {
            mariadb.close();
        }
    }

    @Test
    void mysqlslapOverTlsGivesEveryCommandOnBothEndsWithTheSameSequenceNumbers() throws Exception {
        int queries = 40;
        int concurrency = 2;
        int connections = concurrency + 1;
        Process slap;
        List<Record> records;
        long sslRequests;
        try (LiveRecords live = LiveRecords.capturePorts(List.of(mariadb.port()))) {
            live.awaitLibsslAttached(Duration.ofSeconds(30));
            slap = new ProcessBuilder("mysqlslap", "--no-defaults", "-h127.0.0.1", "-P" + mariadb.port(),
                    "--ssl", "--ssl-ca=" + MariaDbServer.certificate(work),
                    "-u" + MariaDbServer.USER, "-p" + MariaDbServer.PASSWORD, "--create-schema=" + MariaDbServer.DATABASE,
                    "--no-drop", "--query=" + SLAP_QUERY, "--number-of-queries=" + queries,
                    "--concurrency=" + concurrency, "--iterations=1").redirectErrorStream(true).start();
            String out = new String(slap.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(slap.waitFor()).as(out).isZero();
            records = live.finish();
            // every connection asked for TLS on the socket, and both ends' bytes came from SSL_read/SSL_write
            sslRequests = live.drops(DropReason.MYSQL_TLS);
            assertThat(live.tlsPlaintextEvents(slap.pid())).as("mysqlslap plaintext events")
                    .isGreaterThanOrEqualTo(2L * (queries + connections));
            assertThat(live.tlsPlaintextEvents(mariadb.pid())).as("mariadbd plaintext events")
                    .isGreaterThanOrEqualTo(2L * (queries + connections));
        }
        assertThat(sslRequests).as("SSL requests seen, one per connection per end").isEqualTo(2L * connections);
        List<Record> client = records.stream().filter(r -> r.tgid() == slap.pid()).toList();
        List<Record> server = records.stream().filter(r -> r.tgid() == mariadb.pid()).toList();

        for (List<Record> end : List.of(client, server)) {
            Map<String, Long> commands = end.stream().collect(Collectors.groupingBy(
                    r -> r.attributes().getString("spanscope.mysql.command"), Collectors.counting()));
            assertThat(commands).containsExactlyInAnyOrderEntriesOf(
                    Map.of("COM_QUERY", (long) queries, "COM_QUIT", (long) connections));
            assertThat(end.stream().map(Record::connectionId).distinct()).hasSize(connections);
            assertThat(end).allSatisfy(r -> {
                assertThat(r.flags()).as("flags of %s", r).isEmpty();
                assertThat(r.attributes().getString("db.system.name")).isEqualTo("mariadb");
                assertThat(r.attributes().getString("spanscope.mysql.user")).isEqualTo(MariaDbServer.USER);
                assertThat(r.attributes().getString("spanscope.mysql.server_version")).as("from the socket view's greeting")
                        .contains("MariaDB");
                assertThat(r.attributes().containsKey("error.type")).isFalse();
            });
            assertThat(end.stream().filter(r -> "COM_QUERY".equals(r.attributes().getString("spanscope.mysql.command"))))
                    .allSatisfy(r -> {
                        assertThat(r.attributes().getString("db.namespace")).isEqualTo(MariaDbServer.DATABASE);
                        assertThat(r.attributes().getString("db.query.text"))
                                .isEqualTo("SELECT name, price FROM items WHERE id < ?");
                        assertThat(r.attributes().get("db.response.returned_rows")).isEqualTo(2L);
                        assertThat(r.responseEndNs()).isGreaterThanOrEqualTo(r.requestStartNs());
                    });
        }
        assertThat(client).allSatisfy(r -> assertThat(r.role()).isEqualTo(Role.CLIENT));
        assertThat(server).allSatisfy(r -> assertThat(r.role()).isEqualTo(Role.SERVER));
        // both ends name the same TLS records for each request and response
        assertThat(server.stream().map(Record::requestSequence).collect(Collectors.toSet()))
                .hasSize(queries + connections)
                .isEqualTo(client.stream().map(Record::requestSequence).collect(Collectors.toSet()));
        assertThat(server.stream().map(Record::responseSequence).collect(Collectors.toSet()))
                .isEqualTo(client.stream().map(Record::responseSequence).collect(Collectors.toSet()));
    }
}
