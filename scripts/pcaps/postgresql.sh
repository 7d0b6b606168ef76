#!/usr/bin/env bash
# Records the PostgreSQL test captures in test-pcaps/postgresql/ from a real PostgreSQL 15 server on
# 127.0.0.1 and real clients (psql, pgbench in its three query modes, pgjdbc, psycopg 3), and writes each
# capture's NAME.expected.tsv from what the client reported (see postgresql/sidecar.py). Idempotent.
# Needs root (tcpdump; the server runs as the postgres user), postgresql + postgresql-contrib, java,
# python3 with psycopg 3 (a venv is made under /tmp when it is missing) and Maven (fetches pgjdbc).
#
#   scripts/pcaps/postgresql.sh                 # the committed captures
#   scripts/pcaps/postgresql.sh --bench N       # only the benchmark capture: pgbench -M extended, N
#                                               # transactions, into protocol-parsers/target/bench-pcaps/
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PEERS=$ROOT/scripts/pcaps/postgresql
OUT=$ROOT/test-pcaps/postgresql
PORT=15432
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PGJDBC_VERSION=42.7.4
WORK=$(mktemp -d /tmp/spanscope-pg.XXXXXX)
chmod 755 "$WORK"
export PGPASSWORD=s3cret-pw

stop_server() {
  if [ -f "$WORK/data/postmaster.pid" ]; then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null || true
  fi
  rm -rf "$WORK"
}
trap stop_server EXIT

start_server() {
  mkdir -p "$WORK/data" "$WORK/sock" "$WORK/log"
  chown postgres "$WORK/data" "$WORK/sock" "$WORK/log"
  runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/data" -U postgres --auth-local=trust \
    --auth-host=scram-sha-256 >/dev/null
  # ssl stays off: clients' SSLRequest is refused and they continue in plaintext
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/log/server.log" -w start -o \
    "-p $PORT -k $WORK/sock -c listen_addresses=127.0.0.1 -c log_statement=all -c log_line_prefix='%c '" >/dev/null
  psql_admin -c "CREATE ROLE spanscope LOGIN PASSWORD '$PGPASSWORD'" -c "CREATE DATABASE shop OWNER spanscope"
}

psql_admin() { runuser -u postgres -- psql -X -q -h "$WORK/sock" -p $PORT -d postgres "$@"; }

# capture NAME -- command...: records the server port while the command runs; its stdout goes to
# $WORK/NAME.client; the server log of that run to $WORK/NAME.log
capture() {
  local name=$1; shift 2
  local file=$OUT/$name.pcap
  for attempt in 1 2 3; do
    rm -f "$file"
    : > "$WORK/log/server.log"
    tcpdump -i lo -s 0 -B 65536 -U --immediate-mode -n -w "$file" "tcp port $PORT" 2>"$WORK/$name.tcpdump" &
    local dump=$!
    for _ in $(seq 100); do grep -q "listening on" "$WORK/$name.tcpdump" && break; sleep 0.1; done
    "$@" > "$WORK/$name.client"
    sleep 0.5
    kill -INT $dump; wait $dump || true
    cp "$WORK/log/server.log" "$WORK/$name.log"
    if grep -q "^0 packets dropped by kernel" "$WORK/$name.tcpdump"; then
      return 0
    fi
    echo "$name: attempt $attempt dropped packets, again" >&2
  done
  exit 1
}

pgjdbc_jar() {
  local jar=$HOME/.m2/repository/org/postgresql/postgresql/$PGJDBC_VERSION/postgresql-$PGJDBC_VERSION.jar
  [ -f "$jar" ] || mvn -q dependency:get -Dartifact=org.postgresql:postgresql:$PGJDBC_VERSION >&2
  echo "$jar"
}

psycopg_python() {
  local venv=/tmp/spanscope-psycopg-venv
  if ! python3 -c 'import psycopg' 2>/dev/null; then
    [ -x $venv/bin/python ] || { python3 -m venv $venv && $venv/bin/pip install -q 'psycopg[binary]'; } >&2
    echo $venv/bin/python
  else
    echo python3
  fi
}

pgbench_run() { # mode transactions
  pgbench -h 127.0.0.1 -p $PORT -U spanscope -n -c 1 -t "$2" -M "$1" shop
}

summary() {
  echo "$1: $(($(wc -l < "$OUT/$1.expected.tsv") - 1)) statements, $(stat -c %s "$OUT/$1.pcap") bytes"
}

main_captures() {
  mkdir -p "$OUT"
  start_server
  pgbench -h 127.0.0.1 -p $PORT -U spanscope -i -s 1 -q shop >/dev/null 2>&1

  capture pg-psql -- psql -X -h 127.0.0.1 -p $PORT -U spanscope -d shop -f "$PEERS/psql_session.sql"
  python3 "$PEERS/sidecar.py" psql "$PEERS/psql_session.sql" "$WORK/pg-psql.client" "$OUT/pg-psql.expected.tsv"
  summary pg-psql

  local py; py=$(psycopg_python)
  capture pg-psycopg -- "$py" "$PEERS/psycopg_client.py" $PORT
  python3 "$PEERS/sidecar.py" client "$WORK/pg-psycopg.client" "$OUT/pg-psycopg.expected.tsv"
  summary pg-psycopg

  local jar; jar=$(pgjdbc_jar)
  capture pg-jdbc -- java -cp "$jar" "$PEERS/PgJdbcClient.java" $PORT
  python3 "$PEERS/sidecar.py" client "$WORK/pg-jdbc.client" "$OUT/pg-jdbc.expected.tsv"
  summary pg-jdbc

  for mode in simple extended prepared; do
    capture pg-pgbench-$mode -- pgbench_run $mode 10
    grep -q "actually processed: 10/10" "$WORK/pg-pgbench-$mode.client"
    python3 "$PEERS/sidecar.py" pgbench "$WORK/pg-pgbench-$mode.log" 10 "$OUT/pg-pgbench-$mode.expected.tsv"
    summary pg-pgbench-$mode
  done
}

bench_capture() {
  OUT=$ROOT/protocol-parsers/target/bench-pcaps
  mkdir -p "$OUT"
  start_server
  pgbench -h 127.0.0.1 -p $PORT -U spanscope -i -s 1 -q shop >/dev/null 2>&1
  capture pg-pgbench-extended-big -- pgbench_run extended "$1"
  echo "$OUT/pg-pgbench-extended-big.pcap: $(stat -c %s "$OUT/pg-pgbench-extended-big.pcap") bytes"
}

if [ "${1:-}" = --bench ]; then
  bench_capture "${2:-20000}"
else
  main_captures
fi
