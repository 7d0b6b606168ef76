#!/usr/bin/env bash
# Jaeger v2 for spanscope, built from source with Go (pinned) and run with the in-memory store on
# 127.0.0.1: OTLP gRPC 4317, OTLP HTTP 4318, query API and UI 16686.
#
#   scripts/jaeger.sh install   # build the pinned version into $SPANSCOPE_TOOLS (idempotent, ~4 min the first time)
#   scripts/jaeger.sh path      # print the binary's path (fails when not installed)
#   scripts/jaeger.sh start     # start in the background unless already up; logs in $SPANSCOPE_TOOLS/jaeger.log
#   scripts/jaeger.sh stop
#   scripts/jaeger.sh run       # foreground
#
# Why not plain `go install ...@version`: Jaeger's go.mod has replace directives, which `go install
# pkg@version` refuses; so the module is fetched with `go mod download` and built inside it, which honours them.
set -euo pipefail

JAEGER_VERSION=${JAEGER_VERSION:-v1.76.0}   # the Go module tag of the Jaeger v2.x release line
TOOLS=${SPANSCOPE_TOOLS:-/opt/spanscope-tools}
BIN=$TOOLS/jaeger-${JAEGER_VERSION#v}
CONFIG=$(cd "$(dirname "$0")" && pwd)/jaeger/config.yaml
PIDFILE=$TOOLS/jaeger.pid
LOG=$TOOLS/jaeger.log

install() {
  [[ -x $BIN ]] && return 0
  command -v go >/dev/null || { echo "jaeger: Go is not installed; install Go or point spanscope at an existing Jaeger (--otlp-endpoint)" >&2; return 1; }
  mkdir -p "$TOOLS"
  echo "jaeger: building Jaeger $JAEGER_VERSION with $(go version | cut -d' ' -f3) (first time only) ..." >&2
  local dir
  dir=$(go mod download -json "github.com/jaegertracing/jaeger@$JAEGER_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
  [[ -d $dir ]] || { echo "jaeger: go mod download failed" >&2; return 1; }
  (cd "$dir" && GOFLAGS=-mod=mod go build -trimpath -o "$BIN.tmp" ./cmd/jaeger)
  mv "$BIN.tmp" "$BIN"
}

running() {
  [[ -f $PIDFILE ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null
}

healthy() {
  curl -sf "http://127.0.0.1:${JAEGER_QUERY_PORT:-16686}/api/services" >/dev/null 2>&1
}

case "${1:-}" in
  install) install ;;
  path) [[ -x $BIN ]] && echo "$BIN" || { echo "jaeger: not installed (scripts/jaeger.sh install)" >&2; exit 1; } ;;
  run) install; export OTEL_TRACES_EXPORTER=none; exec "$BIN" --config "$CONFIG" ;;
  start)
    install
    if running || healthy; then echo "jaeger: already running (UI http://127.0.0.1:${JAEGER_QUERY_PORT:-16686})"; exit 0; fi
    OTEL_TRACES_EXPORTER=none nohup "$BIN" --config "$CONFIG" >"$LOG" 2>&1 &
    echo $! >"$PIDFILE"
    for _ in $(seq 100); do healthy && { echo "jaeger: up (UI and query API http://127.0.0.1:${JAEGER_QUERY_PORT:-16686}, OTLP 127.0.0.1:4317/4318)"; exit 0; }; sleep 0.1; done
    echo "jaeger: did not come up; see $LOG" >&2; exit 1 ;;
  stop)
    if running; then kill "$(cat "$PIDFILE")"; rm -f "$PIDFILE"; echo "jaeger: stopped"; else echo "jaeger: not running"; fi ;;
  *) echo "usage: scripts/jaeger.sh install|path|start|stop|run" >&2; exit 2 ;;
esac
