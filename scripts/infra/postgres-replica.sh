#!/usr/bin/env bash
# A PostgreSQL streaming replica of the local primary (scripts/infra/postgres.sh), as a second
# local cluster made with pg_basebackup. The dashboard API can read from it
# (SHOPFLOW_API_DATABASE_URL); every write stays on the primary. See docs/scaling.md.
#
# Usage: scripts/infra/postgres-replica.sh {up|down|status|lag|purge}
#   up      base backup of the primary (first time), start, wait until it accepts reads
#   down    pg_ctl stop -m fast
#   status  exit 0 when the replica runs and is in recovery, 3 otherwise
#   lag     print the replay lag: bytes received but not replayed, and seconds behind
#   purge   down + delete the replica's data
#
# Environment: SHOPFLOW_PG_PORT (the primary, 5432), SHOPFLOW_PG_REPLICA_PORT (5433),
#   SHOPFLOW_INFRA_DIR (state: <infra>/postgres-replica).
set -euo pipefail

COMPONENT=postgres-replica
# shellcheck source=scripts/infra/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

REPLICA_PORT="${SHOPFLOW_PG_REPLICA_PORT:-$((PG_PORT + 1))}"
RUN_AS=""
[ "$(id -u)" -eq 0 ] && RUN_AS=postgres

as_pg() {
    if [ -n "$RUN_AS" ]; then (cd / && runuser -u "$RUN_AS" -- "$@") 9>&-; else (cd / && "$@") 9>&-; fi
}

bindir() {
    dirname "$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/pg_ctl' | sort -V | tail -n1)"
}

# The replica lives where the postgres OS user can reach it (as the primary does).
replica_home() {
    local home="$INFRA_DIR/postgres-replica"
    if [ -n "$RUN_AS" ] && ! runuser -u "$RUN_AS" -- test -x "$INFRA_DIR"; then
        home="/var/lib/shopflow-infra/$(printf '%s' "$INFRA_DIR" | sha256sum | cut -c1-12)/postgres-replica"
    fi
    mkdir -p "$home"
    [ -n "$RUN_AS" ] && chown "$RUN_AS:" "$home"
    echo "$home"
}

HOME_DIR="$(replica_home)"
DATA="$HOME_DIR/data"
BIN="$(bindir)"

running() { [ -f "$DATA/postmaster.pid" ] && as_pg "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1; }

psql_replica() {
    as_pg "$BIN/psql" -X -A -t -h 127.0.0.1 -p "$REPLICA_PORT" -U shopflow -d shopflow -c "$1"
}

base_backup() {
    [ -f "$DATA/PG_VERSION" ] && return 0
    port_open "$PG_PORT" || die "the primary does not answer on port $PG_PORT (make infra-up)"
    log "pg_basebackup from 127.0.0.1:$PG_PORT into $DATA"
    as_pg "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U shopflow -D "$DATA" \
        -R -X stream -c fast >"$HOME_DIR/basebackup.log" 2>&1 ||
        { cat "$HOME_DIR/basebackup.log" >&2; die "pg_basebackup failed"; }
    cat >>"$DATA/postgresql.auto.conf" <<EOF
# scripts/infra/postgres-replica.sh
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$HOME_DIR'
hot_standby = on
# Reads on the replica may hold back WAL replay up to this long (then they are cancelled).
max_standby_streaming_delay = 5s
hot_standby_feedback = on
EOF
}

do_up() {
    local t0
    t0="$(now)"
    running && { log "already running (port $REPLICA_PORT)"; return 0; }
    require_free_port "$REPLICA_PORT" "the replica" SHOPFLOW_PG_REPLICA_PORT
    base_backup
    as_pg "$BIN/pg_ctl" start -D "$DATA" -l "$HOME_DIR/replica.log" -w -t 90 -s ||
        { tail -n 30 "$HOME_DIR/replica.log" >&2; die "the replica did not start"; }
    [ "$(psql_replica 'SELECT pg_is_in_recovery()')" = t ] || die "not in recovery: not a replica"
    log "replica of 127.0.0.1:$PG_PORT reading on 127.0.0.1:$REPLICA_PORT in $(elapsed_since "$t0")s"
}

do_down() {
    running || { log "not running"; return 0; }
    as_pg "$BIN/pg_ctl" stop -D "$DATA" -m fast -w -t 60 -s || as_pg "$BIN/pg_ctl" stop -D "$DATA" -m immediate -s
    log "stopped"
}

cmd_status() {
    if running && [ "$(psql_replica 'SELECT pg_is_in_recovery()')" = t ]; then
        echo "postgres-replica: running (127.0.0.1:$REPLICA_PORT, replica of port $PG_PORT)"
        return 0
    fi
    echo "postgres-replica: stopped"
    return 3
}

cmd_lag() {
    psql_replica "SELECT coalesce(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0)
        || ' bytes not replayed, ' || coalesce(round(extract(epoch FROM now()
        - pg_last_xact_replay_timestamp())::numeric, 3), 0) || ' s since the last replayed commit'"
}

case "${1:-}" in
    up) with_lock postgres-replica do_up ;;
    down) with_lock postgres-replica do_down ;;
    status) cmd_status ;;
    lag) cmd_lag ;;
    purge) with_lock postgres-replica do_down && rm -rf "$DATA" && log "purged $DATA" ;;
    *) echo "usage: $0 {up|down|status|lag|purge}" >&2; exit 2 ;;
esac
