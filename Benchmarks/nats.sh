#!/usr/bin/env bash
# Into NATS JetStream against stdout, on the same backlog: EVENTS inserts in 1,000-row transactions
# (default 200,000) on a throwaway PG 15 cluster (the harness's pg.sh, Benchmarks/lib.sh), drained from a
# copy of one unconsumed slot each run
# (pg_copy_logical_replication_slot), REPS runs each (default 3), interleaved:
#   - stdout: `pgcdc stream ... > /dev/null`;
#   - nats: `--sink nats://…` into one `nats-server -js` (file storage, a fresh stream per run);
#   - cluster: `--sink nats://a,b,c --nats-replicas 3` into three nats-server processes with routes
#     (a JetStream cluster on loopback, file storage, a fresh stream per run).
# Prints min/median/max wall seconds, events/s at the median, the median against stdout, pgcdc's
# CPU (user+sys) and the nats-servers' CPU, both medians. With PGCDC_BASELINE=/path/to/pgcdc (an
# older build), its nats and cluster runs are measured in the same rounds, as `… (baseline)`.
# Needs nats-server (NATS_SERVER=/path picks one; default: the PATH's), python3 (free ports) and curl (the cluster's
# monitoring endpoint).
#
#   Benchmarks/nats.sh [EVENTS] [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-200000}
reps=${2:-3}
source Benchmarks/lib.sh
nats_bin=${NATS_SERVER:-$(command -v nats-server || echo /usr/sbin/nats-server)}
baseline=${PGCDC_BASELINE:-}
current=$bin
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat"; } # clock ticks, user + system
start_postgres
nats_pids=()
cleanup() {
  for pid in "${nats_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  stop_postgres
  rm -rf "$work"
}
trap cleanup EXIT

psql -c "CREATE TABLE ev (id bigserial PRIMARY KEY, a int, b text)" -c "CREATE PUBLICATION pub FOR TABLE ev"
psql -c "SELECT 1 FROM pg_create_logical_replication_slot('template', 'pgoutput')" > /dev/null
for _ in $(seq 1 $((events / 1000))); do echo "INSERT INTO ev (a, b) SELECT g, md5(g::text) FROM generate_series(1, 1000) g;"; done \
  | "$pg_bin/psql" -X -q "$DSN"
end=$(psql -c "SELECT pg_current_wal_insert_lsn()")

# One nats-server on a free port; three with routes for the cluster.
single_port=$(free_port)
mkdir -p "$work/single"
"$nats_bin" -js -a 127.0.0.1 -p "$single_port" -sd "$work/single" > "$work/single.log" 2>&1 &
nats_pids+=($!)
single_pids=("$!")
cluster_ports=()
route_ports=()
monitor_ports=()
for i in 1 2 3; do cluster_ports+=("$(free_port)"); route_ports+=("$(free_port)"); monitor_ports+=("$(free_port)"); done
routes=$(printf 'nats://127.0.0.1:%s,' "${route_ports[@]}")
cluster_pids=()
for i in 0 1 2; do
  mkdir -p "$work/node$i"
  "$nats_bin" -js -a 127.0.0.1 -p "${cluster_ports[$i]}" -m "${monitor_ports[$i]}" -sd "$work/node$i" -n "node$i" \
    --cluster_name bench --cluster "nats://127.0.0.1:${route_ports[$i]}" --routes "${routes%,}" > "$work/node$i.log" 2>&1 &
  nats_pids+=($!)
  cluster_pids+=($!)
done
cluster_urls=$(printf 'nats://127.0.0.1:%s,' "${cluster_ports[@]}")
cluster_urls=${cluster_urls%,}
# A stream can be created once the cluster elected its meta leader (and the single server listens).
for _ in $(seq 1 300); do
  leader=$(curl -s "http://127.0.0.1:${monitor_ports[0]}/jsz" | python3 -c \
    'import json, sys; print((json.load(sys.stdin).get("meta_cluster") or {}).get("leader", ""))' 2> /dev/null || true)
  [ -n "$leader" ] && (echo > "/dev/tcp/127.0.0.1/$single_port") 2> /dev/null && break
  sleep 0.1
done
[ -n "$leader" ] || { echo "the JetStream cluster elected no meta leader" >&2; cat "$work/node0.log" >&2; exit 1; }

