#!/usr/bin/env bash
# Snapshot read speed against the COPY ceiling, on one throwaway PG 15 cluster (the harness's pg.sh):
# a ROWS-row table `(id bigint, a int, b text, c timestamptz)` (default 1,000,000) read by
#   - `psql -c "COPY (SELECT …) TO STDOUT" > /dev/null` (text) and the same `(FORMAT binary)`:
#     the ceiling — the server's work and the transfer, no parsing, no conversion;
#   - `pgcdc stream --snapshot initial-only > /dev/null` with --snapshot-jobs 1, 2 and 4 (typed
#     JSON lines, defaults otherwise);
# REPS runs each (default 5), interleaved; prints min/median/max wall seconds, the median against
# the text COPY, peak RSS; then the same pgcdc run on a table of ROWS/4 rows (RSS flat in size).
# With PGCDC_BASELINE=/path/to/pgcdc (an older build), its 1-job runs are measured in the same rounds.
# With --callgrind (needs valgrind), it then counts the instructions per row of the whole pgcdc process
# reading ROWS/10 rows (valgrind 3.19 cannot read Swift's debug information: a copy without it is run).
#
#   Benchmarks/snapshot.sh [ROWS] [REPS] [--callgrind]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
reps=${2:-5}
source Benchmarks/lib.sh
start_postgres
trap 'stop_postgres' EXIT
psql -c "CREATE TABLE big (id bigint PRIMARY KEY, a int, b text, c timestamptz)"
psql -c "INSERT INTO big SELECT g, g % 1000, md5(g::text), now() FROM generate_series(1, $rows) g"
psql -c "CREATE TABLE quarter AS SELECT * FROM big WHERE id <= $rows / 4"
psql -c "CREATE TABLE tenth AS SELECT * FROM big WHERE id <= $rows / 10" -c "ALTER TABLE tenth ADD PRIMARY KEY (id)"
psql -c "CREATE PUBLICATION pubt FOR TABLE tenth"
psql -c "ALTER TABLE quarter ADD PRIMARY KEY (id)"
psql -c "VACUUM ANALYZE big" -c "VACUUM ANALYZE quarter"
psql -c "CREATE PUBLICATION pub FOR TABLE big" -c "CREATE PUBLICATION pubq FOR TABLE quarter"
work=$(mktemp -d)

# run NAME COMMAND…: wall seconds and peak RSS (KiB) of one run, appended to $work/NAME.
run() {
  local name=$1
  shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  cat "$work/time" >> "$work/$name"
}

for _ in $(seq 1 "$reps"); do
  run copy_text "$pg_bin/psql" -X "$DSN" -c "COPY (SELECT id, a, b, c FROM big) TO STDOUT"
  run copy_binary "$pg_bin/psql" -X "$DSN" -c "COPY (SELECT id, a, b, c FROM big) TO STDOUT (FORMAT binary)"
  for jobs in 1 2 4; do
    run "pgcdc_jobs$jobs" "$bin" stream --dsn "$DSN" --slot snap --publication pub --create-slot --snapshot initial-only --snapshot-jobs "$jobs"
  done
  if [ -n "${PGCDC_BASELINE:-}" ]; then
    run baseline_jobs1 "$PGCDC_BASELINE" stream --dsn "$DSN" --slot snap --publication pub --create-slot --snapshot initial-only
    run baseline_quarter "$PGCDC_BASELINE" stream --dsn "$DSN" --slot snap --publication pubq --create-slot --snapshot initial-only
  fi
  run pgcdc_quarter "$bin" stream --dsn "$DSN" --slot snap --publication pubq --create-slot --snapshot initial-only
done

ceiling=$(sort -n "$work/copy_text" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "## Snapshot of $rows rows (pgcdc $(git rev-parse --short HEAD), $(nproc) cores, $reps runs, PostgreSQL $(psql -c 'SHOW server_version'))"
echo "| reader | rows | wall s min | median | max | median vs text COPY | peak RSS MiB (max) |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
names="copy_text copy_binary pgcdc_jobs1 pgcdc_jobs2 pgcdc_jobs4 pgcdc_quarter"
[ -n "${PGCDC_BASELINE:-}" ] && names="$names baseline_jobs1 baseline_quarter"
for name in $names; do
  count=$rows
  case $name in *quarter) count=$((rows / 4)) ;; esac
  sort -n "$work/$name" | awk -v name="$name" -v rows="$count" -v ceiling="$ceiling" '
    { wall[NR] = $1; if ($2 > rss) rss = $2 }
    END { printf "| %s | %d | %.2f | %.2f | %.2f | %.2f× | %.0f |\n", name, rows, wall[1], wall[int((NR + 1) / 2)], wall[NR],
          wall[int((NR + 1) / 2)] / ceiling, rss / 1024 }'
done
if [ "${3:-}" = --callgrind ]; then
  objcopy --strip-debug "$bin" "$work/pgcdc"
  names="$work/pgcdc"
  [ -n "${PGCDC_BASELINE:-}" ] && objcopy --strip-debug "$PGCDC_BASELINE" "$work/baseline" && names="$names $work/baseline"
  echo
  echo "| build | instructions per row ($((rows / 10)) rows, whole process) |"
  echo "| --- | --- |"
  for build in $names; do
    total=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$build" stream --dsn "$DSN" --slot snap --publication pubt \
      --create-slot --snapshot initial-only 2>&1 > /dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    echo "| $(basename "$build") | $((total / (rows / 10))) |"
  done
fi
rm -rf "$work"
