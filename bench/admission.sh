#!/usr/bin/env bash
# admission.sh — what lb's admission rules cost, and whether an abusive source hurts anyone else.
#
# Part 1, isolation: lb with per-source limits (source_rate 100/s, source_burst 20,
# source_max_connections 50) over two echo backends. A well-behaved client (127.0.0.3) opens PROBE_RATE
# connections a second (connect, 64-byte echo, close; latency from each intended start), alone and
# then while one source (127.0.0.2) hammers the same listener at ABUSE_RATE (default 1,000/s, ten
# times its rate: most are reset). Reported: the probe's p50/p99 both ways and the ratio of p99s
# (issue 15's bar: <= 1.2), with the abuser's admitted rate.
#
# Part 2, overhead: two lb processes side by side, one without rules, one with rules configured but
# never hit (allow 127.0.0.0/8, a 1,000-prefix deny list elsewhere, per-source limits far above the
# load, a listener rate limit far above it), over two nginx HTTP backends; wrk with
# "Connection: close" (a new connection per request, compare.sh's crr), rounds alternating between
# the two. Reported: medians of connections/s and p99, and the ratio (bar: >= 0.95).
#
# PIN=1 runs everything on CPU PROXY_CPUS (default 0) except the abuser's load generator, which
# runs on ABUSER_CPUS (default 1): as when the abuser is another machine, what the probe then loses
# is what refusing the abuser costs the proxy (its accepts, checks and resets run on the proxy's
# CPU), not the abuser's own load generator sharing the proxy's cores.
#
# Loopback only; every load bounded by D seconds; every process stopped on exit.
# Usage: bench/admission.sh      env: D=10 ROUNDS=3 ABUSE_RATE=1000 PIN=1 SKIP_OVERHEAD=1
set -eu
. "$(dirname "$0")/faults/lib.sh"
faults_init admission
D=${D:-10}
ROUNDS=${ROUNDS:-3}
ABUSE_RATE=${ABUSE_RATE:-1000}
PROBE_RATE=${PROBE_RATE:-100}
raise_nofile 20000 >/dev/null
command -v wrk >/dev/null && command -v nginx >/dev/null || {
  (apt-get update -qq && apt-get install -y -qq wrk nginx-light) >/dev/null 2>&1 || { echo "need wrk and nginx" >&2; exit 1; }
}
chmod 755 "$W"
ABUSER_PIN=()
if [ -n "${PIN:-}" ]; then
  taskset -pc "${PROXY_CPUS:-0}" $$ >/dev/null  # inherited by every process started from here
  ABUSER_PIN=(taskset -c "${ABUSER_CPUS:-1}")
  echo "# pinned: proxy, backends and probe on CPU ${PROXY_CPUS:-0}; the abuser's load generator on CPU ${ABUSER_CPUS:-1}"
fi

json_num() { sed -n "s/.*\"$2\":\\([0-9.]*\\).*/\\1/p" "$1"; }
ms() { awk -v us="$(json_num "$1" "$2")" 'BEGIN {printf "%.2f\n", us / 1000}'; }
median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# ---- part 1: isolation -------------------------------------------------------------------------
start_backend echo 2
cat > "$W/limited.toml" <<EOF
[daemon]
workers = 2
access_log = "off"
admin_socket = "$W/limited.sock"
[[listener]]
name = "edge"
bind = "127.0.0.1:0"
pool = "echo"
source_rate = 100
source_burst = 20
source_max_connections = 50
[[pool]]
name = "echo"
[[pool.backend]]
address = "127.0.0.1:${BACKEND_PORTS[0]}"
[[pool.backend]]
address = "127.0.0.1:${BACKEND_PORTS[1]}"
EOF
start_lb "$W/limited.toml" "$W/limited.log"
EDGE=$(lb_port "$W/limited.log" edge)

