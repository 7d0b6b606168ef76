#!/usr/bin/env bash
# A/B benchmark: wrk against nginx on loopback (keep-alive, small responses), untraced versus traced by
# `spanscope capture`, alternating the order each round. Prints per-round figures, medians, the
# traced/untraced ratio, the agent's CPU seconds per 100k requests and its lost events.
# Usage (root): [JAR=spanscope.jar] [PORT=18089] scripts/bench/capture-overhead.sh [--tls] [rounds] [seconds-per-run]
# --tls: nginx serves HTTPS (self-signed certificate made here with openssl) and wrk speaks TLS; the traced
# side captures the plaintext through the OpenSSL uprobes of both wrk and nginx.
# VARIANT=handoffs compares two traced runs instead: A with --no-follow-handoffs (no scheduler programs),
# B with the default (thread hand-offs followed through sched_waking / sched_wakeup_new).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tls=0
if [ "${1:-}" = --tls ]; then tls=1; shift; fi
rounds=${1:-5}
secs=${2:-10}
port=${PORT:-18089}
conns=${CONNS:-32}
jar=${JAR:-$root/pipeline/target/spanscope.jar}
[ -f "$jar" ] || (cd "$root" && mvn -q -B -DskipTests package)
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }

. "$root/scripts/bench/nginx-loopback.sh"
work=$(mktemp -d)
trap 'stop_nginx "$work"; rm -rf "$work"' EXIT
listen_extra=
scheme=http
if [ "$tls" = 1 ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -keyout "$work/key.pem" -out "$work/cert.pem" \
    -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 2>/dev/null
  listen_extra=" ssl; ssl_certificate $work/cert.pem; ssl_certificate_key $work/key.pem;"
  scheme=https
fi
start_nginx "$work" "$port" "$listen_extra"

variant=${VARIANT:-untraced}
case "$variant" in
  untraced) la=untraced; lb=traced ;;
  handoffs) la="traced, hand-offs off"; lb="traced, hand-offs on" ;;
  *) echo "VARIANT must be untraced or handoffs" >&2; exit 1 ;;
esac

# Starts `spanscope capture` with extra options, runs wrk, stops it; echoes "rps cpu_per_100k lost".
traced_run() {
  java -jar "$jar" capture --port "$port" --quiet "$@" 2> "$work/capture.err" &
  local cap=$!
  for _ in $(seq 200); do grep -q "capturing" "$work/capture.err" 2>/dev/null && break; sleep 0.1; done
  local c0 c1 rps
  c0=$(cpu_ticks "$cap")
  rps=$(run_wrk)
  c1=$(cpu_ticks "$cap")
  kill -TERM "$cap"; wait "$cap" || true
  echo "$rps $(awk -v c=$((c1 - c0)) -v hz="$hz" -v rps="$rps" -v s="$secs" 'BEGIN {printf "%.3f", (c/hz) / (rps*s) * 100000}') \
$(lost_summary)"
}

# "N" lost events, or "N(ring R,queues Q,missed-wakeups M)" when some were lost: where they were lost
lost_summary() {
  local line n
  line=$(grep -o "lost events [0-9]* ([^)]*)" "$work/capture.err" | tail -1)
  n=$(awk '{print $3}' <<< "$line")
  if [ "${n:-0}" = 0 ]; then echo "${n:-?}"; return; fi
  echo "$n(ring $(grep -o 'ring buffer [0-9]*' <<< "$line" | awk '{print $3}'),queues $(grep -o 'worker queues [0-9]*' <<< "$line" | awk '{print $3}'),missed-wakeups $(grep -o '"missedWorkerWakeups" *: *[0-9]*' "$work/capture.err" | tail -1 | grep -o '[0-9]*$'))"
}

run_wrk() { wrk -t1 -c"$conns" -d"${secs}s" "$scheme://127.0.0.1:$port/" | awk '/Requests\/sec/ {print $2}'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

untraced=(); traced=(); cpu_per_100k=(); lost=()
for r in $(seq "$rounds"); do
  for side in $( [ $((r % 2)) = 1 ] && echo "A B" || echo "B A"); do
    if [ "$variant" = handoffs ]; then
      read -r rps cpu lostn <<< "$(if [ "$side" = A ]; then traced_run --no-follow-handoffs; else traced_run; fi)"
      if [ "$side" = A ]; then untraced+=("$rps"); else traced+=("$rps"); cpu_per_100k+=("$cpu"); lost+=("$lostn"); fi
      continue
    fi
    if [ "$side" = A ]; then
      untraced+=("$(run_wrk)")
    else
      read -r rps cpu lostn <<< "$(traced_run)"
      traced+=("$rps"); cpu_per_100k+=("$cpu"); lost+=("$lostn")
      if [ "$tls" = 1 ]; then grep "TLS plaintext" "$work/capture.err" | tail -1 >&2 || echo "no TLS plaintext captured" >&2; fi
    fi
  done
  echo "round $r: $la ${untraced[-1]} req/s, $lb ${traced[-1]} req/s, agent ${cpu_per_100k[-1]} CPU s/100k req, lost ${lost[-1]}"
done
mu=$(median "${untraced[@]}"); mt=$(median "${traced[@]}")
echo "median $la $mu req/s, median $lb $mt req/s, ratio $(awk -v a="$mt" -v b="$mu" 'BEGIN{printf "%.3f", a/b}'), agent CPU s per 100k requests (median) $(median "${cpu_per_100k[@]}"), lost events per run: ${lost[*]}"
