#!/usr/bin/env python3
"""Load test: how long from a request's completion until its trace is queryable in Jaeger, in `spanscope run`.

Starts Jaeger v2 (scripts/jaeger.sh's binary, own ports), two chained Python services (frontend -> backend,
pipeline/src/test/resources/peers/chain_service.py) and `java -jar pipeline/target/spanscope.jar run` filtered on
their ports. A load generator sends --rate requests/s for --seconds on keep-alive connections and notes each
request's completion (wall clock); a poller asks Jaeger's query API every 50 ms for recent frontend traces and
notes when each request's trace first holds all four spans. Prints count, p50, p99 and max of the difference.
Run as root after `mvn -DskipTests package`:  python3 scripts/bench/jaeger-latency.py --rate 50 --seconds 60
"""
import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on {port}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="spanscope-latency-")
    procs = []
    try:
        jaeger_bin = subprocess.check_output(["bash", f"{ROOT}/scripts/jaeger.sh", "path"], text=True).strip()
        ports = {k: free_port() for k in ["grpc", "http", "query", "qgrpc", "health", "front", "back", "metrics"]}
        env = dict(os.environ, OTEL_TRACES_EXPORTER="none", JAEGER_OTLP_GRPC_PORT=str(ports["grpc"]),
                   JAEGER_OTLP_HTTP_PORT=str(ports["http"]), JAEGER_QUERY_PORT=str(ports["query"]),
                   JAEGER_QUERY_GRPC_PORT=str(ports["qgrpc"]), JAEGER_HEALTH_PORT=str(ports["health"]))
        procs.append(subprocess.Popen([jaeger_bin, "--config", f"{ROOT}/scripts/jaeger/config.yaml"], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        peer = f"{ROOT}/pipeline/src/test/resources/peers/chain_service.py"
        for name in ["frontend", "backend"]:
            shutil.copy(peer, f"{work}/{name}.py")
        procs.append(subprocess.Popen([sys.executable, f"{work}/backend.py", "--port", str(ports["back"])],
                                      stdout=subprocess.DEVNULL))
        procs.append(subprocess.Popen([sys.executable, f"{work}/frontend.py", "--port", str(ports["front"]),
                                       "--downstream", f"http://127.0.0.1:{ports['back']}"], stdout=subprocess.DEVNULL))
        for p in ["query", "grpc", "front", "back"]:
            wait_port(ports[p])
        agent = subprocess.Popen(["java", "-jar", f"{ROOT}/pipeline/target/spanscope.jar", "run", "--quiet",
                                  "--port", f"{ports['front']},{ports['back']}", "--http-port", str(ports["metrics"]),
                                  "--otlp-endpoint", f"http://127.0.0.1:{ports['grpc']}"], stderr=subprocess.PIPE,
                                 text=True)
        procs.append(agent)
        for line in agent.stderr:
            if "tracing" in line:
                break
        completed = {}
        seen = {}
        stop = threading.Event()

        def poll():
            url = f"http://127.0.0.1:{ports['query']}/api/traces?service=frontend&limit=2000&lookback=5m"
            while not stop.is_set():
                try:
                    data = json.load(urllib.request.urlopen(url, timeout=5))["data"]
                except Exception:
                    time.sleep(0.05)
                    continue
                now = time.time()
                for trace in data:
                    if len(trace["spans"]) < 4:
                        continue
                    for span in trace["spans"]:
                        for tag in span["tags"]:
                            if tag["key"] == "url.path" and tag["value"].startswith("/api/items/") \
                                    and not tag["value"].endswith("/detail"):
                                seen.setdefault(tag["value"], now)
                time.sleep(0.05)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        conn = http.client.HTTPConnection("127.0.0.1", ports["front"], timeout=30)
        interval = 1.0 / args.rate
        start = time.time()
        i = 0
        while time.time() - start < args.seconds:
            i += 1
            path = f"/api/items/{i}"
            conn.request("GET", path)
            conn.getresponse().read()
            completed[path] = time.time()
            next_at = start + i * interval
            time.sleep(max(0.0, next_at - time.time()))
        achieved = len(completed) / (time.time() - start)
        deadline = time.time() + 30
        while len(seen.keys() & completed.keys()) < len(completed) and time.time() < deadline:
            time.sleep(0.2)
        stop.set()
        lat = sorted(seen[p] - completed[p] for p in completed if p in seen)
        missing = len(completed) - len(lat)
        if not lat:
            raise SystemExit("no trace became queryable")
        pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
        print(f"requests {len(completed)}  queryable {len(lat)}  missing {missing}  "
              f"p50 {pct(0.5):.3f} s  p99 {pct(0.99):.3f} s  max {lat[-1]:.3f} s  (asked {args.rate}/s, achieved "
              f"{achieved:.1f}/s by one sequential client, "
              f"poll every 50 ms, so figures include up to ~0.1 s of polling delay)")
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
