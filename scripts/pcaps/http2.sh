#!/usr/bin/env bash
# Records the HTTP/2 and gRPC test captures into test-pcaps/ from real peers on loopback, with sidecars
# written from what the CLIENTS reported. Needs root (tcpdump), go, nginx-light (http_v2), curl,
# nghttp2-client (h2load), editcap (tshark), python3-venv (grpcio from PyPI).
#
#   scripts/pcaps/http2.sh              # the committed captures
#   scripts/pcaps/http2.sh --bench N    # N unary gRPC calls into protocol-parsers/target/bench-pcaps/ (not committed)
#
# Sidecars, NAME.expected.tsv: one row per exchange, as the client reported it,
#   stream method path status response_body_bytes [grpc_status request_messages response_messages request_body_bytes]
# stream = connection in order of appearance from 0; body bytes = HTTP/2 DATA payload (for gRPC, the
# messages with their 5-byte prefixes). The mid-stream cut has '-' for a :path HPACK cannot give back.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/test-pcaps/http2  # a folder of their own: the HTTP/1 capture tests read every file of test-pcaps/
GRPC_PORT=50151
NGINX_PORT=18443
H2C_PORT=18444
WORK=$(mktemp -d /tmp/spanscope-h2pcaps.XXXXXX)
chmod 755 "$WORK"  # nginx workers run as nobody
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

wait_for_port() { # port
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$1" >&2; return 1
}

record() { # name port command...: tcpdump around one client run
  local name=$1 port=$2; shift 2
  tcpdump -i lo -s 0 -B "${TCPDUMP_BUFFER_KB:-16384}" ${TCPDUMP_IMMEDIATE---immediate-mode} -w "$WORK/$name.pcap" "tcp port $port" 2>"$WORK/$name.tcpdump" &
  local dump=$!
  sleep 1
  "$@"
  sleep 1
  kill -INT $dump; wait $dump || true
  grep -q "^0 packets dropped by kernel" "$WORK/$name.tcpdump" || { cat "$WORK/$name.tcpdump"; echo "$name: kernel dropped packets" >&2; exit 1; }
}

build_grpc_peer() {
  (cd "$ROOT/scripts/pcap-peers/grpc-go" && go build -o "$WORK/grpc-go" .)
  "$WORK/grpc-go" server 127.0.0.1:$GRPC_PORT & PIDS+=($!)
  wait_for_port $GRPC_PORT
}

grpc_sidecar() { # client output → expected rows on stream 0
  printf 'stream\tmethod\tpath\tstatus\tresponse_body_bytes\tgrpc_status\trequest_messages\tresponse_messages\trequest_body_bytes\n'
  awk -F'\t' '{ printf "0\tPOST\t%s\t200\t%s\t%s\t%s\t%s\t%s\n", $1, $6, $2, $3, $4, $5 }' "$1"
}

start_nginx() {
  local prefix=$WORK/nginx
  mkdir -p "$prefix/www" "$prefix/tmp"
  printf '<!doctype html>\n<html><head><title>spanscope</title></head><body><p>h2 page</p></body></html>\n' > "$prefix/www/index.html"
  python3 -c 'import json,sys; json.dump({"items":[{"id":i,"name":"item-%d" % i} for i in range(40)]}, sys.stdout)' > "$prefix/www/data.json"
  cat > "$prefix/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $prefix/nginx.pid;
error_log $prefix/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $prefix/tmp;
  default_type application/octet-stream;
  types { text/html html; application/json json; }
  server {
    listen 127.0.0.1:$NGINX_PORT http2;
    root $prefix/www;
  }
}
CONF
  nginx -p "$prefix" -c "$prefix/nginx.conf" & PIDS+=($!)
  wait_for_port $NGINX_PORT
}

curl_rows() { # stream curl-args...: prints expected rows from curl's own report
  local stream=$1; shift
  curl -s -o /dev/null -w "$stream\t%{method}\t%{url_effective}\t%{http_code}\t%{size_download}\n" "$@" \
    | sed -E 's#\thttp://[^/]+#\t#'
}

if [[ "${1:-}" == "--bench" ]]; then
  n=${2:-20000}
  build_grpc_peer
  mkdir -p "$ROOT/protocol-parsers/target/bench-pcaps"
  # a bulk run: a large buffer and no per-packet wakeups, so the kernel drops nothing
  TCPDUMP_BUFFER_KB=262144 TCPDUMP_IMMEDIATE=
  record grpc-unary-bench $GRPC_PORT "$WORK/grpc-go" client 127.0.0.1:$GRPC_PORT unary "$n" > /dev/null
  cp "$WORK/grpc-unary-bench.pcap" "$ROOT/protocol-parsers/target/bench-pcaps/"
  exit 0
fi

# gRPC (grpc-go client and server): unary, an error status, a trailers-only error, server-, client- and
# bidirectional streaming, on one connection.
build_grpc_peer
record grpc-go $GRPC_PORT sh -c "'$WORK/grpc-go' client 127.0.0.1:$GRPC_PORT > '$WORK/grpc-go.out'"
cp "$WORK/grpc-go.pcap" "$OUT/grpc-go.pcap"
grpc_sidecar "$WORK/grpc-go.out" > "$OUT/grpc-go.expected.tsv"

