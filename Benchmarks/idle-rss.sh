#!/usr/bin/env bash
# idle-rss.sh - resident memory of one idle node process: `troupe node --service order`, once
# with in-memory stores and once with SQLite (--data), measured IDLE_WAIT seconds after it
# printed `ready`. Prints VmRSS with its anonymous and file-backed parts and the largest mappings.
#
#   bash Benchmarks/idle-rss.sh                 # builds with Benchmarks/build-release.sh
#   TROUPE=/path/to/troupe bash Benchmarks/idle-rss.sh
#
# Knobs: TROUPE (binary; default: the deployable build), IDLE_WAIT (default 3 s), PORT (7191).
set -euo pipefail
cd "$(dirname "$0")/.."
TROUPE=${TROUPE:-$(bash Benchmarks/build-release.sh)}
IDLE_WAIT=${IDLE_WAIT:-3}
PORT=${PORT:-7191}
DATA=$(mktemp -d /tmp/idle-rss.XXXXXX)
trap 'rm -rf "$DATA"' EXIT

measure() { # $1 label, rest: extra node flags
    local label=$1
    shift
    local log="$DATA/$label.log"
    "$TROUPE" node --service order --listen "127.0.0.1:$PORT" "$@" >"$log" 2>&1 &
    local pid=$!
    for _ in $(seq 1 100); do grep -q '^ready ' "$log" && break; sleep 0.1; done
    grep -q '^ready ' "$log" || { echo "$label: node did not get ready: $(tail -1 "$log")"; kill "$pid"; return 1; }
    sleep "$IDLE_WAIT"
    awk -v label="$label" '/^VmRSS/{r=$2} /^RssAnon/{a=$2} /^RssFile/{f=$2}
        END{printf "%-8s VmRSS %.1f MB (anonymous %.1f MB, file-backed %.1f MB)\n", label, r/1024, a/1024, f/1024}' "/proc/$pid/status"
    awk '/^[0-9a-f]+-/{perm=$2; name=$6; if (name=="") name="[anonymous]"} /^Rss:/{if ($2 >= 512) printf "           %6.1f MB  %s %s\n", $2/1024, perm, name}' "/proc/$pid/smaps"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
}

echo "troupe binary: $TROUPE ($(du -m "$TROUPE" | cut -f1) MB)"
measure memory
measure sqlite --data "$DATA"
