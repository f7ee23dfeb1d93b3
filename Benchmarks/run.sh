#!/usr/bin/env bash
# pgcdc's benchmark: builds the release CLI and runs the shared harness (../shared/bench, or
# $BENCH_HARNESS) with pgcdc as candidates beside pg_recvlogical, wal2json and psycopg2.
#
#   Benchmarks/run.sh                 # all workloads, full size, 2 repetitions, with the peers (~5 min)
#   Benchmarks/run.sh bigtx-memory    # one 2,000,000-row transaction, streaming off and on: peak RSS
#   Benchmarks/run.sh modes           # every workload: text values, --binary, --streaming on
#   Benchmarks/run.sh -- --reps 3     # anything after -- goes to the harness
set -euo pipefail
cd "$(dirname "$0")/.."
harness=${BENCH_HARNESS:-../shared/bench}
[ -x "$harness/run.sh" ] || { echo "no benchmark harness at $harness (set BENCH_HARNESS)" >&2; exit 1; }
# Debian's PostgreSQL 15.20 names the output plugins a replication role may use (not 18.6),
# output_plugin_libraries, 'pgoutput, test_decoding' by default: wal2json has to be added.
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
if "$pg_bin/postgres" --describe-config 2>/dev/null | grep '^output_plugin_libraries' >/dev/null; then # (not grep -q: pipefail)
  export PG_EXTRA_CONF="${PG_EXTRA_CONF:+$PG_EXTRA_CONF
}output_plugin_libraries = 'pgoutput, test_decoding, wal2json'"
fi

# Output files and checkpoints of earlier runs belong to clusters that are gone: start clean.
rm -rf /tmp/pgcdc-bench/out
mkdir -p /tmp/pgcdc-bench/out
preset=${1:-all}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift

swift build -c release --product pgcdc >&2
bin="$(swift build -c release --show-bin-path)/pgcdc"
base="$bin stream --dsn \"\$DSN\" --slot \"\$SLOT\" --publication \"\$PUB\" --end-lsn \"\$ENDLSN\" --stats"

case "$preset" in
  all)
    # pgoutput_decoder (Rust, ~15x slower than the ceiling) is left out for time; add it with
    # -- --consumers pg_recvlogical_pgoutput,...,pgoutput_decoder
    exec "$harness/run.sh" --scale 1 --reps 2 \
      --consumers pg_recvlogical_pgoutput,pg_recvlogical_wal2json,psycopg2_builtin,psycopg2_pypgoutput \
      --candidate "pgcdc=$base" \
      --candidate "pgcdc_text=$base --no-binary" \
      --candidate "pgcdc_file=$base --sink file:/tmp/pgcdc-bench/out/\$SLOT.jsonl" \
      --candidate "pgcdc_checkpoint=$base --checkpoint /tmp/pgcdc-bench/out/\$SLOT.checkpoint" \
      "$@"
    ;;
  bigtx-memory)
    mkdir -p /tmp/pgcdc-bench/spill
    BENCH_BIGTX_ROWS=${BENCH_BIGTX_ROWS:-2000000} exec "$harness/run.sh" --scale 1 --reps 1 --workloads bigtx \
      --consumers pg_recvlogical_pgoutput \
      --candidate "pgcdc=$base" \
      --candidate "pgcdc_streaming=$base --streaming on --spill-dir /tmp/pgcdc-bench/spill" \
      "$@"
    ;;
  modes)
    exec "$harness/run.sh" --scale 1 --reps 1 --consumers pg_recvlogical_pgoutput \
      --candidate "pgcdc=$base" \
      --candidate "pgcdc_binary=$base --binary" \
      --candidate "pgcdc_streaming=$base --streaming on" \
      "$@"
    ;;
  *)
    echo "unknown preset $preset (all, bigtx-memory, modes)" >&2
    exit 2
    ;;
esac
