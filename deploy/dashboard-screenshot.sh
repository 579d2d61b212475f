#!/usr/bin/env bash
# A headless-Chromium screenshot of the dashboard during a demo with a partition injected.
#
#   bash deploy/dashboard-screenshot.sh [OUT.png]      # default: deploy/screenshots/dashboard-partition.png
#
# Runs `troupe demo` (four node processes, each serving HTTP on BASE_PORT+i) placing ORDERS orders
# at RATE/s through POST /orders, waits for traffic, cuts payment off from every node
# (POST /faults?scope=mesh, a both-ways partition), waits until the orders pile up behind it,
# takes the screenshot with one order's correlation timeline open, heals the partition
# (DELETE /faults?scope=mesh) and lets the demo finish: it must still pass every invariant.
# Events whose redeliveries ran out during the partition sit in their publishers' DLQs; like an
# operator pressing "Replay DLQ", the script replays them (POST /dlq/all/replay?scope=mesh)
# every two seconds until the demo has settled.
# Needs curl and chromium (apt-get install -y chromium curl). Knobs: BASE_PORT=18400 ORDERS=900
# RATE=40 SHOW_ORDER=order-0010 TROUPE=path/to/troupe (default: a fresh debug build).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${1:-deploy/screenshots/dashboard-partition.png}
BASE_PORT=${BASE_PORT:-18400}
ORDERS=${ORDERS:-900}
RATE=${RATE:-40}
SHOW_ORDER=${SHOW_ORDER:-order-0010}
for tool in curl chromium; do
    command -v "$tool" >/dev/null || { echo "dashboard-screenshot: $tool is not installed" >&2; exit 2; }
done
if [ -z "${TROUPE:-}" ]; then
    swift build --product troupe >&2
    TROUPE="$(swift build --show-bin-path)/troupe"
fi
BASE="http://127.0.0.1:${BASE_PORT}"
WORK=$(mktemp -d)
mkdir -p "$(dirname "$OUT")"

"$TROUPE" demo --orders "$ORDERS" --rate "$RATE" --http-base-port "$BASE_PORT" --via http --data "$WORK/data" \
    >"$WORK/demo.out" 2>"$WORK/demo.err" &
DEMO=$!
cleanup() {
    curl -s -X DELETE "$BASE/faults?scope=mesh" >/dev/null 2>&1 || true
    if kill -0 "$DEMO" 2>/dev/null; then kill -TERM "$DEMO"; wait "$DEMO" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# until CONDITION-COMMAND succeeds or SECONDS pass
wait_for() {
    local seconds=$1; shift
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if [ $SECONDS -ge $deadline ]; then echo "dashboard-screenshot: timed out waiting for: $*" >&2; cat "$WORK/demo.err" >&2; exit 1; fi
        sleep 0.2
    done
}
handled_at_least() { [ "$(curl -s "$BASE/stats" | grep -o '"handled":[0-9]*' | cut -d: -f2)" -ge "$1" ]; }
outbox_filling() { curl -s "$BASE/mesh" | grep -q '"condition":"partitioned"' && curl -s "$BASE/stats" | grep -Eq '"outboxDepth":[1-9]'; }

wait_for 60 curl -sf "$BASE/health"
echo "dashboard-screenshot: demo running, dashboard at $BASE/" >&2
wait_for 60 handled_at_least 150
curl -sf -X POST "$BASE/faults?scope=mesh" -H 'content-type: application/json' \
    -d '{"links":[{"from":"payment","to":"*","bothWays":true,"partition":true}]}' >/dev/null
echo "dashboard-screenshot: payment partitioned from every node" >&2
wait_for 30 outbox_filling
sleep 1   # let the counters show the pile-up for a few snapshots

PROFILE="$WORK/chromium"
chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$PROFILE" \
    --window-size=1500,1250 --virtual-time-budget=20000 --screenshot="$OUT" \
    "$BASE/?stopAfter=4&order=$SHOW_ORDER" 2>"$WORK/chromium.err" >/dev/null
echo "dashboard-screenshot: wrote $OUT" >&2

curl -sf -X DELETE "$BASE/faults?scope=mesh" >/dev/null
echo "dashboard-screenshot: partition healed; waiting for the demo to settle" >&2
while kill -0 "$DEMO" 2>/dev/null; do
    replayed=$(curl -s -X POST "$BASE/dlq/all/replay?scope=mesh" | grep -o '[0-9][0-9]*' | wc -l || true)
    [ "${replayed:-0}" -gt 0 ] && echo "dashboard-screenshot: replayed dead letters" >&2
    sleep 2
done
status=0
wait "$DEMO" || status=$?
grep -E "orders in|invariants hold|All invariants|FAILED" "$WORK/demo.out" >&2 || true
exit $status
