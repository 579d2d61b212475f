# Shared by run.sh and teardown.sh (sourced, not run): the names and addresses of
# the four-"host" test network, and its teardown. Everything here exists only on
# this machine: four network namespaces, their veth pairs and one bridge.
# shellcheck shell=bash
# shellcheck disable=SC2034 # the constants are used by the scripts that source this

SERVICES=(order inventory payment notification)
BRIDGE=troupe-br0
SUBNET=10.77.0.0/24
BRIDGE_CIDR=10.77.0.1/24
PORT=7100
LOCK_FILE=/run/lock/troupe-netns.lock

# ns_name SERVICE: the namespace standing for the service's host.
ns_name() { printf 'troupe-%s\n' "$1"; }

# host_veth SERVICE: the root-namespace end of the service's veth pair (on the
# bridge). The other end is "eth0" inside the namespace. At most 15 characters.
host_veth() { printf 'tr-%s\n' "$1"; }

# node_ip SERVICE: the service's address inside its namespace.
node_ip() {
    case $1 in
        order) echo 10.77.0.11 ;;
        inventory) echo 10.77.0.12 ;;
        payment) echo 10.77.0.13 ;;
        notification) echo 10.77.0.14 ;;
        *) return 1 ;;
    esac
}

log() { printf '[netns] %s\n' "$*" >&2 || true; }

ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qxF "$1"; }

link_exists() { ip link show dev "$1" >/dev/null 2>&1; }

# delete_link NAME: deletes a link; fine if it vanished meanwhile (a veth end
# goes away by itself, a little after its peer's namespace is deleted).
delete_link() { ip link del dev "$1" 2>/dev/null || ! link_exists "$1"; }

# stop_namespace_processes NS [GRACE_SECONDS]: SIGTERM to every process inside
# NS (only processes in the namespaces this script creates: the nodes), then
# SIGKILL to whatever is left after GRACE_SECONDS.
stop_namespace_processes() {
    local ns=$1 grace=${2:-10} pids deadline
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [[ -n $pids ]] || return 0
    log "stopping processes left in $ns: $(echo "$pids" | tr '\n' ' ')"
    # shellcheck disable=SC2086 # one pid a word
    kill -TERM $pids 2>/dev/null || true
    deadline=$((SECONDS + grace))
    while [[ -n $(ip netns pids "$ns" 2>/dev/null || true) ]] && ((SECONDS < deadline)); do
        sleep 0.2
    done
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    if [[ -n $pids ]]; then
        log "killing processes still in $ns after ${grace}s: $(echo "$pids" | tr '\n' ' ')"
        # shellcheck disable=SC2086
        kill -KILL $pids 2>/dev/null || true
        sleep 0.2
    fi
}

# teardown_network: removes everything a run may have left, in any state:
# processes in the namespaces, the namespaces (which takes their veth ends with
# them), the root-namespace veth ends and the bridge. Safe to call repeatedly.
teardown_network() {
    local service ns veth removed=0 failed=0
    for service in "${SERVICES[@]}"; do
        ns=$(ns_name "$service")
        if ns_exists "$ns"; then
            stop_namespace_processes "$ns" 10
            if ip netns del "$ns"; then log "deleted namespace $ns"; else log "could not delete namespace $ns"; failed=1; fi
            removed=$((removed + 1))
        fi
        veth=$(host_veth "$service")
        if link_exists "$veth"; then
            if delete_link "$veth"; then log "deleted veth $veth"; else log "could not delete veth $veth"; failed=1; fi
            removed=$((removed + 1))
        fi
    done
    if link_exists "$BRIDGE"; then
        if delete_link "$BRIDGE"; then log "deleted bridge $BRIDGE"; else log "could not delete bridge $BRIDGE"; failed=1; fi
        removed=$((removed + 1))
    fi
    if ((removed == 0)); then
        log "nothing to tear down"
    fi
    return "$failed"
}
