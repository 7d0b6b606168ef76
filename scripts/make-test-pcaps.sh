#!/usr/bin/env bash
# Records the test captures in test-pcaps/ from real servers and clients on the loopback interface, and
# writes their sidecars (NAME.expected.tsv: the HTTP exchanges; NAME.streams.tsv: payload bytes per
# stream and direction), cross-checked against tshark's dissectors. Idempotent: every run rewrites them.
# Not run by CI: the captures are committed. Needs root (tcpdump), nginx, curl, wrk, tshark/editcap/dumpcap,
# python3 (+ venv: `requests` from PyPI), java and Maven (vertx-core's classpath, from ~/.m2).
#
#   scripts/make-test-pcaps.sh                 # the committed captures, into test-pcaps/
#   scripts/make-test-pcaps.sh --bench [N]     # only the benchmark capture (N requests, default 20000),
#                                              # into capture-probe/target/bench-pcaps/ (never committed)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PEERS=$ROOT/scripts/pcap-peers
OUT=$ROOT/test-pcaps
NGINX_PORT=18080
NGINX_PORT6=18083
SIMPLE_PORT=18081
PY11_PORT=18082
VERTX_PORT=18084
REQUESTS_VERSION=2.34.2
WORK=$(mktemp -d /tmp/spanscope-pcaps.XXXXXX)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

wait_for_port() { # host port [tries of 0.1 s]
  for _ in $(seq "${3:-100}"); do
    if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listens on $1:$2" >&2; return 1
}

write_site() { # directory: the static files nginx and python -m http.server serve
  mkdir -p "$1"
  printf '<!doctype html>\n<html><head><title>spanscope</title></head><body><p>test page</p></body></html>\n' > "$1/index.html"
  python3 -c 'import json,sys; json.dump({"items":[{"id":i,"name":"item-%d" % i,"price":i*1.5} for i in range(8)]}, sys.stdout)' > "$1/data.json"
  printf 'plain text file for captures\n' > "$1/about.txt"
}

start_nginx() {
  local prefix=$WORK/nginx
  mkdir -p "$prefix"
  write_site "$prefix/www"
  sed -e "s#@PREFIX@#$prefix#g" -e "s#@PORT@#$NGINX_PORT#g" -e "s#@PORT6@#$NGINX_PORT6#g" \
    "$PEERS/nginx.conf.template" > "$prefix/nginx.conf"
  nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/error.log" &
  PIDS+=($!)
  wait_for_port 127.0.0.1 $NGINX_PORT
}

start_python_servers() {
  write_site "$WORK/simple-www"
  python3 -m http.server $SIMPLE_PORT --bind 127.0.0.1 --directory "$WORK/simple-www" >/dev/null 2>&1 &
  PIDS+=($!)
  python3 "$PEERS/http11_server.py" $PY11_PORT 127.0.0.1 &
  PIDS+=($!)
  wait_for_port 127.0.0.1 $SIMPLE_PORT
  wait_for_port 127.0.0.1 $PY11_PORT
}

vertx_classpath() { # vertx-core at the parent pom's managed version, with its runtime jars, from ~/.m2
  local dir=$WORK/vertx-classpath
  mkdir -p "$dir"
  cat > "$dir/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>io.spanscope</groupId>
    <artifactId>spanscope-parent</artifactId>
    <version>0.1.0-SNAPSHOT</version>
    <relativePath>$(realpath --relative-to="$dir" "$ROOT/pom.xml")</relativePath>
  </parent>
  <artifactId>pcap-peer-vertx</artifactId>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>io.vertx</groupId><artifactId>vertx-core</artifactId></dependency>
  </dependencies>
</project>
EOF
  mvn -q -f "$dir/pom.xml" dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile="$dir/classpath" >&2
  cat "$dir/classpath"
}

start_vertx() {
  java -cp "$(vertx_classpath)" "$PEERS/VertxHttpServer.java" $VERTX_PORT 127.0.0.1 &
  PIDS+=($!)
  wait_for_port 127.0.0.1 $VERTX_PORT 600   # the source launcher compiles the file first
}

requests_python() { # a venv under /tmp with the pinned requests, so every run records the same client
  local venv=/tmp/spanscope-requests-venv
  if ! $venv/bin/python -c "import requests, sys; sys.exit(requests.__version__ != '$REQUESTS_VERSION')" 2>/dev/null; then
    { [ -x $venv/bin/python ] || python3 -m venv $venv; $venv/bin/pip install -q "requests==$REQUESTS_VERSION"; } >&2
  fi
  echo $venv/bin/python
}

