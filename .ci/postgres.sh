# Sourced by .ci/run (bash, `set -euo pipefail`, as root) on a fresh Debian machine with the
# `postgresql` package installed: starts a throwaway cluster on loopback, owned by `postgres`,
# with trust auth, and exports RECOMMENDER_TEST_PG_URL so the feedback tests prove PostgreSQL too.
# Sourcing it again (in this shell or a new one) reuses that server while it still answers: its
# address is kept in $_pg_state, so repeated test runs do not pile up servers.

_pg_state="${TMPDIR:-/tmp}/recommender-test-pg.env"

_pg_ready() {
  [[ -n "${RECOMMENDER_TEST_PG_PORT:-}" ]] &&
    "$_pg_bin/pg_isready" -q -h 127.0.0.1 -p "$RECOMMENDER_TEST_PG_PORT" -t 2
}

_pg_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

_pg_start() {
  local data_dir port db=recommender_test
  data_dir="$(mktemp -d -t recommender-pg.XXXXXX)"
  chown postgres:postgres "$data_dir"
  port="$(_pg_free_port)"
  # --no-sync and fsync=off: a throwaway test cluster need not survive a power cut.
  runuser -u postgres -- "$_pg_bin/initdb" -D "$data_dir/data" -U postgres -A trust \
    -E UTF8 --no-sync >"$data_dir/initdb.log" 2>&1
  runuser -u postgres -- "$_pg_bin/pg_ctl" -D "$data_dir/data" -l "$data_dir/server.log" \
    -w -t 30 -o "-c listen_addresses=127.0.0.1 -p $port -k $data_dir -c fsync=off" \
    start >/dev/null {_pg_lock}>&- # the server must not inherit (and hold) the lock
  runuser -u postgres -- "$_pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db"
  export RECOMMENDER_TEST_PG_DIR="$data_dir"
  export RECOMMENDER_TEST_PG_PORT="$port"
  export RECOMMENDER_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/$db"
  printf 'export %s=%q\n' \
    RECOMMENDER_TEST_PG_DIR "$data_dir" \
    RECOMMENDER_TEST_PG_PORT "$port" \
    RECOMMENDER_TEST_PG_URL "$RECOMMENDER_TEST_PG_URL" >"$_pg_state"
}

_pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [[ -z "$_pg_bin" ]]; then
  echo "postgres.sh: no PostgreSQL under /usr/lib/postgresql; PostgreSQL tests will be skipped" >&2
else
  # One shell at a time decides whether to start a server, so two test runs never race.
  exec {_pg_lock}>"$_pg_state.lock"
  flock "$_pg_lock"
  if ! _pg_ready && [[ -f "$_pg_state" ]]; then
    source "$_pg_state"
  fi
  if ! _pg_ready; then
    _pg_start
  fi
  exec {_pg_lock}>&-
fi
