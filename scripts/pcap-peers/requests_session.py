#!/usr/bin/env python3
"""Python `requests` (urllib3 underneath) with ONE Session, so every step reuses one keep-alive connection.

Steps, in the order given on the command line (every response body is read to its end, or the Session
could not reuse the connection):
  get:PATH           GET, body read at once
  stream:PATH        GET with stream=True, body read with iter_content (a streamed/chunked response)
  json:PATH          POST with a JSON body (json=..., so Content-Length and application/json)
  chunked-post:PATH  POST whose body is a generator: requests sends it with Transfer-Encoding: chunked
Prints one line per exchange: client port ("-": requests does not expose its socket), method, path,
status, response body bytes as the client received them (after de-chunking; requests would also undo a
Content-Encoding, but neither server compresses). Usage: requests_session.py BASE_URL STEP...
"""
import sys

import requests

JSON_DOCUMENT = {"service": "spanscope", "items": [1, 2, 3], "ok": True}


def chunked_body():
    for part in (b"first-part;", b"second-part;", b"last"):
        yield part


def run(session, base, step):
    kind, path = step.split(":", 1)
    url = base + path
    if kind == "get":
        response = session.get(url, timeout=10)
        return "GET", response.status_code, len(response.content)
    if kind == "stream":
        with session.get(url, stream=True, timeout=10) as response:
            size = sum(len(piece) for piece in response.iter_content(chunk_size=4))
        return "GET", response.status_code, size
    if kind == "json":
        response = session.post(url, json=JSON_DOCUMENT, timeout=10)
        return "POST", response.status_code, len(response.content)
    if kind == "chunked-post":
        response = session.post(url, data=chunked_body(), headers={"Content-Type": "text/plain"}, timeout=10)
        return "POST", response.status_code, len(response.content)
    sys.exit(f"unknown step {step}")


def main():
    base, steps = sys.argv[1], sys.argv[2:]
    with requests.Session() as session:
        for step in steps:
            method, status, size = run(session, base, step)
            print(f"-\t{method}\t{step.split(':', 1)[1]}\t{status}\t{size}", flush=True)


if __name__ == "__main__":
    main()
