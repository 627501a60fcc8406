#!/usr/bin/env bash
# Runs the five ShopFlow services as supervised background processes (supervisord from
# PyPI): crashed services are restarted, logs go to one folder, `down` stops them all.
#   scripts/demo/services.sh up|down|status|restart NAME
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${SHOPFLOW_DEMO_DIR:-$ROOT/.infra/demo}"
LOGS="$STATE/logs"
CONF="$STATE/supervisord.conf"
SOCK="$STATE/supervisor.sock"
# A unix socket's path holds at most 107 bytes: under a deep checkout it goes to the
# temporary directory instead, named after the state directory.
if [ "${#SOCK}" -gt 100 ]; then
    SOCK="${TMPDIR:-/tmp}/shopflow-demo-$(printf '%s' "$STATE" | sha256sum | cut -c1-12).sock"
fi
SERVICES=(ingestor validator loader transformer dashboard_api)
# shellcheck source=scripts/demo/env.sh
source "$ROOT/scripts/demo/env.sh"

write_config() {
    mkdir -p "$LOGS"
    {
        cat <<CONF
[unix_http_server]
file=$SOCK

[supervisord]
logfile=$LOGS/supervisord.log
pidfile=$STATE/supervisord.pid
directory=$ROOT
nodaemon=false

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$SOCK
CONF
        local port="${SHOPFLOW_DEMO_METRICS_BASE_PORT:-9101}"
        for name in "${SERVICES[@]}"; do
            # Workers serve /metrics on fixed ports (base, base+1, ... in SERVICES order)
            # for Prometheus (scripts/monitoring/monitoring.sh); the API on its own port.
            cat <<CONF

[program:$name]
command=$(command -v python) -m services.$name
directory=$ROOT
environment=SHOPFLOW_METRICS_PORT="$port"
autorestart=true
startretries=100
startsecs=3
stopsignal=TERM
stopwaitsecs=20
redirect_stderr=true
stdout_logfile=$LOGS/$name.log
stdout_logfile_maxbytes=50MB
stdout_logfile_backups=2
CONF
            port=$((port + 1))
        done
    } >"$CONF"
}

ctl() { supervisorctl -c "$CONF" "$@"; }

running() { [[ -S "$SOCK" ]] && ctl pid >/dev/null 2>&1; }

case "${1:-}" in
    up)
        write_config
        if running; then
            ctl update >/dev/null
            ctl start all >/dev/null || true
        else
            rm -f "$SOCK"
            supervisord -c "$CONF"
        fi
        echo "[services] supervised; logs in $LOGS"
        ;;
    down)
        if running; then
            ctl stop all >/dev/null || true
            ctl shutdown >/dev/null || true
        fi
        echo "[services] stopped"
        ;;
    status)
        running || { echo "[services] not running"; exit 3; }
        ctl status
        ;;
    restart)
        ctl restart "${2:?service name}"
        ;;
    *)
        echo "usage: $0 up|down|status|restart NAME" >&2
        exit 2
        ;;
esac
