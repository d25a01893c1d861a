#!/usr/bin/env bash
# connect-flood.sh — a well-behaved client's latency while a flood of new connections goes through
# the same proxy: lb beside HAProxy, in one run.
#
# Two echo backends; the proxy (lb with the access log off, HAProxy with nbthread 2) in front.
# For each proxy and round: a flood of RATE new connections a second (bench load --mode crr: each
# connects, sends 64 bytes, reads the echo, closes; at most 512 in flight, 2 s deadline each) for D
# seconds, and beside it a probe client opening 50 connections a second the same way, whose
# latency is measured from each connection's intended start (so a stall counts in full). Reported
# per proxy, medians over ROUNDS: the probe's p50/p99/max, its errors, the flood's achieved rate and
# errors, and the kernel's accept-queue overflows (TcpExtListenOverflows) during the flood; then
# lb's probe p99 over HAProxy's. Loopback only; every load bounded by D; every process stopped on exit.
#
# Usage: bench/churn/connect-flood.sh       env: RATE=5000 D=10 ROUNDS=3 HAPROXY=path
set -eu
. "$(dirname "$0")/../faults/lib.sh"
faults_init connect-flood
RATE=${RATE:-5000}
D=${D:-10}
ROUNDS=${ROUNDS:-3}
raise_nofile 20000 >/dev/null

overflows() { awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 } else print $c["ListenOverflows"] }' /proc/net/netstat; }

json_num() { sed -n "s/.*\"$2\":\\([0-9.]*\\).*/\\1/p" "$1"; }

# one_round NAME PORT: flood and probe through PORT; appends "p50 p99 max probe_errors flood_rate flood_errors overflows".
one_round() {
  local name=$1 port=$2 n=$3 before after flood probe
  flood=$W/$name-$n-flood.json probe=$W/$name-$n-probe.json
  before=$(overflows)
  java -Xmx256m -jar "$BENCH_JAR" load --target "127.0.0.1:$port" --mode crr --rate "$RATE" -c 512 -t 2 \
      --timeout 2s --duration "${D}s" --warmup 0s --json >"$flood" 2>/dev/null &
  local flood_pid=$!
  PIDS+=("$flood_pid")
  java -Xmx64m -jar "$BENCH_JAR" load --target "127.0.0.1:$port" --mode crr --rate 50 -c 8 -t 1 \
      --timeout 5s --duration "$((D - 3))s" --warmup 2s --json >"$probe" 2>/dev/null
  wait "$flood_pid" || true
  after=$(overflows)
  echo "$(json_num "$probe" p50_us) $(json_num "$probe" p99_us) $(json_num "$probe" max_us) $(json_num "$probe" errors)" \
       "$(json_num "$flood" connects_per_s) $(json_num "$flood" errors) $((after - before))" >>"$W/$name.rounds"
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "na"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

col() { awk -v c="$2" '{ print $c }' "$1" | median; }

start_backend echo 2
B1=${BACKEND_PORTS[0]} B2=${BACKEND_PORTS[1]}

cat >"$W/lb.toml" <<EOF
[daemon]
access_log = false
admin_socket = ""
[[listener]]
name = "front"
bind = "127.0.0.1:0"
pool = "echo"
[[pool]]
name = "echo"
algorithm = "round_robin"
[[pool.backend]]
name = "e1"
address = "127.0.0.1:$B1"
[[pool.backend]]
name = "e2"
address = "127.0.0.1:$B2"
EOF
start_lb "$W/lb.toml" "$W/lb.log"
LB_PORT=$(lb_port "$W/lb.log" front)

PROXIES=(lb)
if have_haproxy >/dev/null; then
  HA_PORT=$(free_port)
  cat >"$W/haproxy.cfg" <<EOF
global
  nbthread 2
  maxconn $(haproxy_maxconn)
defaults
  mode tcp
  timeout connect 5s
  timeout client 30s
  timeout server 30s
listen front
  bind 127.0.0.1:$HA_PORT
  balance roundrobin
  server e1 127.0.0.1:$B1
  server e2 127.0.0.1:$B2
EOF
  start_haproxy "$W/haproxy.cfg" "$W/haproxy.log" "$HA_PORT"
  PROXIES+=(haproxy)
fi

for ((r = 1; r <= ROUNDS; r++)); do
  for p in "${PROXIES[@]}"; do
    if [ "$p" = lb ]; then one_round lb "$LB_PORT" "$r"; else one_round haproxy "$HA_PORT" "$r"; fi
  done
done

echo "connect flood: $RATE new connections/s for $D s beside a probe client at 50/s; medians of $ROUNDS rounds"
echo
echo "| proxy | probe p50 ms | probe p99 ms | probe max ms | probe errors | flood conn/s | flood errors | accept-queue overflows |"
echo "|---|---|---|---|---|---|---|---|"
for p in "${PROXIES[@]}"; do
  f=$W/$p.rounds
  printf '| %s | %.2f | %.2f | %.1f | %s | %.0f | %s | %s |\n' "$p" \
      "$(echo "$(col "$f" 1) / 1000" | bc -l)" "$(echo "$(col "$f" 2) / 1000" | bc -l)" \
      "$(echo "$(col "$f" 3) / 1000" | bc -l)" "$(col "$f" 4)" "$(col "$f" 5)" "$(col "$f" 6)" "$(col "$f" 7)"
done
if [ -f "$W/haproxy.rounds" ]; then
  echo
  echo "probe p99, lb over HAProxy (median of per-round ratios): $(paste -d' ' "$W/lb.rounds" "$W/haproxy.rounds" |
      awk '{ printf "%.2f\n", $2 / $9 }' | median)"
fi
for p in "${PROXIES[@]}"; do
  result "$p" "probe_p99_us=$(col "$W/$p.rounds" 2)" "overflows=$(col "$W/$p.rounds" 7)"
done
