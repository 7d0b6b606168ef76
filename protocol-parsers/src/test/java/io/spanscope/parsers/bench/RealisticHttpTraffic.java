package io.spanscope.parsers.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A keep-alive API conversation seen on the server side, as the syscalls a server performs: each
 * request read in one event, each nginx response written in one event (head and small body in one
 * writev), larger bodies split at 16 KiB. Message shapes follow curl 7.88, Chrome 120 and nginx 1.22
 * (see {@code HttpSamples}); paths carry ids so route templating does work.
 */
final class RealisticHttpTraffic {

    /** One syscall's bytes and whether the server read (request) or wrote (response) them. */
    record Chunk(byte[] bytes, boolean request) {
    }

    private RealisticHttpTraffic() {
    }

    static List<Chunk> build(int exchanges, long seed) {
        Random random = new Random(seed);
        List<Chunk> chunks = new ArrayList<>();
        for (int k = 0; k < exchanges; k++) {
            int kind = random.nextInt(10);
            int id = 1 + random.nextInt(100_000);
            if (kind < 4) {
                add(chunks, true, curlGet("/api/users/" + id));
                add(chunks, false, nginxJson(json(random, 2 + random.nextInt(4))));
            } else if (kind < 7) {
                add(chunks, true, browserGet("/api/v1/users/" + id + "/orders?page=" + (1 + random.nextInt(9)) + "&limit=20", random));
                add(chunks, false, nginxJson(json(random, 10 + random.nextInt(20))));
            } else if (kind < 9) {
                String body = json(random, 4 + random.nextInt(6));
                add(chunks, true, curlPost("/api/orders", body));
                add(chunks, false, nginxChunked(json(random, 3 + random.nextInt(5))));
            } else {
                add(chunks, true, browserGet("/static/app." + Long.toHexString(random.nextLong()) + ".js", random));
                add(chunks, false, "HTTP/1.1 304 Not Modified\r\nServer: nginx/1.22.1\r\n"
                        + "Date: Wed, 25 Nov 2026 07:51:11 GMT\r\nETag: \"6561a3b1-4c1f\"\r\nConnection: keep-alive\r\n\r\n");
            }
        }
        return chunks;
    }

    private static void add(List<Chunk> chunks, boolean request, String message) {
        byte[] bytes = message.getBytes(StandardCharsets.ISO_8859_1);
        for (int offset = 0; offset < bytes.length; offset += 16 * 1024) {
            int n = Math.min(16 * 1024, bytes.length - offset);
            byte[] piece = new byte[n];
            System.arraycopy(bytes, offset, piece, 0, n);
            chunks.add(new Chunk(piece, request));
        }
    }

    private static String curlGet(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: api.shop.internal:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";
    }

    private static String curlPost(String path, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: api.shop.internal:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n"
                + "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static String browserGet(String target, Random random) {
        return "GET " + target + " HTTP/1.1\r\n"
                + "Host: api.shop.internal:8080\r\n"
                + "Connection: keep-alive\r\n"
                + "sec-ch-ua: \"Not_A Brand\";v=\"8\", \"Chromium\";v=\"120\"\r\n"
                + "Accept: application/json, text/plain, */*\r\n"
                + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                + "Chrome/120.0.0.0 Safari/537.36\r\n"
                + "Referer: https://shop.example.com/account\r\n"
                + "Accept-Encoding: gzip, deflate, br\r\n"
                + "Accept-Language: en-US,en;q=0.9\r\n"
                + "Cookie: session=" + Long.toHexString(random.nextLong()) + "; theme=dark\r\n"
                + "\r\n";
    }

    private static String nginxJson(String body) {
        return "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Wed, 25 Nov 2026 07:51:11 GMT\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: keep-alive\r\n\r\n"
                + body;
    }

    private static String nginxChunked(String body) {
        return "HTTP/1.1 201 Created\r\nServer: nginx/1.22.1\r\nDate: Wed, 25 Nov 2026 07:51:11 GMT\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n"
                + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
    }

    /** A JSON array of {@code items} order-like objects (about 60 bytes each). */
    private static String json(Random random, int items) {
        StringBuilder sb = new StringBuilder("{\"items\":[");
        for (int i = 0; i < items; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"id\":").append(random.nextInt(1_000_000)).append(",\"sku\":\"SKU-")
                    .append(random.nextInt(99_999)).append("\",\"qty\":").append(1 + random.nextInt(5))
                    .append(",\"price\":").append(random.nextInt(10_000) / 100.0).append('}');
        }
        return sb.append("],\"total\":").append(items).append('}').toString();
    }
}
