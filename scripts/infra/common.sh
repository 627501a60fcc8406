# shellcheck shell=bash
# shellcheck disable=SC2034  # variables are used by the scripts that source this file
# Shared helpers for scripts/infra/*.sh (sourced, not executed).
#
# Environment (all optional):
#   SHOPFLOW_INFRA_DIR              state directory            (default: <repo>/.infra)
#   SHOPFLOW_KAFKA_PORT             Kafka PLAINTEXT listener   (default: 9092)
#   SHOPFLOW_KAFKA_CONTROLLER_PORT  KRaft CONTROLLER listener  (default: 9093)
#   SHOPFLOW_PG_PORT                PostgreSQL TCP port        (default: 5432)

INFRA_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$INFRA_SCRIPTS_DIR/../.." && pwd)"

INFRA_DIR="${SHOPFLOW_INFRA_DIR:-$REPO_ROOT/.infra}"
KAFKA_PORT="${SHOPFLOW_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${SHOPFLOW_KAFKA_CONTROLLER_PORT:-9093}"
PG_PORT="${SHOPFLOW_PG_PORT:-5432}"

mkdir -p "$INFRA_DIR"
INFRA_DIR="$(cd "$INFRA_DIR" && pwd)"

log() { printf '[%s] %s\n' "${COMPONENT:-infra}" "$*" >&2; }
die() {
    printf '[%s] ERROR: %s\n' "${COMPONENT:-infra}" "$*" >&2
    exit 1
}

# Seconds since the epoch with sub-second precision.
now() { date +%s.%N; }
elapsed_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Best-effort description of the process listening on port $1 (for error messages).
port_owner() {
    local out=""
    if command -v ss >/dev/null 2>&1; then
        out="$(ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -n1)"
    fi
    printf '%s' "${out:-unknown process}"
}

# Fails with a clear message when port $1 is taken by something that is not ours.
# Usage: require_free_port <port> <what> <env var to change it> [hint]
require_free_port() {
    local port="$1" what="$2" env_var="$3" hint="${4:-}"
    if port_open "$port"; then
        die "port $port (needed for $what) is already in use by $(port_owner "$port"), which is not \
the ShopFlow instance under $INFRA_DIR. Stop that process${hint:+ ($hint)} or choose another port \
with $env_var=<port>."
    fi
}

# Serialises up/down/restart of one component across concurrent callers.
# Usage: with_lock <name> <command...>
with_lock() {
    local name="$1"
    shift
    if command -v flock >/dev/null 2>&1; then
        local lockfile="$INFRA_DIR/.$name.lock"
        (
            if ! flock -n 9; then
                log "waiting for another $name operation to finish (lock $lockfile)"
                flock -w 300 9 || die "timed out waiting for lock $lockfile"
            fi
            "$@"
        ) 9>"$lockfile"
    else
        "$@"
    fi
}

# Runs a command with root privileges (directly when already root, else via sudo).
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        die "need root to run: $*"
    fi
}

apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install manually: $*"
    log "installing with apt-get: $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}
