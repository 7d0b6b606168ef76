package io.spanscope.parsers.testing;

/**
 * HTTP/1.x messages. The {@code CURL_*}, {@code NGINX_*} and {@code PYTHON_*} ones are byte-exact copies
 * of what curl 7.88.1, nginx 1.22.1 and Python 3.11 http.server sent on loopback (recorded through a
 * logging TCP relay, 2026-11-25; Python's header and body were two separate writes). The
 * {@code HANDMADE_*} ones follow RFC 9112 framing for cases those peers did not produce here.
 */
public final class HttpSamples {

    private HttpSamples() {
    }

    public static final String CURL_GET = "GET /api/users/42?verbose=1&lang=en HTTP/1.1\r\n"
            + "Host: 127.0.0.1:18084\r\n"
            + "User-Agent: curl/7.88.1\r\n"
            + "Accept: */*\r\n"
            + "\r\n";

    public static final String JSON_BODY = "{\"id\":42,\"name\":\"Ada Lovelace\",\"active\":true}";

    public static final String NGINX_JSON_200 = "HTTP/1.1 200 OK\r\n"
            + "Server: nginx/1.22.1\r\n"
            + "Date: Wed, 25 Nov 2026 07:51:11 GMT\r\n"
            + "Content-Type: application/json\r\n"
            + "Content-Length: 45\r\n"
            + "Connection: keep-alive\r\n"
            + "\r\n"
            + JSON_BODY;

    public static final String CURL_POST_JSON = "POST /api/orders HTTP/1.1\r\n"
            + "Host: 127.0.0.1:18087\r\n"
            + "User-Agent: curl/7.88.1\r\n"
            + "Accept: */*\r\n"
            + "Authorization: Bearer abc.def\r\n"
            + "Content-Type: application/json\r\n"
            + "Content-Length: 23\r\n"
            + "\r\n"
            + "{\"item\":\"book\",\"qty\":3}";

    public static final String CURL_GET_ROOT = "GET / HTTP/1.1\r\n"
            + "Host: 127.0.0.1:18086\r\n"
            + "User-Agent: curl/7.88.1\r\n"
            + "Accept: */*\r\n"
            + "\r\n";

    public static final String PYTHON_LISTING_HEAD = "HTTP/1.0 200 OK\r\n"
            + "Server: SimpleHTTP/0.6 Python/3.11.7\r\n"
            + "Date: Wed, 25 Nov 2026 07:51:16 GMT\r\n"
            + "Content-type: text/html; charset=utf-8\r\n"
            + "Content-Length: 224\r\n"
            + "\r\n";

    public static final String PYTHON_LISTING_BODY = "<!DOCTYPE HTML>\n<html lang=\"en\">\n<head>\n"
            + "<meta charset=\"utf-8\">\n<title>Directory listing for /</title>\n</head>\n<body>\n"
            + "<h1>Directory listing for /</h1>\n<hr>\n<ul>\n<li><a href=\"u.json\">u.json</a></li>\n</ul>\n"
            + "<hr>\n</body>\n</html>\n";

    public static final String HANDMADE_CHUNKED_201 = "HTTP/1.1 201 Created\r\n"
            + "Server: nginx/1.22.1\r\n"
            + "Content-Type: application/json\r\n"
            + "Transfer-Encoding: chunked\r\n"
            + "\r\n"
            + "1a;name=value\r\n{\"order\":7,\"status\":\"new\"}\r\n"
            + "5\r\nhello\r\n"
            + "0\r\n"
            + "X-Checksum: 1234\r\n"
            + "\r\n";

    /** HTTP/1.0 without Content-Length: the body ends when the server closes the connection. */
    public static final String HANDMADE_CLOSE_DELIMITED = "HTTP/1.0 200 OK\r\n"
            + "Server: SimpleHTTP/0.6 Python/3.11.7\r\n"
            + "Content-type: text/plain\r\n"
            + "\r\n"
            + "line one\nline two\n";
}
