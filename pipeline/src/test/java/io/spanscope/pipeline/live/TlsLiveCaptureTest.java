package io.spanscope.pipeline.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.event.Role;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.record.Record;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * HTTPS to a real nginx, parsed from the TLS plaintext the OpenSSL uprobes capture: curl (libssl) as the
 * client, nginx (libssl) as the server, HTTP/1.1 and HTTP/2 (ALPN h2) inside TLS.
 */
@Tag("live")
class TlsLiveCaptureTest {

    private NginxServer nginx;
    private LiveRecords live;

    @BeforeEach
    void start() throws Exception {
        nginx = NginxServer.startTls();
        live = LiveRecords.capturePorts(List.of(nginx.port()));
    }

    @AfterEach
    void stop() throws Exception {
        if (live != null) {
            live.close();
        }
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void curlOverHttpsToNginxGivesHttpRecordsOnBothEndsWithTheSameSequenceNumbers() throws Exception {
        int requests = 5;
        long[] pids = new long[requests];
        for (int i = 0; i < requests; i++) {
            pids[i] = curl("--http1.1", nginx.httpsUrl("/data.json?i=" + i));
        }
        List<Record> all = live.finish();

        for (long pid : pids) {
            List<Record> client = all.stream().filter(r -> r.tgid() == pid && r.role() == Role.CLIENT).toList();
            assertThat(client).as("records of curl pid %d in %s", pid, all).hasSize(1);
            Record r = client.get(0);
            assertThat(r.protocol()).isEqualTo(Protocol.HTTP1);
            assertThat(r.attributes().getString("http.request.method")).isEqualTo("GET");
            assertThat(r.attributes().getString("url.path")).isEqualTo("/data.json");
            assertThat(r.attributes().get("http.response.status_code")).isEqualTo(200L);
            assertThat(r.attributes().get("http.response.body.size")).isEqualTo((long) NginxServer.DATA_JSON.length());
            // nginx's record of the same exchange names the same TLS records: the span ids will match
            List<Record> server = all.stream().filter(s -> s.role() == Role.SERVER
                    && s.requestSequence() == r.requestSequence()).toList();
            assertThat(server).as("server record with request sequence %d", r.requestSequence()).hasSize(1);
            assertThat(server.get(0).responseSequence()).isEqualTo(r.responseSequence());
            assertThat(server.get(0).attributes().getString("url.path")).isEqualTo("/data.json");
        }
        assertThat(all.stream().filter(r -> r.role() == Role.SERVER)).hasSize(requests);
    }

    /**
     * curl sends the HTTP/2 preface and its first HEADERS in back-to-back TLS records, which nginx (OpenSSL
     * read-ahead on) often takes in one read and hands out over two SSL_read calls: each must still be
     * numbered by its own record, or the server's request sequence number differs from the client's.
     */
    @Test
    void curlHttp2OverTlsToNginxGivesHttp2RecordsWhoseSequenceNumbersAgree() throws Exception {
        int requests = 6;
        long[] pids = new long[requests];
        for (int i = 0; i < requests; i++) {
            pids[i] = curl("--http2", nginx.httpsUrl("/data.json?h2=" + i));
        }
        List<Record> all = live.finish();

        for (long pid : pids) {
            List<Record> client = all.stream().filter(r -> r.tgid() == pid && r.role() == Role.CLIENT).toList();
            assertThat(client).as("records of curl pid %d in %s", pid, all).hasSize(1);
            Record r = client.get(0);
            assertThat(r.protocol()).isEqualTo(Protocol.HTTP2);
            assertThat(r.attributes().getString("http.request.method")).isEqualTo("GET");
            assertThat(r.attributes().getString("url.path")).isEqualTo("/data.json");
            assertThat(r.attributes().get("http.response.status_code")).isEqualTo(200L);
            List<Record> server = all.stream().filter(s -> s.role() == Role.SERVER
                    && s.requestSequence() == r.requestSequence()).toList();
            assertThat(server).as("server record with request sequence %d in %s", r.requestSequence(), all).hasSize(1);
            assertThat(server.get(0).protocol()).isEqualTo(Protocol.HTTP2);
            assertThat(server.get(0).responseSequence()).isEqualTo(r.responseSequence());
        }
        assertThat(all.stream().filter(r -> r.role() == Role.SERVER)).hasSize(requests);
    }

    private long curl(String version, String url) throws Exception {
        Process curl = new ProcessBuilder("curl", "-s", "-S", "-f", version, "--cacert", nginx.certificate().toString(),
                "-o", "/dev/null", url).redirectErrorStream(true).start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor()).as("curl: %s", out).isZero();
        return curl.pid();
    }
}
