#!/usr/bin/env python3
"""HTTP/1.1 keep-alive test server for the test captures.

Routes (bodies are deterministic, so the expected sizes are known without looking at the capture):
  GET  /json          200, Content-Length, 28-byte JSON body
  GET  /chunked       200, Transfer-Encoding: chunked, 3 chunks (5+6+4 = 15 body bytes), trailer X-Checksum
  GET  /no-content    204, no body
  GET  /cached        304 when If-None-Match is "v1", else 200 with a 9-byte body and ETag "v1"
  POST /upload        reads the body (after 100 Continue when asked), 201 with body "stored N" (N = bytes read)
  POST /echo          200, echoes the request body
Usage: http11_server.py PORT [BIND_ADDRESS]
"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

JSON_BODY = b'{"id":42,"name":"spanscope"}'


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, and 100 Continue for Expect (handle_expect_100)
    server_version = "pcap-peer/1"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def _send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _read_body(self):
        length = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        if self.path == "/json":
            self._send(200, JSON_BODY, [("Content-Type", "application/json")])
        elif self.path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Trailer", "X-Checksum")
            self.end_headers()
            for chunk in (b"hello", b" world", b"!!!\n"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\nX-Checksum: 15\r\n\r\n")
        elif self.path == "/no-content":
            self._send(204)
        elif self.path == "/cached":
            if self.headers.get("If-None-Match") == '"v1"':
                self._send(304, headers=[("ETag", '"v1"')])
            else:
                self._send(200, b"cacheable", [("ETag", '"v1"'), ("Content-Type", "text/plain")])
        else:
            self._send(404, b"not found\n", [("Content-Type", "text/plain")])

    def do_POST(self):
        body = self._read_body()
        if self.path == "/upload":
            self._send(201, b"stored %d" % len(body), [("Content-Type", "text/plain")])
        elif self.path == "/echo":
            self._send(200, body, [("Content-Type", "application/octet-stream")])
        else:
            self._send(404, b"not found\n", [("Content-Type", "text/plain")])


if __name__ == "__main__":
    port = int(sys.argv[1])
    bind = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
    ThreadingHTTPServer((bind, port), Handler).serve_forever()
