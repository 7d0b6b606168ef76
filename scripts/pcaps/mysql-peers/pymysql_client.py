"""PyMySQL (text protocol, client-side parameter interpolation) against the capture server.

Prints one line per statement: "query<TAB>OPERATION<TAB>ok rows N" / "ok affected N" / "err CODE".
Usage: python3 pymysql_client.py PORT
"""
import sys

import pymysql

conn = pymysql.connect(host="127.0.0.1", port=int(sys.argv[1]), user="app", password="secret-pw",
                       database="shop", autocommit=True)
with conn.cursor() as cur:
    for sql, args in [
        ("SELECT id, name FROM items WHERE price > %s", (100,)),
        ("UPDATE items SET price = price + 1 WHERE name = %s", ("apple",)),
        ("INSERT INTO items (name, price) VALUES (%s, %s)", ("pear", 7)),
        ("SELECT * FROM missing_table", None),
    ]:
        try:
            n = cur.execute(sql, args)
            op = sql.split()[0]
            print(f"query\t{op}\tok {'rows' if op == 'SELECT' else 'affected'} {n}", flush=True)
        except pymysql.MySQLError as e:
            print(f"query\t{sql.split()[0]}\terr {e.args[0]}", flush=True)
conn.close()