run=0
# measure NAME PIDS… -- pgcdc arguments: wall s, pgcdc CPU s, servers' CPU s, appended to $work/NAME.
measure() {
  local name=$1
  shift
  local pids=()
  while [ "$1" != -- ]; do pids+=("$1"); shift; done
  shift
  run=$((run + 1))
  psql -c "SELECT 1 FROM pg_copy_logical_replication_slot('template', 'run$run')" > /dev/null
  local before=0 after=0
  for pid in "${pids[@]}"; do before=$((before + $(cpu_of "$pid"))); done
  /usr/bin/time -f "%e %U %S" -o "$work/time" env -u PGCDC_PGBIN -u PGCDC_PGDIR -u PGCDC_PGVERSION -u PGCDC_POSTMASTER_PID \
    "$current" stream --dsn "$DSN" --slot "run$run" --publication pub --end-lsn "$end" "$@" \
    > /dev/null 2> "$work/err" || { cat "$work/err" >&2; exit 1; }
  for pid in "${pids[@]}"; do after=$((after + $(cpu_of "$pid"))); done
  grep -q "events=$events " "$work/err" || { echo "$name: not $events events" >&2; cat "$work/err" >&2; exit 1; }
  psql -c "SELECT pg_drop_replication_slot('run$run')" > /dev/null
  awk -v servers="$((after - before))" -v hz="$(getconf CLK_TCK)" '{ printf "%s %.2f %.2f\n", $1, $2 + $3, servers / hz }' \
    "$work/time" >> "$work/$name"
}

for rep in $(seq 1 "$reps"); do
  measure stdout --
  measure nats "${single_pids[@]}" -- --sink "nats://127.0.0.1:$single_port" --nats-stream "S$rep" --nats-create-stream \
    --nats-subject "s$rep.{schema}.{table}"
  measure cluster "${cluster_pids[@]}" -- --sink "$cluster_urls" --nats-stream "C$rep" --nats-create-stream --nats-replicas 3 \
    --nats-subject "c$rep.{schema}.{table}"
  [ -n "$baseline" ] || continue
  current=$baseline
  measure "nats (baseline)" "${single_pids[@]}" -- --sink "nats://127.0.0.1:$single_port" --nats-stream "SB$rep" \
    --nats-create-stream --nats-subject "sb$rep.{schema}.{table}"
  # A baseline may lack --nats-replicas: the current build creates its stream (and streams nothing).
  psql -c "SELECT 1 FROM pg_copy_logical_replication_slot('template', 'create$rep')" > /dev/null
  "$bin" stream --dsn "$DSN" --slot "create$rep" --publication pub --end-lsn 0/1 --sink "$cluster_urls" --nats-stream "CB$rep" \
    --nats-create-stream --nats-replicas 3 --nats-subject "cb$rep.{schema}.{table}" > /dev/null 2>&1
  psql -c "SELECT pg_drop_replication_slot('create$rep')" > /dev/null
  measure "cluster (baseline)" "${cluster_pids[@]}" -- --sink "$cluster_urls" --nats-stream "CB$rep" \
    --nats-subject "cb$rep.{schema}.{table}"
  current=$bin
done

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
ceiling=$(cut -d' ' -f1 "$work/stdout" | median)
echo "## $events events into NATS JetStream (pgcdc $(git rev-parse --short HEAD), $(nproc) cores, $reps runs, $("$nats_bin" --version))"
echo "| sink | wall s min | median | max | events/s (median) | vs stdout | pgcdc CPU s | nats-server CPU s |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
names=(stdout nats cluster)
[ -z "$baseline" ] || names+=("nats (baseline)" "cluster (baseline)")
for name in "${names[@]}"; do
  wall=$(cut -d' ' -f1 "$work/$name" | sort -n)
  middle=$(echo "$wall" | median)
  rate=$(echo "$events / $middle" | bc -l)
  ratio=$(echo "$ceiling / $middle" | bc -l)
  pgcdc_cpu=$(cut -d' ' -f2 "$work/$name" | median)
  server_cpu=$(cut -d' ' -f3 "$work/$name" | median)
  printf '| %s | %s | %s | %s | %.0f | %.2f× | %s | %s |\n' "$name" "$(echo "$wall" | head -1)" "$middle" "$(echo "$wall" | tail -1)" \
    "$rate" "$ratio" "$pgcdc_cpu" "$server_cpu"
done
