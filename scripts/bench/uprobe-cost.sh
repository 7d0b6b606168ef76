#!/usr/bin/env bash
# What one uprobe hit costs on this machine, without BPF and without spanscope: a 1-instruction
# library function called in a loop, plain, then with a kernel uprobe (entry) and a uretprobe (return)
# on it through tracefs. The TLS capture places one entry and one return probe on every SSL_read /
# SSL_write call, so this bounds what TLS plaintext capture can cost per call.
# Usage (root): scripts/bench/uprobe-cost.sh [calls]
set -euo pipefail
calls=${1:-200000}
tracing=/sys/kernel/tracing
[ -d "$tracing/events" ] || tracing=/sys/kernel/debug/tracing
work=$(mktemp -d)
cleanup() {
  echo 0 > "$tracing/events/spanscope_cost/enable" 2>/dev/null || true
  for p in entry ret; do echo "-:spanscope_cost/$p" >> "$tracing/uprobe_events" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cat > "$work/lib.c" <<'C'
int probed(int num) { __asm__ volatile("" ::: "memory"); return num; }
C
cat > "$work/loop.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int probed(int num);
int main(int argc, char **argv) {
	long n = atol(argv[1]), sum = 0; struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) sum += probed(16);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n + 0 * sum);
	return 0;
}
C
gcc -O2 -shared -fPIC -o "$work/libprobed.so" "$work/lib.c"
gcc -O2 -o "$work/loop" "$work/loop.c" -L"$work" -lprobed -Wl,-rpath,"$work"
offset=0x$(nm -D "$work/libprobed.so" | awk '/ T probed$/ {print $1}')
echo "plain:              $("$work/loop" "$calls") ns per call"
echo "p:spanscope_cost/entry $work/libprobed.so:$offset" >> "$tracing/uprobe_events"
echo 1 > "$tracing/events/spanscope_cost/entry/enable"
echo "entry uprobe:       $("$work/loop" "$calls") ns per call"
echo "r:spanscope_cost/ret $work/libprobed.so:$offset" >> "$tracing/uprobe_events"
echo 1 > "$tracing/events/spanscope_cost/ret/enable"
echo "entry + uretprobe:  $("$work/loop" "$calls") ns per call"