probe() { # probe OUT: PROBE_RATE a second from 127.0.0.3 for D s
  java -Xmx64m -jar "$BENCH_JAR" load --target "127.0.0.1:$EDGE" --mode crr --rate "$PROBE_RATE" -c 8 -t 1 --bind 127.0.0.3 \
    --duration "${D}s" --warmup 1s --json >"$1" 2>/dev/null || true
}
isolation() { # isolation NAME PORT [ABUSED_PORT]: ROUNDS of (probe alone, probe beside the abuser); a table
  local name=$1 port=$2 target=${3:-$2} r abuser
  EDGE=$port
  for r in $(seq 1 "$ROUNDS"); do
    probe "$W/$name-alone-$r.json"
    ${ABUSER_PIN[@]+"${ABUSER_PIN[@]}"} java -Xmx128m -jar "$BENCH_JAR" load --target "127.0.0.1:$target" --mode crr --rate "$ABUSE_RATE" -c 64 -t 1 \
      --bind 127.0.0.2 --timeout 1s --duration "$((D + 2))s" --warmup 0s --json >"$W/$name-abuser-$r.json" 2>/dev/null &
    abuser=$!
    probe "$W/$name-abused-$r.json"
    wait "$abuser" || true
  done
  echo "## isolation, $name: probe ${PROBE_RATE}/s from 127.0.0.3, alone vs. beside 127.0.0.2 at ${ABUSE_RATE}/s (its limit 100/s)"
  echo "| round | alone p50 ms | alone p99 ms | abused p50 ms | abused p99 ms | abuser admitted/s | probe errors |"
  echo "|---|---|---|---|---|---|---|"
  for r in $(seq 1 "$ROUNDS"); do
    echo "| $r | $(ms "$W/$name-alone-$r.json" p50_us) | $(ms "$W/$name-alone-$r.json" p99_us) |" \
         "$(ms "$W/$name-abused-$r.json" p50_us) | $(ms "$W/$name-abused-$r.json" p99_us) |" \
         "$(json_num "$W/$name-abuser-$r.json" connects_per_s) | $(json_num "$W/$name-abused-$r.json" errors) |"
  done
  A99=$(for r in $(seq 1 "$ROUNDS"); do ms "$W/$name-alone-$r.json" p99_us; done | median)
  B99=$(for r in $(seq 1 "$ROUNDS"); do ms "$W/$name-abused-$r.json" p99_us; done | median)
  echo "$name probe p99 median: alone $A99 ms, abused $B99 ms: ratio $(awk -v a="$A99" -v b="$B99" 'BEGIN {printf "%.2f", b / a}') (bar <= 1.2)"
}
isolation lb "$EDGE"
# Control: the same abuse against a second lb process with the same config, not on the probe's way.
# What the probe then loses is this machine's 2 cores running the abuser and its handshakes.
LB_FIRST=$LB_PID
sed "s|$W/limited.sock|$W/control.sock|" "$W/limited.toml" > "$W/control.toml"
start_lb "$W/control.toml" "$W/control.log"
CONTROL_PID=$LB_PID
LB_PID=$LB_FIRST
echo
isolation lb-control "$(lb_port "$W/limited.log" edge)" "$(lb_port "$W/control.log" edge)"
stop_pid "$CONTROL_PID"
REFUSED=$(java -jar "$CLI_JAR" --socket "$W/limited.sock" --json stats | python3 -c '
import json, sys
l = json.load(sys.stdin)["result"]["listeners"][0]; print(l["refused"])')
echo "lb refused by reason: $REFUSED"
stop_pid "$LB_PID"
if [ -z "${NO_HAPROXY:-}" ] && [ -x "$HAPROXY" ]; then
  # The same through HAProxy (a stick table's 1 s connection rate, reject above 100): how much of the
  # difference is this machine running the abuser's load generator and handshakes on its 2 cores.
  HP=$(free_port)
  cat > "$W/haproxy.cfg" <<EOF
global
    nbthread 2
    maxconn 9000
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend edge
    bind 127.0.0.1:$HP
    stick-table type ip size 100k expire 30s store conn_rate(1s)
    tcp-request connection track-sc0 src
    tcp-request connection reject if { sc_conn_rate(0) gt 100 }
    default_backend echo
backend echo
    server a 127.0.0.1:${BACKEND_PORTS[0]}
    server b 127.0.0.1:${BACKEND_PORTS[1]}
EOF
  start_haproxy "$W/haproxy.cfg" "$W/haproxy.log" "$HP"
  echo
  isolation haproxy "$HP"
  stop_pid "$HA_PID"
fi
[ -z "${SKIP_OVERHEAD:-}" ] || exit 0

# ---- part 2: overhead --------------------------------------------------------------------------
H1=$(free_port) H2=$(free_port)
mkdir -p "$W/www"; printf 'hello from a backend\n' > "$W/www/index.html"
cat > "$W/nginx.conf" <<EOF
worker_processes 1; daemon off; pid $W/nginx.pid; error_log $W/nginx.err;
events { worker_connections 16384; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$H1 reuseport backlog=4096; root $W/www; }
  server { listen 127.0.0.1:$H2 reuseport backlog=4096; root $W/www; } }
