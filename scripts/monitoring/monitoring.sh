#!/usr/bin/env bash
# Prometheus and Alertmanager for the local (no Docker) platform: Debian's `prometheus` and
# `prometheus-alertmanager` packages, run as local processes with their config and data
# under $SHOPFLOW_INFRA_DIR/monitoring (not as the packages' systemd services).
#
# Usage: scripts/monitoring/monitoring.sh {prereqs|check|up|down|status}
#   prereqs  install the packages when missing (and keep their systemd units stopped)
#   check    promtool/amtool: the rules, their unit tests and the configs (make lint)
#   up       write the configs, start both, wait until ready; no-op when running
#   down     stop both
#   status   exit 0 when both answer
#
# Environment: SHOPFLOW_PROMETHEUS_PORT (9090), SHOPFLOW_ALERTMANAGER_PORT (9095; 9093 is
# Kafka's controller), SHOPFLOW_ALERT_WEBHOOK_URL (where Alertmanager posts alerts),
# SHOPFLOW_MONITORING_TARGETS ("job=host:port ..."; default: the demo's services),
# SHOPFLOW_SCRAPE_INTERVAL (15s).
set -euo pipefail

COMPONENT=monitoring
# shellcheck source=scripts/infra/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../infra/common.sh"

STATE="$INFRA_DIR/monitoring"
PROM_PORT="${SHOPFLOW_PROMETHEUS_PORT:-9090}"
AM_PORT="${SHOPFLOW_ALERTMANAGER_PORT:-9095}"
WEBHOOK="${SHOPFLOW_ALERT_WEBHOOK_URL:-http://127.0.0.1:9099/alerts}"
INTERVAL="${SHOPFLOW_SCRAPE_INTERVAL:-15s}"
DEMO_BASE="${SHOPFLOW_DEMO_METRICS_BASE_PORT:-9101}"
DEFAULT_TARGETS="shopflow-api=127.0.0.1:${SHOPFLOW_API_PORT:-8000}
shopflow-ingestor=127.0.0.1:$DEMO_BASE shopflow-validator=127.0.0.1:$((DEMO_BASE + 1))
shopflow-loader=127.0.0.1:$((DEMO_BASE + 2)) shopflow-transformer=127.0.0.1:$((DEMO_BASE + 3))"
TARGETS="${SHOPFLOW_MONITORING_TARGETS:-$DEFAULT_TARGETS}"
OPS="$REPO_ROOT/ops"

prereqs() {
    if command -v promtool >/dev/null && command -v prometheus >/dev/null &&
        command -v prometheus-alertmanager >/dev/null && command -v amtool >/dev/null; then
        return 0
    fi
    apt_install prometheus prometheus-alertmanager
    # The packages enable system services on 9090/9093 (Kafka's controller port): keep
    # them off, we run our own processes.
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
        as_root systemctl disable --now prometheus prometheus-alertmanager || true
    fi
}

check() {
    prereqs
    promtool check rules "$OPS"/prometheus/rules/*.yml
    promtool test rules "$OPS"/prometheus/tests/*.yml
    promtool check config --syntax-only "$OPS/prometheus/prometheus.compose.yml"
    amtool check-config "$OPS/alertmanager/alertmanager.yml" >/dev/null
}

write_configs() {
    mkdir -p "$STATE/prometheus-data" "$STATE/alertmanager-data" "$STATE/logs"
    sed "s#url: http://127.0.0.1:9099/alerts#url: $WEBHOOK#" \
        "$OPS/alertmanager/alertmanager.yml" >"$STATE/alertmanager.yml"
    {
        printf 'global:\n  scrape_interval: %s\n  evaluation_interval: %s\n' "$INTERVAL" "$INTERVAL"
        printf 'rule_files:\n  - %s/prometheus/rules/*.yml\n' "$OPS"
        printf 'alerting:\n  alertmanagers:\n    - static_configs:\n'
        printf '        - targets: ["127.0.0.1:%s"]\n' "$AM_PORT"
        printf 'scrape_configs:\n'
        for entry in $TARGETS; do
            printf '  - job_name: %s\n    static_configs:\n      - targets: ["%s"]\n' \
                "${entry%%=*}" "${entry#*=}"
        done
    } >"$STATE/prometheus.yml"
    promtool check config "$STATE/prometheus.yml" >/dev/null
}

running() { [ -f "$STATE/$1.pid" ] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; }

start() {  # name port command...
    local name="$1" port="$2"
    shift 2
    if running "$name"; then
        return 0
    fi
    require_free_port "$port" "$name" "SHOPFLOW_${name^^}_PORT"
    nohup "$@" >"$STATE/logs/$name.log" 2>&1 &
    echo $! >"$STATE/$name.pid"
}

wait_ready() {  # name port
    for _ in $(seq 1 60); do
        if "${PYTHON:-python3}" -c 'import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=2)' "http://127.0.0.1:$2/-/ready" 2>/dev/null; then
            log "$1 ready on 127.0.0.1:$2"
            return 0
        fi
        sleep 0.5
    done
    die "$1 did not become ready; see $STATE/logs/$1.log"
}

up() {
    prereqs
    write_configs
    start alertmanager "$AM_PORT" prometheus-alertmanager \
        --config.file="$STATE/alertmanager.yml" --storage.path="$STATE/alertmanager-data" \
        --web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address=
    start prometheus "$PROM_PORT" prometheus --config.file="$STATE/prometheus.yml" \
        --storage.tsdb.path="$STATE/prometheus-data" --storage.tsdb.retention.time=15d \
        --web.listen-address="127.0.0.1:$PROM_PORT" --web.enable-lifecycle
    wait_ready alertmanager "$AM_PORT"
    wait_ready prometheus "$PROM_PORT"
}

down() {
    for name in prometheus alertmanager; do
        if running "$name"; then
            kill "$(cat "$STATE/$name.pid")" || true
            log "$name stopped"
        fi
        rm -f "$STATE/$name.pid"
    done
}

status() {
    local rc=0
    for name in prometheus alertmanager; do
        if running "$name"; then echo "$name running"; else echo "$name stopped"; rc=3; fi
    done
    return "$rc"
}

case "${1:-}" in
    prereqs) prereqs ;;
    check) check ;;
    up) up ;;
    down) down ;;
    status) status ;;
    *)
        echo "usage: $0 {prereqs|check|up|down|status}" >&2
        exit 2
        ;;
esac
