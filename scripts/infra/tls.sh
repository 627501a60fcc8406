#!/usr/bin/env bash
# A TLS Kafka broker and a TLS PostgreSQL next to the plain ones (own ports and directories,
# so the plain infrastructure keeps running), with certificates made here by openssl.
# See docs/security.md (TLS) and tests/e2e/test_tls.py.
#
# Usage: scripts/infra/tls.sh {up|down|status|certs|env|purge}
#   certs   make a CA, a server certificate (localhost, 127.0.0.1) and a client certificate
#           under $SHOPFLOW_INFRA_DIR/tls/certs (once)
#   up      certs, then Kafka with an SSL listener only and PostgreSQL accepting TLS only
#   down    stop both;  status  one line each;  purge  down + delete their data and certs
#   env     print the SHOPFLOW_* settings a client needs to use them
#
# Environment: SHOPFLOW_TLS_KAFKA_PORT (19092), SHOPFLOW_TLS_KAFKA_CONTROLLER_PORT (19093),
#   SHOPFLOW_TLS_PG_PORT (15432), SHOPFLOW_INFRA_DIR (the plain infra's state dir).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
COMPONENT=tls
# shellcheck source=scripts/infra/common.sh
source "$HERE/common.sh"

TLS_DIR="$INFRA_DIR/tls"
CERTS="$TLS_DIR/certs"
TLS_KAFKA_PORT="${SHOPFLOW_TLS_KAFKA_PORT:-19092}"
TLS_CONTROLLER_PORT="${SHOPFLOW_TLS_KAFKA_CONTROLLER_PORT:-19093}"
TLS_PG_PORT="${SHOPFLOW_TLS_PG_PORT:-15432}"

# Signs a key's request with the CA. Usage: sign <name> <subject> <extensions>
sign() {
    openssl req -new -newkey rsa:2048 -nodes -keyout "$CERTS/$1.key" -out "$CERTS/$1.csr" \
        -subj "$2" 2>/dev/null
    openssl x509 -req -in "$CERTS/$1.csr" -CA "$CERTS/ca.crt" -CAkey "$CERTS/ca.key" \
        -CAcreateserial -out "$CERTS/$1.crt" -days 825 -sha256 \
        -extfile <(printf '%b' "$3") 2>/dev/null
    rm -f "$CERTS/$1.csr"
}

cmd_certs() {
    [ -s "$CERTS/kafka-keystore.pem" ] && return 0
    command -v openssl >/dev/null 2>&1 || apt_install openssl
    mkdir -p "$CERTS"
    chmod 755 "$TLS_DIR" "$CERTS"
    log "making a CA and certificates in $CERTS"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$CERTS/ca.key" -out "$CERTS/ca.crt" \
        -days 3650 -sha256 -subj "/CN=ShopFlow local test CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    sign server "/CN=localhost" "subjectAltName=DNS:localhost,IP:127.0.0.1\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth"
    sign client "/CN=shopflow-client" "keyUsage=digitalSignature\nextendedKeyUsage=clientAuth"
    # Kafka reads a PEM keystore: the PKCS#8 key, then the certificate chain.
    cat "$CERTS/server.key" "$CERTS/server.crt" "$CERTS/ca.crt" >"$CERTS/kafka-keystore.pem"
    chmod 600 "$CERTS"/*.key "$CERTS/kafka-keystore.pem"
    chmod 644 "$CERTS"/*.crt
}

# Runs kafka.sh / postgres.sh on the TLS ports and state directory.
tls_kafka() {
    mkdir -p "$TLS_DIR/kafka"
    # The jars the plain broker resolved serve this one too (no second Maven resolution).
    if [ -d "$INFRA_DIR/kafka/libs" ] && [ ! -e "$TLS_DIR/kafka/libs" ]; then
        ln -s "$INFRA_DIR/kafka/libs" "$TLS_DIR/kafka/libs"
    fi
    SHOPFLOW_INFRA_DIR="$TLS_DIR" SHOPFLOW_KAFKA_PORT="$TLS_KAFKA_PORT" \
        SHOPFLOW_KAFKA_CONTROLLER_PORT="$TLS_CONTROLLER_PORT" SHOPFLOW_KAFKA_SSL_DIR="$CERTS" \
        SHOPFLOW_KAFKA_HEAP_OPTS="${SHOPFLOW_KAFKA_HEAP_OPTS:--Xmx384m -Xms128m}" \
        "$HERE/kafka.sh" "$@"
}

tls_postgres() {
    SHOPFLOW_INFRA_DIR="$TLS_DIR" SHOPFLOW_PG_PORT="$TLS_PG_PORT" SHOPFLOW_PG_SSL_DIR="$CERTS" \
        "$HERE/postgres.sh" "$@"
}

cmd_env() {
    cat <<EOF
SHOPFLOW_KAFKA_BOOTSTRAP=127.0.0.1:$TLS_KAFKA_PORT
SHOPFLOW_KAFKA_SECURITY_PROTOCOL=SSL
SHOPFLOW_KAFKA_SSL_CA_LOCATION=$CERTS/ca.crt
SHOPFLOW_KAFKA_SSL_CERTIFICATE_LOCATION=$CERTS/client.crt
SHOPFLOW_KAFKA_SSL_KEY_LOCATION=$CERTS/client.key
SHOPFLOW_DATABASE_URL=postgresql://shopflow@127.0.0.1:$TLS_PG_PORT/shopflow?sslmode=verify-full&sslrootcert=$CERTS/ca.crt
EOF
}

case "${1:-}" in
    certs) cmd_certs ;;
    up)
        cmd_certs
        "$HERE/kafka.sh" prereqs
        "$HERE/postgres.sh" prereqs
        rc=0
        tls_kafka up & kpid=$!
        tls_postgres up & ppid=$!
        wait "$kpid" || rc=1
        wait "$ppid" || rc=1
        [ "$rc" -eq 0 ] || die "TLS infrastructure did not come up (see above)"
        log "Kafka SSL on 127.0.0.1:$TLS_KAFKA_PORT, PostgreSQL (TLS only) on 127.0.0.1:$TLS_PG_PORT; settings: $0 env"
        ;;
    down)
        rc=0
        tls_kafka down || rc=1
        tls_postgres down || rc=1
        exit "$rc"
        ;;
    status)
        rc=0
        tls_kafka status || rc=3
        tls_postgres status || rc=3
        exit "$rc"
        ;;
    env) cmd_env ;;
    purge)
        tls_kafka purge
        tls_postgres purge
        rm -rf "$CERTS"
        ;;
    *)
        echo "usage: $0 {up|down|status|certs|env|purge}" >&2
        exit 2
        ;;
esac
