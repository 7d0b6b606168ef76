#!/usr/bin/env python3
"""A server that accepts slowly from a tiny listen backlog, for spanscope's kernel-delay test.

listen(1), then forever: sleep --delay seconds, accept one connection, print "accepted <client port>
<CLOCK_MONOTONIC ns>", answer its HTTP/1.1 request and close. New connections meanwhile wait in the accept
queue or, when it is full, have their SYN dropped by the kernel and retransmitted by the client.
"""
import argparse
import socket
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay", type=float, default=0.15)
    args = parser.parse_args()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(1)
    print("ready", flush=True)
    while True:
        time.sleep(args.delay)
        conn, peer = listener.accept()
        accepted = time.monotonic_ns()
        print(f"accepted {peer[1]} {accepted}", flush=True)
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = conn.recv(4096)
            if not chunk:
                break
            request += chunk
        body = b"slow but fine\n"
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
        conn.close()


if __name__ == "__main__":
    main()
