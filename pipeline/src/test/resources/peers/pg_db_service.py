#!/usr/bin/env python3
"""An ordinary HTTP/1.1 service backed by PostgreSQL, with no tracing code, for spanscope's tests.

GET /items/<n> opens a connection to the database from the request's own thread (thread-per-request,
blocking sockets, psycopg2), runs one SELECT whose column alias names the request (item_<n>, so a test
can tell which request ran which query even with literals masked), closes it and answers the row as JSON.
"""
import argparse
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    import psycopg2
except ImportError:  # "python3" may be another interpreter than Debian's, which carries python3-psycopg2
    sys.path.append("/usr/lib/python3/dist-packages")
    import psycopg2


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    db = None

    def do_GET(self):
        n = int(self.path.rstrip("/").split("/")[-1])
        conn = psycopg2.connect(host="127.0.0.1", port=self.db.port, user=self.db.user, dbname=self.db.database)
        # autocommit: psycopg2 would otherwise open a transaction (a BEGIN of its own) before the query
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(f"SELECT name AS item_{n} FROM items WHERE id = %s", (n % 4 + 1,))
                row = cursor.fetchone()
        finally:
            conn.close()
        body = json.dumps({"item": n, "name": row[0]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db-port", dest="port_db", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--database", required=True)
    args = parser.parse_args()
    Handler.db = argparse.Namespace(port=args.port_db, user=args.user, database=args.database)
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
