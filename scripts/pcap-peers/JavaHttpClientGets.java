import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The JDK HttpClient, HTTP/1.1 forced, doing sequential GETs against nginx (one pooled keep-alive
 * connection). Run with {@code java JavaHttpClientGets.java BASE_URL PATH...}; prints one line per
 * exchange: client port ("-": the JDK client does not expose it), method, path, status, body bytes.
 */
public class JavaHttpClientGets {
    public static void main(String[] args) throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        for (int i = 1; i < args.length; i++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(args[0] + args[i])).GET().build();
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            System.out.println("-\tGET\t" + args[i] + "\t" + response.statusCode() + "\t" + response.body().length);
        }
    }
}
