#!/usr/bin/env bash
# Many small transactions drained from a backlog: what a checkpoint per transaction costs.
# pgbench commits N single-row transactions (default 80,000); then each pgcdc variant drains them
# from a slot of its own (created before the writes) to /dev/null, and the wall time is printed.
#
#   Benchmarks/small-tx.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-80000}
source Benchmarks/lib.sh
start_postgres
work=$(mktemp -d /tmp/pgcdc-smalltx.XXXXXX)
trap 'stop_postgres; rm -rf "$work"' EXIT
psql -c "CREATE TABLE small (id bigserial PRIMARY KEY, v int)"
psql -c "CREATE PUBLICATION small_pub FOR TABLE small"
variants=(plain checkpoint checkpoint_interval file)
for variant in "${variants[@]}"; do
  psql -c "SELECT pg_create_logical_replication_slot('small_$variant', 'pgoutput')" >/dev/null
done
echo "INSERT INTO small (v) VALUES (1);" > "$work/insert.sql"
"$pg_bin/pgbench" -n -c 4 -j 2 -t $((count / 4)) -f "$work/insert.sql" "$DSN" >"$work/pgbench.log" 2>&1 || { cat "$work/pgbench.log" >&2; exit 1; }
end=$(psql -c "SELECT pg_current_wal_insert_lsn()")
echo "| command | wall s | transactions/s |"
echo "| --- | --- | --- |"
for variant in "${variants[@]}"; do
  args=(stream --dsn "$DSN" --slot "small_$variant" --publication small_pub --end-lsn "$end")
  case $variant in
    plain) label='`pgcdc stream …`' ;;
    checkpoint) args+=(--checkpoint "$work/cp.json"); label='`pgcdc stream … --checkpoint cp.json` (`--fsync-interval 0`)' ;;
    checkpoint_interval) args+=(--checkpoint "$work/cp1.json" --fsync-interval 1); label='`pgcdc stream … --checkpoint cp.json --fsync-interval 1`' ;;
    file) args+=(--sink "file:$work/out.jsonl"); label='`pgcdc stream … --sink file:out.jsonl`' ;;
  esac
  start=$(date +%s.%N)
  "$bin" "${args[@]}" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  finish=$(date +%s.%N)
  python3 -c "w = $finish - $start; print(f'| $label | {w:.2f} | {$count / w:,.0f} |')"
done
