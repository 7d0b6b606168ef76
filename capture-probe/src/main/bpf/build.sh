#!/bin/sh
# Compiles the BPF programs into the jar's resources: build.sh <source dir> <work dir> <output dir>.
# vmlinux.h is generated from the build machine's kernel BTF into the work dir (never committed);
# CO-RE relocates the object against the BTF of whatever kernel loads it.
set -eu
src_dir=$1
work_dir=$2
out_dir=$3

need() {
    command -v "$1" >/dev/null 2>&1 || {
        echo "spanscope: '$1' is required to build the BPF programs ($2)" >&2
        exit 1
    }
}
need "${CLANG:-clang}" "apt-get install clang"
need "${BPFTOOL:-bpftool}" "apt-get install bpftool"
[ -r /sys/kernel/btf/vmlinux ] || {
    echo "spanscope: /sys/kernel/btf/vmlinux is missing: a kernel with CONFIG_DEBUG_INFO_BTF is needed to generate vmlinux.h" >&2
    exit 1
}

mkdir -p "$work_dir" "$out_dir"
if [ ! -s "$work_dir/vmlinux.h" ]; then
    "${BPFTOOL:-bpftool}" btf dump file /sys/kernel/btf/vmlinux format c > "$work_dir/vmlinux.h.tmp"
    mv "$work_dir/vmlinux.h.tmp" "$work_dir/vmlinux.h"
fi
# One .bpf.c per program, linked into one object: the socket tracer and the TLS uprobes share their
# maps (socket_common.bpf.h, __weak definitions merged by the static linker) and load in one go.
for program in socket_trace ssl_trace; do
    "${CLANG:-clang}" -O2 -g -Wall -Werror -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 \
        -I "$work_dir" -I "$src_dir" \
        -c "$src_dir/$program.bpf.c" -o "$work_dir/$program.bpf.o"
done
"${BPFTOOL:-bpftool}" gen object "$out_dir/spanscope.bpf.o" "$work_dir/socket_trace.bpf.o" "$work_dir/ssl_trace.bpf.o"
