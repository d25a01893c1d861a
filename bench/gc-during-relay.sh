#!/usr/bin/env bash
# gc-during-relay.sh — does the steady-state relay allocate? Pushes one bulk stream (iperf3)
# through lb for SECONDS after a warm-up, and reports the GC pauses and the heap allocated
# during that window (jstat: eden used + collections), per GiB relayed.
#
# Usage: bench/gc-during-relay.sh [SECONDS (default 30)]   (after: mvn -B -q package -DskipTests)
# Needs iperf3 (apt-get install iperf3). Loopback only; stops everything it started.
set -eu
SECS=${1:-30}
[ "$SECS" -ge 1 ] && [ "$SECS" -le 600 ] || { echo "SECONDS must be 1..600" >&2; exit 2; }
JAR=${JAR:-lb-daemon/target/lb-daemon.jar}
[ -f "$JAR" ] || { echo "$JAR not built: mvn -B -q package -DskipTests" >&2; exit 1; }
command -v iperf3 >/dev/null || { echo "iperf3 is required: apt-get install iperf3" >&2; exit 1; }
W=$(mktemp -d -t lb-gc.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT INT TERM
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }
wait_port() { for _ in $(seq 1 200); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done
              echo "port $1 did not open" >&2; return 1; }

BACK=$(free_port); PORT=$(free_port)
iperf3 -s -p "$BACK" >/dev/null 2>&1 & PIDS+=($!)
java -XX:+UseParallelGC -Xlog:gc:file="$W/gc.log" -jar "$JAR" --listen 127.0.0.1:"$PORT" \
    --backends 127.0.0.1:"$BACK" --no-access-log 2>"$W/lb.log" & LB=$!; PIDS+=($LB)
wait_port "$BACK"; wait_port "$PORT"
iperf3 -c 127.0.0.1 -p "$PORT" -t 5 >/dev/null 2>&1   # warm-up (JIT), not counted

# jstat -gc columns: ... EU (eden used, KiB) ... YGC ... FGC ...
gcstat() { jstat -gc "$LB" | awk 'NR==1{for(i=1;i<=NF;i++)c[$i]=i} NR==2{print $c["EU"], $c["YGC"], $c["FGC"]}'; }
read -r eu0 ygc0 fgc0 <<<"$(gcstat)"
pauses0=$(grep -c Pause "$W/gc.log" || true)
gbps=$(iperf3 -c 127.0.0.1 -p "$PORT" -t "$SECS" -J | python3 -c 'import json,sys
e=json.load(sys.stdin)["end"]["sum_received"]; print("%.2f %.2f" % (e["bits_per_second"]/1e9, e["bytes"]/2**30))')
read -r eu1 ygc1 fgc1 <<<"$(gcstat)"
pauses1=$(grep -c Pause "$W/gc.log" || true)
read -r rate gib <<<"$gbps"
echo "relayed ${gib} GiB in ${SECS} s (${rate} Gbit/s)"
echo "GC pauses in that window: $((pauses1 - pauses0)) (young $((ygc1 - ygc0)), full $((fgc1 - fgc0)))"
if [ "$ygc1" = "$ygc0" ] && [ "$fgc1" = "$fgc0" ]; then
  python3 -c "print('heap allocated in that window: %.0f KiB (%.1f KiB per GiB relayed)' % ($eu1 - $eu0, ($eu1 - $eu0) / max($gib, 0.001)))"
else
  echo "heap allocated: not exact (a collection ran in the window; eden before ${eu0} KiB, after ${eu1} KiB)"
fi
