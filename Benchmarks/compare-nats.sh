#!/usr/bin/env bash
# Troupe vs NATS on this machine: the shapes of issue 7, alternating, ROUNDS rounds, medians.
#
#   bash Benchmarks/compare-nats.sh            # from the repo root (or anywhere)
#
# Per round it runs `troupe bench` (release build, separate node processes on loopback) for
#   (a) 1 pub -> 1 sub, acked, durable (SQLite)           vs NATS JetStream file, async pub + pull consumer acking each
#   (b) 1 pub -> 3 groups (fan-out), acked, durable        vs the same JetStream figure (Troupe counts deliveries)
#   (c) 1 pub -> 1 sub, acked, memory stores               vs NATS core pub/sub 1 -> 1
#   (d) p99 publish->handled at LAT_RATE events/s (memory and durable; fixed schedule)
#                                                          vs NATS request/reply p99 (orientation only)
# and then the NATS peer harness (../shared/bench/nats/run.sh, RUNS=1 per round); the order of
# the two alternates between rounds. Knobs (environment): ROUNDS=3 T_DURABLE=200000 T_FAN=66667
# T_MEM=1000000 LAT_RATE=10000 T_LAT=30000 LOW_RATE=1000 T_LOW=5000 (latency at a low rate too) SCRATCH=.build-static KEEP_RAW=1 (keep raw outputs),
# TROUPE_ARGS="" (extra bench flags, e.g. --in-process), NATS_RUN (path of the harness), and the
# harness's own knobs (N_CORE, N_JS, ...; QUIET_WAIT defaults to 20 s here instead of 60).
# Troupe's counts default to the harness's: T_DURABLE = N_JS (200 000), T_FAN delivers as many
# (66 667 events × 3 groups), T_MEM = N_CORE (1 000 000), so each pair of figures covers the same
# number of messages. The durable shapes publish from T_LANES lanes (default JS_WINDOW / 32 = 32)
# of 32 events per call, so as many events wait for Troupe's commit as the harness's JetStream
# publisher keeps waiting for their PubAck (its async window, JS_WINDOW = 1024).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
T_DURABLE=${T_DURABLE:-200000}
T_FAN=${T_FAN:-66667}
T_MEM=${T_MEM:-1000000}
T_LANES=${T_LANES:-$(( ${JS_WINDOW:-1024} / 32 ))}
LAT_RATE=${LAT_RATE:-10000}
T_LAT=${T_LAT:-30000}
LOW_RATE=${LOW_RATE:-1000}
T_LOW=${T_LOW:-5000}
export QUIET_WAIT=${QUIET_WAIT:-20}
SCRATCH=${SCRATCH:-.build-static}
TROUPE_ARGS=${TROUPE_ARGS:-}
NATS_ONLY=${NATS_ONLY:-pubsub,fanout,reqrep,js_file_async}
NATS_RUN=${NATS_RUN:-../shared/bench/nats/run.sh}

# The binary as a node is deployed (static Swift runtime, lld with RELR relocations and no
# exported Swift symbols; see build-release.sh for why).
TROUPE=$(SCRATCH="$SCRATCH" bash Benchmarks/build-release.sh)
OUT=$(mktemp -d /tmp/compare-nats.XXXXXX)
[ "${KEEP_RAW:-0}" = 1 ] || trap 'rm -rf "$OUT"' EXIT
echo "raw outputs in $OUT" >&2

troupe_bench() { # $1 tag $2 round, rest: bench flags
    local tag=$1 round=$2
    shift 2
    echo "  troupe $tag: bench $* $TROUPE_ARGS" >&2
    # shellcheck disable=SC2086
    if ! timeout -k 10 900 "$TROUPE" bench "$@" $TROUPE_ARGS --json >"$OUT/troupe_${tag}_$round.json" 2>"$OUT/troupe_${tag}_$round.err"; then
        echo "  troupe $tag failed: $(tail -1 "$OUT/troupe_${tag}_$round.err")" >&2
    fi
}

run_troupe() { # $1 round
    troupe_bench a "$1" --mode durable --msgs "$T_DURABLE" --concurrency "$T_LANES"
    troupe_bench b "$1" --mode durable --msgs "$T_FAN" --subs 3 --groups 3 --concurrency "$T_LANES"
    troupe_bench c "$1" --mode memory --msgs "$T_MEM"
    troupe_bench d_mem "$1" --mode memory --msgs "$T_LAT" --rate "$LAT_RATE"
    troupe_bench d_dur "$1" --mode durable --msgs "$T_LAT" --rate "$LAT_RATE"
    troupe_bench e_mem "$1" --mode memory --msgs "$T_LOW" --rate "$LOW_RATE"
    troupe_bench e_dur "$1" --mode durable --msgs "$T_LOW" --rate "$LOW_RATE"
}

run_nats() { # $1 round
    echo "  nats: run.sh ONLY=$NATS_ONLY RUNS=1" >&2
    RUNS=1 ONLY=$NATS_ONLY bash "$NATS_RUN" >"$OUT/nats_$1.txt" 2>"$OUT/nats_$1.err" || echo "  nats round $1 failed" >&2
}

