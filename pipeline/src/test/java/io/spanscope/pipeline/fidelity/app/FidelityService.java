package io.spanscope.pipeline.fidelity.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One service of the fidelity app: plain JDK code with no tracing in it. {@code GET /<name>/<id>} answers
 * after (unless a leaf) calling {@code GET /<downstream name>/<id>} on the next service in the way its
 * {@link CallStyle} says, so the request id travels through every hop and spans of two runs can be matched.
 *
 * <pre>FidelityService --name orders --style HTTP_CLIENT --port 9001 [--downstream stock=127.0.0.1:9002]</pre>
 */
public final class FidelityService {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final int WORKER_POOL_SIZE = 4;

    private final String name;
    private final CallStyle style;
    private final String downstreamName;
    private final String downstreamAddress;
    private final HttpClient httpClient;
    private final ExecutorService workerPool;

    private FidelityService(String name, CallStyle style, String downstream) {
        this.name = name;
        this.style = style;
        if (style != CallStyle.LEAF) {
            if (downstream == null || !downstream.contains("=")) {
                throw new IllegalArgumentException(style + " needs --downstream NAME=HOST:PORT");
            }
            this.downstreamName = downstream.substring(0, downstream.indexOf('='));
            this.downstreamAddress = downstream.substring(downstream.indexOf('=') + 1);
        } else {
            this.downstreamName = null;
            this.downstreamAddress = null;
        }
        boolean usesHttpClient = style == CallStyle.HTTP_CLIENT || style == CallStyle.EVENT_LOOP;
        // HTTP/1.1 explicitly: the default would add an h2c upgrade offer that these servers ignore anyway
        this.httpClient = usesHttpClient
                ? HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CALL_TIMEOUT).build()
                : null;
        this.workerPool = style == CallStyle.WORKER_POOL ? Executors.newFixedThreadPool(WORKER_POOL_SIZE) : null;
    }

    public static void main(String[] args) throws IOException {
        Args a = Args.parse(args);
        FidelityService service = new FidelityService(a.require("--name"), CallStyle.valueOf(a.require("--style")),
                a.optional("--downstream"));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(a.require("--port"))), 128);
        server.createContext("/" + service.name + "/", service::handle);
        // event loop: handlers run on the server's one dispatcher thread and must not block it;
        // every other style: one pooled thread reads, handles and answers each request
        server.setExecutor(service.style == CallStyle.EVENT_LOOP ? null : Executors.newCachedThreadPool());
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
        System.out.println("ready " + service.name);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (InputStream body = exchange.getRequestBody()) {
            body.readAllBytes();
        }
        String id = exchange.getRequestURI().getPath().substring(name.length() + 2);
        switch (style) {
            case LEAF -> respond(exchange, 200, name + " " + id);
            case BLOCKING -> respondWithCall(exchange, () -> callBlocking(id));
            case HTTP_CLIENT -> respondWithCall(exchange, () -> callWithHttpClient(id));
            case WORKER_POOL -> respondWithCall(exchange, () -> workerPool.submit(() -> callBlocking(id)).get());
            case EVENT_LOOP -> httpClient.sendAsync(downstreamRequest(id), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((response, failure) -> {
                        try {
                            if (failure != null || response.statusCode() != 200) {
                                respond(exchange, 502, name + " " + id + ": downstream failed");
                            } else {
                                respond(exchange, 200, name + " <- " + response.body());
                            }
                        } catch (IOException e) {
                            exchange.close();
                        }
                    });
        }
    }

    private interface DownstreamCall {
        String call() throws Exception;
    }

    private void respondWithCall(HttpExchange exchange, DownstreamCall call) throws IOException {
        String answer;
        try {
            answer = call.call();
        } catch (Exception e) {
            respond(exchange, 502, name + ": downstream failed: " + e);
            return;
        }
        respond(exchange, 200, name + " <- " + answer);
    }

    private URI downstreamUri(String id) {
        return URI.create("http://" + downstreamAddress + "/" + downstreamName + "/" + id);
    }

    private HttpRequest downstreamRequest(String id) {
        return HttpRequest.newBuilder(downstreamUri(id)).timeout(CALL_TIMEOUT).GET().build();
    }

    private String callWithHttpClient(String id) throws IOException, InterruptedException {
        HttpResponse<String> response = httpClient.send(downstreamRequest(id), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("downstream answered " + response.statusCode());
        }
        return response.body();
    }

    private String callBlocking(String id) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) downstreamUri(id).toURL().openConnection();
        connection.setConnectTimeout((int) CALL_TIMEOUT.toMillis());
        connection.setReadTimeout((int) CALL_TIMEOUT.toMillis());
        int status = connection.getResponseCode();
        try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
            String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (status != 200) {
                throw new IOException("downstream answered " + status);
            }
            return body;
        }
    }

    private static void respond(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