# python grpcio (gRPC core's HTTP/2 and HPACK) against the same server: unary, a gzip-compressed call,
# an error, each streaming kind. grpcio comes from PyPI into a venv under the work directory.
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q grpcio
record grpc-python $GRPC_PORT sh -c "'$WORK/venv/bin/python' '$ROOT/scripts/pcap-peers/grpc_python_client.py' \
  127.0.0.1:$GRPC_PORT > '$WORK/grpc-python.out'"
cp "$WORK/grpc-python.pcap" "$OUT/grpc-python.pcap"
grpc_sidecar "$WORK/grpc-python.out" > "$OUT/grpc-python.expected.tsv"

# The grpc-go conversation cut to start at the 4th call's first packet (no handshake, no preface, HPACK
# dynamic table unknown): later calls keep :method; :path is recovered where it is sent as a literal.
first=$(tshark -r "$OUT/grpc-go.pcap" -d tcp.port==$GRPC_PORT,http2 -T fields -e frame.number \
  -Y 'http2.header.value == "/spanscope.test.Echo/List"' 2>/dev/null | head -1)
editcap -r "$OUT/grpc-go.pcap" "$OUT/grpc-go-midstream.pcap" "$first-1000000"
# calls 4-7 of the full run; the last Say's :path is an index into the table built before the cut
grpc_sidecar "$WORK/grpc-go.out" | awk -F'\t' 'NR == 1 || NR >= 5 { if (NR == 8) $3 = "-"; print }' OFS='\t' \
  > "$OUT/grpc-go-midstream.expected.tsv"

# curl with HTTP/2 prior knowledge against nginx h2c, one connection per request (curl 7.88 fails to
# reuse a prior-knowledge connection: "Error in the HTTP2 framing layer"; h2load and gRPC multiplex).
start_nginx
cat > "$WORK/curls.sh" <<SH
set -e
w='%{method}\t%{url_effective}\t%{http_code}\t%{size_download}\n'
n=0
for args in "http://127.0.0.1:$NGINX_PORT/index.html" "http://127.0.0.1:$NGINX_PORT/missing.html" \
            "-X POST --data a=1 http://127.0.0.1:$NGINX_PORT/index.html"; do
  printf '%s\t' \$n; curl --http2-prior-knowledge -s -o /dev/null -w "\$w" \$args
  n=\$((n + 1))
done | sed -E 's#\thttp://[^/]+#\t#' > "$WORK/curl.out"
SH
record curl-nginx-h2c $NGINX_PORT sh "$WORK/curls.sh"
cp "$WORK/curl-nginx-h2c.pcap" "$OUT/"
{ printf 'stream\tmethod\tpath\tstatus\tresponse_body_bytes\n'; cat "$WORK/curl.out"; } > "$OUT/curl-nginx-h2c.expected.tsv"

# h2load: 12 GETs over one connection, 4 streams at a time (interleaved responses).
record h2load-nginx $NGINX_PORT sh -c "h2load -n 12 -c 1 -m 4 http://127.0.0.1:$NGINX_PORT/data.json > '$WORK/h2load.out'"
grep -q '12 succeeded' "$WORK/h2load.out" || { cat "$WORK/h2load.out"; exit 1; }
cp "$WORK/h2load-nginx.pcap" "$OUT/"
size=$(stat -c %s "$WORK/nginx/www/data.json")
{ printf 'stream\tmethod\tpath\tstatus\tresponse_body_bytes\n'; for _ in $(seq 12); do printf '0\tGET\t/data.json\t200\t%s\n' "$size"; done; } \
  > "$OUT/h2load-nginx.expected.tsv"

# curl --http2 on http:// asks for the h2c Upgrade; Go's x/net h2c server (pcap-peers/grpc-go, mode h2c)
# accepts it. Stream 1 is the upgraded request: HTTP/1 records the 101 exchange, HTTP/2 the response on
# stream 1.
"$WORK/grpc-go" h2c 127.0.0.1:$H2C_PORT & PIDS+=($!)
wait_for_port $H2C_PORT
record curl-go-h2c-upgrade $H2C_PORT sh -c "curl --http2 -s -o /dev/null \
  -w '0\t%{method}\t%{url_effective}\t%{http_code}\t%{size_download}\t%{http_version}\n' \
  http://127.0.0.1:$H2C_PORT/index.html | sed -E 's#\thttp://[^/]+#\t#' > '$WORK/upgrade.out'"
cp "$WORK/curl-go-h2c-upgrade.pcap" "$OUT/"
{ printf 'stream\tmethod\tpath\tstatus\tresponse_body_bytes\thttp_version\n'; cat "$WORK/upgrade.out"; } \
  > "$OUT/curl-go-h2c-upgrade.expected.tsv"

ls -l "$OUT"/grpc-* "$OUT"/curl-nginx-h2c* "$OUT"/h2load-nginx* "$OUT"/curl-go-h2c-upgrade*
