#!/usr/bin/env bash
# upgrade.sh — what clients see while lb upgrades in place (lb-cli upgrade), with the host's
# net.ipv4.tcp_migrate_req at 1 and at 0.
#
# lb (2 loops, a fixed port) over two echo backends. For D seconds: 100 persistent connections
# opened first (bench load --mode rr, 100 requests/s in all: they stay on the process that accepted
# them) and new connections at RATE a second (--mode crr: connect, 64-byte echo, close; 2 s
# deadline each). UPGRADES upgrades during the run, evenly spaced. Reported per setting: each
# upgrade's time to ready, the new connections' errors by kind (refused, reset, timeout, closed),
# and the persistent connections' errors.
#
# Sets net.ipv4.tcp_migrate_req when run as root (and puts the old value back on exit); otherwise
# runs once with the host's value and says so. Loopback only; bounded by D per setting.
# WARMUP sets [daemon] warmup (default: lb's own, 2s): each new process warms up before it joins
# the listening sockets, so the clients it takes over meet compiled code; WARMUP=0s shows them the
# JIT's start instead.
# Usage: bench/upgrade.sh      env: RATE=1000 D=20 UPGRADES=3 SETTINGS="1 0" WARMUP=2s
set -eu
. "$(dirname "$0")/faults/lib.sh"
faults_init upgrade
RATE=${RATE:-1000}
D=${D:-20}
UPGRADES=${UPGRADES:-3}
SETTINGS=${SETTINGS:-"1 0"}
raise_nofile 20000 >/dev/null
SYSCTL=/proc/sys/net/ipv4/tcp_migrate_req
ORIGINAL=$(cat "$SYSCTL" 2>/dev/null || echo none)
if [ "$(id -u)" != 0 ] || [ "$ORIGINAL" = none ]; then
  echo "# not root (or no $SYSCTL): one run with the host's value ($ORIGINAL)"
  SETTINGS=$ORIGINAL
else
  trap 'echo "$ORIGINAL" > "$SYSCTL"; cleanup' EXIT
  echo "# root: setting net.ipv4.tcp_migrate_req to each of: $SETTINGS (restored to $ORIGINAL at the end)"
fi

json_num() { sed -n "s/.*\"$2\":\\([0-9.]*\\).*/\\1/p" "$1"; }
start_backend echo 2
PORT=$(free_port)

run_setting() {
  local setting=$1 r at pid
  [ "$setting" = "$ORIGINAL" ] || echo "$setting" > "$SYSCTL"
  cat > "$W/lb-$setting.toml" <<EOF
[daemon]
workers = 2
access_log = "off"
admin_socket = "$W/admin-$setting.sock"
state_file = ""
shutdown_grace = "$((D + 10))s"
warmup = "${WARMUP:-2s}"
[[listener]]
name = "web"
bind = "127.0.0.1:$PORT"
pool = "echo"
[[pool]]
name = "echo"
[[pool.backend]]
address = "127.0.0.1:${BACKEND_PORTS[0]}"
[[pool.backend]]
address = "127.0.0.1:${BACKEND_PORTS[1]}"
EOF
  start_lb "$W/lb-$setting.toml" "$W/lb-$setting.log"
  java -Xmx128m -jar "$BENCH_JAR" load --target "127.0.0.1:$PORT" --mode rr -c 100 -t 1 --rate 100 \
    --duration "${D}s" --warmup 0s --json >"$W/streams-$setting.json" 2>/dev/null &
  local streams=$!
  java -Xmx256m -jar "$BENCH_JAR" load --target "127.0.0.1:$PORT" --mode crr -c 64 -t 2 --rate "$RATE" \
    --duration "${D}s" --warmup 0s --json >"$W/churn-$setting.json" 2>/dev/null &
  local churn=$!
  : > "$W/upgrades-$setting.txt"
  for r in $(seq 1 "$UPGRADES"); do
    sleep $(( D / (UPGRADES + 1) )) # the schedule of the upgrades in the run, not a synchronisation
    at=$(now_ms)
    java -jar "$CLI_JAR" --socket "$W/admin-$setting.sock" --timeout 70 upgrade --timeout 60 >"$W/up-$setting-$r.out" 2>&1 \
      || { echo "upgrade $r failed: $(cat "$W/up-$setting-$r.out")"; }
    pid=$(sed -n 's/^upgraded: pid \([0-9]*\) took over (ready in \([0-9]*\) ms).*/\1 \2/p' "$W/up-$setting-$r.out")
    echo "$pid $(( $(now_ms) - at ))" >> "$W/upgrades-$setting.txt"
    # shellcheck disable=SC2046
    PIDS+=($(echo "$pid" | cut -d' ' -f1))
  done
  wait "$churn" "$streams" || true
  echo "## tcp_migrate_req = $setting: $UPGRADES upgrades during $D s of $RATE new connections/s and 100 persistent ones"
  echo "| upgrade | new pid | ready in | lb-cli upgrade took |"
  echo "|---|---|---|---|"
  awk '{printf "| %d | %s | %s ms | %s ms |\n", NR, $1, $2, $3}' "$W/upgrades-$setting.txt"
  local f=$W/churn-$setting.json s=$W/streams-$setting.json
  echo "new connections: $(json_num "$f" connects) done, errors: refused $(json_num "$f" errors_refused)," \
       "reset $(json_num "$f" errors_reset), timeout $(json_num "$f" errors_timeout), closed $(json_num "$f" errors_closed)," \
       "other $(json_num "$f" errors_other); p99 $(json_num "$f" p99_us) us"
  echo "persistent connections: $(json_num "$s" requests) requests, errors $(json_num "$s" errors)"
  echo
  for pid in $(cut -d' ' -f1 "$W/upgrades-$setting.txt"); do stop_pid "$pid"; done
  stop_pid "$LB_PID"
}

for setting in $SETTINGS; do run_setting "$setting"; done
