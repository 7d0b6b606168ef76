#!/usr/bin/env bash
# Records the MySQL/MariaDB test captures in test-pcaps/mysql/ from a real MariaDB server and real
# clients on the loopback interface, with their sidecars:
#   NAME.expected.tsv  what the client reported it ran, in order: command, operation, outcome
#                      ("ok rows N", "ok affected N", "ok", "err CODE");
#   NAME.commands.tsv  every command packet per command type, counted by tshark's MySQL dissector
#                      (an independent count that includes the drivers' own setup commands).
# Needs root (tcpdump), tshark, mariadb-server, mariadb-client (mariadb, mysqlslap), java, python3-pymysql and
# Maven (to fetch MariaDB Connector/J). Not run by CI: the captures are committed.
#
#   scripts/pcaps/mysql.sh            # the committed captures
#   scripts/pcaps/mysql.sh --bench N  # only a mysqlslap capture of N queries for the benchmark, into
#                                     # protocol-parsers/target/bench-pcaps/ (never committed)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PEERS=$ROOT/scripts/pcaps/mysql-peers
OUT=$ROOT/test-pcaps/mysql
PORT=13306
CJ_VERSION=3.3.3
WORK=$(mktemp -d /tmp/spanscope-mysql.XXXXXX)
chmod 755 "$WORK"
MYSQLD_PID=
TCPDUMP_PID=

cleanup() {
  [ -n "$TCPDUMP_PID" ] && kill "$TCPDUMP_PID" 2>/dev/null || true
  [ -n "$MYSQLD_PID" ] && kill "$MYSQLD_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

start_server() {
  mariadb-install-db --no-defaults --user=mysql --datadir="$WORK/data" --auth-root-authentication-method=normal >/dev/null
  chown -R mysql:mysql "$WORK"
  mysqld --no-defaults --user=mysql --datadir="$WORK/data" --socket="$WORK/mysqld.sock" --port=$PORT \
    --bind-address=127.0.0.1 --skip-name-resolve --local-infile=1 --pid-file="$WORK/mysqld.pid" --log-error="$WORK/error.log" &
  MYSQLD_PID=$!
  for _ in $(seq 100); do
    mariadb --no-defaults -S "$WORK/mysqld.sock" -uroot -e 'select 1' >/dev/null 2>&1 && break
    sleep 0.2
  done
  mariadb --no-defaults -S "$WORK/mysqld.sock" -uroot <<'SQL'
CREATE DATABASE shop;
CREATE USER 'app'@'%' IDENTIFIED BY 'secret-pw';
GRANT ALL ON *.* TO 'app'@'%';
CREATE TABLE shop.items (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64), price INT);
INSERT INTO shop.items (name, price) VALUES ('apple', 3), ('banana', 2), ('cherry', 120), ('durian', 250);
DELIMITER //
CREATE PROCEDURE shop.two_sets() BEGIN SELECT COUNT(*) FROM shop.items; SELECT name FROM shop.items WHERE price > 100; END//
DELIMITER ;
SQL
}

# capture NAME COMMAND...: records the client run on the server port and writes both sidecars
capture() {
  local name=$1; shift
  tcpdump -i lo -s 0 --immediate-mode -w "$OUT/$name.pcap" "tcp port $PORT" 2>/dev/null &
  TCPDUMP_PID=$!
  sleep 1
  "$@" > "$WORK/$name.client"
  sleep 1
  kill "$TCPDUMP_PID"; wait "$TCPDUMP_PID" 2>/dev/null || true; TCPDUMP_PID=
  { printf 'command\toperation\toutcome\n'; cat "$WORK/$name.client"; } > "$OUT/$name.expected.tsv"
  tshark_commands "$OUT/$name.pcap" > "$OUT/$name.commands.tsv"
}

# every command packet (sequence id 0, client to server) as tshark's MySQL dissector counts them
tshark_commands() { # pcap
  printf 'command\tcount\n'
  tshark -r "$1" -d tcp.port==$PORT,mysql -Y "mysql.command && tcp.dstport==$PORT" \
      -T fields -E separator=/t -e mysql.packet_number -e mysql.command 2>/dev/null |
    awk -F'\t' '
      BEGIN { n["1"]="COM_QUIT"; n["2"]="COM_INIT_DB"; n["3"]="COM_QUERY"; n["14"]="COM_PING"; n["22"]="COM_STMT_PREPARE";
              n["23"]="COM_STMT_EXECUTE"; n["24"]="COM_STMT_SEND_LONG_DATA"; n["25"]="COM_STMT_CLOSE"; n["26"]="COM_STMT_RESET" }
      { k = split($1, seq, ","); split($2, cmd, ","); for (i = 1; i <= k; i++) if (seq[i] == "0") c[n[cmd[i]] ? n[cmd[i]] : cmd[i]]++ }
      END { for (x in c) print x "\t" c[x] }' | sort
}

