#!/usr/bin/env bash
# Runs the four Troupe saga nodes as four "hosts" on this machine: one Linux
# network namespace per node, joined by a bridge in the root namespace.
#
#   root namespace:  troupe-br0 10.77.0.1/24
#                     |-- tr-order        <-> eth0 10.77.0.11  in troupe-order
#                     |-- tr-inventory    <-> eth0 10.77.0.12  in troupe-inventory
#                     |-- tr-payment      <-> eth0 10.77.0.13  in troupe-payment
#                     `-- tr-notification <-> eth0 10.77.0.14  in troupe-notification
#
# Each node listens on its address, port 7100, and is seeded with the order
# node's (10.77.0.11:7100). The namespaces get no default route, so nothing in
# them can reach anything but 10.77.0.0/24, which exists only here.
#
# Default mode: clean up leftovers, build the network, start the nodes, wait for
# their ready lines, wait until every node is connected to the three others
# (troupe stats --json from the root namespace, over the bridge), print
# `troupe stats`, then stop the nodes and tear everything down. Exit 0 if the
# mesh formed and every node stopped cleanly.
#
# Needs root, iproute2 (ip; tc for --netem) and a built troupe binary.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: run.sh [--bin PATH] [--netem "NETEM ARGS"] [--shape "TBF ARGS"] [--keep]
              [--dir DIR] [--log-level LEVEL] [--timeout SECONDS]
              [--demo [-- TROUPE DEMO ARGS...]]

  --bin PATH         troupe binary (default: $TROUPE_BIN, else `swift build
                     --show-bin-path`/troupe of this package if built, else
                     troupe on PATH; $TROUPE_SCRATCH_PATH is passed to swift
                     build as --scratch-path)
  --netem ARGS       impair each node's link: tc qdisc add dev eth0 root netem ARGS
                     inside each namespace (egress of every node), e.g.
                     --netem "delay 5ms 2ms loss 1%"
  --shape ARGS       shape each link with a token bucket: tc qdisc add dev DEV root
                     tbf ARGS on both ends of every veth, e.g. --shape "rate 2mbit
                     burst 8kb limit 12kb": a slow link whose small queue drops
                     packets under bursts (real loss and queueing delay for TCP;
                     the kernels without netem still have tbf)
  --demo             instead of the mesh check, run `troupe demo` with each node
                     in its namespace (--node-host/--node-wrapper) and print its
                     report; arguments after `--` go to troupe demo (e.g.
                     -- --orders 200 --scenario flaky-network --json). Exit status:
                     the demo's (0 when every saga invariant holds)
  --keep             leave the nodes running after the check, until Ctrl-C/SIGTERM
  --dir DIR          logs and data (default /tmp/troupe-netns): DIR/SERVICE.log
                     (stderr), DIR/SERVICE.out (stdout), DIR/SERVICE/ (--data)
  --log-level LEVEL  the nodes' --log-level (default info)
  --timeout SECONDS  how long to wait for ready lines, and again for the mesh (default 30)
EOF
}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PACKAGE_ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
source "$HERE/lib.sh"

BIN=""
NETEM=""
SHAPE=""
DEMO=0
DEMO_ARGS=()
KEEP=0
DIR=/tmp/troupe-netns
LOG_LEVEL=info
TIMEOUT=30

die() {
    log "error: $*"
    exit 1
}

while (($# > 0)); do
    case $1 in
        --bin) BIN=${2:?--bin needs a path}; shift 2 ;;
        --netem) NETEM=${2:?--netem needs netem arguments}; shift 2 ;;
        --shape) SHAPE=${2:?--shape needs tbf arguments}; shift 2 ;;
        --demo) DEMO=1; shift ;;
        --) shift; DEMO_ARGS=("$@"); break ;;
        --keep) KEEP=1; shift ;;
        --dir) DIR=${2:?--dir needs a directory}; shift 2 ;;
        --log-level) LOG_LEVEL=${2:?--log-level needs a level}; shift 2 ;;
        --timeout) TIMEOUT=${2:?--timeout needs seconds}; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "--timeout must be a whole number of seconds"

