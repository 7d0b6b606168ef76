#!/usr/bin/env bash
# Kernel-side cost of capture per request: wrk against nginx on loopback (keep-alive, small responses)
# traced by `spanscope capture`, with kernel.bpf_stats_enabled=1; prints run count and average ns of
# each of the agent's own BPF programs (found through its fds, so other tracers on the machine do not
# mix in) and the BPF nanoseconds per request. Robust on a busy machine: it measures time spent inside
# the programs, not throughput.
# Usage (root): [JAVA_OPTS=...] scripts/bench/capture-bpf-cost.sh [seconds] [jar]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-5}
jar=${2:-$root/pipeline/target/spanscope.jar}
port=${PORT:-18091}
conns=${CONNS:-32}
[ -f "$jar" ] || (cd "$root" && mvn -q -B -DskipTests package)
for tool in wrk nginx bpftool python3; do
  command -v $tool >/dev/null || { echo "needs $tool" >&2; exit 1; }
done

. "$root/scripts/bench/nginx-loopback.sh"
work=$(mktemp -d)
old_stats=$(sysctl -n kernel.bpf_stats_enabled)
cleanup() {
  [ -n "${cap:-}" ] && kill -TERM "$cap" 2>/dev/null && wait "$cap" 2>/dev/null || true
  stop_nginx "$work"
  sysctl -qw kernel.bpf_stats_enabled="$old_stats" || true
  rm -rf "$work"
}
trap cleanup EXIT
start_nginx "$work" "$port"

java ${JAVA_OPTS:-} -jar "$jar" capture --port "$port" --quiet 2> "$work/capture.err" &
cap=$!
for _ in $(seq 300); do grep -q "capturing" "$work/capture.err" 2>/dev/null && break; sleep 0.1; done
grep -q "capturing" "$work/capture.err" || { cat "$work/capture.err" >&2; exit 1; }
prog_ids=$(grep -h '^prog_id:' /proc/"$cap"/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -un)
[ -n "$prog_ids" ] || { echo "no BPF programs found in the fds of $cap" >&2; exit 1; }

snapshot() { for id in $prog_ids; do bpftool -j prog show id "$id"; echo; done > "$1"; }
# agent CPU per thread: "name ticks" (utime + stime) of every thread of the agent JVM
threads() {
  for t in /proc/"$cap"/task/*; do
    name=$(tr ' ' '_' < "$t/comm"); set -- $(sed -E 's/^.*\) //' "$t/stat")
    echo "$name/${t##*/} $(( ${12} + ${13} ))"
  done > "$1"
}
sysctl -qw kernel.bpf_stats_enabled=1
snapshot "$work/before.json"
threads "$work/threads.before"
wrk -t1 -c"$conns" -d"${secs}s" "http://127.0.0.1:$port/" > "$work/wrk.out"
snapshot "$work/after.json"
threads "$work/threads.after"
load=$(cut -d' ' -f1-3 /proc/loadavg)
kill -TERM "$cap"; wait "$cap" || true; cap=
lost=$(grep -o "lost events [0-9]* ([^)]*)" "$work/capture.err" | tail -1 | cut -d' ' -f3-)
missed=$(grep -o '"missedWorkerWakeups" *: *[0-9]*' "$work/capture.err" | tail -1 | grep -o '[0-9]*$' || true)
lost="$lost, missed worker wake-ups ${missed:-?}"
rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
requests=$(awk '/requests in/ {print $1}' "$work/wrk.out")

python3 - "$work/before.json" "$work/after.json" "$requests" "$rps" "$load" "${lost:-?}" \
  "$work/threads.before" "$work/threads.after" "$(getconf CLK_TCK)" <<'PY'
import collections, json, sys
def load(path):
    progs = {}
    for line in open(path):
        line = line.strip()
        if line:
            p = json.loads(line)
            progs[p["id"]] = p
    return progs
before, after = load(sys.argv[1]), load(sys.argv[2])
requests, rps, loadavg, lost = int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
rows, total_ns = [], 0
for pid, p in after.items():
    b = before.get(pid, {})
    runs = p.get("run_cnt", 0) - b.get("run_cnt", 0)
    ns = p.get("run_time_ns", 0) - b.get("run_time_ns", 0)
    total_ns += ns
    if runs:
        rows.append((p["name"], runs, ns / runs, ns / requests))
print(f"{requests} requests, {rps} req/s, load average {loadavg}, lost events {lost}")
print(f"{'program':<18}{'runs':>10}{'avg ns':>9}{'ns/request':>12}")
for name, runs, avg, per_req in sorted(rows, key=lambda r: -r[3]):
    print(f"{name:<18}{runs:>10}{avg:>9.0f}{per_req:>12.0f}")
print(f"BPF ns per request: {total_ns / requests:.0f}")
def ticks(path):
    by_name = collections.Counter()
    for line in open(path):
        name, t = line.rsplit(" ", 1)
        by_name[name] += int(t)
    return by_name
hz = int(sys.argv[9])
before_t, after_t = ticks(sys.argv[7]), ticks(sys.argv[8])
used = {n: after_t[n] - before_t.get(n, 0) for n in after_t}
agent_ns = sum(used.values()) / hz * 1e9
print(f"agent CPU ns per request: {agent_ns / requests:.0f} (threads: " + ", ".join(
    f"{n} {v / hz * 1e9 / requests:.0f}" for n, v in sorted(used.items(), key=lambda kv: -kv[1]) if v) + ")")
PY