# the mariadb command-line client, verbose: its own report of every statement's outcome
mariadb_cli() {
  printf '1,kiwi,5\n2,lime,6\n' > "$WORK/fruit.csv"; chmod 644 "$WORK/fruit.csv"
  cat > "$WORK/cli.sql" <<SQL
SELECT COUNT(*) FROM items;
SELECT id, name, price FROM items WHERE price > 100 ORDER BY id;
UPDATE items SET price = 4 WHERE name = 'apple';
INSERT INTO items (name, price) VALUES ('elderberry', 9);
SELECT * FROM no_such_table;
CALL two_sets();
use mysql
SELECT User FROM user WHERE User = 'app';
LOAD DATA LOCAL INFILE '$WORK/fruit.csv' INTO TABLE shop.items FIELDS TERMINATED BY ',' (@id, name, price);
SELEC broken syntax;
SQL
  mariadb --no-defaults -h127.0.0.1 -P$PORT -uapp -psecret-pw --local-infile=1 --force --unbuffered -vvv shop \
    < "$WORK/cli.sql" > "$WORK/cli.out" 2>&1 || true
  cli_outcomes "$WORK/cli.sql" "$WORK/cli.out"
}

# turns `mariadb -vvv` output into expected lines; errors (on stderr, so out of order) name their input line
cli_outcomes() { # statements output
  awk '
    NR == FNR { t = $0; sub(/;$/, "", t); line[t] = FNR; word[FNR] = $1; next }
    /^-+$/ { next }
    ($0 in line) { l = line[$0]; op = word[l]; next }
    /rows? in set/ { n = $1; if (n == "Empty") n = 0; if (op == "CALL") { sets[++k] = n } else print l "\tCOM_QUERY\t" op "\tok rows " n; next }
    /^Query OK, [0-9]+ rows? affected/ { if (op == "CALL") { print l "\tCOM_QUERY\tCALL\tok rows " (sets[1] + sets[2]) " sets " k; k = 0 } else print l "\tCOM_QUERY\t" op "\tok affected " $3; next }
    /^ERROR [0-9]+ .* at line [0-9]+/ { match($0, /at line [0-9]+/); e = substr($0, RSTART + 8, RLENGTH - 8); print e "\tCOM_QUERY\t" word[e] "\terr " $2; next }
  ' "$1" "$2" | sort -n -s -k1,1 | cut -f2-
}

mysqlslap_run() { # queries
  mysqlslap --no-defaults -h127.0.0.1 -P$PORT -uapp -psecret-pw --create-schema=shop --no-drop \
    --query="SELECT name, price FROM items WHERE id < 3" --number-of-queries="$1" --concurrency=2 --iterations=1 >/dev/null
  for _ in $(seq "$1"); do printf 'COM_QUERY\tSELECT\tok rows 2\n'; done
}

connector_j() {
  local jar=~/.m2/repository/org/mariadb/jdbc/mariadb-java-client/$CJ_VERSION/mariadb-java-client-$CJ_VERSION.jar
  [ -f "$jar" ] || mvn -q dependency:get -Dartifact=org.mariadb.jdbc:mariadb-java-client:$CJ_VERSION >&2
  java -cp "$jar" "$PEERS/PreparedStatements.java" $PORT
}

pymysql_run() {
  /usr/bin/python3 "$PEERS/pymysql_client.py" $PORT
}

mkdir -p "$OUT"
start_server
if [ "${1:-}" = "--bench" ]; then
  OUT=$ROOT/protocol-parsers/target/bench-pcaps; mkdir -p "$OUT"
  capture mysqlslap-big mysqlslap_run "${2:-20000}"
  ls -l "$OUT/mysqlslap-big.pcap"
  exit 0
fi
capture mariadb-cli mariadb_cli
capture mysqlslap mysqlslap_run 20
capture connectorj-prepared connector_j
capture pymysql pymysql_run
ls -l "$OUT"
