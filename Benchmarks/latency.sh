#!/usr/bin/env bash
# Latency at a steady rate: pgbench commits single-row transactions at RATE per second (default
# 1000) for SECONDS (default 20) while `pgcdc stream` writes to a pipe; a reader stamps each line's
# arrival and prints commit → line latency (p50, p90, p99, max) from the line's commit_time.
#
#   Benchmarks/latency.sh [RATE] [SECONDS] [-- extra pgcdc options]
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-1000}
seconds=${2:-20}
shift $(( $# > 2 ? 2 : $# ))
[ "${1:-}" = "--" ] && shift
source Benchmarks/lib.sh
start_postgres
trap 'stop_postgres' EXIT
psql -c "CREATE TABLE lat (id bigserial PRIMARY KEY, v int, at timestamptz DEFAULT clock_timestamp())"
psql -c "CREATE PUBLICATION lat_pub FOR TABLE lat"
psql -c "SELECT pg_create_logical_replication_slot('lat_slot', 'pgoutput')" >/dev/null
work=$(mktemp -d)
echo "INSERT INTO lat (v) VALUES (1);" > "$work/insert.sql"
"$bin" stream --dsn "$DSN" --slot lat_slot --publication lat_pub "$@" \
  | python3 -c '
import sys, time, json, datetime
lat = []
for line in sys.stdin:
    now = time.time()
    event = json.loads(line)
    if event.get("op") != "insert": continue
    t = datetime.datetime.strptime(event["commit_time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()
    lat.append((now - t) * 1000)
lat.sort()
def q(p): return lat[min(len(lat) - 1, int(p * len(lat)))]
print(f"| {len(lat)} | {q(0.5):.2f} | {q(0.9):.2f} | {q(0.99):.2f} | {lat[-1]:.2f} |")
' > "$work/result" &
reader=$!
sleep 1
pgcdc_pid=$(pgrep -f "slot lat_slot" | head -1)
# synchronous_commit on for the writers: the bench cluster has it off, and then the walsender sees a
# commit only when the WAL writer flushes (every wal_writer_delay, 200 ms), which is not pgcdc's latency.
PGOPTIONS="-c synchronous_commit=on" "$pg_bin/pgbench" -n -f "$work/insert.sql" -R "$rate" -T "$seconds" -c 4 -j 2 "$DSN" > "$work/pgbench.out" 2>&1
sleep 2
kill -TERM "$pgcdc_pid" 2>/dev/null || true
wait "$reader" || true
echo "rate $rate tx/s for $seconds s ($(grep -o 'tps = [0-9.]*' "$work/pgbench.out" | head -1)), pgcdc $*"
echo "| lines | p50 ms | p90 ms | p99 ms | max ms |"
echo "| --- | --- | --- | --- | --- |"
cat "$work/result"
rm -rf "$work"
