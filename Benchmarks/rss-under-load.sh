#!/usr/bin/env bash
# rss-under-load.sh - resident memory of the publisher and subscriber node processes of
# `troupe bench` (process mode, durable by default) over a sustained run at a fixed rate.
#
#   bash Benchmarks/rss-under-load.sh                       # 60 s at 3000 events/s, durable
#   RATE=5000 SECONDS_=60 MODE=memory bash Benchmarks/rss-under-load.sh
#   RATE=10000 ARCHIVE=50000 bash Benchmarks/rss-under-load.sh   # durable, archive bound 50k rows
#
# Samples `ps -o rss` of every child of the bench process every $EVERY seconds and prints one
# line per sample (seconds, RSS of each node in MB), then the growth from the first sample
# taken after $WARM seconds to the last one, and in durable mode each node's database on disk
# (file + WAL) at the end. Uses the deployable build of build-release.sh (as compare-nats.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."

RATE=${RATE:-3000}
SECONDS_=${SECONDS_:-60}
MODE=${MODE:-durable}
EVERY=${EVERY:-5}
WARM=${WARM:-10}
SCRATCH=${SCRATCH:-.build-static}

TROUPE=$(SCRATCH="$SCRATCH" bash Benchmarks/build-release.sh)
MSGS=$((RATE * SECONDS_))
OUT=$(mktemp /tmp/rss-under-load.XXXXXX)
DATA=$(mktemp -d /tmp/rss-under-load-data.XXXXXX)
trap 'rm -rf "$OUT" "$DATA"' EXIT
extra=()
if [[ -n "${ARCHIVE:-}" ]]; then extra+=(--archive-capacity "$ARCHIVE"); fi

"$TROUPE" bench --mode "$MODE" --msgs "$MSGS" --rate "$RATE" --data "$DATA" ${extra[@]+"${extra[@]}"} --json >"$OUT" 2>/dev/null &
BENCH=$!
echo "troupe bench --mode $MODE --msgs $MSGS --rate $RATE (pid $BENCH): RSS per node process, MB"
start=$(date +%s)
declare -a first=() last=()
while kill -0 "$BENCH" 2>/dev/null; do
    sleep "$EVERY"
    now=$(( $(date +%s) - start ))
    mapfile -t rss < <(pgrep -P "$BENCH" | xargs -r ps -o rss= -p 2>/dev/null | awk '{printf "%.1f\n", $1/1024}')
    ((${#rss[@]} > 0)) || continue
    echo "  ${now}s  ${rss[*]}"
    if ((now >= WARM)) && ((${#first[@]} == 0)); then first=("${rss[@]}"); fi
    last=("${rss[@]}")
done
wait "$BENCH" || true
python3 - "$OUT" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"  bench: {d['msgsPerSecond']:.0f} events/s, p99 {d['latencyMicros']['p99']} µs, complete={d['complete']}")
PY
if ((${#first[@]} > 0)); then
    for i in "${!last[@]}"; do
        echo "  node $i: ${first[$i]:-?} MB at ${WARM}s -> ${last[$i]} MB at the end"
    done
fi
find "$DATA" -name '*.sqlite' | sort | while read -r db; do
    size=$(du -cm "$db" "$db-wal" "$db-archive" 2>/dev/null | tail -1 | cut -f1)
    echo "  $(basename "$db"): ${size} MB on disk (database, WAL and archive log)"
done
