#!/bin/sh
# Builds the floor loader and the syscall cost probe: build.sh OUTDIR (vmlinux.h generated there from the running kernel's BTF).
set -eu
src=$(cd "$(dirname "$0")" && pwd)
out=$1
mkdir -p "$out"
[ -s "$out/vmlinux.h" ] || bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$out/vmlinux.h"
clang -O2 -g -Wall -Werror -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -I "$out" -c "$src/floor.bpf.c" -o "$out/floor.bpf.o"
cc -O2 -Wall -Werror -o "$out/floor" "$src/floor.c" -lbpf
cc -O2 -Wall -Werror -o "$out/syscall-cost" "$src/syscall-cost.c"
