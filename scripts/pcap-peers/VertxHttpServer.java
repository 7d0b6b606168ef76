import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * A tiny Vert.x (vertx-core, Netty underneath) HTTP/1.1 server for the test captures. Keep-alive, no
 * compression. Routes (bodies are fixed, so the expected sizes are known without looking at the capture):
 * <pre>
 *   GET  /json      200, Content-Length, 28-byte JSON body
 *   GET  /chunked   200, Transfer-Encoding: chunked (setChunked), 3 chunks of 5+6+4 = 15 bytes, each
 *                   written 20 ms after the previous so that they leave in separate segments
 *   POST /echo      200, the request body back with Content-Length (the request may be chunked)
 *   anything else   404, 10-byte text body
 * </pre>
 * Run with {@code java -cp <vertx-core and its Netty/Jackson jars> VertxHttpServer.java PORT [HOST]}.
 */
public class VertxHttpServer {
    private static final String JSON_BODY = "{\"id\":42,\"name\":\"spanscope\"}";
    private static final String[] CHUNKS = {"hello", " world", "!!!\n"};

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        String host = args.length > 1 ? args[1] : "127.0.0.1";
        Vertx vertx = Vertx.vertx();
        vertx.createHttpServer()
                .requestHandler(request -> route(vertx, request))
                .listen(port, host)
                .onFailure(failure -> {
                    failure.printStackTrace();
                    System.exit(1);
                })
                .onSuccess(server -> System.err.println("vertx listening on " + host + ":" + server.actualPort()));
    }

    private static void route(Vertx vertx, HttpServerRequest request) {
        HttpServerResponse response = request.response();
        String path = request.path();
        if (request.method() == HttpMethod.GET && path.equals("/json")) {
            response.putHeader("Content-Type", "application/json").end(JSON_BODY);
        } else if (request.method() == HttpMethod.GET && path.equals("/chunked")) {
            response.setChunked(true).putHeader("Content-Type", "text/plain");
            writeChunk(vertx, response, 0);
        } else if (request.method() == HttpMethod.POST && path.equals("/echo")) {
            request.body().onSuccess(body -> response
                    .putHeader("Content-Type", request.getHeader("Content-Type") == null
                            ? "application/octet-stream" : request.getHeader("Content-Type"))
                    .end(body));
        } else {
            // drain whatever body came with it, so that the connection stays usable
            request.body().onComplete(ignored -> response.setStatusCode(404)
                    .putHeader("Content-Type", "text/plain").end("not found\n"));
        }
    }

    private static void writeChunk(Vertx vertx, HttpServerResponse response, int index) {
        if (index == CHUNKS.length - 1) {
            response.end(Buffer.buffer(CHUNKS[index]));
            return;
        }
        response.write(Buffer.buffer(CHUNKS[index]));
        vertx.setTimer(20, id -> writeChunk(vertx, response, index + 1));
    }
}
