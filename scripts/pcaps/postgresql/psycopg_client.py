"""psycopg 3 against the capture server: simple queries (one multi-statement string), extended queries
with text and binary parameters, an explicitly prepared (named) statement, a pipelined batch before one
Sync, and two errors. Usage: psycopg_client.py PORT.

Prints what the client itself observed, one line per statement execution, in order:
status (OK or the SQLSTATE) TAB rows (cursor.rowcount, 0 when the command reports none) TAB the
statement text as sent on the wire (psycopg turns %s / %b placeholders into $1, $2 ...).
"""
import re
import sys

import psycopg


def wire_text(query):
    counter = iter(range(1, 1000))
    return re.sub(r"%[sb]", lambda m: "$%d" % next(counter), query)


def report(status, rows, text):
    print("%s\t%d\t%s" % (status, max(rows, 0), text), flush=True)


def run(conn, query, params=None, **kwargs):
    try:
        cur = conn.execute(query, params, **kwargs)
        report("OK", cur.rowcount, wire_text(query) if params is not None else query)
        return cur
    except psycopg.Error as e:
        report(e.sqlstate, 0, wire_text(query) if params is not None else query)
        return None


def run_multi(conn, statements):
    """One simple Query message carrying several statements; each has its own result set."""
    cur = conn.cursor()
    cur.execute("; ".join(statements))
    i = 0
    while True:
        report("OK", cur.rowcount, statements[i])
        i += 1
        if not cur.nextset():
            break


def main():
    port = int(sys.argv[1])
    with psycopg.connect(host="127.0.0.1", port=port, user="spanscope", password="s3cret-pw",
                         dbname="shop", application_name="psycopg-capture", sslmode="prefer",
                         autocommit=True) as conn:
        run(conn, "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2))")
        run_multi(conn, ["INSERT INTO items VALUES (1, 'apple', 0.50), (2, 'pear', 0.75)",
                         "UPDATE items SET price = price * 2 WHERE id = 2",
                         "SELECT id, name FROM items ORDER BY id"])
        run(conn, "INSERT INTO items VALUES (%s, %s, %s)", (3, "plum's", 1.25))
        run(conn, "SELECT name, price FROM items WHERE id >= %b AND name <> %b", (1, "x"), binary=True)
        for i in range(3):
            run(conn, "SELECT name FROM items WHERE id = %s", (i + 1,), prepare=True)
        batch = "INSERT INTO items VALUES (%s, %s, %s)"
        with conn.pipeline():
            cursors = [conn.execute(batch, (10 + i, "batch-%d" % i, i)) for i in range(4)]
        for cur in cursors:
            report("OK", cur.rowcount, wire_text(batch))
        run(conn, "INSERT INTO items VALUES (%s, %s, %s)", (1, "duplicate", 9))
        run(conn, "SELECT * FROM no_such_table")
        run(conn, "DELETE FROM items WHERE id >= 10")


if __name__ == "__main__":
    main()
