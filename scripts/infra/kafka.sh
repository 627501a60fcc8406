#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, combined broker+controller) for ShopFlow dev/CI.
# See docs/decisions/0001-local-infrastructure.md.
#
# Usage: scripts/infra/kafka.sh {up|down|restart|status|prereqs|purge|prune-topics REGEX}
#   up       resolve jars (first time only), format storage (first time only), start, wait until
#            the broker answers a metadata request; quick no-op when already running
#   down     SIGTERM, wait, SIGKILL after SHOPFLOW_KAFKA_STOP_TIMEOUT seconds
#   restart  down + up
#   status   exit 0 when running and answering, 3 otherwise
#   prereqs  make sure java (17+) and maven are available (installs with apt-get when missing)
#   libs     resolve the jars if needed and print their directory (the 3-broker cluster uses it)
#   purge    down + delete data, logs and config (keeps the resolved jars)
#   prune-topics REGEX
#            delete every topic whose whole name matches REGEX (Python re syntax; internal
#            "__" topics are never touched), e.g. leftovers of test runs: every partition costs
#            broker start/stop time
#
# Extra environment: SHOPFLOW_KAFKA_HEAP_OPTS (default "-Xmx512m -Xms256m"),
#   SHOPFLOW_KAFKA_JVM_OPTS (extra JVM options), SHOPFLOW_KAFKA_CDS (1 = use an AppCDS archive,
#   default; 0 = off), SHOPFLOW_KAFKA_START_TIMEOUT (default 180 s),
#   SHOPFLOW_KAFKA_STOP_TIMEOUT (default 120 s), PYTHON (interpreter for the readiness probe),
#   SHOPFLOW_KAFKA_SSL_DIR (set by tls.sh: the client listener speaks TLS only, with the
#   certificates of that directory; client certificates are asked for, not required).
set -euo pipefail

COMPONENT=kafka
# shellcheck source=scripts/infra/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

POM="$INFRA_SCRIPTS_DIR/kafka-pom.xml"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM" | head -n1)"
KAFKA_HOME="$INFRA_DIR/kafka"
LIBS="$KAFKA_HOME/libs"
CONF_DIR="$KAFKA_HOME/config"
DATA_DIR="$KAFKA_HOME/data"
LOG_DIR="$KAFKA_HOME/logs"
SERVER_PROPS="$CONF_DIR/server.properties"
LOG4J_CONF="$CONF_DIR/log4j2.properties"
PIDFILE="$KAFKA_HOME/kafka.pid"
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
HEAP_OPTS="${SHOPFLOW_KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}"
# Start/stop time grows with the number of partitions (a few thousand take ~30 s each way on a
# busy 2-core box), hence the generous defaults.
START_TIMEOUT="${SHOPFLOW_KAFKA_START_TIMEOUT:-180}"
STOP_TIMEOUT="${SHOPFLOW_KAFKA_STOP_TIMEOUT:-120}"
EXTRA_JVM_OPTS="${SHOPFLOW_KAFKA_JVM_OPTS:-}"
PYTHON="${PYTHON:-python3}"
SSL_DIR="${SHOPFLOW_KAFKA_SSL_DIR:-}"
CLIENT_LISTENER=PLAINTEXT
[ -z "$SSL_DIR" ] || CLIENT_LISTENER=SSL

java_bin() {
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
        echo "$JAVA_HOME/bin/java"
    else
        command -v java || true
    fi
}

java_major() {
    "$1" -XshowSettings:properties -version 2>&1 |
        sed -n 's/^ *java.specification.version = \([0-9.]*\).*/\1/p' | sed 's/^1\.//; s/\..*//'
}

cmd_prereqs() {
    local java
    java="$(java_bin)"
    if [ -z "$java" ]; then
        apt_install openjdk-17-jre-headless
        java="$(java_bin)"
    fi
    [ -n "$java" ] || die "java not found (Kafka $KAFKA_VERSION needs Java 17+)"
    if ! libs_ok && ! command -v mvn >/dev/null 2>&1; then
        apt_install maven
    fi
}

