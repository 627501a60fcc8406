#!/usr/bin/env bash
# Local PostgreSQL cluster for ShopFlow dev/CI, from the distribution's packages, with its data
# under the project's infra dir. See docs/decisions/0001-local-infrastructure.md.
#
# Usage: scripts/infra/postgres.sh {up|down|restart|status|prereqs|purge}
#   up       install the server packages if missing (apt-get), initdb once, start, wait for
#            pg_isready, create database "shopflow" owned by role "shopflow"; quick no-op when
#            already running
#   down     pg_ctl stop -m fast (falls back to -m immediate)
#   restart  down + up
#   status   exit 0 when running and accepting connections, 3 otherwise
#   prereqs  make sure the server binaries (initdb, pg_ctl, postgres) are installed
#   purge    down + delete the cluster (data, logs)
#
# The cluster has a single superuser "shopflow" and TRUST authentication on 127.0.0.1 and the
# Unix socket: for local development and CI only. As root, the server runs as the "postgres"
# OS user (PostgreSQL refuses to run as root); as any other user, it runs as that user.
#
# Extra environment: SHOPFLOW_PG_START_TIMEOUT (default 90 s), SHOPFLOW_PG_SSL_DIR (set by
# tls.sh: TLS with that directory's certificates, and connections without TLS refused).
set -euo pipefail

COMPONENT=postgres
# shellcheck source=scripts/infra/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PG_LINK="$INFRA_DIR/postgres"
START_TIMEOUT="${SHOPFLOW_PG_START_TIMEOUT:-90}"
DB_NAME=shopflow
DB_USER=shopflow
SSL_DIR="${SHOPFLOW_PG_SSL_DIR:-}"
RUN_AS=""
if [ "$(id -u)" -eq 0 ]; then
    RUN_AS=postgres
fi

# ---------------------------------------------------------------------------- binaries

# Prints the bin dir of an installed PostgreSQL server, preferring the major version the existing
# cluster was created with, then pg_config's, then the newest under /usr/lib/postgresql.
find_bindir() {
    local want="" dir
    if [ -f "${PG_HOME:-/nonexistent}/data/PG_VERSION" ]; then
        want="$(cat "$PG_HOME/data/PG_VERSION")"
        if [ -x "/usr/lib/postgresql/$want/bin/postgres" ]; then
            echo "/usr/lib/postgresql/$want/bin"
            return 0
        fi
    fi
    if command -v pg_config >/dev/null 2>&1; then
        dir="$(pg_config --bindir 2>/dev/null || true)"
        if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
            if [ -z "$want" ] || [ "$("$dir/postgres" -V | sed 's/[^0-9]*\([0-9]*\).*/\1/')" = "$want" ]; then
                echo "$dir"
                return 0
            fi
        fi
    fi
    dir="$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null |
        sort -V | tail -n1)"
    if [ -n "$dir" ] && [ -z "$want" ]; then
        dirname "$dir"
        return 0
    fi
    return 1
}

# apt's postgresql package creates and starts a Debian cluster ("main", port 5432). When we have
# just installed it ourselves, stop that cluster and keep it from starting automatically so it
# does not take the port; clusters that existed before are left alone (see require_free_port).
disable_debian_clusters() {
    command -v pg_lsclusters >/dev/null 2>&1 || return 0
    local ver name port status _rest
    while read -r ver name port status _rest; do
        [ -n "$name" ] || continue
        if [ "$status" = online ]; then
            log "stopping Debian cluster $ver/$name (port $port) created by the package install"
            as_root pg_ctlcluster "$ver" "$name" stop || true
        fi
        if [ -f "/etc/postgresql/$ver/$name/start.conf" ]; then
            echo manual | as_root tee "/etc/postgresql/$ver/$name/start.conf" >/dev/null
        fi
    done < <(pg_lsclusters -h 2>/dev/null)
}

cmd_prereqs() {
    if ! find_bindir >/dev/null; then
        apt_install postgresql postgresql-contrib
        disable_debian_clusters
        find_bindir >/dev/null || die "PostgreSQL server binaries not found after installing 'postgresql'"
    fi
    if [ -n "$RUN_AS" ] && ! id -u "$RUN_AS" >/dev/null 2>&1; then
        log "creating OS user $RUN_AS"
        useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash "$RUN_AS"
    fi
}

# ---------------------------------------------------------------------------- layout

# Runs a command as the cluster's OS user, from / (the caller's cwd may not be readable by it),
# without the lock fd 9 (a postmaster started by pg_ctl would otherwise hold the lock forever).
as_pg() {
    if [ -n "$RUN_AS" ]; then
        (cd / && runuser -u "$RUN_AS" -- "$@") 9>&-
    else
        (cd / && "$@") 9>&-
    fi
}