for round in $(seq "$ROUNDS"); do
    echo "round $round/$ROUNDS" >&2
    if [ $((round % 2)) = 1 ]; then run_troupe "$round"; run_nats "$round"; else run_nats "$round"; run_troupe "$round"; fi
done

LAT_RATE=$LAT_RATE LOW_RATE=$LOW_RATE python3 - "$OUT" "$ROUNDS" <<'PY'
import json, statistics, sys, os
out, rounds = sys.argv[1], int(sys.argv[2])

def troupe(tag, key):
    vals = []
    for r in range(1, rounds + 1):
        try:
            lines = [l for l in open(f"{out}/troupe_{tag}_{r}.json") if l.strip()]
            d = json.loads(lines[-1])
        except Exception:
            continue
        if not d.get("complete"):
            continue
        v = d
        for k in key.split("."):
            v = v[k]
        vals.append(float(v))
    return vals

def nats(bench, metric):
    vals = []
    for r in range(1, rounds + 1):
        try:
            line = [l for l in open(f"{out}/nats_{r}.txt") if l.startswith("JSON ")][-1]
            d = json.loads(line[5:])["results"][bench]
        except Exception:
            continue
        v = d.get(metric, {}).get("median")
        if d.get("ok") and v is not None:
            vals.append(float(v))
    return vals

def med(v): return statistics.median(v) if v else float("nan")
def band(v): return f"[{min(v):.4g}..{max(v):.4g}]" if v else ""
def rate(v):
    if v != v: return "n/a"
    return f"{v/1e6:.2f}M" if v >= 1e6 else f"{v/1e3:.1f}k" if v >= 1e3 else f"{v:.0f}"
def us(v):
    if v != v: return "n/a"
    return f"{v/1000:.2f} ms" if v >= 1000 else f"{v:.0f} µs"

rows = []
def row(shape, tv, nv, fmt, target, higher_better=True):
    t, n = med(tv), med(nv)
    ratio = t / n if n == n and t == t and n else float("nan")
    rows.append((shape, fmt(t), f"n={len(tv)}", fmt(n), f"n={len(nv)}", f"{ratio:.2f}×" if ratio == ratio else "n/a", target))

row("(a) 1→1 acked durable, events/s", troupe("a", "msgsPerSecond"), nats("js_file_async", "e2e_msgs_per_s"), rate, "≥ 1.5× JetStream file")
row("(b) 1→3 groups durable, deliveries/s", troupe("b", "msgsPerSecond"), nats("js_file_async", "e2e_msgs_per_s"), rate, "≥ 1.5× JetStream file")
row("(c) 1→1 memory (acked), events/s", troupe("c", "msgsPerSecond"), nats("pubsub", "msgs_per_s"), rate, "≥ 0.5× NATS core")
row(f"(d) p99 memory @ {os.environ.get('LAT_RATE', '10000')}/s", troupe("d_mem", "latencyMicros.p99"), nats("reqrep", "p99_us"), us, "< 500 µs (NATS: req/rep RTT)")
row(f"(d) p99 durable @ {os.environ.get('LAT_RATE', '10000')}/s", troupe("d_dur", "latencyMicros.p99"), nats("reqrep", "p99_us"), us, "< 2 ms (NATS: req/rep RTT)")
row(f"    p99 memory @ {os.environ.get('LOW_RATE', '1000')}/s", troupe("e_mem", "latencyMicros.p99"), nats("reqrep", "p99_us"), us, "(orientation)")
row(f"    p99 durable @ {os.environ.get('LOW_RATE', '1000')}/s", troupe("e_dur", "latencyMicros.p99"), nats("reqrep", "p99_us"), us, "(orientation)")
row("    1→3 NATS core fan-out, delivered/s", troupe("b", "msgsPerSecond"), nats("fanout", "msgs_per_s"), rate, "(orientation)")

print(f"Troupe vs NATS, medians of {rounds} alternating rounds (Troupe: troupe bench, separate processes; NATS: ../shared/bench/nats/run.sh)")
w = [max(len(str(r[i])) for r in rows + [("shape", "troupe", "", "nats", "", "ratio", "target")]) for i in range(7)]
hdr = ("shape", "troupe", "", "nats", "", "ratio", "target")
for r in [hdr] + rows:
    print("  ".join(str(c).ljust(w[i]) for i, c in enumerate(r)))
print()
for tag in ["a", "b", "c", "d_mem", "d_dur", "e_mem", "e_dur"]:
    print(f"troupe {tag:6} msgs/s {band(troupe(tag, 'msgsPerSecond'))}  p50 {band(troupe(tag, 'latencyMicros.p50'))} µs  "
          f"p99 {band(troupe(tag, 'latencyMicros.p99'))} µs  p99.9 {band(troupe(tag, 'latencyMicros.p999'))} µs")
for r in range(1, rounds + 1):
    try:
        for l in open(f"{out}/nats_{r}.txt"):
            if not l.startswith("JSON "): print(f"nats round {r}: {l.rstrip()}")
    except Exception:
        pass
# RSS of the node processes under (a)
for r in range(1, rounds + 1):
    try:
        d = json.loads([l for l in open(f"{out}/troupe_a_{r}.json") if l.strip()][-1])
        print(f"RSS (a) round {r} (kB ready→end): {d['rssKilobytes']}")
    except Exception:
        pass
PY
