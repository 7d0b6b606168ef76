#!/usr/bin/env python3
"""An ordinary HTTP/1.1 service with no tracing code, for spanscope's end-to-end tests.

GET /api/items/<id> answers JSON; with --downstream URL it first calls URL/api/items/<id>/detail on a new
connection from the request's own thread (thread-per-request, blocking sockets), or with --pool N from a
worker of a pool of N threads while the request's thread waits. GET /api/fail/<id> answers 500. The test
copies this file under each service's name (frontend.py, backend.py ...): spanscope names a python service
after its script. With --certfile/--keyfile it serves HTTPS; an https:// downstream is verified with --cafile.
"""
import argparse
import concurrent.futures
import http.client
import json
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    downstream = None
    pool = None
    downstream_tls = None

    def do_GET(self):
        parts = self.path.split("/")
        status = 500 if len(parts) > 2 and parts[2] == "fail" else 200
        detail = None
        if self.downstream is not None and status == 200:
            if self.pool is not None:
                detail = self.pool.submit(self.call_downstream).result()
            else:
                detail = self.call_downstream()
        body = json.dumps({"path": self.path, "detail": detail}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def call_downstream(self):
        target = urllib.parse.urlsplit(self.downstream)
        if target.scheme == "https":
            conn = http.client.HTTPSConnection(target.hostname, target.port, timeout=10, context=self.downstream_tls)
        else:
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
        conn.request("GET", self.path + "/detail", headers={"Connection": "close"})
        reply = conn.getresponse()
        detail = json.loads(reply.read() or b"null")
        conn.close()
        return detail

    def log_message(self, fmt, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--downstream")
    parser.add_argument("--pool", type=int, default=0)
    parser.add_argument("--certfile")
    parser.add_argument("--keyfile")
    parser.add_argument("--cafile")
    args = parser.parse_args()
    Handler.downstream = args.downstream
    if args.cafile:
        import ssl
        Handler.downstream_tls = ssl.create_default_context(cafile=args.cafile)
    if args.pool > 0:
        Handler.pool = concurrent.futures.ThreadPoolExecutor(max_workers=args.pool)
    server = ThreadingHTTPServer((args.bind, args.port), Handler)
    server.daemon_threads = True
    if args.certfile:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.certfile, args.keyfile)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print("ready", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
