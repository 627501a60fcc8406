# shellcheck shell=bash
# Environment of the local (no Docker) platform: sourced by demo.sh and services.sh.
PG="127.0.0.1:${SHOPFLOW_PG_PORT:-5432}"
export SHOPFLOW_KAFKA_BOOTSTRAP="${SHOPFLOW_KAFKA_BOOTSTRAP:-127.0.0.1:${SHOPFLOW_KAFKA_PORT:-9092}}"
export SHOPFLOW_DATABASE_URL="${SHOPFLOW_DATABASE_URL:-postgresql://shopflow@$PG/shopflow}"
export SHOPFLOW_INGESTOR_DATABASE_URL="${SHOPFLOW_INGESTOR_DATABASE_URL:-postgresql://shopflow_ingestor@$PG/shopflow}"
export SHOPFLOW_LOADER_DATABASE_URL="${SHOPFLOW_LOADER_DATABASE_URL:-postgresql://shopflow_loader@$PG/shopflow}"
export SHOPFLOW_TRANSFORMER_DATABASE_URL="${SHOPFLOW_TRANSFORMER_DATABASE_URL:-postgresql://shopflow_transformer@$PG/shopflow}"
export SHOPFLOW_API_DATABASE_URL="${SHOPFLOW_API_DATABASE_URL:-postgresql://shopflow_api@$PG/shopflow}"
export SHOPFLOW_DEMO_DATA="${SHOPFLOW_DEMO_DATA:-$ROOT/data/demo}"
export SHOPFLOW_LANDING_DIR="${SHOPFLOW_LANDING_DIR:-$SHOPFLOW_DEMO_DATA/landing}"
export SHOPFLOW_QUARANTINE_DIR="${SHOPFLOW_QUARANTINE_DIR:-$SHOPFLOW_DEMO_DATA/quarantine}"
export SHOPFLOW_API_HOST="${SHOPFLOW_API_HOST:-127.0.0.1}"
export SHOPFLOW_API_PORT="${SHOPFLOW_API_PORT:-8000}"
