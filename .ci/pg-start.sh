#!/usr/bin/env bash
# Start a throw-away PostgreSQL from Debian's packages on 127.0.0.1 for the store tests.
# Run as root on a fresh machine (CI). Prints the SQLAlchemy URL to export as GOVFACTS_TEST_PG:
#   export GOVFACTS_TEST_PG="$(bash .ci/pg-start.sh | tail -n 1)"
# Environment: PGPORT_TEST (default 5433), PGDATA_TEST (default /tmp/govfacts-pgdata).
set -euo pipefail
PORT="${PGPORT_TEST:-5433}"
DATA="${PGDATA_TEST:-/tmp/govfacts-pgdata}"
DB=govfacts_test
USER_NAME=govfacts
PASSWORD=govfacts

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
BIN="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")"

# initdb refuses to run as root: the data directory belongs to the postgres user.
if [ ! -f "$DATA/PG_VERSION" ]; then
  rm -rf "$DATA"
  install -d -o postgres -g postgres -m 700 "$DATA"
  su postgres -c "$BIN/initdb -D '$DATA' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >&2
fi
if ! su postgres -c "$BIN/pg_ctl -D '$DATA' status" >/dev/null 2>&1; then
  su postgres -c "$BIN/pg_ctl -D '$DATA' -o \"-p $PORT -k /tmp -c listen_addresses=127.0.0.1\" -l '$DATA/server.log' -w start" >&2
fi

PSQL=("$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
if [ "$("${PSQL[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = '$USER_NAME'")" != "1" ]; then
  "${PSQL[@]}" -c "CREATE ROLE $USER_NAME LOGIN PASSWORD '$PASSWORD'" >&2
fi
if [ "$("${PSQL[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != "1" ]; then
  "${PSQL[@]}" -c "CREATE DATABASE $DB OWNER $USER_NAME ENCODING 'UTF8' TEMPLATE template0" >&2
fi
echo "postgresql+psycopg://$USER_NAME:$PASSWORD@127.0.0.1:$PORT/$DB"
