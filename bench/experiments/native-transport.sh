#!/usr/bin/env bash
# native-transport.sh — what a native channel layer would buy a Java proxy per new connection
# (issue 13's "what it would take"): the same connection churn through HAProxy, lb (java.nio, on
# JDK 17 and, when present, on JDK 22+), a minimal relay on Netty's native epoll transport and on
# its java.nio one (netty-epoll-relay/), and a minimal relay that calls the kernel through the
# JDK's Foreign Function API (ffm-relay/FfmRelay.java, JDK 22+ only).
#
# Load: wrk -t2 -c50 with "Connection: close" (a new proxied connection per request, as compare.sh's
# crr) against two nginx HTTP backends, every target in turn, ROUNDS rounds of D seconds after a
# warm-up. Per target and round: connections/s, wrk's p99, the proxy's user and system CPU per
# connection (/proc) and its context switches per connection (perf stat, when perf is present).
# Then strace -f -c over one wrk -t1 -c4 run per target: system calls per connection by kind.
#
# Loopback only; every load bounded by D seconds; every process stopped on exit. Needs nginx,
# wrk, haproxy, strace (apt-get install nginx-light wrk haproxy strace), Maven for the Netty relay.
# JDK 22+ is looked for in JAVA22 or /usr/lib/jvm; without one the ffm and lb-jdk22+ rows are left out.
# MODE=rr: keep-alive requests instead (wrk -t2 -c50, no "Connection: close"): figures per request.
#
# Usage: bench/experiments/native-transport.sh        env: D=6 ROUNDS=3 NO_STRACE=1 MODE=crr|rr
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../faults/lib.sh"
faults_init native-transport
D=${D:-6}
ROUNDS=${ROUNDS:-3}
MODE=${MODE:-crr}
case $MODE in
  crr) CLOSE=(-H 'Connection: close'); UNIT=conn;;
  rr) CLOSE=(); UNIT=req;;
  *) echo "MODE is crr or rr, not $MODE" >&2; exit 2;;
esac
raise_nofile 20000 >/dev/null
for tool in nginx wrk haproxy; do command -v "$tool" >/dev/null || { echo "need $tool (apt-get install nginx-light wrk haproxy)" >&2; exit 1; }; done
chmod 755 "$W"
OPTS="-XX:+UseParallelGC -Xms256m -Xmx256m -XX:+AlwaysPreTouch -XX:-UsePerfData"

