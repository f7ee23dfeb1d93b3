# Sourced by the benchmark scripts (from the repository root): the release CLI and a throwaway
# PostgreSQL from the shared harness's pg.sh (../shared/bench, or $BENCH_HARNESS; binaries from
# $PG_BIN, default Debian's PostgreSQL 15). Sets harness, pg_bin and bin ($PGCDC_BIN, or the release
# build of this tree); start_postgres sets DSN and PGCDC_PGDIR (pg.sh's exports), stop_postgres
# removes the cluster; psql runs SQL on it.
harness=${BENCH_HARNESS:-../shared/bench}
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [ -n "${PGCDC_BIN:-}" ]; then
  bin=$PGCDC_BIN # another build, to compare (an older commit's release binary)
else
  swift build -c release --product pgcdc >&2
  bin="$(swift build -c release --show-bin-path)/pgcdc"
fi

start_postgres() { eval "$(PG_BIN=$pg_bin "$harness/pg.sh" start)"; }
stop_postgres() { PG_BIN=$pg_bin "$harness/pg.sh" stop "$PGCDC_PGDIR" >/dev/null 2>&1 || true; }
psql() { "$pg_bin/psql" -X -q -At "$DSN" "$@"; }
