#!/usr/bin/env bash
# Removes whatever run.sh set up, even after a crash or kill -9 of run.sh:
# stops the processes inside the troupe-* namespaces (SIGTERM, SIGKILL after
# 10 s), deletes the namespaces troupe-order/inventory/payment/notification,
# the veths tr-* and the bridge troupe-br0. Safe to run at any time, repeatedly.
# Logs and data under run.sh's --dir are left alone.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
source "$HERE/lib.sh"

if [[ $(id -u) -ne 0 ]]; then
    log "error: must run as root"
    exit 1
fi
teardown_network
