#!/usr/bin/env python3
"""Sends three HTTP/1.1 requests in ONE write on a raw socket (pipelining), then reads the three responses.

The last request carries Connection: close, so the server closes after answering it and the client reads
to end of stream. Prints one line per exchange: client_port, method, path, status, response body bytes.
Usage: pipelined_client.py HOST PORT
"""
import socket
import sys

host, port = sys.argv[1], int(sys.argv[2])
paths = ["/json", "/cached", "/missing"]
requests = b"".join(
    b"GET %s HTTP/1.1\r\nHost: %s:%d\r\n%s\r\n"
    % (p.encode(), host.encode(), port, b"Connection: close\r\n" if i == len(paths) - 1 else b"")
    for i, p in enumerate(paths))
sock = socket.create_connection((host, port), timeout=10)
sock.sendall(requests)
received = b""
while True:
    data = sock.recv(65536)
    if not data:
        break
    received += data
local_port = sock.getsockname()[1]
sock.close()

# every response of http11_server.py to these paths has a Content-Length
rest = received
for path in paths:
    head, _, rest = rest.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    rest = rest[length:]
    print(f"{local_port}\tGET\t{path}\t{status}\t{length}", flush=True)
