#!/usr/bin/env bash
# Installs what building and testing spanscope needs on a Debian or Ubuntu machine, and nothing twice:
# when every package is present it only checks, in well under a second (no apt-get update).
# Run as root. Idempotent. Also mounts tracefs when the kernel exposes it but nobody mounted it.
set -euo pipefail

die() { echo "setup: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (it installs packages and mounts tracefs)"
command -v dpkg-query >/dev/null || die "not a Debian or Ubuntu machine (dpkg-query missing); install by hand: clang llvm libbpf-dev bpftool libelf-dev a JDK 17+ and Maven"

# build: BPF compiler, libbpf (loaded through JNA at run time), bpftool (vmlinux.h), JDK, Maven
build_pkgs=(clang llvm libbpf-dev libelf-dev zlib1g-dev make gcc)
# real peers the tests drive and watch
test_pkgs=(curl nginx-light python3 tcpdump iproute2 nftables procps wrk nghttp2-client mariadb-server mariadb-client python3-pymysql postgresql postgresql-contrib python3-psycopg2 openssl libssl-dev gcc)

missing=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in "${build_pkgs[@]}" "${test_pkgs[@]}"; do have_pkg "$p" || missing+=("$p"); done
# bpftool is its own package on Debian 12+, part of linux-tools elsewhere
if ! command -v bpftool >/dev/null; then missing+=(bpftool); fi
# Capstone decodes Go functions to find their RET instructions (Go crypto/tls uprobes): 4 on Debian 12, 5 later
if ! have_pkg libcapstone4 && ! have_pkg libcapstone5; then
  if apt-cache show libcapstone5 >/dev/null 2>&1; then missing+=(libcapstone5); else missing+=(libcapstone4); fi
fi
if ! command -v javac >/dev/null || ! javac -version 2>&1 | grep -Eq 'javac (1[7-9]|[2-9][0-9])'; then
  missing+=(openjdk-17-jdk-headless)
fi
command -v mvn >/dev/null || missing+=(maven)
# Go builds Jaeger v2 (scripts/jaeger.sh); Debian's go is older than Jaeger needs, and Go fetches the
# toolchain Jaeger's go.mod asks for from the Go module proxy by itself (GOTOOLCHAIN=auto)
command -v go >/dev/null || missing+=(golang-go)

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# nginx-light's package starts a system nginx on port 80; the tests start their own, so stop that one.
if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
  systemctl stop nginx || true
fi

if [ -d /sys/kernel/tracing ] && [ -z "$(ls -A /sys/kernel/tracing 2>/dev/null)" ]; then
  mount -t tracefs nodev /sys/kernel/tracing || die "cannot mount tracefs at /sys/kernel/tracing"
fi
# Jaeger v2 for `spanscope run` and the end-to-end tests: built once (minutes), then only checked
bash "$(dirname "$0")/jaeger.sh" install || die "cannot build Jaeger (scripts/jaeger.sh install)"

[ -r /sys/kernel/btf/vmlinux ] || die "the kernel exposes no BTF (/sys/kernel/btf/vmlinux): CO-RE capture cannot run here"
exit 0
