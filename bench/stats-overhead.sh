#!/usr/bin/env bash
# stats-overhead.sh — what stats cost: the same loads through lb with stats on and off
# (--no-stats), one variant after the other in each round, so both see the same machine.
#
# Usage: bench/stats-overhead.sh [ROUNDS]      (default 5; DUR=seconds per load, default 5)
# Loads (bench load, 127.0.0.1 only): rr -c 50 (64-byte ping-pong on kept connections) and crr -c 16
# (a new connection per request), each after a 1 s warm-up, against one bench echo backend.
# Prints per variant the median requests (or connections) per second and lb's CPU microseconds per
# operation (from /proc/PID/stat over the load, warm-up included in both CPU and operations).
# Builds lb-daemon.jar and bench.jar when missing. Everything it starts is stopped on exit.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
ROUNDS=${1:-5}
DUR=${DUR:-5}
LB_JAR=lb-daemon/target/lb-daemon.jar
BENCH_JAR=bench/target/bench.jar
LB_PORT=18181
BACKEND_PORT=18191
if [ ! -f "$LB_JAR" ] || [ ! -f "$BENCH_JAR" ]; then
    mvn -B -q package -Dmaven.test.skip=true -pl bench -am
fi
TICKS=$(getconf CLK_TCK)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

BACKEND_LOG=$(mktemp)
java -jar "$BENCH_JAR" backend --type echo --port $BACKEND_PORT --duration $(( ROUNDS * (DUR + 6) * 4 + 60 ))s \
    >"$BACKEND_LOG" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q listening "$BACKEND_LOG" && break; sleep 0.1; done
grep -q listening "$BACKEND_LOG" || { echo "echo backend did not start: $(cat "$BACKEND_LOG")" >&2; exit 1; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run VARIANT MODE CONNECTIONS: prints "ops_per_s cpu_us_per_op"
run() {
    local extra=$1 mode=$2 conns=$3
    java -XX:+UseParallelGC -jar "$LB_JAR" --listen 127.0.0.1:$LB_PORT --backends 127.0.0.1:$BACKEND_PORT \
        --no-access-log $extra >/dev/null 2>&1 &
    local lb=$!
    PIDS+=($lb)
    for _ in $(seq 100); do
        (exec 3<>/dev/tcp/127.0.0.1/$LB_PORT) 2>/dev/null && break
        sleep 0.1
    done
    local before after json rate
    before=$(cpu_ticks $lb)
    json=$(java -jar "$BENCH_JAR" load --target 127.0.0.1:$LB_PORT --mode "$mode" -c "$conns" --duration ${DUR}s \
        --warmup 1s --json 2>/dev/null)
    after=$(cpu_ticks $lb)
    kill $lb; wait $lb 2>/dev/null || true
    rate=$(echo "$json" | sed -E 's/.*"(requests|connects)_per_s":([0-9.]+).*/\2/')
    case $rate in ''|*[!0-9.]*|0|0.0) echo "no $mode result from bench load: $json" >&2; exit 1;; esac
    awk -v r="$rate" -v c=$(( after - before )) -v t="$TICKS" -v d="$DUR" \
        'BEGIN { printf "%.0f %.2f\n", r, (c / t) * 1e6 / (r * (d + 1)) }'
}

declare -A RESULTS
for round in $(seq "$ROUNDS"); do
    for mode in rr crr; do
        conns=50; [ $mode = crr ] && conns=16
        for variant in on off; do
            extra=""; [ $variant = off ] && extra="--no-stats"
            RESULTS[$mode-$variant]+="$(run "$extra" $mode $conns)"$'\n'
        done
    done
    echo "round $round of $ROUNDS done" >&2
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "| load | stats | ops/s (median) | lb CPU µs per op (median) |"
echo "|---|---|---:|---:|"
for mode in rr crr; do
    for variant in on off; do
        data=${RESULTS[$mode-$variant]}
        echo "| $mode | $variant | $(echo -n "$data" | awk '{print $1}' | median) | $(echo -n "$data" | awk '{print $2}' | median) |"
    done
done