if [ -z "${JAVA22:-}" ]; then
  for j in /usr/lib/jvm/*/bin/java; do
    v=$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p')
    if [ -n "$v" ] && [ "$v" -ge 22 ]; then JAVA22=$j; break; fi
  done
fi
NETTY_JAR=$HERE/netty-epoll-relay/target/netty-epoll-relay.jar
(cd "$HERE/netty-epoll-relay" && mvn -B -q package) >/dev/null || { echo "could not build netty-epoll-relay" >&2; exit 1; }
cp "$NETTY_JAR" "$W/netty-epoll-relay.jar"

H1=$(free_port) H2=$(free_port)
BACKENDS=127.0.0.1:$H1,127.0.0.1:$H2
mkdir -p "$W/www"; printf 'hello from a backend\n' > "$W/www/index.html"
cat > "$W/nginx.conf" <<EOF
worker_processes 1; daemon off; pid $W/nginx.pid; error_log $W/nginx.err;
events { worker_connections 16384; }
http { access_log off;
  server { listen 127.0.0.1:$H1 reuseport backlog=4096; root $W/www; }
  server { listen 127.0.0.1:$H2 reuseport backlog=4096; root $W/www; } }
EOF
nginx -c "$W/nginx.conf" -p "$W" &
PIDS+=($!)
wait_until 15 nginx port_open "$H1"

TARGETS=()
# start NAME PORT CMD...: starts a target in the background, records NAME:PID:PORT.
start() {
  local name=$1 port=$2
  shift 2
  "$@" >"$W/$name.log" 2>&1 &
  PIDS+=($!)
  TARGETS+=("$name:$!:$port")
  wait_until 60 "$name" port_open "$port"
}
HP=$(free_port)
cat > "$W/haproxy.cfg" <<EOF
global
    nbthread 2
    maxconn $(haproxy_maxconn)
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s
listen relay
    bind 127.0.0.1:$HP
    server a 127.0.0.1:$H1
    server b 127.0.0.1:$H2
EOF
start haproxy "$HP" "$HAPROXY" -f "$W/haproxy.cfg"
P=$(free_port); start lb "$P" java $OPTS -jar "$LB_JAR" --listen "127.0.0.1:$P" --backends "$BACKENDS" --no-access-log
if [ -n "${JAVA22:-}" ]; then
  P=$(free_port); start lb-jdk22+ "$P" "$JAVA22" $OPTS -jar "$LB_JAR" --listen "127.0.0.1:$P" --backends "$BACKENDS" --no-access-log
fi
P=$(free_port); start netty-epoll "$P" java $OPTS -jar "$W/netty-epoll-relay.jar" "127.0.0.1:$P" "$BACKENDS" epoll 2
P=$(free_port); start netty-nio "$P" java $OPTS -jar "$W/netty-epoll-relay.jar" "127.0.0.1:$P" "$BACKENDS" nio 2
if [ -n "${JAVA22:-}" ]; then
  cp "$HERE/ffm-relay/FfmRelay.java" "$W/"
  P=$(free_port); start ffm "$P" "$JAVA22" $OPTS --enable-native-access=ALL-UNNAMED "$W/FfmRelay.java" "127.0.0.1:$P" "$BACKENDS" 2
else
  echo "# no JDK 22+ found (set JAVA22): the ffm and lb-jdk22+ rows are left out"
fi
echo "# versions: $("$HAPROXY" -v | head -1); $(java -version 2>&1 | head -1); JDK 22+: ${JAVA22:-none}"

crr() { wrk -t2 -c50 -d"$1" --latency ${CLOSE[@]+"${CLOSE[@]}"} "http://127.0.0.1:$2/" 2>&1; }
ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }
for t in "${TARGETS[@]}" "${TARGETS[@]}"; do crr 3s "${t##*:}" >/dev/null; done  # JIT warm-up
HZ=$(getconf CLK_TCK)
echo "| round | target | $UNIT/s | p99 | user µs/$UNIT | system µs/$UNIT | context switches/$UNIT |"
echo "|---|---|---|---|---|---|---|"
for r in $(seq 1 "$ROUNDS"); do
  for t in "${TARGETS[@]}"; do
    IFS=: read -r name pid port <<< "$t"
    read -r u0 s0 < <(ticks "$pid")
    cs=na
    if command -v perf >/dev/null; then
      perf stat -e context-switches -x, -o "$W/perf.txt" -p "$pid" -- sleep "$D" 2>/dev/null &
      perfpid=$!
    fi
    out=$(crr "${D}s" "$port")
    [ -n "${perfpid:-}" ] && { wait "$perfpid" || true; cs=$(awk -F, '/context-switches/ {print $1}' "$W/perf.txt"); }
    read -r u1 s1 < <(ticks "$pid")
    n=$(echo "$out" | awk '/requests in/ {print $1}')
    p99=$(echo "$out" | awk '/ 99%/ {print $2}')
    awk -v r="$r" -v name="$name" -v n="$n" -v d="$D" -v p99="$p99" -v u="$((u1 - u0))" -v s="$((s1 - s0))" -v hz="$HZ" -v cs="$cs" \
      'BEGIN {printf "| %d | %s | %.0f | %s | %.1f | %.1f | %s |\n", r, name, n / d, p99, u * 1e6 / hz / n, s * 1e6 / hz / n, (cs == "na") ? "na" : sprintf("%.2f", cs / n)}'
  done
done
[ -n "${NO_STRACE:-}" ] && exit 0
command -v strace >/dev/null || { echo "# strace not installed: no system call counts"; exit 0; }
echo
echo "System calls per $UNIT (strace -f -c over wrk -t1 -c4 -d4s, divided by its ${UNIT}s):"
for t in "${TARGETS[@]}"; do
  IFS=: read -r name pid port <<< "$t"
  strace -f -qq -c -o "$W/strace.$name" -p "$pid" &
  tracer=$!
  wait_until 10 "strace attached" grep -q 'TracerPid:.[1-9]' "/proc/$pid/status"
  n=$(wrk -t1 -c4 -d4s ${CLOSE[@]+"${CLOSE[@]}"} "http://127.0.0.1:$port/" 2>&1 | awk '/requests in/ {print $1}')
  kill -INT "$tracer"; wait "$tracer" || true
  awk -v n="$n" -v name="$name" '$NF ~ /^[a-z_0-9]+$/ && $1 ~ /^[0-9.]+$/ && $NF != "total" {
      c = ($4 ~ /^[0-9]+$/) ? $4 : $3; if (c / n >= 0.05) calls[$NF] = c / n; total += c }
    END { line = sprintf("%s: %.1f in all;", name, total / n)
          for (k in calls) line = line sprintf(" %s %.2f", k, calls[k]); print line }' "$W/strace.$name"
done
