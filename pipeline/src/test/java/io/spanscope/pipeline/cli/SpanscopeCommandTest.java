package io.spanscope.pipeline.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line's contract: one clear line and exit code 2 for every usage error; replay output. */
class SpanscopeCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;

    @BeforeEach
    void redirect() {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    private int run(String... args) {
        return SpanscopeCommand.execute(args);
    }

    private List<String> errLines() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void agentSettingErrorsAreOneLineAndExitTwoBeforeAnythingStarts(@TempDir Path tmp) throws IOException {
        assertThat(run("agent", "--kafka-bootstrap-servers", "nohost")).isEqualTo(2);
        assertThat(errLines()).containsExactly("spanscope: kafka.bootstrap-servers 'nohost' must be host:port[,host:port…]"
                + " (from flag --kafka-bootstrap-servers)");

        err.reset();
        assertThat(run("agent", "--kafka-bootstrap-servers", "127.0.0.1:9092", "--set", "kafka.sasl.mechanism=GSSAPI"))
                .isEqualTo(2);
        assertThat(errLines()).containsExactly("spanscope: kafka.sasl.mechanism 'GSSAPI' must be PLAIN, SCRAM-SHA-256"
                + " or SCRAM-SHA-512 (from flag --set kafka.sasl.mechanism)");

        err.reset();
        assertThat(run("agent", "--set", "kafka.bootstrap.servers=x:1")).isEqualTo(2);
        assertThat(errLines()).containsExactly("spanscope: --set kafka.bootstrap.servers: unknown setting");

        err.reset();
        Path file = Files.writeString(tmp.resolve("agent.yaml"), "kafka:\n  bootstrap-servers: 127.0.0.1:9092\nagent:\n  buffer: 1KiB\n");
        assertThat(run("agent", "--config", file.toString())).isEqualTo(2);
        assertThat(errLines()).containsExactly("spanscope: agent.buffer '1KiB' must be between 65536 and 17179869184 bytes"
                + " (from file " + file + ")");
    }

    @Test
    void unknownOptionIsOneLineAndExitTwo() {
        assertThat(run("capture", "--frobnicate")).isEqualTo(2);
        assertThat(errLines()).hasSize(1);
        assertThat(errLines().get(0)).startsWith("spanscope: Unknown option: '--frobnicate'").contains("capture --help");
    }

    @Test
    void badValuesAreOneLineAndExitTwo() {
        assertThat(run("capture", "--payload-cap", "huge")).isEqualTo(2);
        assertThat(errLines()).hasSize(1);
        assertThat(errLines().get(0)).contains("'huge' is not a size");
    }

    @Test
    void semanticallyBadValuesAreRejectedBeforeCaptureStarts() {
        assertThat(run("capture", "--ring-buffer", "3000")).isEqualTo(2);
        assertThat(errLines()).containsExactly("spanscope: --ring-buffer must be a power of two between 4KiB and 1GiB");
        err.reset();
        assertThat(run("capture", "--port", "70000")).isEqualTo(2);
        assertThat(errLines()).containsExactly("spanscope: port out of range: 70000");
        err.reset();
        assertThat(run("capture", "--duration", "soon")).isEqualTo(2);
        assertThat(errLines()).hasSize(1);
    }

    @Test
    void badExportConfigurationOfRunIsOneLineAndExitTwoBeforeAnythingStarts() {
        assertThat(run("run", "--otlp-endpoint", "http://bad host:4317")).isEqualTo(2);
        assertThat(errLines()).singleElement().asString().startsWith("spanscope: malformed OTLP endpoint 'http://bad host:4317'");
        err.reset();
        assertThat(run("run", "--otlp-endpoint", "ftp://collector:4317")).isEqualTo(2);
        assertThat(errLines()).containsExactly(
                "spanscope: OTLP endpoint 'ftp://collector:4317' must start with http:// or https://");
        err.reset();
        assertThat(run("run", "--otlp-protocol", "carrier-pigeon")).isEqualTo(2);
        assertThat(errLines()).containsExactly(
                "spanscope: unknown OTLP protocol 'carrier-pigeon' (expected grpc or http/protobuf)");
        err.reset();
        assertThat(run("run", "--otlp-compression", "zstd")).isEqualTo(2);
        assertThat(errLines()).containsExactly("spanscope: unknown OTLP compression 'zstd' (expected none or gzip)");
        err.reset();
        assertThat(run("run", "--otlp-client-key", "/nonexistent/key.pem")).isEqualTo(2);
        assertThat(errLines()).containsExactly(
                "spanscope: mutual TLS needs both a client key and a client certificate");
        err.reset();
        assertThat(run("run", "--http-port", "70000")).isEqualTo(2);
        assertThat(errLines()).hasSize(1);
        err.reset();
        assertThat(run("run", "--spans-too")).isEqualTo(2);
        assertThat(errLines()).singleElement().asString().startsWith("spanscope: Unknown option: '--spans-too'")
                .contains("run --help");
    }

    @Test
    void missingSubcommandIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(errLines()).hasSize(1);
        assertThat(errLines().get(0)).contains("a subcommand is required");
    }

    @Test
    void replayOfAFileThatIsNoCaptureIsOneLine(@TempDir Path dir) throws IOException {
        Path junk = Files.writeString(dir.resolve("junk.bin"), "this is not a capture at all");
        assertThat(run("replay", junk.toString())).isEqualTo(2);
        assertThat(errLines()).containsExactly("spanscope: " + junk + " is not a pcap, pcapng or spanscope event file");
        err.reset();
        assertThat(run("replay", dir.resolve("absent.pcap").toString())).isEqualTo(2);
        assertThat(errLines()).hasSize(1);
    }

    @Test
    void replayPrintsOneJsonObjectPerExchangeWithOpenTelemetryNames() throws IOException {
        assertThat(run("replay", "--format", "json", "../test-pcaps/nginx-curl.pcap")).isEqualTo(0);
        List<Map<String, String>> exchanges = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).lines().toList()) {
            exchanges.add(flatten(line));
        }
        // test-pcaps/nginx-curl.expected.tsv: what curl did against nginx
        assertThat(exchanges).extracting(e -> e.get("http.request.method") + " " + e.get("url.path") + " "
                        + e.get("http.response.status_code"))
                .containsExactlyInAnyOrder("GET /index.html 200", "GET /data.json 200", "GET /missing.html 404",
                        "HEAD /index.html 200", "POST /data.json 405");
        assertThat(exchanges).allSatisfy(e -> {
            assertThat(e).containsEntry("protocol", "HTTP1").containsEntry("role", "CLIENT")
                    .containsEntry("serverAddress", "127.0.0.1").containsKeys("clientPort", "serverPort",
                            "requestStartTimeUnixNano", "requestEndTimeUnixNano", "responseStartTimeUnixNano",
                            "responseEndTimeUnixNano", "requestBytes", "responseBytes");
            assertThat(Long.parseLong(e.get("responseEndTimeUnixNano")))
                    .isGreaterThanOrEqualTo(Long.parseLong(e.get("requestStartTimeUnixNano")));
        });
        assertThat(errLines()).anySatisfy(l -> assertThat(l).startsWith("spanscope: parsed {\"records\":5"));
    }

    @Test
    void replayMasksSqlLiteralsUnlessToldNotTo() throws IOException {
        // test-pcaps/postgresql/pg-psql.expected.tsv: psql ran this UPDATE
        String sent = "UPDATE accounts SET balance = balance - 10.5 WHERE owner = 'alice';";
        assertThat(run("replay", "--format", "json", "../test-pcaps/postgresql/pg-psql.pcap")).isEqualTo(0);
        List<String> masked = queryTexts();
        assertThat(masked).contains("UPDATE accounts SET balance = balance - ? WHERE owner = ?;").doesNotContain(sent);
        out.reset();
        assertThat(run("replay", "--format", "json", "--no-mask-sql-literals", "../test-pcaps/postgresql/pg-psql.pcap"))
                .isEqualTo(0);
        List<String> unmasked = queryTexts();
        assertThat(unmasked).contains(sent).hasSameSizeAs(masked);
        out.reset();
        assertThat(run("replay", "--format", "json", "--mask-sql-literals", "../test-pcaps/mysql/connectorj-prepared.pcap"))
                .isEqualTo(0);
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("db.query.parameter.").contains("COM_STMT_EXECUTE");
        out.reset();
        assertThat(run("replay", "--format", "json", "--no-mask-sql-literals", "../test-pcaps/mysql/connectorj-prepared.pcap"))
                .isEqualTo(0);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("db.query.parameter.0").contains("jdbc-item-1");
    }

    private List<String> queryTexts() throws IOException {
        List<String> texts = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).lines().toList()) {
            String text = flatten(line).get("db.query.text");
            if (text != null) {
                texts.add(text);
            }
        }
        return texts;
    }

    /** Top-level fields and the attributes object's fields, as strings. */
    private static Map<String, String> flatten(String json) throws IOException {
        Map<String, String> fields = new HashMap<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            int depth = 1;
            while (depth > 0) {
                JsonToken t = p.nextToken();
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    depth++;
                } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    depth--;
                } else if (t.isScalarValue()) {
                    fields.put(p.currentName(), p.getText());
                }
            }
        }
        return fields;
    }
}
