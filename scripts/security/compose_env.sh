#!/usr/bin/env bash
# Adds to .env (kept out of git) a random password for each database role docker compose
# needs; docker-compose.yml refuses to start without them (${VAR:?}). A password already in
# the file is never changed, and other lines (e.g. the block `make demo` writes) are kept.
set -euo pipefail
target="${1:-.env}"
umask 077
touch "$target"
chmod 600 "$target"
added=0
for name in DB INGESTOR_DB LOADER_DB TRANSFORMER_DB API_DB READER_DB; do
  var="SHOPFLOW_${name}_PASSWORD"
  if ! grep -q "^${var}=" "$target"; then
    [ "$added" -gt 0 ] || printf '# docker compose passwords, added by make compose-env on %s\n' \
      "$(date -u +%Y-%m-%dT%H:%MZ)" >>"$target"
    printf '%s=%s\n' "$var" "$(openssl rand -hex 24)" >>"$target"
    added=$((added + 1))
  fi
done
echo "$target: $added password(s) added (mode 600); existing ones kept"
