#!/usr/bin/env python3
"""Load generator for spanscope's end-to-end tests: N sequential GETs on one keep-alive connection.

Prints one line per request: method, path, status, and the duration the client measured around sending
the request and reading the whole response (milliseconds, perf_counter).
"""
import argparse
import http.client
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--prefix", default="/api/items/")
    parser.add_argument("--pause", type=float, default=0.02)
    parser.add_argument("--first", type=int, default=1)
    args = parser.parse_args()
    conn = http.client.HTTPConnection(args.host, args.port, timeout=30)
    conn.connect()
    for i in range(args.first, args.first + args.count):
        path = f"{args.prefix}{i}"
        start = time.perf_counter()
        conn.request("GET", path)
        reply = conn.getresponse()
        reply.read()
        elapsed_ms = (time.perf_counter() - start) * 1000
        print(f"GET {path} {reply.status} {elapsed_ms:.3f}", flush=True)
        time.sleep(args.pause)
    conn.close()


if __name__ == "__main__":
    main()
