#!/usr/bin/env bash
# docker-entrypoint-initdb.d hook of the primary (docker-compose.cluster.yml): lets the
# streaming replica connect for replication with the owner's password.
set -euo pipefail
echo "host replication shopflow all scram-sha-256" >>"$PGDATA/pg_hba.conf"
