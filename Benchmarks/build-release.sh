#!/usr/bin/env bash
# build-release.sh - build the `troupe` binary the way a node is deployed and benchmarked, and
# print its path on stdout (build output goes to stderr).
#
#   TROUPE=$(bash Benchmarks/build-release.sh)
#
# - `--static-swift-stdlib`: one self-contained binary; no relocated pages of libswiftCore,
#   libFoundation and friends in every node process (~3 MB less resident memory per process
#   than the shared-library build).
# - linked with lld instead of the default gold, for two linker features that keep an idle node
#   small (measured with Benchmarks/idle-rss.sh: 31.8 MB -> 26.2 MB resident with SQLite):
#   `-z pack-relative-relocs` stores the ~130k relative relocations of the position-independent
#   executable as a compact RELR table (25 KB instead of a 3 MB `.rela.dyn` that the dynamic
#   loader reads, page by page, at every start), and `--no-export-dynamic` keeps every Swift
#   symbol out of the dynamic symbol table (2.2 MB of `.dynsym`/`.dynstr`/`.gnu.hash` otherwise
#   touched at start; nothing loads code into a node, and crash backtraces symbolicate from the
#   static symbol table). Debian 12's glibc (2.36) reads RELR tables.
# Knobs: SCRATCH (default .build-static).
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build-static}
flags=(-c release --static-swift-stdlib --scratch-path "$SCRATCH"
       -Xswiftc -use-ld=lld
       -Xlinker -z -Xlinker pack-relative-relocs
       -Xlinker --no-export-dynamic)
swift build "${flags[@]}" --product troupe >&2
echo "$(swift build "${flags[@]}" --show-bin-path)/troupe"
