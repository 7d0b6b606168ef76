#!/usr/bin/env bash
# Fidelity against the OpenTelemetry Java agent: the five-service JDK app of the fidelity harness
# (pipeline/src/test/java/io/spanscope/pipeline/fidelity) sends N requests once under the agent (ground truth)
# and once traced by spanscope, then prints span recall, parent precision and parent recall per service.
# The run is the live FidelityHarnessTest at a larger N; its firm assertions (span recall >= 99%, no wrong
# parent, >= 95% parent recall on the thread-per-request service) apply, so a failing run says why.
# Usage (root): scripts/bench/fidelity.sh [requests] [concurrency]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
requests=${1:-1000}
concurrency=${2:-4}
cd "$root"
table="$root/pipeline/target/fidelity/fidelity-$requests.md"
rm -f "$table"
set +o pipefail
mvn -q -B -pl pipeline -am test -Dtest=FidelityHarnessTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dspanscope.fidelity.requests="$requests" -Dspanscope.fidelity.concurrency="$concurrency" \
    | grep -v '^\[otel\.javaagent\|^SLF4J\|^\[main\] INFO'
status=${PIPESTATUS[0]}
set -o pipefail
[ -f "$table" ] || { echo "no table written: the run failed before the comparison (see above)" >&2; exit 1; }
agent=$(sed -n 's:.*<opentelemetry-javaagent.version>\(.*\)</opentelemetry-javaagent.version>.*:\1:p' pom.xml)
echo
echo "fidelity, $requests requests, $concurrency in flight, OpenTelemetry Java agent $agent as ground truth:"
cat "$table"
[ "$status" -eq 0 ] || echo "the harness's assertions failed (see above); the table is still the measurement" >&2
exit "$status"
