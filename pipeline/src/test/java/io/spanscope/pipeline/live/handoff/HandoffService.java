package io.spanscope.pipeline.live.handoff;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An ordinary JDK HTTP service with no tracing code, run as its own process by the hand-off tests
 * ({@code java -cp target/test-classes io.spanscope.pipeline.live.handoff.HandoffService ...}).
 *
 * <p>{@code --port P} answers every GET with its path. With {@code --downstream URL} each request first calls
 * {@code URL + path + "/detail"} through one shared {@link HttpClient} (HTTP/1.1): {@code --mode send} from the
 * server's worker thread with the blocking {@code send}; {@code --mode async} hands the call to a pool whose
 * thread calls {@code sendAsync} while the server's thread waits for the reply. Either way the client's own
 * threads write and read the downstream socket: hand-offs at the socket level.
 */
public final class HandoffService {

    private HandoffService() {
    }

    public static void main(String[] args) throws IOException {
        int port = 0;
        String downstream = null;
        String mode = "send";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--downstream" -> downstream = args[i + 1];
                case "--mode" -> mode = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
        server.setExecutor(Executors.newFixedThreadPool(8));
        if (downstream == null) {
            server.createContext("/", exchange -> respond(exchange, 200, exchange.getRequestURI().getPath()));
        } else {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            String base = downstream;
            ExecutorService callers = Executors.newFixedThreadPool(4);
            boolean async = mode.equals("async");
            server.createContext("/", exchange -> {
                HttpRequest call = HttpRequest.newBuilder(URI.create(base + exchange.getRequestURI().getPath() + "/detail"))
                        .timeout(Duration.ofSeconds(10)).GET().build();
                try {
                    HttpResponse<String> reply = async
                            ? callers.submit(() -> client.sendAsync(call, HttpResponse.BodyHandlers.ofString())).get().get()
                            : client.send(call, HttpResponse.BodyHandlers.ofString());
                    respond(exchange, 200, "{\"detail\":\"" + reply.body() + "\"}");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    respond(exchange, 503, "interrupted");
                } catch (ExecutionException e) {
                    respond(exchange, 502, String.valueOf(e.getCause()));
                }
            });
        }
        server.start();
        System.out.println("ready");
        System.out.flush();
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