# ---------------------------------------------------------------------------- jars

libs_stamp() { printf 'kafka=%s pom-sha256=%s\n' "$KAFKA_VERSION" "$(sha256sum "$POM" | cut -c1-64)"; }

libs_ok() {
    [ -f "$LIBS/.resolved" ] && [ "$(cat "$LIBS/.resolved")" = "$(libs_stamp)" ] &&
        [ -f "$LIBS/kafka_2.13-$KAFKA_VERSION.jar" ]
}

ensure_libs() {
    libs_ok && return 0
    command -v mvn >/dev/null 2>&1 || die "maven (mvn) is needed once to resolve the Kafka jars"
    local tmp="$KAFKA_HOME/libs.tmp.$$"
    rm -rf "$tmp"
    local mvn_args=(-q -B -f "$POM" dependency:copy-dependencies
        "-DoutputDirectory=$tmp" -DincludeScope=runtime)
    log "resolving Kafka $KAFKA_VERSION jars with Maven into $LIBS"
    # Offline first (warm ~/.m2 makes this fast and network-free), then from Maven Central.
    if ! mvn -o "${mvn_args[@]}" >/dev/null 2>&1; then
        rm -rf "$tmp"
        mvn "${mvn_args[@]}" >&2 || die "maven failed to resolve the Kafka jars (network to Maven Central?)"
    fi
    [ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ] || die "kafka_2.13-$KAFKA_VERSION.jar missing after resolution"
    libs_stamp >"$tmp/.resolved"
    rm -rf "$LIBS"
    mv "$tmp" "$LIBS"
    log "resolved $(find "$LIBS" -name '*.jar' | wc -l) jars"
}

# ---------------------------------------------------------------------------- config

# TLS for the client listener (tls.sh): PEM key+chain and CA, client certificates optional.
ssl_config() {
    [ -n "$SSL_DIR" ] || return 0
    cat <<EOF
ssl.keystore.type=PEM
ssl.keystore.location=$SSL_DIR/kafka-keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$SSL_DIR/ca.crt
ssl.client.auth=requested
ssl.endpoint.identification.algorithm=https
EOF
}

write_config() {
    mkdir -p "$CONF_DIR" "$DATA_DIR" "$LOG_DIR"
    cat >"$SERVER_PROPS.tmp" <<EOF
# Generated by scripts/infra/kafka.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=$CLIENT_LISTENER://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=$CLIENT_LISTENER://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=$CLIENT_LISTENER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT
log.dirs=$DATA_DIR
$(ssl_config)

# Single node: every internal topic has exactly one replica.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1

# Topics are created explicitly (by the services' bootstrap code and by the tests).
auto.create.topics.enable=false
delete.topic.enable=true
num.partitions=6

# Fast group formation for tests; allow short session timeouts for fault-injection tests.
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000

# Single node: a short broker heartbeat lets a restarted broker get unfenced in ~1 s
# instead of a few 2 s heartbeat rounds (matters for the restart fault tests).
broker.heartbeat.interval.ms=500

# Sized for a 2-core dev/CI box.
num.network.threads=3
num.io.threads=4
num.recovery.threads.per.data.dir=2
log.cleaner.dedupe.buffer.size=33554432

# Retention: one day or 1 GiB per partition, whichever comes first; 64 MiB segments.
log.retention.hours=24
log.retention.bytes=1073741824
log.segment.bytes=67108864
log.retention.check.interval.ms=60000
EOF
    mv "$SERVER_PROPS.tmp" "$SERVER_PROPS"

    cat >"$LOG4J_CONF.tmp" <<EOF
# Generated by scripts/infra/kafka.sh. Broker logs go to $LOG_DIR/server.log, not the console.
status = warn
name = shopflow-kafka
appender.file.type = RollingFile
appender.file.name = FILE
appender.file.fileName = $LOG_DIR/server.log
appender.file.filePattern = $LOG_DIR/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 20MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.statechange.name = state.change.logger
logger.statechange.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF
    mv "$LOG4J_CONF.tmp" "$LOG4J_CONF"
}

