#!/usr/bin/env bash
# Backfill speed and its cost to the live stream, on one throwaway PG 15 cluster:
#   1. the initial snapshot of a ROWS-row table `(id bigint, a int, b text, c timestamptz)` to
#      /dev/null (`--snapshot initial-only`), and a backfill of the same table while streaming
#      (`pgcdc backfill`, request to backfill_completed line): rows/s of each, REPS runs;
#   2. commit → line latency of single-row transactions at RATE tx/s for SECONDS (pgbench), with
#      no backfill and with a backfill of the big table started 2 s in (p50, p99, max).
#
#   Benchmarks/backfill.sh [ROWS] [RATE] [SECONDS] [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
rate=${2:-1000}
seconds=${3:-20}
reps=${4:-3}
source Benchmarks/lib.sh
start_postgres
trap 'pkill -f "pgcdc stream --dsn $DSN" 2>/dev/null || true; stop_postgres' EXIT
now() { date +%s.%N; }
psql -c "CREATE TABLE big (id bigint PRIMARY KEY, a int, b text, c timestamptz)"
psql -c "INSERT INTO big SELECT g, g % 1000, md5(g::text), now() FROM generate_series(1, $rows) g"
psql -c "ANALYZE big"
psql -c "CREATE TABLE lat (id bigserial PRIMARY KEY, v int)"
psql -c "CREATE PUBLICATION pub FOR TABLE big, lat"
work=$(mktemp -d)

echo "## Reading $rows rows: initial snapshot vs backfill (pgcdc $(git rev-parse --short HEAD), $(nproc) cores)"
echo "| run | snapshot s | snapshot rows/s | backfill s | backfill rows/s |"
echo "| --- | --- | --- | --- | --- |"
for rep in $(seq 1 "$reps"); do
  start=$(now)
  "$bin" stream --dsn "$DSN" --slot "snap$rep" --publication pub --create-slot --snapshot initial-only > /dev/null 2>"$work/snap.err"
  snapshot=$(echo "$(now) - $start" | bc)
  psql -c "SELECT pg_create_logical_replication_slot('bf$rep', 'pgoutput')" > /dev/null
  mkfifo "$work/out$rep"
  "$bin" stream --dsn "$DSN" --slot "bf$rep" --publication pub > "$work/out$rep" 2>"$work/bf.err" &
  grep -m1 -q '"op":"backfill_completed"' "$work/out$rep" > /dev/null &
  waiter=$!
  sleep 0.5
  start=$(now)
  "$bin" backfill --dsn "$DSN" --slot "bf$rep" --table big > /dev/null 2>&1
  wait "$waiter"
  backfill=$(echo "$(now) - $start" | bc)
  pkill -TERM -f "slot bf$rep " || true
  wait || true
  psql -c "SELECT pg_drop_replication_slot('bf$rep')" > /dev/null
  printf '| %d | %.2f | %.0f | %.2f | %.0f |\n' "$rep" "$snapshot" "$(echo "$rows / $snapshot" | bc -l)" "$backfill" "$(echo "$rows / $backfill" | bc -l)"
done

latency() { # $1: without a backfill (0), with one (1, 2, …) at --backfill-rate $2 (optional) in chunks of $3 rows (optional)
  psql -c "SELECT pg_create_logical_replication_slot('lat$1', 'pgoutput')" > /dev/null
  local before
  before=$(psql -c "SELECT count(*) FROM lat")
  echo "INSERT INTO lat (v) VALUES (1);" > "$work/insert.sql"
  "$bin" stream --dsn "$DSN" --slot "lat$1" --publication pub ${2:+--backfill-rate $2} 2>"$work/lat.err" | python3 -c '
import sys, time, json, datetime
lat = []
for line in sys.stdin:
    now = time.time()
    if not line.startswith("{\"op\":\"insert\""): continue
    event = json.loads(line)
    t = datetime.datetime.strptime(event["commit_time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()
    lat.append((now - t) * 1000)
lat.sort()
def q(p): return lat[min(len(lat) - 1, int(p * len(lat)))]
print(f"| {len(lat)} | {q(0.5):.2f} | {q(0.99):.2f} | {lat[-1]:.2f} |", end="")
' > "$work/result$1" &
  reader=$!
  sleep 1
  if [ "$1" != 0 ]; then (sleep 2; "$bin" backfill --dsn "$DSN" --slot "lat$1" --table big ${3:+--chunk-size $3} > /dev/null 2>&1) & fi
  PGOPTIONS="-c synchronous_commit=on" "$pg_bin/pgbench" -n -f "$work/insert.sql" -R "$rate" -T "$seconds" -c 4 -j 2 "$DSN" > "$work/pgbench.out" 2>&1
  sleep 2
  pkill -TERM -f "slot lat$1 " || true
  wait "$reader" || true
  echo "$(( $(psql -c "SELECT count(*) FROM lat") - before )) $(cat "$work/result$1") $(grep -c 'backfill completed' "$work/lat.err" || true) |"
}
echo
echo "## Live stream latency at $rate tx/s for $seconds s (commit → line, ms)"
echo "| backfill of big | committed | lines | p50 | p99 | max | backfill completed |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
echo "| none | $(latency 0)"
echo "| $rows rows from 2 s | $(latency 1)"
echo "| $rows rows from 2 s, --backfill-rate 100000 | $(latency 2 100000)"
echo "| $rows rows from 2 s, --backfill-rate 100000, --chunk-size 500 | $(latency 3 100000 500)"
rm -rf "$work"
