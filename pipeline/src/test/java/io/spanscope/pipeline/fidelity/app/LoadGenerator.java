package io.spanscope.pipeline.fidelity.app;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fidelity app's load generator: {@code GET /<first>/r<n>} for n = 1..count from {@code concurrency}
 * threads (HttpURLConnection, keep-alive), so both runs send the same request ids. Prints
 * {@code ok=N failed=M}, then exits (0 only if every request answered 200), or with {@code --linger true}
 * stays alive until it is terminated, like a long-lived client: a tracer then still finds the process when
 * the last exchanges reach it.
 *
 * <pre>LoadGenerator --target 127.0.0.1:9000 --first gateway --count 30 --concurrency 4 [--linger true]</pre>
 */
public final class LoadGenerator {

    private LoadGenerator() {
    }

    public static String requestId(int n) {
        return "r" + n;
    }

    public static void main(String[] args) throws InterruptedException {
        Args a = Args.parse(args);
        String base = "http://" + a.require("--target") + "/" + a.require("--first") + "/";
        int count = a.intValue("--count", 30);
        int concurrency = a.intValue("--concurrency", 4);
        AtomicInteger next = new AtomicInteger(1);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(concurrency);
        for (int c = 0; c < concurrency; c++) {
            clients.execute(() -> {
                for (int n = next.getAndIncrement(); n <= count; n = next.getAndIncrement()) {
                    if (get(base + requestId(n))) {
                        ok.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                }
            });
        }
        clients.shutdown();
        clients.awaitTermination(10, TimeUnit.MINUTES);
        System.out.println("ok=" + ok.get() + " failed=" + failed.get());
        if (Boolean.parseBoolean(a.optional("--linger"))) {
            Thread.sleep(Long.MAX_VALUE);
        }
        System.exit(failed.get() == 0 ? 0 : 1);
    }

    private static boolean get(String url) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
            connection.setConnectTimeout(10_000);
            connection.setReadTimeout(30_000);
            int status = connection.getResponseCode();
            try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                if (in != null) {
                    in.readAllBytes();
                }
            }
            return status == 200;
        } catch (IOException e) {
            System.err.println(url + ": " + e);
            return false;
        }
    }
}
