#!/usr/bin/env python3
"""Opens --clients connections at once to one server and sends one HTTP/1.1 GET on each.

Prints per client: "<local port> <path> <connect start ns> <connect end ns> <status>", CLOCK_MONOTONIC
nanoseconds taken right around connect().
"""
import argparse
import socket
import threading
import time


def client(port, index, barrier, results):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    barrier.wait()
    start = time.monotonic_ns()
    s.connect(("127.0.0.1", port))
    end = time.monotonic_ns()
    local_port = s.getsockname()[1]
    path = f"/slow/{index}"
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
    reply = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        reply += chunk
    s.close()
    status = reply.split(b" ", 2)[1].decode() if reply else "none"
    results.append(f"{local_port} {path} {start} {end} {status}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    barrier = threading.Barrier(args.clients)
    results = []
    threads = [threading.Thread(target=client, args=(args.port, i, barrier, results)) for i in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for line in results:
        print(line, flush=True)


if __name__ == "__main__":
    main()
