#!/usr/bin/env bash
# Load on the HTTP ingress: h2load against POST /orders of a live four-node saga, then the saga's
# invariants on what the load left behind.
#
#   bash Benchmarks/http-load.sh                 # from the repo root (or anywhere)
#
# Starts order, inventory, payment and notification as `troupe node` processes with SQLite stores
# (--data) and --http on BASE_PORT..BASE_PORT+3, waits for the mesh, runs
#   h2load -n REQUESTS -c CLIENTS -m STREAMS  (h2c, prior knowledge)   and, with H1=1,
#   h2load --h1 -n REQUESTS -c CLIENTS        (HTTP/1.1, keep-alive)
# against POST /orders with a JSON order, waits until every order is terminal and every outbox
# empty, and runs `troupe check` on the nodes' stores (exit 1 if an invariant fails).
# The runtime bounds the deliveries a node keeps in flight (deliveryCapacity, 10,000 group
# deliveries); beyond it POST /orders answers 503 `overloaded` (Retry-After) while the backlog
# drains: the script counts the 2xx answers (h2load's "status codes") as the orders to expect.
# Knobs: REQUESTS=1500 CLIENTS=16 STREAMS=8 H1=1 BASE_PORT=18600 SCRATCH=.build-release
# (release build of troupe; TROUPE=path overrides).
set -euo pipefail
cd "$(dirname "$0")/.."

REQUESTS=${REQUESTS:-1500}
CLIENTS=${CLIENTS:-16}
STREAMS=${STREAMS:-8}
H1=${H1:-1}
BASE_PORT=${BASE_PORT:-18600}
SCRATCH=${SCRATCH:-.build-release}
command -v h2load >/dev/null || { echo "http-load: h2load is not installed (apt-get install -y nghttp2-client)" >&2; exit 2; }
command -v curl >/dev/null || { echo "http-load: curl is not installed" >&2; exit 2; }
if [ -z "${TROUPE:-}" ]; then
    swift build -c release --product troupe --scratch-path "$SCRATCH" >&2
    TROUPE="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/troupe"
fi
WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "${KEEP:-0}" = 1 ]; then echo "http-load: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

wait_for() {
    local seconds=$1; shift
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if [ $SECONDS -ge $deadline ]; then echo "http-load: timed out waiting for: $*" >&2; for log in "$WORK"/*.log; do tail -n 5 "$log" >&2; done; exit 1; fi
        sleep 0.2
    done
}
ready_line() { grep -m1 '^ready ' "$WORK/$1.out"; }

MESH_PORTS=()
i=0
for service in order inventory payment notification; do
    seed=()
    [ "$service" != order ] && seed=(--seed "127.0.0.1:${MESH_PORTS[0]}")
    "$TROUPE" node --service "$service" --listen 127.0.0.1:0 --data "$WORK/data" --http "127.0.0.1:$((BASE_PORT + i))" \
        --log-level warning "${seed[@]}" >"$WORK/$service.out" 2>"$WORK/$service.log" &
    PIDS+=($!)
    wait_for 60 ready_line "$service"
    MESH_PORTS+=("$(ready_line "$service" | sed -E 's/.* listen=127\.0\.0\.1:([0-9]+).*/\1/')")
    i=$((i + 1))
done
ORDER="http://127.0.0.1:${BASE_PORT}"
mesh_up() { curl -s "$ORDER/stats" | grep -q '"knownGroups":\["inventory","notification","order","payment"\]'; }
wait_for 60 mesh_up
printf '{"customerID":"linus","sku":"widget","quantity":1}' > "$WORK/order.json"

echo "== h2load, h2c (prior knowledge): -n $REQUESTS -c $CLIENTS -m $STREAMS POST /orders"
h2load -n "$REQUESTS" -c "$CLIENTS" -m "$STREAMS" -d "$WORK/order.json" -H 'content-type: application/json' "$ORDER/orders" \
    | tee "$WORK/h2load-h2c.out" | grep -E "^(finished|requests|status codes|traffic|time for request|req/s|                  )" || true
if [ "$H1" = 1 ]; then
    echo "== h2load --h1 (HTTP/1.1 keep-alive): -n $REQUESTS -c $CLIENTS POST /orders"
    h2load --h1 -n "$REQUESTS" -c "$CLIENTS" -d "$WORK/order.json" -H 'content-type: application/json' "$ORDER/orders" \
        | tee "$WORK/h2load-h1.out" | grep -E "^(finished|requests|status codes|traffic|time for request|req/s|                  )" || true
fi

# Orders accepted: the 2xx answers of both runs (a 503 `overloaded` placed nothing).
EXPECTED=$(cat "$WORK"/h2load-*.out | awk '/^status codes:/ {sum += $3} END {print sum + 0}')
echo "== orders accepted (2xx): $EXPECTED of $((REQUESTS * (1 + H1)))"

order_total() {
    curl -s "$ORDER/orders" | grep -o '"counts":{[^}]*}' | grep -o '[0-9][0-9]*' | paste -sd+ - | bc
}
settled() {
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "http-load: a node died; logs in $WORK (KEEP=1 keeps them)" >&2; exit 1; }; done
    curl -s "$ORDER/orders" | grep -q '"counts":{' || return 1
    curl -s "$ORDER/orders" | grep -q '"pending":[1-9]' && return 1
    [ "$(order_total)" = "$EXPECTED" ] || return 1
    local stats
    stats=$(curl -s "$ORDER/stats?scope=mesh")
    echo "$stats" | grep -q '"errors":{}' || return 1
    ! echo "$stats" | grep -Eq '"outboxDepth":[1-9]'
}
start=$SECONDS
deadline=$((SECONDS + ${SETTLE_TIMEOUT:-300}))
until settled; do
    if [ $SECONDS -ge $deadline ]; then
        echo "http-load: not settled after $((SECONDS - start)) s: $(curl -s "$ORDER/orders" | grep -o '"counts":{[^}]*}')" >&2
        curl -s "$ORDER/stats?scope=mesh" | grep -Eo '"[a-z]+":\{"connectedMembers[^}]*\}[^}]*\}' >&2 || true
        exit 1
    fi
    sleep 1
done
echo "== settled $((SECONDS - start)) s after the load; orders: $(curl -s "$ORDER/orders" | grep -o '"counts":{[^}]*}')"
# The nodes' SQLite files (WAL) are read while the nodes run: `check --node` would ask each node
# for its whole archive over one CONTROL reply, too big after a load run.
echo "== troupe check --data (the four nodes' stores, nodes still running)"
"$TROUPE" check --data "$WORK/data"
