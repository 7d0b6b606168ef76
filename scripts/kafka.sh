#!/usr/bin/env bash
# A single-node Apache Kafka broker in KRaft mode (broker + controller in one JVM) for spanscope's
# distributed mode: built from the Apache Kafka jars on Maven Central (no Docker, no tarball), bound to
# 127.0.0.1, plain text; optionally also a SASL_SSL listener (SCRAM-SHA-512 over TLS with a CA of its own).
#
#   scripts/kafka.sh install                 # fetch the jars into $SPANSCOPE_TOOLS/kafka-<version>/libs (once)
#   scripts/kafka.sh start [options]         # format the data dir if new, start in the background, wait until it serves
#   scripts/kafka.sh stop [--data-dir D]
#   scripts/kafka.sh status [--data-dir D]
#   scripts/kafka.sh run [options]           # foreground
#   scripts/kafka.sh classpath               # the broker's classpath (for tests that start it themselves)
#
# Options: --port N (client listener, default 9092), --controller-port N (default 9093),
#          --data-dir D (default $SPANSCOPE_TOOLS/kafka-data), --partitions N (for auto-created topics, default 6),
#          --sasl-ssl-port N with --scram-user USER:PASSWORD (a second listener, SASL_SSL with SCRAM-SHA-512;
#          the user is created when the data dir is formatted; a CA and the broker's certificate for 127.0.0.1
#          are made with keytool into D/tls, and clients trust D/tls/ca.pem)
# Environment: KAFKA_VERSION (default: the parent pom's kafka.version), SPANSCOPE_TOOLS (/opt/spanscope-tools),
#              KAFKA_HEAP (default -Xmx512m).
# Topics are created on first use (auto.create.topics.enable) with the default partition count; the
# span builder needs spanscope.fragments and its internal topics to have the same partition count.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=${SPANSCOPE_TOOLS:-/opt/spanscope-tools}
if [[ -z ${KAFKA_VERSION:-} ]]; then
  KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/pom.xml" | head -1)
fi
HOME_DIR=$TOOLS/kafka-$KAFKA_VERSION
LIBS=$HOME_DIR/libs
PORT=9092
CONTROLLER_PORT=9093
DATA_DIR=$TOOLS/kafka-data
PARTITIONS=6
SASL_SSL_PORT=
SCRAM_USER=

die() { echo "kafka: $*" >&2; exit 1; }

parse_options() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --port) PORT=$2; shift 2 ;;
      --controller-port) CONTROLLER_PORT=$2; shift 2 ;;
      --data-dir) DATA_DIR=$2; shift 2 ;;
      --partitions) PARTITIONS=$2; shift 2 ;;
      --sasl-ssl-port) SASL_SSL_PORT=$2; shift 2 ;;
      --scram-user) SCRAM_USER=$2; shift 2 ;;
      *) echo "kafka: unknown option $1" >&2; exit 2 ;;
    esac
  done
  if [[ -n $SASL_SSL_PORT && $SCRAM_USER != *:* ]]; then
    echo "kafka: --sasl-ssl-port needs --scram-user USER:PASSWORD" >&2; exit 2
  fi
}

# A throw-away CA and a broker certificate for 127.0.0.1 (made once per data dir).
make_tls() {
  local tls=$DATA_DIR/tls pass=spanscope-test
  [[ -f $tls/broker.p12 ]] && return 0
  command -v keytool >/dev/null || die "keytool (JDK) is needed for the SASL_SSL listener"
  mkdir -p "$tls"
  local k=(keytool -storetype PKCS12 -storepass "$pass" -keypass "$pass")
  "${k[@]}" -genkeypair -alias ca -dname CN=spanscope-test-ca -keyalg RSA -keysize 2048 -validity 30 \
    -ext bc:c -keystore "$tls/ca.p12" >/dev/null 2>&1 || die "keytool could not make the CA"
  "${k[@]}" -exportcert -rfc -alias ca -keystore "$tls/ca.p12" >"$tls/ca.pem" 2>/dev/null
  "${k[@]}" -genkeypair -alias broker -dname CN=127.0.0.1 -keyalg RSA -keysize 2048 -validity 30 \
    -keystore "$tls/broker.p12" >/dev/null 2>&1 || die "keytool could not make the broker key"
  "${k[@]}" -certreq -alias broker -keystore "$tls/broker.p12" 2>/dev/null \
    | "${k[@]}" -gencert -alias ca -keystore "$tls/ca.p12" -ext SAN=ip:127.0.0.1 -validity 30 -rfc \
      >"$tls/broker.pem" 2>/dev/null || die "keytool could not sign the broker certificate"
  "${k[@]}" -importcert -noprompt -alias ca -file "$tls/ca.pem" -keystore "$tls/broker.p12" >/dev/null 2>&1
  "${k[@]}" -importcert -alias broker -file "$tls/broker.pem" -keystore "$tls/broker.p12" >/dev/null 2>&1 \
    || die "keytool could not import the broker certificate"
}