# --- preconditions -----------------------------------------------------------

[[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces, veths, bridge)"
command -v ip >/dev/null || die "ip not found: apt-get install iproute2"
if [[ -n $NETEM || -n $SHAPE ]]; then
    command -v tc >/dev/null || die "tc not found: apt-get install iproute2"
fi

find_bin() {
    local bin_path
    if [[ -n $BIN ]]; then
        printf '%s\n' "$BIN"
    elif [[ -n ${TROUPE_BIN:-} ]]; then
        printf '%s\n' "$TROUPE_BIN"
    elif command -v swift >/dev/null &&
        bin_path=$(cd "$PACKAGE_ROOT" && swift build --show-bin-path ${TROUPE_SCRATCH_PATH:+--scratch-path "$TROUPE_SCRATCH_PATH"} 2>/dev/null) &&
        [[ -x $bin_path/troupe ]]; then
        printf '%s\n' "$bin_path/troupe"
    elif command -v troupe >/dev/null; then
        command -v troupe
    else
        return 1
    fi
}
BIN=$(find_bin) || die "no troupe binary: build one (swift build --product troupe) or pass --bin PATH"
if [[ $BIN != */* ]]; then
    BIN=$(command -v "$BIN") || die "troupe binary not found on PATH: $BIN"
fi
[[ -x $BIN ]] || die "not an executable: $BIN"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

# One run at a time: a second run.sh would tear down the first one's network.
# (The nodes do not inherit fd 9, so a run.sh killed with -9 frees the lock.)
mkdir -p "$(dirname "$LOCK_FILE")"
exec 9>"$LOCK_FILE"
flock -w 5 9 || die "another run.sh holds $LOCK_FILE (stop it, or run teardown.sh)"

# --- cleanup -----------------------------------------------------------------

declare -A NODE_PID=()

# stop_nodes: SIGTERM to each node this run started, SIGKILL after 10 s; prints
# each exit status. Returns 1 unless every node exited 0.
stop_nodes() {
    local service pid status all_clean=0 deadline
    for service in "${!NODE_PID[@]}"; do
        kill -TERM "${NODE_PID[$service]}" 2>/dev/null || true
    done
    deadline=$((SECONDS + 10))
    for service in "${SERVICES[@]}"; do
        pid=${NODE_PID[$service]:-}
        [[ -n $pid ]] || continue
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            log "$service (pid $pid) still running 10 s after SIGTERM: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        status=0
        wait "$pid" 2>/dev/null || status=$?
        log "stopped $service (pid $pid): exit $status"
        ((status == 0)) || all_clean=1
        unset "NODE_PID[$service]"
    done
    return "$all_clean"
}

cleanup() {
    local status=$?
    trap - EXIT
    trap '' INT TERM HUP
    set +e
    if ((${#NODE_PID[@]} > 0)); then
        stop_nodes || { ((status != 0)) || status=1; }
    fi
    log "tearing down the network"
    teardown_network || { ((status != 0)) || status=1; }
    log "logs and data kept in $DIR"
    exit "$status"
}
# Never die half-way through the cleanup because a reader of our output went
# away (run.sh | tee ... and Ctrl-C): writes to a closed pipe just fail.
trap '' PIPE
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM
trap 'log "hangup"; exit 129' HUP

# --- network -----------------------------------------------------------------

log "cleaning up leftovers of earlier runs"
teardown_network || die "could not remove leftovers of an earlier run"

# 10.77.0.0/24 must belong to nobody else on this machine.
if [[ -n $(ip -4 -o addr show to "$SUBNET") ]]; then
    die "an interface already has an address in $SUBNET: $(ip -4 -o addr show to "$SUBNET" | awk '{print $2, $4}' | tr '\n' ' ')"
fi
routes=$( (ip -4 route show match "$SUBNET"; ip -4 route show root "$SUBNET") | grep -v '^default' | sort -u || true)
if [[ -n $routes ]]; then
    die "a route already covers $SUBNET: $(tr '\n' ';' <<<"$routes")"
fi

# disable_ipv6 PATH: no IPv6 (link-local, DAD, router solicitations) on our links.
disable_ipv6() {
    if [[ -w $1 ]]; then echo 1 >"$1"; fi
}

log "creating bridge $BRIDGE ($BRIDGE_CIDR)"
ip link add "$BRIDGE" type bridge
disable_ipv6 "/proc/sys/net/ipv6/conf/$BRIDGE/disable_ipv6"
ip addr add "$BRIDGE_CIDR" dev "$BRIDGE"
ip link set "$BRIDGE" up

for service in "${SERVICES[@]}"; do
    ns=$(ns_name "$service")
    veth=$(host_veth "$service")
    address=$(node_ip "$service")
    log "creating namespace $ns: eth0 $address/24 <-> $veth on $BRIDGE"
    ip netns add "$ns" || die "ip netns add $ns failed (are network namespaces available here?)"
    # shellcheck disable=SC2016 # $f is for the inner sh
    ip netns exec "$ns" sh -c 'for f in /proc/sys/net/ipv6/conf/default/disable_ipv6 /proc/sys/net/ipv6/conf/all/disable_ipv6; do [ -w "$f" ] && echo 1 >"$f"; done; true'
    ip -n "$ns" link set lo up
    ip link add "$veth" type veth peer name eth0 netns "$ns"
    disable_ipv6 "/proc/sys/net/ipv6/conf/$veth/disable_ipv6"
    ip link set "$veth" master "$BRIDGE"
    ip link set "$veth" up
    ip -n "$ns" addr add "$address/24" dev eth0
    ip -n "$ns" link set eth0 up
    if [[ -n $NETEM ]]; then
        read -r -a netem_args <<<"$NETEM"
        if ! tc -n "$ns" qdisc add dev eth0 root netem "${netem_args[@]}"; then
            if [[ -r /proc/config.gz ]] && zgrep -q '^# CONFIG_NET_SCH_NETEM is not set' /proc/config.gz 2>/dev/null; then
                die "netem is not available: this kernel ($(uname -r)) is built without CONFIG_NET_SCH_NETEM"
            fi
            die "tc qdisc add dev eth0 root netem $NETEM failed in $ns (kernel without sch_netem, or bad netem arguments)"
        fi
        log "$ns eth0: $(tc -n "$ns" qdisc show dev eth0 | head -n 1)"
    fi
    if [[ -n $SHAPE ]]; then
        read -r -a shape_args <<<"$SHAPE"
        tc -n "$ns" qdisc add dev eth0 root tbf "${shape_args[@]}" ||
            die "tc qdisc add dev eth0 root tbf $SHAPE failed in $ns"
        tc qdisc add dev "$veth" root tbf "${shape_args[@]}" ||
            die "tc qdisc add dev $veth root tbf $SHAPE failed"
        log "$ns eth0 and $veth: $(tc -n "$ns" qdisc show dev eth0 | head -n 1)"
    fi
done

# shape_drops: packets the token buckets dropped, over every shaped device.
shape_drops() {
    local service total=0 n
    for service in "${SERVICES[@]}"; do
        n=$(tc -s -n "$(ns_name "$service")" qdisc show dev eth0 | awk '/dropped/ {gsub(",", "", $7); print $7; exit}')
        total=$((total + ${n:-0}))
        n=$(tc -s qdisc show dev "$(host_veth "$service")" | awk '/dropped/ {gsub(",", "", $7); print $7; exit}')
        total=$((total + ${n:-0}))
    done
    echo "$total"
}

# --- demo mode ------------------------------------------------------------------

if ((DEMO)); then
    mkdir -p "$DIR"
    rm -rf "${DIR:?}/demo"
    demo_args=(demo --data "$DIR/demo" --log-level "$LOG_LEVEL" --node-wrapper "ip netns exec troupe-{node}")
    for service in "${SERVICES[@]}"; do demo_args+=(--node-host "$service=$(node_ip "$service")"); done
    log "troupe binary: $BIN"
    log "running: troupe ${demo_args[*]} ${DEMO_ARGS[*]}"
    status=0
    "$BIN" "${demo_args[@]}" "${DEMO_ARGS[@]}" 9>&- || status=$?
    if [[ -n $SHAPE ]]; then log "packets dropped by the token buckets: $(shape_drops)"; fi
    log "troupe demo exited $status"
    exit "$status"
fi

# --- nodes -------------------------------------------------------------------

mkdir -p "$DIR"
seed="$(node_ip order):$PORT"
log "troupe binary: $BIN"
for service in "${SERVICES[@]}"; do
    rm -rf "${DIR:?}/$service" "$DIR/$service.log" "$DIR/$service.out"
    ns=$(ns_name "$service")
    listen="$(node_ip "$service"):$PORT"
    log "starting $service in $ns: troupe node --listen $listen --seed $seed"
    ip netns exec "$ns" "$BIN" node --service "$service" --id "$service" \
        --listen "$listen" --seed "$seed" --data "$DIR/$service" --log-level "$LOG_LEVEL" \
        >"$DIR/$service.out" 2>"$DIR/$service.log" </dev/null 9>&- &
    NODE_PID[$service]=$!
done

# node_died SERVICE: true (and says so, with the log's tail) if the node exited.
node_died() {
    local pid=${NODE_PID[$1]}
    kill -0 "$pid" 2>/dev/null && return 1
    log "$1 (pid $pid) exited; last lines of $DIR/$1.log:"
    tail -n 20 "$DIR/$1.log" >&2 || true
    return 0
}

deadline=$((SECONDS + TIMEOUT))
for service in "${SERVICES[@]}"; do
    until grep -q "^ready node=$service " "$DIR/$service.out" 2>/dev/null; do
        node_died "$service" && die "$service did not start"
        ((SECONDS < deadline)) || die "no ready line from $service within ${TIMEOUT}s (see $DIR/$service.log)"
        sleep 0.2
    done
    log "$(grep -m 1 "^ready node=$service " "$DIR/$service.out")"
done

# --- check ---------------------------------------------------------------------

stats_args=()
for service in "${SERVICES[@]}"; do stats_args+=(--node "$(node_ip "$service"):$PORT"); done

# connected_counts: "NODE COUNT" per node, from troupe stats --json.
connected_counts() {
    "$BIN" stats --json "${stats_args[@]}" | awk '
        /"connectedMembers" : \[/ { inside = 1; count = 0; if ($0 ~ /\]/) inside = 0; next }
        inside && /\]/ { inside = 0; next }
        inside && /"/ { count++; next }
        /"nodeID" :/ { id = $3; gsub(/[",]/, "", id); print id, count }'
}

expected=$((${#SERVICES[@]} - 1))
deadline=$((SECONDS + TIMEOUT))
while :; do
    for service in "${SERVICES[@]}"; do
        node_died "$service" && die "$service exited during the check"
    done
    counts=$(connected_counts 2>"$DIR/stats.err" || true)
    if [[ $(awk -v want="$expected" '$2 == want' <<<"$counts" | wc -l) -eq ${#SERVICES[@]} ]]; then
        break
    fi
    if ((SECONDS >= deadline)); then
        log "connected members per node: $(tr '\n' ';' <<<"$counts") $(cat "$DIR/stats.err")"
        die "the mesh did not form within ${TIMEOUT}s"
    fi
    sleep 0.5
done
log "mesh formed: every node is connected to the $expected others ($(tr '\n' ' ' <<<"$counts"| sed 's/ $//'))"

echo "troupe stats ${stats_args[*]}"
"$BIN" stats "${stats_args[@]}"

if ((KEEP)); then
    log "running; stats: $BIN stats ${stats_args[*]}"
    log "logs in $DIR; Ctrl-C (or SIGTERM to pid $$) stops the nodes and tears down"
    while :; do
        for service in "${SERVICES[@]}"; do
            node_died "$service" && die "$service exited"
        done
        sleep 1
    done
fi

log "check passed; stopping"
stop_nodes || die "not every node stopped cleanly"
