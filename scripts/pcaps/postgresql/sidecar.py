"""Writes NAME.expected.tsv for the PostgreSQL captures from what the clients reported.

  sidecar.py client CLIENT_OUTPUT OUT.tsv            lines "status<TAB>rows<TAB>text" (psycopg, pgjdbc)
  sidecar.py psql SESSION.sql PSQL_OUTPUT OUT.tsv    statements of the script paired with psql's @@ lines
  sidecar.py pgbench SERVER_LOG TRANSACTIONS OUT.tsv texts from the server's statement log (see README)

Output columns: stream (0-based, connections that ran statements, in order), status (OK or SQLSTATE),
rows (the command's row count as the client reports it, 0 when none), text (exactly as sent).
"""
import re
import sys

HEADER = "stream\tstatus\trows\tquery\n"


def write(out, rows):
    with open(out, "w") as f:
        f.write(HEADER)
        for stream, status, count, text in rows:
            f.write("%d\t%s\t%s\t%s\n" % (stream, status, count, text))


def from_client(path, out):
    rows = []
    for line in open(path):
        status, count, text = line.rstrip("\n").split("\t", 2)
        rows.append((0, status, count, text))
    write(out, rows)


def from_psql(script, output, out):
    statements, copy_data = [], False
    for line in open(script):
        line = line.rstrip("\n")
        if copy_data:
            copy_data = line != "\\."
            continue
        if not line or line.startswith("--") or line.startswith("\\"):
            continue
        statements.append(line)
        copy_data = "FROM STDIN" in line
    results, printed = [], 0
    for line in open(output):
        if line.startswith("@@"):
            results.append(line.split()[1:] + [printed])
            printed = 0
        else:
            printed += 1
    assert len(results) == len(statements), (len(results), len(statements))
    rows = []
    for text, (sqlstate, count, printed) in zip(statements, results):
        if "TO STDOUT" in text:
            count = printed  # psql leaves ROW_COUNT at 0 after COPY TO STDOUT; the rows it printed count
        rows.append((0, "OK" if sqlstate == "00000" else sqlstate, count, text))
    write(out, rows)


def from_pgbench(log, transactions, out):
    # log_line_prefix '%c ' (session id); log_statement=all; "statement: X" (simple) or "execute NAME: X"
    sessions, rows = [], []
    for line in open(log):
        m = re.match(r"(\S+) LOG:  (?:statement|execute [^:]+): (.*)$", line.rstrip("\n"))
        if not m:
            continue
        session, text = m.groups()
        if session not in sessions:
            sessions.append(session)
        stream = sessions.index(session)
        keyword = text.split()[0].upper()
        # pgbench reports only transactions; every tpcb-like statement touches one row by primary key,
        # BEGIN/END none; the setup connection's two catalog queries return one row each
        count = 0 if keyword in ("BEGIN;", "END;", "BEGIN", "END") else 1
        rows.append((stream, "OK", count, text))
    per_txn = sum(1 for r in rows if r[0] == 1) / int(transactions)
    assert per_txn == 7, "expected 7 statements per transaction, got %s" % per_txn
    write(out, rows)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "client":
        from_client(sys.argv[2], sys.argv[3])
    elif mode == "psql":
        from_psql(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        from_pgbench(sys.argv[2], sys.argv[3], sys.argv[4])
