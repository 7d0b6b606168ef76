#!/usr/bin/env bash
# What the kernel's hook dispatch alone costs, against full capture: wrk against nginx on loopback
# (keep-alive, small responses, the setup of capture-overhead.sh) with, in rotating order each round,
#   none        nothing attached
#   tracepoint  empty programs on every syscall tracepoint spanscope attaches (31, return 0 at once)
#   raw         empty programs on tp_btf/sys_enter + tp_btf/sys_exit that only switch on the syscall id
#   spanscope   `spanscope capture --port PORT --quiet` (default sizes); spanscope=JAR for another build
# The empty programs come from scripts/bench/floor (built here with clang + libbpf). Each run also measures,
# in its own thread CPU time (so other load does not count), what a 32-byte write+read over TCP loopback
# and an unhooked getppid cost (floor/syscall-cost.c); its connection is on PORT+1, which the spanscope
# variants capture too, so for them write+read includes capturing both calls (kernel side only). Prints per-round req/s and ns, then medians per
# variant, the req/s ratio to "none", and the lost events of the spanscope runs.
# Syscall hooks are system-wide: a run waits (up to QUIET_WAIT seconds, 30) until no other process has tracepoint or
# tracing programs loaded; a run during which some were loaded is marked "*". Medians are printed over
# the clean runs and over all runs.
# Usage (root): [VARIANTS="none tracepoint raw spanscope"] [PORT=18093] scripts/bench/capture-floor.sh [rounds] [seconds]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/bench/nginx-loopback.sh"
rounds=${1:-3}
secs=${2:-10}
port=${PORT:-18093}
conns=${CONNS:-32}
read -r -a variants <<< "${VARIANTS:-none tracepoint raw spanscope}"
default_jar=$root/pipeline/target/spanscope.jar
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }

work=$(mktemp -d)
attached=
cleanup() {
  [ -n "$attached" ] && kill -TERM "$attached" 2>/dev/null && wait "$attached" 2>/dev/null || true
  stop_nginx "$work"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' INT TERM
"$root/scripts/bench/floor/build.sh" "$work/floor" >/dev/null
start_nginx "$work" "$port"

run_wrk() { wrk -t1 -c"$conns" -d"${secs}s" "http://127.0.0.1:$port/" | awk '/Requests\/sec/ {print $2}'; }

# number of tracepoint / tracing / raw_tracepoint programs loaded by processes other than $attached
foreign_hooks() {
  local ours=
  if [ -n "$attached" ]; then
    ours=$(grep -h '^prog_id:' /proc/"$attached"/fdinfo/* 2>/dev/null | awk '{print $2}' | tr '\n' ' ' || true)
  fi
  bpftool -j prog show | python3 -c '
import json, sys
ours = set(int(i) for i in sys.argv[1].split())
print(sum(1 for p in json.load(sys.stdin)
          if p["type"] in ("tracepoint", "tracing", "raw_tracepoint") and p["id"] not in ours))' "$ours"
}

wait_for_quiet_hooks() {
  for _ in $(seq "${QUIET_WAIT:-30}"); do [ "$(foreign_hooks)" = 0 ] && return 0; sleep 1; done
}

# lost events so far, from the last stats line of a spanscope capture: "N" or "N(ring R,queues Q)"
lost_so_far() {
  local n
  n=$(grep -o "lost events [0-9]* (ring buffer [0-9]*, worker queues [0-9]*" "$work/attach.out" \
    | tail -1 | awk '{n=$3; r=$6; q=$9; sub(",", "", r); print n ? n "(ring " r ",queues " q ")" : n}' || true)
  echo "${n:-?}"
}

# measure VARIANT: sets $result (req/s), $lost_now (spanscope: events lost during the wrk run, "-"
# otherwise), $pair_ns, $plain_ns, $mark ("*" if other hooks showed up meanwhile)
measure() {
  local seen
  ( while sleep 1; do foreign_hooks; done > "$work/foreign" ) &
  local sampler=$!
  result=$(run_wrk)
  lost_now=-
  case "$1" in spanscope*) sleep 1.5; lost_now=$(lost_so_far) ;; esac
  read -r _ pair_ns _ plain_ns <<< "$("$work/floor/syscall-cost" 100000 $((port + 1)))"
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  seen=$(sort -n "$work/foreign" | tail -1)
  mark=; [ "${seen:-0}" != 0 ] && mark="*"
  [ "$(foreign_hooks)" != 0 ] && mark="*"
  return 0
}

# attach VARIANT: starts what the variant attaches (pid in $attached) and waits until it is in place
attach() {
  local ready
  case "$1" in
    none) return 0 ;;
    tracepoint|raw) "$work/floor/floor" "$work/floor/floor.bpf.o" "$1" > "$work/attach.out" 2>&1 & ready="attached" ;;
    spanscope) java -jar "$default_jar" capture --port "$port,$((port + 1))" --quiet --stats-interval 1s 2> "$work/attach.out" & ready="capturing" ;;
    spanscope=*) java -jar "${1#spanscope=}" capture --port "$port,$((port + 1))" --quiet --stats-interval 1s 2> "$work/attach.out" & ready="capturing" ;;
    *) echo "unknown variant $1" >&2; exit 1 ;;
  esac
  attached=$!
  for _ in $(seq 300); do grep -q "$ready" "$work/attach.out" 2>/dev/null && return 0; sleep 0.1; done
  cat "$work/attach.out" >&2; exit 1
}

# detach: stops what attach started
detach() {
  [ -z "$attached" ] && return
  kill -TERM "$attached"; wait "$attached" || true; attached=
}

declare -A rps pair plain all_rps all_pair all_plain lost
for r in $(seq "$rounds"); do
  line="round $r:"
  n=${#variants[@]}
  for i in $(seq 0 $((n - 1))); do
    v=${variants[$(( (i + r - 1) % n ))]}
    wait_for_quiet_hooks
    attach "$v"
    measure "$v"
    detach
    if [ -z "$mark" ]; then
      rps[$v]="${rps[$v]:-} $result"; pair[$v]="${pair[$v]:-} $pair_ns"; plain[$v]="${plain[$v]:-} $plain_ns"
    fi
    all_rps[$v]="${all_rps[$v]:-} $result"; all_pair[$v]="${all_pair[$v]:-} $pair_ns"; all_plain[$v]="${all_plain[$v]:-} $plain_ns"
    lost[$v]="${lost[$v]:-} $lost_now"
    line="$line $v $result$mark req/s (write+read $pair_ns ns, getppid $plain_ns ns);"
  done
  echo "$line"
done
# summary NAME RPS PAIR PLAIN: medians of the runs in the named arrays
summary() {
  local -n r=$2 p=$3 g=$4
  local base m v
  echo "$1:"
  base=$(median ${r[${variants[0]}]:-0})
  for v in "${variants[@]}"; do
    m=$(median ${r[$v]:-0})
    echo "  median $v $m req/s, ratio to ${variants[0]} $(awk -v a="$m" -v b="$base" 'BEGIN{printf "%.3f", b ? a/b : 0}'), write+read $(median ${p[$v]:-0}) ns, getppid $(median ${g[$v]:-0}) ns ($(wc -w <<< "${r[$v]:-}") runs)"
  done
}
summary "clean runs" rps pair plain
summary "all runs" all_rps all_pair all_plain
for v in "${variants[@]}"; do
  case "$v" in spanscope*) echo "lost events per run, $v:${lost[$v]}" ;; esac
done
