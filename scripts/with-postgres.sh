#!/usr/bin/env bash
# Runs COMMAND with a throwaway PostgreSQL cluster: installs PostgreSQL (Debian's
# `postgresql` package) if missing, starts a cluster on a free loopback port with
# its data in a temporary directory, exports SPOOL_TEST_POSTGRES_URL for the
# command, and stops the cluster and removes its data on exit, whatever happens.
#
# Usage: scripts/with-postgres.sh COMMAND [ARGUMENT...]
# The cluster runs as an unprivileged user: the current one, or when run as
# root the `postgres` user (or `nobody`), since PostgreSQL refuses to run as root.
set -euo pipefail

if [ $# -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGUMENT...]" >&2
    exit 2
fi

"$(dirname "$0")/install-deps.sh" postgresql

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "with-postgres: no initdb under /usr/lib/postgresql/*/bin" >&2
    exit 1
fi

run_as=()
owner=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
    owner=postgres
    id -u "$owner" >/dev/null 2>&1 || owner=nobody
    run_as=(runuser -u "$owner" --)
fi

data=$(mktemp -d /tmp/spool-postgres.XXXXXX)
chown "$owner" "$data"
chmod 700 "$data"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop() {
    "${run_as[@]}" "$bin/pg_ctl" -D "$data/cluster" -m immediate -w -t 20 stop >/dev/null 2>&1 || true
    rm -rf "$data"
}
trap stop EXIT

"${run_as[@]}" "$bin/initdb" -D "$data/cluster" -U spool --auth=trust --encoding=UTF8 --no-sync >"$data/initdb.log" 2>&1 \
    || { cat "$data/initdb.log" >&2; exit 1; }
# Throwaway data: fsync is off for speed unless SPOOL_TEST_POSTGRES_FSYNC=on (benchmarks);
# max_connections leaves room for many test stores.
"${run_as[@]}" "$bin/pg_ctl" -D "$data/cluster" -l "$data/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$data -c max_connections=400 -c fsync=${SPOOL_TEST_POSTGRES_FSYNC:-off}" \
    start >/dev/null || { cat "$data/server.log" >&2; exit 1; }

export SPOOL_TEST_POSTGRES_URL="postgres://spool@127.0.0.1:$port/postgres"
echo "with-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $data)"
# In the background, so a TERM (make test's timeout) reaches the command too and the
# cluster still stops.
"$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 143' INT TERM
wait "$child"
