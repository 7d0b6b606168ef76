package io.spanscope.parsers.captures;

import io.spanscope.capture.pcap.PcapReader;
import io.spanscope.capture.pcap.Views;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.record.Record;
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
 * Every committed capture of real traffic (test-pcaps/), replayed through the pcap reader and the HTTP/1
 * parser, yields exactly the exchanges its clients made: per connection, in order, the method, path,
 * status and response body size written in its {@code .expected.tsv} (recorded from the clients and
 * cross-checked with tshark's HTTP dissector when the capture was made).
 */
class TestCaptureExchangesTest {

    private static final Path CAPTURES = Path.of("..", "test-pcaps");

    static Stream<Path> captures() throws IOException {
        try (Stream<Path> files = Files.list(CAPTURES)) {
            List<Path> list = files.filter(p -> p.toString().endsWith(".expected.tsv")).sorted().toList();
            assertThat(list).as("test captures").isNotEmpty();
            return list.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void exchangesMatchWhatTheClientsDid(Path expectedFile) throws IOException {
        Map<Integer, List<String>> expected = expected(expectedFile);
        Path capture = captureFor(expectedFile);

        for (Views view : new Views[] {Views.CLIENT_ONLY, Views.SERVER_ONLY}) {
            List<Record> records = new ArrayList<>();
            ConnectionTracker tracker = new ConnectionTracker(ParserConfig.defaults(), records::add);
            try (PcapReader reader = PcapReader.builder().views(view).open(capture)) {
                reader.read(tracker);
            }
            tracker.endAll();

            Map<Integer, List<String>> actual = new TreeMap<>();
            for (Record r : records) {
                // the reader numbers connections from 1 in order of appearance; tshark's streams from 0
                actual.computeIfAbsent(r.connectionId().fd() - 1, k -> new ArrayList<>()).add(line(r));
            }
            assertThat(actual).as("%s as seen by the %s", capture.getFileName(), view).isEqualTo(expected);
            assertThat(tracker.stats().parseErrors()).as("parse errors").isZero();
            assertThat(records).allSatisfy(r -> {
                assertThat(r.requestStartNs()).isLessThanOrEqualTo(r.requestEndNs());
                assertThat(r.requestEndNs()).isLessThanOrEqualTo(r.responseEndNs());
                assertThat(r.responseStartNs()).isLessThanOrEqualTo(r.responseEndNs());
                assertThat(r.requestSequence()).isNotNegative();
                assertThat(r.responseSequence()).isNotNegative();
            });
        }
    }

    private static String line(Record r) {
        Object body = r.attributes().get("http.response.body.size");
        return r.attributes().getString("http.request.method") + " " + r.attributes().getString("url.path") + " "
                + r.attributes().get("http.response.status_code") + " " + (body == null ? 0 : body);
    }

    private static Map<Integer, List<String>> expected(Path tsv) throws IOException {
        Map<Integer, List<String>> byStream = new TreeMap<>();
        List<String> lines = Files.readAllLines(tsv);
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            byStream.computeIfAbsent(Integer.parseInt(f[0]), k -> new ArrayList<>())
                    .add(f[1] + " " + f[2] + " " + f[3] + " " + f[4]);
        }
        return byStream;
    }

    private static Path captureFor(Path expectedFile) {
        String base = expectedFile.getFileName().toString().replace(".expected.tsv", "");
        for (String ext : new String[] {".pcap", ".pcapng"}) {
            Path p = expectedFile.resolveSibling(base + ext);
            if (Files.exists(p)) {
                return p;
            }
        }
        throw new AssertionError("no capture for " + expectedFile);
    }
}