format_storage() {
    [ -f "$DATA_DIR/meta.properties" ] && return 0
    local java cluster_id
    java="$(java_bin)"
    cluster_id="$("$java" -Dlog4j2.configurationFile="$LOG4J_CONF" -cp "$LIBS/*" \
        kafka.tools.StorageTool random-uuid | tail -n1)"
    log "formatting KRaft storage (cluster id $cluster_id)"
    if ! "$java" -Dlog4j2.configurationFile="$LOG4J_CONF" -cp "$LIBS/*" \
        kafka.tools.StorageTool format -t "$cluster_id" -c "$SERVER_PROPS" >"$LOG_DIR/format.log" 2>&1; then
        cat "$LOG_DIR/format.log" >&2
        die "kafka.tools.StorageTool format failed"
    fi
}

# ---------------------------------------------------------------------------- class data sharing
# Startup is dominated by class loading/verification (10-20 s on a busy 2-core box). A dynamic
# AppCDS archive (JDK 13+) roughly halves it: the first broker run records one at exit
# (-XX:ArchiveClassesAtExit, written when the JVM exits normally, i.e. after SIGTERM), and later
# runs map it (-XX:SharedArchiveFile). The archive name covers the jar set and the JVM, so a
# changed pom or JDK simply records a new one. A JVM that cannot use an archive ignores it.

cds_archive() {
    local key
    key="$( (cat "$LIBS/.resolved"; "$1" -version 2>&1) | sha256sum | cut -c1-16)"
    echo "$KAFKA_HOME/cds/kafka-$key.jsa"
}

cds_opts() {
    [ "${SHOPFLOW_KAFKA_CDS:-1}" = 1 ] || return 0
    local archive
    archive="$(cds_archive "$1")"
    mkdir -p "$(dirname "$archive")"
    # A recording left behind by a broker that did not exit through do_down may be partial.
    rm -f "$KAFKA_HOME"/cds/*.tmp
    if [ -s "$archive" ]; then
        echo "-XX:SharedArchiveFile=$archive"
    else
        find "$KAFKA_HOME/cds" -name '*.jsa' -delete
        echo "-XX:ArchiveClassesAtExit=$archive.tmp"
    fi
}

# Called after the broker exited normally: publish a freshly recorded archive.
cds_publish() {
    local tmp
    for tmp in "$KAFKA_HOME"/cds/*.jsa.tmp; do
        [ -s "$tmp" ] && mv -f "$tmp" "${tmp%.tmp}"
    done
    return 0
}

# ---------------------------------------------------------------------------- process

is_our_kafka() {
    local pid="$1" cmd
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
    cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
    [[ "$cmd" == *" kafka.Kafka $SERVER_PROPS"* ]]
}

# Prints the pid of our broker (from the pid file, else by scanning /proc for a java process
# started with our server.properties, e.g. after the pid file was lost). Fails when none.
kafka_pid() {
    local pid=""
    if [ -f "$PIDFILE" ]; then
        pid="$(cat "$PIDFILE" 2>/dev/null || true)"
        if is_our_kafka "$pid"; then
            echo "$pid"
            return 0
        fi
    fi
    local p
    for p in /proc/[0-9]*; do
        p="${p#/proc/}"
        if is_our_kafka "$p"; then
            echo "$p" >"$PIDFILE"
            echo "$p"
            return 0
        fi
    done
    return 1
}

# Fallback probe without any client library: a raw ApiVersions v0 request (api key 18,
# correlation id 1, client id "sf"); the broker must answer with the same correlation id.
api_versions_probe() {
    local reply
    # shellcheck disable=SC2016  # $1 is expanded by the inner shell
    reply="$(
        timeout 5 bash -c '
            exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
            printf "\x00\x00\x00\x0c\x00\x12\x00\x00\x00\x00\x00\x01\x00\x02sf" >&3
            head -c 8 <&3 | od -An -tx1
        ' probe "$KAFKA_PORT" 2>/dev/null | tr -d ' \n'
    )" || return 1
    [ "${reply:8:8}" = 00000001 ]
}

# A real metadata request (confluent-kafka AdminClient) when the client library is available,
# else a raw ApiVersions request.
kafka_answers() {
    port_open "$KAFKA_PORT" || return 1
    local rc=0
    "$PYTHON" - "$BOOTSTRAP" "$SSL_DIR" >/dev/null 2>&1 <<'EOF' || rc=$?
import sys
try:
    from confluent_kafka.admin import AdminClient
except ImportError:
    sys.exit(42)
config = {"bootstrap.servers": sys.argv[1], "log_level": 0}
if sys.argv[2]:
    config.update({"security.protocol": "SSL", "ssl.ca.location": f"{sys.argv[2]}/ca.crt"})
try:
    md = AdminClient(config).list_topics(timeout=3)
except Exception:
    sys.exit(1)
sys.exit(0 if md.brokers else 1)
EOF
    case "$rc" in
        0) return 0 ;;
        42 | 127) api_versions_probe ;;
        *) return 1 ;;
    esac
}

fail_with_log() {
    echo "----- last 40 lines of $LOG_DIR/server.log -----" >&2
    tail -n 40 "$LOG_DIR/server.log" >&2 2>/dev/null || true
    if [ -s "$LOG_DIR/stdout.log" ]; then
        echo "----- last 20 lines of $LOG_DIR/stdout.log -----" >&2
        tail -n 20 "$LOG_DIR/stdout.log" >&2
    fi
    die "$*"
}

wait_ready() {
    local pid="$1" deadline=$((SECONDS + START_TIMEOUT))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if ! kill -0 "$pid" 2>/dev/null; then
            fail_with_log "broker process $pid exited during startup"
        fi
        if kafka_answers; then
            return 0
        fi
        sleep 0.5
    done
    fail_with_log "broker did not answer on $BOOTSTRAP within ${START_TIMEOUT}s"
}

do_up() {
    local t0 pid
    t0="$(now)"
    if pid="$(kafka_pid)"; then
        if kafka_answers; then
            log "already running (pid $pid, $BOOTSTRAP)"
            return 0
        fi
        log "process $pid is running but not answering yet; waiting"
        wait_ready "$pid"
        log "ready (pid $pid, $BOOTSTRAP) after $(elapsed_since "$t0")s"
        return 0
    fi
    rm -f "$PIDFILE"
    require_free_port "$KAFKA_PORT" "the Kafka broker listener" SHOPFLOW_KAFKA_PORT
    require_free_port "$CONTROLLER_PORT" "the KRaft controller listener" SHOPFLOW_KAFKA_CONTROLLER_PORT
    cmd_prereqs
    ensure_libs
    write_config
    format_storage

    local java major
    java="$(java_bin)"
    major="$(java_major "$java")"
    [ "${major:-0}" -ge 17 ] || die "Kafka $KAFKA_VERSION needs Java 17+, found Java ${major:-?} at $java"
    local cds
    cds="$(cds_opts "$java")"
    # shellcheck disable=SC2206  # word splitting of the heap/extra options is intended
    local jvm_opts=($HEAP_OPTS -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20
        -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent
        -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
        "-Dlog4j2.configurationFile=$LOG4J_CONF" "-Dkafka.logs.dir=$LOG_DIR"
        ${cds:+"$cds"} $EXTRA_JVM_OPTS)
    # New session (setsid) so the broker outlives the shell/make that started it, without the
    # lock fd 9 (else the broker would hold the up/down lock forever); the inner shell writes
    # its own pid and then execs java, so the pid file holds the JVM's pid.
    (
        cd "$KAFKA_HOME"
        # shellcheck disable=SC2016  # $$ and $@ are expanded by the inner shell
        PIDFILE="$PIDFILE" setsid nohup bash -c 'echo $$ >"$PIDFILE"; exec "$@"' kafka \
            "$java" "${jvm_opts[@]}" -cp "$LIBS/*" kafka.Kafka "$SERVER_PROPS" \
            </dev/null >>"$LOG_DIR/stdout.log" 2>&1 9>&- &
    )
    local i
    for i in $(seq 1 50); do
        [ -s "$PIDFILE" ] && break
        sleep 0.1
    done
    pid="$(cat "$PIDFILE" 2>/dev/null || true)"
    [ -n "$pid" ] || fail_with_log "broker did not start (no pid file after ${i}x0.1s)"
    wait_ready "$pid"
    log "started Kafka $KAFKA_VERSION (pid $pid, $BOOTSTRAP) in $(elapsed_since "$t0")s"
}

do_down() {
    local pid
    if ! pid="$(kafka_pid)"; then
        rm -f "$PIDFILE"
        log "not running"
        return 0
    fi
    log "stopping (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "still running after ${STOP_TIMEOUT}s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
        rm -f "$KAFKA_HOME"/cds/*.tmp
    else
        cds_publish
    fi
    rm -f "$PIDFILE"
    log "stopped"
}

cmd_status() {
    local pid
    if pid="$(kafka_pid)"; then
        if kafka_answers; then
            echo "kafka: running (pid $pid, Kafka $KAFKA_VERSION, bootstrap $BOOTSTRAP, logs $LOG_DIR/server.log)"
            return 0
        fi
        echo "kafka: process $pid exists but does not answer on $BOOTSTRAP (starting or unhealthy)"
        return 3
    fi
    echo "kafka: stopped"
    return 3
}

cmd_prune_topics() {
    kafka_answers || die "broker is not running on $BOOTSTRAP"
    "$PYTHON" - "$BOOTSTRAP" "$1" <<'EOF'
import re
import sys

from confluent_kafka.admin import AdminClient

admin = AdminClient({"bootstrap.servers": sys.argv[1]})
pattern = re.compile(sys.argv[2])
names = sorted(
    t for t in admin.list_topics(timeout=30).topics
    if not t.startswith("__") and pattern.fullmatch(t)
)
failed = 0
for start in range(0, len(names), 200):
    for name, future in admin.delete_topics(names[start:start + 200], operation_timeout=60).items():
        try:
            future.result()
        except Exception as exc:  # already gone, etc.
            failed += 1
            print(f"could not delete {name}: {exc}", file=sys.stderr)
print(f"deleted {len(names) - failed} topic(s) matching {sys.argv[2]!r}")
sys.exit(1 if failed else 0)
EOF
}

do_restart() {
    do_down
    do_up
}

do_purge() {
    do_down
    rm -rf "$DATA_DIR" "$LOG_DIR" "$CONF_DIR"
    log "purged data, logs and config under $KAFKA_HOME"
}

mkdir -p "$KAFKA_HOME"
case "${1:-}" in
    up) with_lock kafka do_up ;;
    down) with_lock kafka do_down ;;
    restart) with_lock kafka do_restart ;;
    status) cmd_status ;;
    prereqs) cmd_prereqs ;;
    libs) cmd_prereqs && with_lock kafka ensure_libs && echo "$LIBS" ;;
    purge) with_lock kafka do_purge ;;
    prune-topics)
        [ -n "${2:-}" ] || die "usage: $0 prune-topics REGEX"
        cmd_prune_topics "$2"
        ;;
    *)
        echo "usage: $0 {up|down|restart|status|prereqs|libs|purge|prune-topics REGEX}" >&2
        exit 2
        ;;
esac
