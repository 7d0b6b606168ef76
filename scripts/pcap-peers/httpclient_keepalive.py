#!/usr/bin/env python3
"""Python http.client (stdlib) on ONE keep-alive connection to http11_server.py.

Prints one line per exchange: client_port, method, path, status, response body bytes (tab-separated).
Usage: httpclient_keepalive.py HOST PORT
"""
import http.client
import sys

host, port = sys.argv[1], int(sys.argv[2])
conn = http.client.HTTPConnection(host, port, timeout=10)
plan = [
    ("GET", "/json", None, {}),
    ("GET", "/chunked", None, {}),
    ("GET", "/no-content", None, {}),
    ("GET", "/cached", None, {}),
    ("GET", "/cached", None, {"If-None-Match": '"v1"'}),
    ("POST", "/echo", b"ping-pong-body", {"Content-Type": "text/plain"}),
    ("GET", "/missing", None, {}),
]
for method, path, body, headers in plan:
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    print(f"{conn.sock.getsockname()[1]}\t{method}\t{path}\t{response.status}\t{len(data)}", flush=True)
conn.close()
