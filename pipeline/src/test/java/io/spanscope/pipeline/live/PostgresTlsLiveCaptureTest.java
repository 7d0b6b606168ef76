package io.spanscope.pipeline.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.event.Role;
import io.spanscope.parsers.record.Record;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL with {@code ssl=on} and pgbench (libpq) with {@code sslmode=require} (issue 8): the statements
 * are parsed from the TLS plaintext of both libpq and the server backend, after the plaintext SSLRequest
 * preamble, and both ends agree on the sequence numbers.
 */
@Tag("live")
class PostgresTlsLiveCaptureTest {

    private static PostgresLiveCaptureTest.PostgresServer server;
    private LiveRecords live;

    @BeforeAll
    static void startServer() throws Exception {
        Assumptions.assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "live capture needs root");
        Assumptions.assumeTrue(Files.isReadable(Path.of("/sys/kernel/btf/vmlinux")), "live capture needs a BTF kernel");
        server = PostgresLiveCaptureTest.PostgresServer.startTls();
        server.run("pgbench", "-h", "127.0.0.1", "-p", String.valueOf(server.port), "-U", "postgres", "-i", "-s", "1",
                "-q", "postgres");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void stopCapture() {
        if (live != null) {
            live.close();
        }
    }

    @Test
    void pgbenchOverTlsGivesEveryStatementOnBothEndsWithTheSameSequenceNumbers() throws Exception {
        live = LiveRecords.capturePorts(List.of(server.port));
        int transactions = 20;
        ProcessBuilder builder = new ProcessBuilder("pgbench", "-h", "127.0.0.1", "-p", String.valueOf(server.port),
                "-U", "postgres", "-n", "-c", "1", "-t", String.valueOf(transactions), "-M", "extended", "postgres")
                .redirectErrorStream(true);
        builder.environment().put("PGSSLMODE", "require");
        Process pgbench = builder.start();
        String out = new String(pgbench.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(pgbench.waitFor()).as(out).isZero();
        List<Record> all = live.finish();

        List<Record> client = all.stream().filter(r -> r.tgid() == pgbench.pid() && r.role() == Role.CLIENT).toList();
        List<Record> work = PostgresLiveCaptureTest.byConnection(client).stream()
                .max(Comparator.comparingInt(List::size)).orElseThrow();
        List<String> statements = PostgresLiveCaptureTest.TPCB_EXTENDED;
        assertThat(work).hasSize(transactions * statements.size());
        for (int i = 0; i < work.size(); i++) {
            Record r = work.get(i);
            assertThat(r.isIntact()).as("intact: %s", r).isTrue();
            assertThat(r.attributes().getString("db.query.text")).isEqualTo(statements.get(i % statements.size()));
            assertThat(r.attributes().getString("db.system.name")).isEqualTo("postgresql");
        }
        List<String> serverSequences = all.stream().filter(r -> r.role() == Role.SERVER)
                .map(PostgresLiveCaptureTest::sequences).toList();
        assertThat(serverSequences).containsAll(work.stream().map(PostgresLiveCaptureTest::sequences).toList());
    }
}
