#!/usr/bin/env bash
# out-of-descriptors.sh — a daemon out of file descriptors: does it serve what it can, refuse the
# rest cleanly, keep its backends in rotation, and not spin?
#
# The daemon runs under `ulimit -n 300` in front of 2 echo backends, with passive checks that
# could eject them (consecutive_failures 5, max_ejection_percent 100). C clients (default 400)
# connect at once, each sends 4 KiB of its own, checks the echo and keeps its connection 1 s more
# (so that the limit is reached and stays reached for a while). Counted: ok, resets, refusals,
# early closes, wrong bytes, and clients not done within the deadline; then lb's own view (how
# sessions ended, which backends are ejected, as lb-cli status shows them); the CPU of the lb-admin
# thread and of the whole process over the run (sampled from /proc/PID/task/*/stat); and a second,
# small burst afterwards (recovery). HAProxy: under the same `ulimit -n 300` with no maxconn set:
# it derives its own from the limit, printed as maxconn=; servers have `check observe layer4
# error-limit 5 on-error mark-down`, the nearest thing to lb's passive checks.
#
# Usage: bench/faults/out-of-descriptors.sh     env: C=400 LIMIT=300
set -eu
. "$(dirname "$0")/lib.sh"
faults_init out-of-descriptors
C=${C:-400}
LIMIT=${LIMIT:-300}
raise_nofile 65536   # for the clients and backends; only the proxy gets LIMIT

# storm PROXY PORT PID THREAD: the burst, CPU sampled around it, then a small burst; sets STORM.
storm() {
  local proxy=$1 port=$2 pid=$3 thread=$4 cpu
  "${FK[@]}" thread-cpu --pid "$pid" --name "$thread" --interval-ms 200 --hold-max 80 >"$W/cpu-$proxy.out" &
  cpu=$!
  PIDS+=("$cpu")
  # Each client keeps its connection 1 s after its echo: the proxy stays at its limit for a while.
  STORM=$("${FK[@]}" burst "127.0.0.1:$port" --count "$C" --size 4096 --deadline 30 --hold-ms 1000)
  stop_tool "$cpu"
  STORM+=" $(cat "$W/cpu-$proxy.out")"
  STORM+=" $("${FK[@]}" --prefix after_ burst "127.0.0.1:$port" --count 20 --size 4096 --deadline 10 |
      tr ' ' '\n' | grep -E '^after_(ok|reset|refused|eof|timeout_connected|timeout_connecting)=' | paste -sd ' ')"
}

start_backend echo 2

# --- lb ---------------------------------------------------------------------------------------
cat >"$W/lb.toml" <<EOF
[daemon]
admin_socket = "$W/admin.sock"
access_log = false

[[listener]]
name = "echo"
bind = "127.0.0.1:0"
pool = "echo"

[[pool]]
name = "echo"

[pool.outlier]
consecutive_failures = 5
ejection_time = "10s"
max_ejection_percent = 100

[[pool.backend]]
name = "e1"
address = "127.0.0.1:${BACKEND_PORTS[0]}"

[[pool.backend]]
name = "e2"
address = "127.0.0.1:${BACKEND_PORTS[1]}"
EOF
NOFILE=$LIMIT start_lb "$W/lb.toml" "$W/lb.log"
echo "# lb: $(find "/proc/$LB_PID/fd" -mindepth 1 | wc -l) descriptors open at start, limit $LIMIT"
storm lb "$(lb_port "$W/lb.log" echo)" "$LB_PID" lb-admin
status=$(timed_ms "$W/status.json" java -jar "$CLI_JAR" --socket "$W/admin.sock" --json status)
ejected=$(grep -o '"ejected":true' "$W/status.json" | wc -l || true)
java -jar "$CLI_JAR" --socket "$W/admin.sock" status | sed 's/^/# /' || true
alive "$LB_PID" && up=yes || up=no
result lb "$STORM" status_exit="${status#* }" ejected="$ejected" \
    "$("${FK[@]}" --prefix lb_ lb-ends --lb-admin "$W/admin.sock" --listener echo)" \
    emfile_log_lines="$(grep -ci 'too many open files' "$W/lb.log" || true)" daemon_alive="$up"
stop_pid "$LB_PID"

# --- HAProxy ----------------------------------------------------------------------------------
if have_haproxy; then
  HPORT=$(free_port)
  cat >"$W/haproxy.cfg" <<EOF
global
    nbthread $(nproc)
    stats socket $W/haproxy.sock level admin
defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend echo
    bind 127.0.0.1:$HPORT
    default_backend echo
backend echo
    server e1 127.0.0.1:${BACKEND_PORTS[0]} check inter 1s observe layer4 error-limit 5 on-error mark-down
    server e2 127.0.0.1:${BACKEND_PORTS[1]} check inter 1s observe layer4 error-limit 5 on-error mark-down
EOF
  NOFILE=$LIMIT start_haproxy "$W/haproxy.cfg" "$W/haproxy.log" "$HPORT"
  # HAProxy runs everything (CLI included) on its worker threads: sample the whole process.
  storm haproxy "$HPORT" "$HA_PID" haproxy
  state=$("${FK[@]}" haproxy-state "$W/haproxy.sock")
  alive "$HA_PID" && up=yes || up=no
  result haproxy "$STORM" "$state" daemon_alive="$up"
fi
