#!/usr/bin/env python3
"""Load generator for spanscope's end-to-end tests: N sequential GETs on one keep-alive connection.

Prints one line per request: method, path, status, and the duration the client measured from just before
sending the request to just after the last byte of the response arrived (milliseconds, perf_counter).
It speaks HTTP/1.1 over a plain socket, with each request's bytes prepared before the stopwatch starts and
the response framed by its Content-Length, so that the stopwatch holds the two socket calls' worth of
time and little interpreter work (http.client's header building and parsing would add a millisecond or
more on a busy machine).
"""
import argparse
import socket
import time


def read_response(sock):
    """Reads one Content-Length framed response; returns (status, when the last byte arrived)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit("connection closed before the response head")
        data += chunk
    arrived = time.perf_counter()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = None
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if length is None:
        raise SystemExit("response without Content-Length: " + lines[0].decode())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit("connection closed inside the response body")
        body += chunk
        arrived = time.perf_counter()
    return status, arrived


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--prefix", default="/api/items/")
    parser.add_argument("--pause", type=float, default=0.02)
    parser.add_argument("--first", type=int, default=1)
    args = parser.parse_args()
    sock = socket.create_connection((args.host, args.port), timeout=30)
    for i in range(args.first, args.first + args.count):
        path = f"{args.prefix}{i}"
        request = (f"GET {path} HTTP/1.1\r\nHost: {args.host}:{args.port}\r\n"
                   f"User-Agent: spanscope-loadgen\r\nAccept: */*\r\n\r\n").encode()
        start = time.perf_counter()
        sock.sendall(request)
        status, end = read_response(sock)
        print(f"GET {path} {status} {(end - start) * 1000:.3f}", flush=True)
        time.sleep(args.pause)
    sock.close()


if __name__ == "__main__":
    main()