EOF
nginx -c "$W/nginx.conf" -p "$W" &
PIDS+=($!)
wait_until 15 nginx port_open "$H1"
DENY=$(python3 -c 'print(", ".join("\"10.%d.%d.0/24\"" % (i // 256, i % 256) for i in range(1000)))')
for variant in plain rules; do
  {
    echo "[daemon]"; echo "workers = 2"; echo 'access_log = "off"'; echo "admin_socket = \"$W/$variant.sock\""
    echo "[[listener]]"; echo "name = \"web\""; echo 'bind = "127.0.0.1:0"'; echo 'pool = "web"'
    if [ "$variant" = rules ]; then
      echo 'allow = ["127.0.0.0/8"]'; echo "deny = [$DENY]"
      echo "source_max_connections = 100000"; echo "source_rate = 1000000"; echo "source_burst = 1000000"
      echo "rate_limit = 1000000"; echo "rate_limit_burst = 100000"
    fi
    echo "[[pool]]"; echo 'name = "web"'
    echo "[[pool.backend]]"; echo "address = \"127.0.0.1:$H1\""
    echo "[[pool.backend]]"; echo "address = \"127.0.0.1:$H2\""
  } > "$W/$variant.toml"
  start_lb "$W/$variant.toml" "$W/$variant.log"
  eval "PORT_$variant=\$(lb_port \"\$W/\$variant.log\" web)"
done
crr() { # crr PORT -> "conn/s p99_ms"
  wrk -t2 -c50 -d"${D}s" --latency -H 'Connection: close' "http://127.0.0.1:$1/" 2>&1 | awk '
    /Requests\/sec/ {rps = $2} / 99%/ {v = $2; if (v ~ /us$/) {sub(/us/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms/, "", v)} else if (v ~ /s$/) {sub(/s/, "", v); v *= 1000}; p99 = v}
    END {print rps, p99}'
}
for port in "$PORT_plain" "$PORT_rules"; do wrk -t2 -c50 -d2s -H 'Connection: close' "http://127.0.0.1:$port/" >/dev/null 2>&1; done
: > "$W/plain.txt"; : > "$W/rules.txt"
for r in $(seq 1 "$ROUNDS"); do
  crr "$PORT_plain" >> "$W/plain.txt"
  crr "$PORT_rules" >> "$W/rules.txt"
done
echo
echo "## overhead: crr (wrk -t2 -c50, Connection: close), rules configured but not hit vs. none, alternating rounds"
echo "| round | none conn/s | none p99 ms | rules conn/s | rules p99 ms |"
echo "|---|---|---|---|---|"
paste -d' ' "$W/plain.txt" "$W/rules.txt" | awk '{printf "| %d | %.0f | %.2f | %.0f | %.2f |\n", NR, $1, $2, $3, $4}'
P=$(cut -d' ' -f1 "$W/plain.txt" | median) R=$(cut -d' ' -f1 "$W/rules.txt" | median)
echo "median conn/s: none $P, rules $R: ratio $(awk -v p="$P" -v r="$R" 'BEGIN {printf "%.3f", r / p}') (bar >= 0.95)"
