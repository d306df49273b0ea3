#!/usr/bin/env bash
# Make a local PostgreSQL server ready for the tests and print its SQLAlchemy URL on stdout.
#
# Idempotent: installs Debian's postgresql package if missing, starts the cluster if it is
# stopped, creates the test role and database if missing. Safe to run before every `make test`.
# Everything it says besides the URL goes to stderr, so `URL=$(scripts/ensure_postgres.sh)` works.
set -euo pipefail

PG_USER="${ARMSTRACK_PG_USER:-armstrack}"
PG_PASSWORD="${ARMSTRACK_PG_PASSWORD:-armstrack}"
PG_DB="${ARMSTRACK_PG_DB:-armstrack_test}"
PG_HOST=127.0.0.1
READY_WAIT_SECONDS=30

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}
as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v pg_lsclusters >/dev/null 2>&1; then
    echo "ensure_postgres: installing Debian's postgresql package" >&2
    as_root apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >&2
fi

# The first cluster Debian made (e.g. "15 main"); create one if the package left none.
read -r version cluster port status _ < <(pg_lsclusters --no-header | head -n1) || true
if [ -z "${version:-}" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -n1)
    cluster=main
    as_root pg_createcluster "$version" "$cluster" >&2
    read -r version cluster port status _ < <(pg_lsclusters --no-header | head -n1)
fi
if [ "$status" != online ]; then
    echo "ensure_postgres: starting PostgreSQL $version/$cluster" >&2
    as_root pg_ctlcluster "$version" "$cluster" start >&2
fi
for _ in $(seq "$READY_WAIT_SECONDS"); do
    pg_isready -q -h "$PG_HOST" -p "$port" && break
    sleep 1
done
pg_isready -q -h "$PG_HOST" -p "$port"

psql_admin() { (cd / && as_postgres psql -p "$port" -v ON_ERROR_STOP=1 -qtA "$@"); }
if [ -z "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'")" ]; then
    psql_admin -c "CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD'" >&2
fi
if [ -z "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" ]; then
    psql_admin -c "CREATE DATABASE $PG_DB OWNER $PG_USER" >&2
fi

echo "postgresql+psycopg://$PG_USER:$PG_PASSWORD@$PG_HOST:$port/$PG_DB"
