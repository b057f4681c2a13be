# shellcheck shell=bash
# A throwaway PostgreSQL for the plan-register tests, sourced by .ci/run:
#   source .ci/postgres.sh && estate_pg_start
# Installs Debian's postgresql when no initdb is found, initialises a cluster in
# a temporary folder (as the postgres user when run as root: PostgreSQL refuses
# root), starts it on 127.0.0.1 on a free port, exports ESTATE_TEST_PG_URL and
# stops it and removes the folder when the shell exits. Without binaries it
# warns and returns 0: the PostgreSQL tests then skip, saying why.

estate_pg_bindir() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -n "$found" ] && [ -x "$found/initdb" ]; then echo "$found"; return 0; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v initdb)")"; return 0; fi
  return 1
}

estate_pg_stop() {
  if [ -n "${ESTATE_PG_DIR:-}" ] && [ -d "$ESTATE_PG_DIR/data" ]; then
    ${ESTATE_PG_AS:-} "$ESTATE_PG_BIN/pg_ctl" -D "$ESTATE_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$ESTATE_PG_DIR"
  fi
}

estate_pg_start() {
  if [ -n "${ESTATE_TEST_PG_URL:-}" ]; then return 0; fi
  if ! ESTATE_PG_BIN=$(estate_pg_bindir); then
    (apt-get update && apt-get install -y postgresql) >/tmp/estate-ci-pg-apt.log 2>&1 \
      || { echo "warning: could not install postgresql; the PostgreSQL register tests will skip"; return 0; }
    ESTATE_PG_BIN=$(estate_pg_bindir) || { echo "warning: no initdb after installing postgresql"; return 0; }
  fi
  ESTATE_PG_DIR=$(mktemp -d /tmp/estate-pg.XXXXXX)
  ESTATE_PG_AS=""
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$ESTATE_PG_DIR"
    ESTATE_PG_AS="runuser -u postgres --"
  fi
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  $ESTATE_PG_AS "$ESTATE_PG_BIN/initdb" -D "$ESTATE_PG_DIR/data" -U estate --auth=trust -E UTF8 \
    >"$ESTATE_PG_DIR/initdb.log" 2>&1 || { echo "warning: initdb failed"; tail -5 "$ESTATE_PG_DIR/initdb.log"; return 0; }
  trap estate_pg_stop EXIT
  $ESTATE_PG_AS "$ESTATE_PG_BIN/pg_ctl" -D "$ESTATE_PG_DIR/data" -l "$ESTATE_PG_DIR/server.log" -w \
    -o "-h 127.0.0.1 -p $port -k $ESTATE_PG_DIR" start >/dev/null \
    || { echo "warning: PostgreSQL did not start"; tail -5 "$ESTATE_PG_DIR/server.log"; return 0; }
  $ESTATE_PG_AS "$ESTATE_PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U estate estate_test
  export ESTATE_TEST_PG_URL="postgresql://estate@127.0.0.1:$port/estate_test"
  echo "PostgreSQL for the register tests: $ESTATE_TEST_PG_URL"
}
