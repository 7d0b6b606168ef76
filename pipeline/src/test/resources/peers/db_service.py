#!/usr/bin/env python3
"""An ordinary HTTP/1.1 service backed by a database, with no tracing code, for spanscope's tests.

Each GET /items/<n> opens a connection on the request's own thread (thread-per-request, blocking sockets;
PyMySQL for --driver mysql, psycopg2 for --driver postgresql), runs one SELECT whose column alias names the
request (item_<n>, so a test can tell which request ran which query even with literals masked), closes it
and answers the row as JSON. Tests copy it under the service name they expect.
"""
import argparse
import importlib
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def load(module):
    try:
        return importlib.import_module(module)
    except ImportError:  # "python3" may be another interpreter than Debian's, which carries python3-<driver>
        sys.path.append("/usr/lib/python3/dist-packages")
        return importlib.import_module(module)


def connect(db):
    """A connection in autocommit, so the driver sends no transaction statements of its own."""
    if db.driver == "mysql":
        return load("pymysql").connect(host="127.0.0.1", port=db.port, user=db.user, password=db.password,
                                       database=db.database, autocommit=True)
    conn = load("psycopg2").connect(host="127.0.0.1", port=db.port, user=db.user, dbname=db.database)
    conn.autocommit = True
    return conn


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    db = None

    def do_GET(self):
        n = int(self.path.rstrip("/").split("/")[-1])
        conn = connect(self.db)
        try:
            cursor = conn.cursor()
            cursor.execute(f"SELECT name AS item_{n} FROM items WHERE id = %s", (n % 4 + 1,))
            row = cursor.fetchone()
            cursor.close()
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
    parser.add_argument("--driver", choices=["mysql", "postgresql"], required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db-port", dest="port_db", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", default="")
    parser.add_argument("--database", required=True)
    args = parser.parse_args()
    Handler.db = argparse.Namespace(driver=args.driver, port=args.port_db, user=args.user, password=args.password,
                                    database=args.database)
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
