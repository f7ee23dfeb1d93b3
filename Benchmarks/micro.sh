#!/usr/bin/env bash
# The decoder + encoder micro-benchmark on the recorded streams in Benchmarks/streams (the bench's
# small and wide workloads, text and binary values; re-record with the StreamRecorder test), no
# server needed: events per second, then — with valgrind — instructions per event from callgrind
# (repeatable on a noisy machine: the difference between 2 and 1 iterations, so loading is not counted).
#
#   Benchmarks/micro.sh [--no-callgrind]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product PGCDCMicroBench >&2
bin="$(swift build -c release --show-bin-path)/PGCDCMicroBench"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for file in Benchmarks/streams/*.pgo.gz; do
  gunzip -c "$file" > "$work/$(basename "$file" .gz)"
done
"$bin" --iterations 30 "$work"/*.pgo
[ "${1:-}" = "--no-callgrind" ] && exit 0
command -v valgrind >/dev/null || { echo "valgrind not found: no instruction counts" >&2; exit 0; }
echo
echo "| stream | events | instructions/event |"
echo "| --- | --- | --- |"
for stream in "$work"/*.pgo; do
  count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" --iterations "$1" "$stream" 2>&1 \
      | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
  }
  one=$(count 1)
  two=$(count 2)
  events=$("$bin" --iterations 1 "$stream" | sed -n 's/.*: \([0-9]*\) events ×.*/\1/p')
  echo "| $(basename "$stream" .pgo) | $events | $(( (two - one) / events )) |"
done
