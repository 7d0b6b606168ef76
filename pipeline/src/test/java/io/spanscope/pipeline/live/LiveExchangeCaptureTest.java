package io.spanscope.pipeline.live;

import io.spanscope.capture.event.Role;
import io.spanscope.parsers.record.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live capture into the HTTP/1 parser, on real traffic: curl and wrk against a real nginx, each exchange
 * checked against what the client itself measured and counted.
 */
@Tag("live")
class LiveExchangeCaptureTest {

    private NginxServer nginx;
    private LiveRecords live;

    @BeforeEach
    void start() throws Exception {
        nginx = NginxServer.start();
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

    private List<Record> finish() throws InterruptedException {
        return live.finish();
    }

    @Test
    void curlRequestLatencyAgreesWithCurlWithinOneMillisecond() throws Exception {
        int requests = 15;
        List<long[]> measured = new ArrayList<>(); // pid, curl's own request→end time in ns
        for (int i = 0; i < requests; i++) {
            Process curl = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "-w", "%{time_pretransfer} %{time_total}",
                    nginx.url("/data.json?i=" + i)).start();
            String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            assertThat(curl.waitFor()).isZero();
            String[] t = out.split(" ");
            long ns = Math.round((Double.parseDouble(t[1]) - Double.parseDouble(t[0])) * 1e9);
            measured.add(new long[] {curl.pid(), ns});
        }
        List<Record> all = finish();

        for (long[] m : measured) {
            List<Record> client = all.stream().filter(r -> r.tgid() == m[0] && r.role() == Role.CLIENT).toList();
            assertThat(client).as("records of curl pid %d", m[0]).hasSize(1);
            Record r = client.get(0);
            assertThat(r.attributes().getString("http.request.method")).isEqualTo("GET");
            assertThat(r.attributes().getString("url.path")).isEqualTo("/data.json");
            assertThat(r.attributes().get("http.response.status_code")).isEqualTo(200L);
            assertThat(r.attributes().get("http.response.body.size")).isEqualTo((long) NginxServer.DATA_JSON.length());
            long latency = r.responseEndNs() - r.requestStartNs();
            assertThat(Math.abs(latency - m[1])).as("|record latency %d ns − curl's %d ns|", latency, m[1])
                    .isLessThanOrEqualTo(1_000_000);
        }
        // the server side saw the same exchanges, with the same sequence numbers as the clients
        List<Record> server = all.stream().filter(r -> r.role() == Role.SERVER).toList();
        assertThat(server).hasSize(requests);
        Set<Long> clientSeqs = Set.copyOf(all.stream().filter(r -> r.role() == Role.CLIENT).map(Record::requestSequence).toList());
        assertThat(server).allSatisfy(r -> assertThat(clientSeqs).contains(r.requestSequence()));
    }

    /**
     * wrk at a steady, moderate rate (a 1 ms pause between a connection's requests): the test is about
     * fidelity, not saturation; saturation and loss accounting are measured by the capture benchmark.
     */
    @Test
    void everyRequestWrkCompletedIsARecordAndTheMeanLatencyAgrees(@TempDir Path dir) throws Exception {
        Path pacing = Files.writeString(dir.resolve("pace.lua"), "function delay() return 1 end\n");
        int connections = 4;
        Process wrk = new ProcessBuilder("wrk", "-t1", "-c" + connections, "-d2s", "-s", pacing.toString(), nginx.url("/data.json"))
                .redirectErrorStream(true).start();
        String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(wrk.waitFor()).as(out).isZero();
        List<Record> all = finish();

        Matcher count = Pattern.compile("(\\d+) requests in").matcher(out);
        assertThat(count.find()).as(out).isTrue();
        long completed = Long.parseLong(count.group(1));
        List<Record> wrkRecords = all.stream()
                .filter(r -> r.tgid() == wrk.pid() && r.role() == Role.CLIENT && r.responseEndNs() > 0).toList();
        assertThat(wrkRecords).as("wrk's completed exchanges").hasSize((int) completed);
        assertThat(wrkRecords).allSatisfy(r -> assertThat(r.attributes().get("http.response.status_code")).isEqualTo(200L));

        long[] latenciesUs = wrkRecords.stream().mapToLong(r -> (r.responseEndNs() - r.requestStartNs()) / 1000).toArray();
        double meanNs = meanWithWrksCorrection(latenciesUs, wrkRuntimeUs(out), completed, connections) * 1000;
        double wrkMeanNs = wrkLatencyAverageNs(out);
        assertThat(Math.abs(meanNs - wrkMeanNs)).as("mean latency %f ns vs wrk's %f ns", meanNs, wrkMeanNs)
                .isLessThanOrEqualTo(1_000_000);
    }

    /**
     * The mean wrk prints is not the mean of what it measured: before printing, wrk 4 corrects for coordinated
     * omission, adding for every latency v of at least twice the expected interval (run time over requests per
     * connection) the samples v − i, v − 2i, … down to i. One 150 ms stall of the loaded machine adds ≈ 4 ms to
     * its mean, so the records' latencies get the same correction before the means are compared.
     */
    private static double meanWithWrksCorrection(long[] latenciesUs, long runtimeUs, long completed, int connections) {
        long perConnection = completed / connections;
        if (perConnection == 0) {
            return Arrays.stream(latenciesUs).average().orElseThrow();
        }
        long interval = runtimeUs / perConnection;
        double sum = 0;
        long count = 0;
        for (long v : latenciesUs) {
            sum += v;
            count++;
            if (v >= 2 * interval) {
                for (long m = v - interval; m > interval; m -= interval) {
                    sum += m;
                    count++;
                }
            }
        }
        return sum / count;
    }

    private static long wrkRuntimeUs(String out) {
        Matcher m = Pattern.compile("requests in ([0-9.]+)(us|ms|s|m),").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        double v = Double.parseDouble(m.group(1));
        return Math.round(switch (m.group(2)) {
            case "us" -> v;
            case "ms" -> v * 1e3;
            case "s" -> v * 1e6;
            default -> v * 60e6;
        });
    }

    private static double wrkLatencyAverageNs(String out) {
        Matcher m = Pattern.compile("Latency\\s+([0-9.]+)(us|ms|s)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v * 1e3;
            case "ms" -> v * 1e6;
            default -> v * 1e9;
        };
    }
}
