#!/usr/bin/env bash
# jmh-pick.sh — JMH micro-benchmark of Balancer.pick (lb.bench.jmh.PickBenchmark) for every
# registered algorithm × 3, 16, 256 backends, one thread (pick1) and two threads picking from the
# same snapshot (pick2), with the GC profiler; then a Markdown table of ns/op and B/op.
#
# Usage: bench/jmh-pick.sh [JMH args...]        e.g.  bench/jmh-pick.sh -p algorithm=round_robin
#   Extra args go to org.openjdk.jmh.Main as they are (-p backends=16, -f 2, -i 5, pick1, ...).
#   Without -p algorithm=..., only the algorithms named in lb.config.Algorithm are run; the
#   benchmark's other names are listed as not registered (run explicitly, they fail in setup).
#   Builds bench/target/bench.jar (mvn -pl bench -am) when it is missing or older than the sources.
#   JSON results: $JMH_PICK_JSON (default bench/target/jmh-pick.json).
#
# Runtime: each trial (one method × algorithm × backends) is one fork of 2 × 1 s warm-up + 3 × 1 s
# measurement, ~5-6 s with JVM start-up: one algorithm takes ~35 s (6 trials), the full matrix of
# 9 algorithms ~5 minutes (54 trials). Bounded: JMH's per-iteration timeout is not reached by a pick.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
JAR=bench/target/bench.jar
OUT=${JMH_PICK_JSON:-bench/target/jmh-pick.json}

stale() {
    [ -f "$JAR" ] || return 0
    [ -n "$(find pom.xml bench/pom.xml lb-daemon/pom.xml bench/src/main lb-daemon/src/main -newer "$JAR" -type f -print -quit)" ]
}
if stale; then
    echo "building $JAR ..." >&2
    # maven.test.skip: the benchmark needs main classes only; tests are not compiled or run.
    mvn -B -q package -Dmaven.test.skip=true -pl bench -am
fi

ARGS=("$@")
MISSING=""
if ! printf '%s\n' "$@" | grep -q '^algorithm='; then
    LISTS=$(java -cp "$JAR" lb.bench.jmh.PickAlgorithms)
    REGISTERED=$(sed -n 's/^registered=//p' <<<"$LISTS")
    MISSING=$(sed -n 's/^missing=//p' <<<"$LISTS")
    [ -n "$REGISTERED" ] || { echo "no algorithm of PickBenchmark is registered" >&2; exit 1; }
    [ -z "$MISSING" ] || echo "not registered, skipped: $MISSING" >&2
    ARGS=(-p "algorithm=$REGISTERED" "${ARGS[@]}")
fi

mkdir -p "$(dirname "$OUT")"
rm -f "$OUT"
java -cp "$JAR" org.openjdk.jmh.Main PickBenchmark -prof gc -rf json -rff "$OUT" "${ARGS[@]}"
[ -s "$OUT" ] || { echo "JMH wrote no results to $OUT" >&2; exit 1; }

python3 - "$OUT" "$MISSING" <<'EOF'
import json, sys

results = json.load(open(sys.argv[1]))
missing = [m for m in sys.argv[2].split(",") if m]
order = ["round_robin", "weighted_round_robin", "random", "least_conn", "power_of_two", "source_hash",
         "ring_hash", "maglev", "bounded_load"]
cells = {}  # (algorithm, backends) -> {method: (score, error, B/op)}
for r in results:
    method = r["benchmark"].rsplit(".", 1)[1]
    key = (r["params"]["algorithm"], int(r["params"]["backends"]))
    p = r["primaryMetric"]
    norm = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
    cells.setdefault(key, {})[method] = (p["score"], p["scoreError"], norm)

def ns(cell):
    if cell is None:
        return "failed"
    score, error, _ = cell
    return f"{score:.2f}" if error != error else f"{score:.2f} ± {error:.2f}"  # NaN error: 1 iteration

def bop(row):
    norms = [c[2] for c in (row.get("pick1"), row.get("pick2")) if c is not None and c[2] is not None]
    return f"{max(norms):.2f}" if norms else "n/a"

rank = {name: i for i, name in enumerate(order)}
print()
print("| algorithm | backends | ns/op (1 thread) | ns/op (2 threads) | B/op |")
print("|---|---:|---:|---:|---:|")
for (algorithm, backends) in sorted(cells, key=lambda k: (rank.get(k[0], len(order)), k[0], k[1])):
    row = cells[(algorithm, backends)]
    print(f"| {algorithm} | {backends} | {ns(row.get('pick1'))} | {ns(row.get('pick2'))} | {bop(row)} |")
for name in missing:
    print(f"| {name} | – | not registered | not registered | – |")
print()
print("ns/op: mean ± 99.9% CI (JMH AverageTime); 2 threads: each thread's time per pick while both pick.")
print("B/op: gc.alloc.rate.norm, the larger of the 1- and 2-thread runs (~0 = allocation-free).")
EOF