# capture NAME PORT [tcpdump options...] -- command...: records loopback traffic of one port while the
# command runs; the command's stdout (client-reported exchanges) goes to $WORK/NAME.client
capture() {
  local name=$1 port=$2; shift 2
  local opts=()
  while [ "$1" != "--" ]; do opts+=("$1"); shift; done
  shift
  local iface=lo
  local file=$OUT/$name
  rm -f "$file"
  case " ${opts[*]} " in *" -i any "*) iface=any ;; esac
  local filtered=()
  local skip=0
  for o in "${opts[@]}"; do
    if [ $skip = 1 ]; then skip=0; continue; fi
    if [ "$o" = "-i" ]; then skip=1; continue; fi
    filtered+=("$o")
  done
  local attempt
  for attempt in 1 2 3; do
    tcpdump -i "$iface" -s 0 -U --immediate-mode -n ${filtered[@]+"${filtered[@]}"} -w "$file" "tcp port $port" \
      2>"$WORK/$name.tcpdump" &
    local dump=$!
    for _ in $(seq 100); do grep -q "listening on" "$WORK/$name.tcpdump" && break; sleep 0.1; done
    "$@" > "$WORK/$name.client"
    sleep 0.5
    kill -INT $dump; wait $dump || true
    # a capture with kernel drops would not hold what the clients did: record it again
    grep -q "^0 packets dropped by kernel" "$WORK/$name.tcpdump" && return 0
    echo "$name: attempt $attempt dropped packets, again" >&2
  done
  cat "$WORK/$name.tcpdump" >&2
  exit 1
}

CURL_OUT='%{local_port}\t%{method}\t%{url_effective}\t%{response_code}\t%{size_download}\n'
curl_x() { # curl with the client-side exchange line per transfer; the scheme and host are stripped
  local args=()
  for a in "$@"; do
    case "$a" in http://*) args+=(-o /dev/null "$a") ;; *) args+=("$a") ;; esac
  done
  curl -s -w "$CURL_OUT" "${args[@]}" | sed -E 's#\thttps?://[^/]+#\t#'
}

sidecars() { # NAME [client|tshark]
  local name=$1 mode=${2:-client}
  local file=$OUT/$name base=${1%.*}
  if [ "$mode" = client ]; then
    python3 "$PEERS/expectations.py" exchanges "$file" "$WORK/$name.client" "$OUT/$base.expected.tsv"
  else
    python3 "$PEERS/expectations.py" exchanges-from-tshark "$file" "$OUT/$base.expected.tsv"
  fi
  python3 "$PEERS/expectations.py" streams "$file" "$OUT/$base.streams.tsv"
  echo "$name: $(($(wc -l < "$OUT/$base.expected.tsv") - 1)) exchanges, $(stat -c %s "$file") bytes"
}

nginx_curl() {
  local base=http://127.0.0.1:$NGINX_PORT
  curl_x "$base/index.html" "$base/data.json" "$base/missing.html"   # one keep-alive connection
  curl_x -I "$base/index.html"
  curl_x -X POST --data 'name=spanscope&kind=test' "$base/data.json"  # static file: nginx answers 405
}

py11_curl() {
  local base=http://127.0.0.1:$PY11_PORT
  curl_x "$base/json" "$base/chunked" "$base/no-content" "$base/cached"
  curl_x -H 'If-None-Match: "v1"' "$base/cached"
  head -c 2000 /dev/zero | tr '\0' 'x' > "$WORK/upload.bin"
  curl_x -H 'Expect: 100-continue' --data-binary @"$WORK/upload.bin" "$base/upload"
}

vertx_curl() {
  local base=http://127.0.0.1:$VERTX_PORT
  curl_x "$base/json" "$base/chunked" "$base/missing"   # one keep-alive connection
  curl_x -H 'Content-Type: application/json' --data-binary '{"name":"spanscope","kind":"test"}' "$base/echo"
}

