#!/usr/bin/env bash
# Local ShopFlow infrastructure: Kafka (KRaft, single node) + PostgreSQL, as local processes.
# See docs/decisions/0001-local-infrastructure.md.
#
# Usage: scripts/infra/infra.sh {up|down|status|restart|restart-kafka|restart-postgres|purge}
#   up                 start both (in parallel) and wait until both answer; no-op when running
#   down               stop both
#   status             one line per component; exit 0 when both run, 3 otherwise
#   restart            restart both
#   restart-kafka      stop + start the Kafka broker only (fault tests)
#   restart-postgres   stop + start PostgreSQL only (fault tests)
#   purge              stop both and delete their data (keeps the resolved Kafka jars)
#
# Environment: SHOPFLOW_INFRA_DIR (default <repo>/.infra), SHOPFLOW_KAFKA_PORT (9092),
#   SHOPFLOW_KAFKA_CONTROLLER_PORT (9093), SHOPFLOW_PG_PORT (5432).
# Clients: SHOPFLOW_KAFKA_BOOTSTRAP=127.0.0.1:$SHOPFLOW_KAFKA_PORT,
#   SHOPFLOW_DATABASE_URL=postgresql://shopflow@127.0.0.1:$SHOPFLOW_PG_PORT/shopflow
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
COMPONENT=infra
# shellcheck source=scripts/infra/common.sh
source "$HERE/common.sh"

# Runs "<component>.sh <action>" and prints one summary line with the time it took.
timed() {
    local component="$1" action="$2" t0 rc=0
    t0="$(now)"
    "$HERE/$component.sh" "$action" || rc=$?
    if [ "$rc" -eq 0 ]; then
        printf '%-9s %-8s ok      %6ss\n' "$component" "$action" "$(elapsed_since "$t0")"
    else
        printf '%-9s %-8s FAILED  %6ss (exit %s)\n' "$component" "$action" "$(elapsed_since "$t0")" "$rc"
    fi
    return "$rc"
}

# SHOPFLOW_KAFKA_BROKERS=3: the three-broker cluster (kafka-cluster.sh) instead of one broker;
# SHOPFLOW_PG_REPLICA=1: also a streaming replica of PostgreSQL (postgres-replica.sh).
KAFKA=kafka
case "${SHOPFLOW_KAFKA_BROKERS:-1}" in
    1) ;;
    3) KAFKA=kafka-cluster ;;
    *) die "SHOPFLOW_KAFKA_BROKERS must be 1 or 3" ;;
esac
REPLICA="${SHOPFLOW_PG_REPLICA:-0}"

up_all() {
    # Package installation (if anything is missing) must not run twice in parallel (dpkg lock).
    "$HERE/kafka.sh" prereqs
    "$HERE/postgres.sh" prereqs
    local kpid ppid rc=0
    timed "$KAFKA" up &
    kpid=$!
    timed postgres up &
    ppid=$!
    wait "$kpid" || rc=1
    wait "$ppid" || rc=1
    if [ "$rc" -ne 0 ]; then
        die "infrastructure did not come up (see the messages above)"
    fi
    if [ "$REPLICA" = 1 ]; then
        timed postgres-replica up
    fi
}

status_all() {
    local rc=0
    "$HERE/$KAFKA.sh" status || rc=3
    "$HERE/postgres.sh" status || rc=3
    if [ "$REPLICA" = 1 ]; then "$HERE/postgres-replica.sh" status || rc=3; fi
    return "$rc"
}

case "${1:-}" in
    up) up_all ;;
    down)
        rc=0
        timed "$KAFKA" down || rc=1
        if [ "$REPLICA" = 1 ]; then timed postgres-replica down || rc=1; fi
        timed postgres down || rc=1
        exit "$rc"
        ;;
    status) status_all ;;
    restart)
        timed "$KAFKA" restart
        timed postgres restart
        ;;
    restart-kafka) timed "$KAFKA" restart ;;
    restart-postgres) timed postgres restart ;;
    purge)
        "$HERE/$KAFKA.sh" purge
        if [ "$REPLICA" = 1 ]; then "$HERE/postgres-replica.sh" purge; fi
        "$HERE/postgres.sh" purge
        ;;
    *)
        echo "usage: $0 {up|down|status|restart|restart-kafka|restart-postgres|purge}" >&2
        exit 2
        ;;
esac
