package io.spanscope.pipeline.http;

import io.spanscope.spans.metrics.MetricsSource;
import io.spanscope.spans.metrics.PrometheusWriter;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The agent's own HTTP endpoints, on Vert.x: {@code /metrics} (Prometheus text), {@code /healthz} (the
 * process is alive), {@code /readyz} (capture is running) and {@code /status} (JSON counters).
 */
public final class AgentHttpServer implements AutoCloseable {

    private final Vertx vertx;
    private final HttpServer server;

    private AgentHttpServer(Vertx vertx, HttpServer server) {
        this.vertx = vertx;
        this.server = server;
    }

    /**
     * @throws IllegalStateException with a one-line reason when the port cannot be bound
     */
    public static AgentHttpServer start(String host, int port, List<MetricsSource> metrics, BooleanSupplier ready,
                                        Supplier<String> statusJson) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
        HttpServer server = vertx.createHttpServer().requestHandler(request -> handle(request, metrics, ready, statusJson));
        try {
            server.listen(port, host).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot serve metrics on " + host + ":" + port + ": " + cause.getMessage(), e);
        }
        return new AgentHttpServer(vertx, server);
    }

    public int port() {
        return server.actualPort();
    }

    private static void handle(HttpServerRequest request, List<MetricsSource> metrics, BooleanSupplier ready,
                               Supplier<String> statusJson) {
        switch (request.path()) {
            case "/metrics" -> {
                PrometheusWriter writer = new PrometheusWriter();
                for (MetricsSource source : metrics) {
                    source.writeTo(writer);
                }
                request.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                        .end(writer.toString());
            }
            case "/healthz" -> request.response().putHeader("content-type", "text/plain").end("ok\n");
            case "/readyz" -> {
                boolean ok = ready.getAsBoolean();
                request.response().setStatusCode(ok ? 200 : 503).putHeader("content-type", "text/plain")
                        .end(ok ? "ready\n" : "not ready\n");
            }
            case "/status" -> request.response().putHeader("content-type", "application/json").end(statusJson.get());
            default -> request.response().setStatusCode(404).end("not found: /metrics /healthz /readyz /status\n");
        }
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing is best effort at shutdown
        }
    }
}
