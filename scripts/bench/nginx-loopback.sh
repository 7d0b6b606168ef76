# Sourced by the capture benchmarks: the nginx they all measure (1 worker, keep-alive, `return 200` of a
# 31-byte JSON body, no access log) on 127.0.0.1.
# start_nginx WORKDIR PORT [LISTEN-EXTRA]: writes WORKDIR/nginx.conf, starts nginx in the background
# (pid in WORKDIR/nginx.pid) and waits until it answers. LISTEN-EXTRA is appended to the listen
# directive's address (e.g. " ssl; ssl_certificate ...;" for HTTPS); then the scheme is https.
# stop_nginx WORKDIR stops it.
start_nginx() {
  local work=$1 port=$2 extra=${3:-} scheme=http
  [ -n "$extra" ] && scheme=https
  mkdir -p "$work/logs"
  cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port${extra:-;}
    location / { default_type application/json; return 200 '{"status":"ok","items":[1,2,3]}'; }
  }
}
CONF
  nginx -p "$work" -c "$work/nginx.conf" &
  for _ in $(seq 50); do curl -skf "$scheme://127.0.0.1:$port/" >/dev/null && return 0; sleep 0.1; done
  echo "nginx did not answer on port $port" >&2
  return 1
}

stop_nginx() { kill "$(cat "$1/nginx.pid" 2>/dev/null)" 2>/dev/null || true; }

# median of the arguments
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