main_captures() {
  mkdir -p "$OUT"
  start_nginx
  start_python_servers
  start_vertx
  local requests_py
  requests_py=$(requests_python)

  capture nginx-curl.pcap $NGINX_PORT -- nginx_curl
  sidecars nginx-curl.pcap

  capture nginx-curl-ipv6.pcap $NGINX_PORT6 -- curl_x -g "http://[::1]:$NGINX_PORT6/index.html" "http://[::1]:$NGINX_PORT6/data.json"
  sidecars nginx-curl-ipv6.pcap

  capture python-simple-server.pcap $SIMPLE_PORT -- \
    curl_x "http://127.0.0.1:$SIMPLE_PORT/index.html" "http://127.0.0.1:$SIMPLE_PORT/data.json" "http://127.0.0.1:$SIMPLE_PORT/missing"
  sidecars python-simple-server.pcap

  capture py11-curl.pcap $PY11_PORT -- py11_curl
  sidecars py11-curl.pcap

  capture py11-httpclient.pcap $PY11_PORT -- python3 "$PEERS/httpclient_keepalive.py" 127.0.0.1 $PY11_PORT
  sidecars py11-httpclient.pcap

  capture py11-pipelined.pcap $PY11_PORT -- python3 "$PEERS/pipelined_client.py" 127.0.0.1 $PY11_PORT
  sidecars py11-pipelined.pcap

  capture requests-py11.pcap $PY11_PORT -- "$requests_py" "$PEERS/requests_session.py" "http://127.0.0.1:$PY11_PORT" \
    get:/json stream:/chunked json:/echo get:/no-content get:/cached get:/missing
  sidecars requests-py11.pcap

  capture vertx-curl.pcap $VERTX_PORT -- vertx_curl
  sidecars vertx-curl.pcap

  capture vertx-requests.pcap $VERTX_PORT -- "$requests_py" "$PEERS/requests_session.py" "http://127.0.0.1:$VERTX_PORT" \
    get:/json stream:/chunked json:/echo chunked-post:/echo get:/missing
  sidecars vertx-requests.pcap

  capture java-httpclient-nginx.pcap $NGINX_PORT -- \
    java "$PEERS/JavaHttpClientGets.java" "http://127.0.0.1:$NGINX_PORT" /index.html /data.json /about.txt /missing.html
  sidecars java-httpclient-nginx.pcap

  capture wrk-nginx.pcap $NGINX_PORT -- env WRK_RESPONSES=40 \
    wrk -t1 -c2 -d2s -s "$PEERS/wrk-stop-after.lua" "http://127.0.0.1:$NGINX_PORT/data.json"
  sidecars wrk-nginx.pcap tshark

  # the keep-alive capture cut so that it starts at the third request: no handshake, first two exchanges gone
  local third
  third=$(tshark -r "$OUT/py11-httpclient.pcap" -Y http.request -T fields -e frame.number | sed -n 3p)
  editcap -F pcap "$OUT/py11-httpclient.pcap" "$OUT/py11-httpclient-midstream.pcap" "1-$((third - 1))"
  tail -n +3 "$WORK/py11-httpclient.pcap.client" > "$WORK/py11-httpclient-midstream.pcap.client"
  sidecars py11-httpclient-midstream.pcap

  capture nginx-any-sll.pcap $NGINX_PORT -i any -y LINUX_SLL -- curl_x "http://127.0.0.1:$NGINX_PORT/index.html" "http://127.0.0.1:$NGINX_PORT/about.txt"
  sidecars nginx-any-sll.pcap

  capture nginx-any-sll2.pcap $NGINX_PORT -i any -y LINUX_SLL2 -- curl_x "http://127.0.0.1:$NGINX_PORT/data.json"
  sidecars nginx-any-sll2.pcap

  capture py11-nanos.pcap $PY11_PORT --time-stamp-precision=nano -- \
    curl_x "http://127.0.0.1:$PY11_PORT/json" "http://127.0.0.1:$PY11_PORT/chunked"
  sidecars py11-nanos.pcap
  # pcapng with if_tsresol = 9 (nanoseconds), converted from the nanosecond pcap
  editcap -F pcapng "$OUT/py11-nanos.pcap" "$OUT/py11-nanos-converted.pcapng"
  cp "$WORK/py11-nanos.pcap.client" "$WORK/py11-nanos-converted.pcapng.client"
  sidecars py11-nanos-converted.pcapng

  # pcapng as dumpcap writes it natively (section/interface/statistics blocks, microseconds)
  rm -f "$OUT/nginx-dumpcap.pcapng"
  dumpcap -q -i lo -f "tcp port $NGINX_PORT" -w "$OUT/nginx-dumpcap.pcapng" 2>"$WORK/dumpcap.err" &
  local dump=$!
  sleep 1.5
  curl_x "http://127.0.0.1:$NGINX_PORT/about.txt" "http://127.0.0.1:$NGINX_PORT/index.html" > "$WORK/nginx-dumpcap.pcapng.client"
  sleep 0.5
  kill -INT $dump; wait $dump || true
  sidecars nginx-dumpcap.pcapng
}

bench_capture() { # N requests of a small JSON file over 4 keep-alive connections, with wrk
  local requests=$1
  local dir=$ROOT/capture-probe/target/bench-pcaps
  mkdir -p "$dir"
  start_nginx
  local file=$dir/nginx-wrk-big.pcap
  rm -f "$file"
  tcpdump -i lo -s 0 -B 65536 --immediate-mode -n -w "$file" "tcp port $NGINX_PORT" 2>"$WORK/bench.tcpdump" &
  local dump=$!
  for _ in $(seq 100); do grep -q "listening on" "$WORK/bench.tcpdump" && break; sleep 0.1; done
  WRK_RESPONSES=$requests wrk -t1 -c4 -d10s -s "$PEERS/wrk-stop-after.lua" "http://127.0.0.1:$NGINX_PORT/data.json"
  sleep 0.5
  kill -INT $dump; wait $dump || true
  cat "$WORK/bench.tcpdump" >&2
  echo "$file: $(stat -c %s "$file") bytes"
}

if [ "${1:-}" = "--bench" ]; then
  bench_capture "${2:-20000}"
else
  main_captures
fi
