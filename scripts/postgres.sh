#!/usr/bin/env bash
# Starts this machine's PostgreSQL (installing it through apt if missing) and makes the role and the
# databases pinggu uses: `pinggu` for the product, `prefect` for the Prefect server. Idempotent.
# Prints the two URLs to export. The role's password is for a local machine only: on a server, make
# the role yourself and put its own password in PINGGU_DATABASE_URL.
set -euo pipefail
role="${PINGGU_PG_ROLE:-pinggu}"
password="${PINGGU_PG_PASSWORD:-pinggu}"
port="${PINGGU_PG_PORT:-5432}"
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"

if ! command -v pg_ctlcluster >/dev/null || ! ls -d /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "[postgres] 安装 PostgreSQL" >&2
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
version="$(ls /etc/postgresql | sort -n | tail -1)"
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
    echo "[postgres] 启动 PostgreSQL $version" >&2
    $sudo_cmd pg_ctlcluster "$version" main start
fi
for _ in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$port" || { echo "[postgres] PostgreSQL 未能启动，请查看 /var/log/postgresql/" >&2; exit 1; }

as_postgres() { $sudo_cmd su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -qtAX $*"; }
if [ "$(as_postgres "-c \"select 1 from pg_roles where rolname = '$role'\"")" != "1" ]; then
    as_postgres "-c \"create role $role login createdb password '$password'\"" >/dev/null
fi
for database in pinggu prefect; do
    if [ "$(as_postgres "-c \"select 1 from pg_database where datname = '$database'\"")" != "1" ]; then
        as_postgres "-c \"create database $database owner $role\"" >/dev/null
    fi
done
echo "PINGGU_DATABASE_URL=postgresql+psycopg://$role:$password@127.0.0.1:$port/pinggu"
echo "PREFECT_SERVER_DATABASE_CONNECTION_URL=postgresql+asyncpg://$role:$password@127.0.0.1:$port/prefect"