# Decides where the cluster lives. Normally $INFRA_DIR/postgres. When the postgres OS user cannot
# reach that path (e.g. a clone under /root, mode 700), the cluster goes to
# /var/lib/shopflow-infra/<hash of INFRA_DIR> and $INFRA_DIR/postgres becomes a symlink to it.
resolve_pg_home() {
    if [ -e "$PG_LINK" ] || [ -L "$PG_LINK" ]; then
        PG_HOME="$(cd "$PG_LINK" 2>/dev/null && pwd -P)" || die "$PG_LINK is a dangling link; run '$0 purge'"
        return 0
    fi
    PG_HOME="$PG_LINK"
    if [ -n "$RUN_AS" ] && id -u "$RUN_AS" >/dev/null 2>&1 && ! runuser -u "$RUN_AS" -- test -x "$INFRA_DIR"; then
        chmod a+rx "$INFRA_DIR" 2>/dev/null || true
        if ! runuser -u "$RUN_AS" -- test -x "$INFRA_DIR"; then
            local alt
            alt="/var/lib/shopflow-infra/$(printf '%s' "$INFRA_DIR" | sha256sum | cut -c1-12)/postgres"
            log "user $RUN_AS cannot reach $INFRA_DIR (a parent directory is not searchable);" \
                "keeping the cluster in $alt (linked from $PG_LINK)"
            mkdir -p "$alt"
            ln -sfn "$alt" "$PG_LINK"
            PG_HOME="$alt"
        fi
    fi
}

