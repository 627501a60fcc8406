#!/usr/bin/env bash
# `make demo`: the whole platform on this machine without Docker. Safe to re-run: infra and
# services are started only when not running, data is generated and ingested only once.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/demo/env.sh
source scripts/demo/env.sh
# Believable traffic is ~95 clickstream events per order (docs/sample-data.md): two
# weeks at 300 orders/day keep the demo quick.
DAYS="${DEMO_DAYS:-14}"
ORDERS="${DEMO_ORDERS_PER_DAY:-300}"
GENERATED="$SHOPFLOW_DEMO_DATA/generated"
step() { printf '\n==> %s\n' "$*"; }

step "shopflow commands run from $ROOT now use the demo's landing directory, Kafka and database (.env)"
python scripts/demo/write_env.py "$ROOT/.env"
step "infrastructure (Kafka KRaft + PostgreSQL)"
scripts/infra/infra.sh up
step "topics, migrations, roles"
shopflow init
step "services (supervised; logs in .infra/demo/logs)"
scripts/demo/services.sh up
step "Prometheus (127.0.0.1:${SHOPFLOW_PROMETHEUS_PORT:-9090}) and Alertmanager; alerts: docs/operations.md"
scripts/monitoring/monitoring.sh up
if [ ! -f "$GENERATED/truth.json" ]; then
    step "generating $DAYS days x $ORDERS orders/day of sample data"
    shopflow generate --days "$DAYS" --start 2026-01-01 --orders-per-day "$ORDERS" \
        --seed 42 --defect-rate 0.02 --out "$GENERATED"
fi
if [ ! -f "$SHOPFLOW_DEMO_DATA/.ingested" ]; then
    step "ingesting"
    shopflow ingest "$GENERATED" | tail -n 3
    touch "$SHOPFLOW_DEMO_DATA/.ingested"
fi
step "waiting for the warehouse"
python scripts/demo/summary.py --truth "$GENERATED/truth.json" --timeout "${DEMO_TIMEOUT:-900}"
# One API key for the demo, printed once (the database keeps only its hash). The dashboard
# asks for it on pages that need it; re-runs only name the key id.
KEY_MARK="$SHOPFLOW_DEMO_DATA/.api-key-id"
if [ ! -f "$KEY_MARK" ]; then
    step "API key (shown once; the dashboard asks for it where a page needs it)"
    key="$(shopflow keys create --name demo --quiet --scope metrics:read \
        --scope customers:read --scope deadletters:read --scope deadletters:replay)"
    echo "$key" | cut -d_ -f2 > "$KEY_MARK"
    echo "X-API-Key: $key"
else
    step "API key: created by an earlier run (key id $(cat "$KEY_MARK")); new one: shopflow keys create --scope ..."
fi