install() {
  [[ -f $LIBS/.complete ]] && return 0
  command -v mvn >/dev/null || die "Maven is needed to fetch the Kafka jars"
  echo "kafka: fetching Apache Kafka $KAFKA_VERSION jars from Maven Central into $LIBS (first time only) ..." >&2
  local work
  work=$(mktemp -d)
  # the broker (kafka_2.13 = core) and reload4j, the log4j 1 API its logging calls, behind slf4j
  cat >"$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.spanscope.tools</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
POM
  mkdir -p "$LIBS"
  mvn -q -f "$work/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIBS" \
    || { rm -rf "$work"; die "fetching the jars failed"; }
  rm -rf "$work"
  cat >"$HOME_DIR/log4j.properties" <<'LOG'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.request.logger=WARN
LOG
  touch "$LIBS/.complete"
}

java_cmd() {
  # an array, so that the classpath's "*" reaches java unexpanded
  JAVA=(java ${KAFKA_HEAP:--Xmx512m} -XX:+UseG1GC -Djava.awt.headless=true
    -Dlog4j.configuration="file:$HOME_DIR/log4j.properties" -cp "$LIBS/*")
}

configure() {
  mkdir -p "$DATA_DIR/log"
  local listeners="PLAINTEXT://127.0.0.1:$PORT" protocols="PLAINTEXT:PLAINTEXT" secured=""
  if [[ -n $SASL_SSL_PORT ]]; then
    make_tls
    listeners+=",SASL_SSL://127.0.0.1:$SASL_SSL_PORT"
    protocols+=",SASL_SSL:SASL_SSL"
    secured="sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=$DATA_DIR/tls/broker.p12
ssl.keystore.password=spanscope-test
ssl.key.password=spanscope-test"
  fi
  cat >"$DATA_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=$listeners,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=$listeners
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=$protocols,CONTROLLER:PLAINTEXT
$secured
log.dirs=$DATA_DIR/log
num.partitions=$PARTITIONS
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=$PARTITIONS
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
default.replication.factor=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
log.retention.hours=24
log.segment.bytes=134217728
PROPS
  if [[ ! -f $DATA_DIR/log/meta.properties ]]; then
    local cluster_id
    # base64url of 16 random bytes; not starting with "-", which the storage tool would take for an option
    cluster_id=-
    while [[ $cluster_id == -* ]]; do
      cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
    done
    java_cmd
    local scram=()
    if [[ -n $SCRAM_USER ]]; then
      scram=(--add-scram "SCRAM-SHA-512=[name=${SCRAM_USER%%:*},password=${SCRAM_USER#*:}]")
    fi
    "${JAVA[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$DATA_DIR/server.properties" "${scram[@]}" >/dev/null \
      || die "formatting $DATA_DIR/log failed"
  fi
}

pidfile() { echo "$DATA_DIR/kafka.pid"; }

running() {
  [[ -f $(pidfile) ]] && kill -0 "$(cat "$(pidfile)")" 2>/dev/null
}

serving() {
  (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null
}

cmd=${1:-}
[[ $# -gt 0 ]] && shift
case "$cmd" in
  install) install ;;
  classpath) install; echo "$LIBS/*" ;;
  run) parse_options "$@"; install; configure; java_cmd; exec "${JAVA[@]}" kafka.Kafka "$DATA_DIR/server.properties" ;;
  start)
    parse_options "$@"; install
    if running; then echo "kafka: already running (127.0.0.1:$PORT, pid $(cat "$(pidfile)"))"; exit 0; fi
    configure
    java_cmd
    nohup "${JAVA[@]}" kafka.Kafka "$DATA_DIR/server.properties" >"$DATA_DIR/kafka.log" 2>&1 &
    echo $! >"$(pidfile)"
    for _ in $(seq 600); do
      if grep -q "Kafka Server started" "$DATA_DIR/kafka.log" 2>/dev/null && serving; then
        echo "kafka: up on 127.0.0.1:$PORT (data $DATA_DIR, log $DATA_DIR/kafka.log)"; exit 0
      fi
      running || die "exited at start; see $DATA_DIR/kafka.log"
      sleep 0.1
    done
    die "did not come up within 60 s; see $DATA_DIR/kafka.log" ;;
  stop)
    parse_options "$@"
    if running; then
      pid=$(cat "$(pidfile)"); kill "$pid"
      for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
      rm -f "$(pidfile)"; echo "kafka: stopped"
    else
      echo "kafka: not running"
    fi ;;
  status)
    parse_options "$@"
    if running; then echo "kafka: running (pid $(cat "$(pidfile)"), data $DATA_DIR)"; else echo "kafka: not running"; exit 3; fi ;;
  *) echo "usage: scripts/kafka.sh install|start|stop|status|run|classpath [--port N] [--controller-port N] [--data-dir D] [--partitions N] [--sasl-ssl-port N --scram-user USER:PASSWORD]" >&2; exit 2 ;;
esac