set_paths() {
    DATA="$PG_HOME/data"
    LOG_DIR="$PG_HOME/logs"
    LOGFILE="$LOG_DIR/postgres.log"
    SOCKET_DIR="$PG_HOME/run"
    # Unix socket paths are limited to 107 bytes.
    if [ ${#SOCKET_DIR} -gt 90 ]; then
        SOCKET_DIR="/tmp/shopflow-pg-$(printf '%s' "$PG_HOME" | sha256sum | cut -c1-12)"
    fi
}

prepare_dirs() {
    mkdir -p "$PG_HOME" "$LOG_DIR" "$SOCKET_DIR"
    if [ -n "$RUN_AS" ]; then
        chown "$RUN_AS:" "$PG_HOME" "$LOG_DIR" "$SOCKET_DIR"
        [ -d "$DATA" ] && chown -R "$RUN_AS:" "$DATA"
    fi
    chmod 755 "$PG_HOME"
    chmod 775 "$SOCKET_DIR"
}

# ---------------------------------------------------------------------------- cluster

write_conf() {
    local conf="$DATA/shopflow.conf"
    cat >"$conf.tmp" <<EOF
# Generated by scripts/infra/postgres.sh on every start (included from postgresql.conf).
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$SOCKET_DIR'

# Sized for a 2-core dev/CI box running many short-lived test connections.
max_connections = 200
shared_buffers = 256MB
effective_cache_size = 1GB
work_mem = 8MB
maintenance_work_mem = 64MB
max_locks_per_transaction = 128

# Durability stays ON: crash/restart tests rely on committed data surviving.
fsync = on
synchronous_commit = on
full_page_writes = on
# A daily build writes ~0.5-1 GB of WAL, much of it full-page images of index pages:
# compressed, and checkpoints far enough apart that a build does not force several
# (docs/decisions/0083).
wal_compression = lz4
max_wal_size = 4GB
checkpoint_timeout = 15min

timezone = 'UTC'
log_timezone = 'UTC'
log_line_prefix = '%m [%p] %q%u@%d '
log_min_duration_statement = 2000
EOF
    ssl_conf >>"$conf.tmp"
    mv "$conf.tmp" "$conf"
    [ -n "$RUN_AS" ] && chown "$RUN_AS:" "$conf"
    return 0
}

# TLS (tls.sh): the server's certificate and key copied into the cluster (the key must be
# owned by the server's user, mode 600), and pg_hba accepting only TLS connections.
ssl_conf() {
    [ -n "$SSL_DIR" ] || return 0
    install -m 600 "$SSL_DIR/server.key" "$DATA/server.key"
    install -m 644 "$SSL_DIR/server.crt" "$DATA/server.crt"
    install -m 644 "$SSL_DIR/ca.crt" "$DATA/ca.crt"
    [ -n "$RUN_AS" ] && chown "$RUN_AS:" "$DATA/server.key" "$DATA/server.crt" "$DATA/ca.crt"
    printf '%s\n' "ssl = on" "ssl_cert_file = 'server.crt'" "ssl_key_file = 'server.key'" \
        "ssl_ca_file = 'ca.crt'" "ssl_min_protocol_version = 'TLSv1.2'"
    printf '%s\n' "# Generated by scripts/infra/postgres.sh (TLS): no connection without TLS." \
        "local all all trust" "hostssl all all 127.0.0.1/32 trust" \
        "hostnossl all all 0.0.0.0/0 reject" >"$DATA/pg_hba.conf"
    [ -n "$RUN_AS" ] && chown "$RUN_AS:" "$DATA/pg_hba.conf"
    return 0
}

init_cluster() {
    [ -f "$DATA/PG_VERSION" ] && return 0
    local tmp="$PG_HOME/data.initdb"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    [ -n "$RUN_AS" ] && chown "$RUN_AS:" "$tmp"
    chmod 700 "$tmp"
    log "initdb ($("$BIN/postgres" -V)) into $DATA"
    if ! as_pg "$BIN/initdb" -D "$tmp" -U "$DB_USER" -E UTF8 --no-locale --auth=trust \
        >"$LOG_DIR/initdb.log" 2>&1; then
        cat "$LOG_DIR/initdb.log" >&2
        die "initdb failed"
    fi
    printf "\ninclude_if_exists = 'shopflow.conf'\n" >>"$tmp/postgresql.conf"
    rm -rf "$DATA"
    mv "$tmp" "$DATA"
}

pg_running() {
    [ -f "$DATA/postmaster.pid" ] && as_pg "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1
}

pg_ready() {
    "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -d postgres -t 2 >/dev/null 2>&1
}

psql_admin() {
    "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -d postgres "$@"
}

ensure_database() {
    if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != 1 ]; then
        log "creating database $DB_NAME owned by $DB_USER"
        psql_admin -c "CREATE DATABASE $DB_NAME OWNER $DB_USER"
    fi
}

fail_with_log() {
    echo "----- last 40 lines of $LOGFILE -----" >&2
    tail -n 40 "$LOGFILE" >&2 2>/dev/null || true
    die "$*"
}

wait_ready() {
    local deadline=$((SECONDS + START_TIMEOUT))
    until pg_ready; do
        [ "$SECONDS" -lt "$deadline" ] || fail_with_log "not accepting connections on 127.0.0.1:$PG_PORT after ${START_TIMEOUT}s"
        pg_running || fail_with_log "server exited during startup"
        sleep 0.3
    done
}

do_up() {
    local t0
    t0="$(now)"
    cmd_prereqs
    # Again now that the OS user surely exists (it may have just been created).
    resolve_pg_home
    set_paths
    BIN="$(find_bindir)" || die "no PostgreSQL server binaries found"
    if pg_running; then
        wait_ready
        ensure_database
        log "already running (pid $(head -n1 "$DATA/postmaster.pid"), 127.0.0.1:$PG_PORT)"
        return 0
    fi
    require_free_port "$PG_PORT" "PostgreSQL" SHOPFLOW_PG_PORT \
        "if it is a Debian-managed cluster, see 'pg_lsclusters', stop it with 'pg_ctlcluster <version> <name> stop'"
    prepare_dirs
    init_cluster
    write_conf
    # -w: pg_ctl waits until the server accepts connections. A stale postmaster.pid left by a
    # crash is handled by the server itself (it checks whether that pid is still alive).
    if ! as_pg "$BIN/pg_ctl" start -D "$DATA" -l "$LOGFILE" -w -t "$START_TIMEOUT" -s; then
        fail_with_log "pg_ctl start failed"
    fi
    wait_ready
    ensure_database
    log "started $("$BIN/postgres" -V | sed 's/.*) //') (pid $(head -n1 "$DATA/postmaster.pid"), 127.0.0.1:$PG_PORT) in $(elapsed_since "$t0")s"
}

do_down() {
    BIN="$(find_bindir)" || {
        log "not installed"
        return 0
    }
    if ! pg_running; then
        log "not running"
        return 0
    fi
    log "stopping (pid $(head -n1 "$DATA/postmaster.pid"))"
    if ! as_pg "$BIN/pg_ctl" stop -D "$DATA" -m fast -w -t 60 -s; then
        log "fast shutdown did not finish; using immediate mode"
        as_pg "$BIN/pg_ctl" stop -D "$DATA" -m immediate -w -t 30 -s
    fi
    log "stopped"
}

do_restart() {
    do_down
    do_up
}

cmd_status() {
    BIN="$(find_bindir)" || {
        echo "postgres: not installed"
        return 3
    }
    if pg_running; then
        if pg_ready; then
            echo "postgres: running (pid $(head -n1 "$DATA/postmaster.pid"), $("$BIN/postgres" -V | sed 's/.*) //'), 127.0.0.1:$PG_PORT, url postgresql://$DB_USER@127.0.0.1:$PG_PORT/$DB_NAME, log $LOGFILE)"
            return 0
        fi
        echo "postgres: server process exists but does not accept connections on 127.0.0.1:$PG_PORT"
        return 3
    fi
    echo "postgres: stopped"
    return 3
}

do_purge() {
    do_down
    local target="$PG_HOME"
    [ -d "$PG_HOME" ] && target="$(cd "$PG_HOME" && pwd -P)"
    rm -rf "$target"
    case "$target" in /var/lib/shopflow-infra/*) rmdir "$(dirname "$target")" 2>/dev/null || true ;; esac
    [ -L "$PG_LINK" ] && rm -f "$PG_LINK"
    [ "$SOCKET_DIR" = "$PG_HOME/run" ] || rm -rf "$SOCKET_DIR"
    log "purged $target"
}

resolve_pg_home
set_paths
case "${1:-}" in
    up) with_lock postgres do_up ;;
    down) with_lock postgres do_down ;;
    restart) with_lock postgres do_restart ;;
    status) cmd_status ;;
    prereqs) with_lock postgres cmd_prereqs ;;
    purge) with_lock postgres do_purge ;;
    *)
        echo "usage: $0 {up|down|restart|status|prereqs|purge}" >&2
        exit 2
        ;;
esac
