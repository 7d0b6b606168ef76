#!/usr/bin/env python3
"""An asyncio HTTP/1.1 service with no tracing code: one thread, one event loop, for spanscope's hand-off
tests. GET /api/items/<id> calls DOWNSTREAM/api/items/<id>/detail on a new connection (awaiting it, so the
loop reads other requests meanwhile) and answers 200 with a small JSON body; keep-alive."""
import argparse
import asyncio
import json
import urllib.parse


async def call_downstream(host, port, path):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET {path}/detail HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    reply = await reader.read()
    writer.close()
    return reply.split(b"\r\n", 1)[0].decode()


async def serve(reader, writer, downstream):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            path = head.split(b" ", 2)[1].decode()
            status_line = await call_downstream(downstream.hostname, downstream.port, path)
            body = json.dumps({"path": path, "detail": status_line}).encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\n\r\n" + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--downstream", required=True)
    args = parser.parse_args()
    downstream = urllib.parse.urlsplit(args.downstream)
    server = await asyncio.start_server(lambda r, w: serve(r, w, downstream), "127.0.0.1", args.port)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
