#!/usr/bin/env bash
# slow-readers.sh — do clients that never read, behind a backend that streams, hurt other clients?
#
# One daemon, two listeners, default workers: "abuse" in front of a bench source backend (an
# endless stream), "echo" in front of a bench echo backend. An echo client does M exchanges of
# 1 KiB on listener echo (one per 10 ms, each checked byte for byte), first alone (base_), then
# while N clients (default 10000) with a 4 KiB SO_RCVBUF connect to listener abuse and never read:
# FILL_M exchanges at once, while their streams fill the socket buffers and stall (fill_: a
# connect flood and bulk transfer into thousands of sockets), then M once the proxy has gone
# quiet with them all held (abuse_: the steady state of the fault). Measured: the echo client's
# p50 / p99 / max and failures in each phase, and p99 ratios against the baseline; the daemon's RSS and, for lb, its direct memory (NMT "Other": the loops' read buffers and
# buffer pools, against the bound workers x (buffer_size + buffer_pool_max)); what happened to the
# abusers (still open, reset, closed), and for lb how many sessions ended write_stalled.
# HAProxy: the same two frontends (nbthread 2, maxconn as the descriptor limit allows).
#
# Usage: bench/faults/slow-readers.sh       env: N=10000 M=1000 FILL_M=300 WARM=0 (1: an unmeasured round first)
# N is capped so that a proxy's two descriptors per session fit the hard descriptor limit.
set -eu
. "$(dirname "$0")/lib.sh"
faults_init slow-readers
raise_nofile 65536
N=${N:-10000}
M=${M:-1000}
FILL_M=${FILL_M:-300}
fit=$(( ($(ulimit -n) - 400) / 2 ))
if (( N > fit )); then
  echo "# N=$N needs $((2 * N)) descriptors in the proxy; the limit is $(ulimit -n): N=$fit"
  N=$fit
fi
WORKERS=$(nproc)  # lb's "auto", and HAProxy's nbthread, so both run as many event loops
BUFFER_KIB=32 POOL_MAX_KIB=65536  # lb's defaults, written out to state the bound

ratio() {
  python3 -c 'import sys; b, a = sys.argv[1:]
print(round(float(a) / float(b), 1) if "na" not in (a, b) else "na")' "$1" "$2"
}

# abuse PROXY ABUSE_PORT ECHO_PORT PID SESSIONS_ARGS...: the two phases against one proxy; sets
# SLOW (key=value pairs). SESSIONS_ARGS tell faultkit wait-sessions where to count sessions.
abuse() {
  local proxy=$1 abuse_port=$2 echo_port=$3 pid=$4
  shift 4
  local base readers connected fill under
  if [ "${WARM:-0}" = 1 ]; then
    # An unmeasured round first, so that lb's JIT has compiled the paths abuse takes (on 2 cores
    # the compiler thread otherwise competes with the loops for the first seconds of it).
    "${FK[@]}" --prefix warm_ slow-readers "127.0.0.1:$abuse_port" --count "$N" --rcvbuf 4096 \
        --connect-deadline 30 --hold-max 80 --status-file "$W/warm-$proxy.status" >/dev/null &
    readers=$!
    PIDS+=("$readers")
    wait_until 40 "$N slow readers (warm-up)" file_has "$W/warm-$proxy.status" phase=holding
    "${FK[@]}" --prefix warm_ echo-rr "127.0.0.1:$echo_port" --count 300 --interval-ms 10 >/dev/null
    stop_tool "$readers" >/dev/null
  fi
  base=$("${FK[@]}" --prefix base_ echo-rr "127.0.0.1:$echo_port" --count "$M" --interval-ms 10 --warmup 500)
  "${FK[@]}" --prefix readers_ slow-readers "127.0.0.1:$abuse_port" --count "$N" --rcvbuf 4096 \
      --connect-deadline 30 --hold-max 80 --status-file "$W/readers-$proxy.status" >"$W/readers-$proxy.out" &
  readers=$!
  PIDS+=("$readers")
  wait_until 40 "$N slow readers" file_has "$W/readers-$proxy.status" phase=holding
  connected=$(field connected "$(cat "$W/readers-$proxy.status")")
  # fill_: at once, while the readers' streams fill their socket buffers and stall (a connect flood
  # plus bulk transfer into thousands of sockets; the proxy is busiest here).
  fill=$("${FK[@]}" --prefix fill_ echo-rr "127.0.0.1:$echo_port" --count "$FILL_M" --interval-ms 10)
  # abuse_: once they hold still (the proxy has gone quiet), N clients that do not read.
  wait_until 60 "the proxy to settle" quiet "$pid"
  under=$("${FK[@]}" --prefix abuse_ echo-rr "127.0.0.1:$echo_port" --count "$M" --interval-ms 10)
  # Sessions the proxy holds at the end of it (lb will have closed some: see ended_*).
  SLOW="$("${FK[@]}" --prefix readers_ wait-sessions --min "$connected" --deadline 0 "$@")"
  SLOW+=" $base $fill $under rss_kib=$(rss_kib "$pid")"
  if [ "$proxy" = lb ]; then
    # While the readers are still there: how lb ended abuse sessions so far, and its direct memory.
    SLOW+=" direct_kib=$(direct_kib "$pid") direct_bound_kib=$((WORKERS * (BUFFER_KIB + POOL_MAX_KIB)))"
    SLOW+=" $("${FK[@]}" --prefix listener_ lb-ends --lb-admin "$W/admin.sock" --listener abuse)"
  fi
  stop_tool "$readers"
  SLOW+=" $(cat "$W/readers-$proxy.out") n=$N"
  SLOW+=" p99_ratio=$(ratio "$(field base_p99_ms "$base")" "$(field abuse_p99_ms "$under")")"
  SLOW+=" fill_p99_ratio=$(ratio "$(field base_p99_ms "$base")" "$(field fill_p99_ms "$fill")")"
}

# --- lb ---------------------------------------------------------------------------------------
start_backend source 1; SOURCE=${BACKEND_PORTS[0]}
start_backend echo 1; ECHO=${BACKEND_PORTS[0]}
cat >"$W/lb.toml" <<EOF
[daemon]
admin_socket = "$W/admin.sock"
access_log = false
buffer_size = "${BUFFER_KIB}KiB"
buffer_pool_max = "${POOL_MAX_KIB}KiB"

[[listener]]
name = "abuse"
bind = "127.0.0.1:0"
pool = "source"

[[listener]]
name = "echo"
bind = "127.0.0.1:0"
pool = "echo"

[[pool]]
name = "source"

[[pool.backend]]
address = "127.0.0.1:$SOURCE"

[[pool]]
name = "echo"

[[pool.backend]]
address = "127.0.0.1:$ECHO"
EOF
start_lb "$W/lb.toml" "$W/lb.log" -XX:NativeMemoryTracking=summary
abuse lb "$(lb_port "$W/lb.log" abuse)" "$(lb_port "$W/lb.log" echo)" "$LB_PID" \
    --lb-admin "$W/admin.sock" --listener abuse
result lb "$SLOW"
stop_pid "$LB_PID"; stop_pid "$BACKEND_PID"

# --- HAProxy ----------------------------------------------------------------------------------
if have_haproxy; then
  # Fresh backends: new ports, so none of lb's closing connections' TIME_WAIT is in the way.
  start_backend source 1; SOURCE=${BACKEND_PORTS[0]}
  start_backend echo 1; ECHO=${BACKEND_PORTS[0]}
  PA=$(free_port) PE=$(free_port)
  cat >"$W/haproxy.cfg" <<EOF
global
    maxconn $(haproxy_maxconn)
    nbthread $WORKERS
    stats socket $W/haproxy.sock level admin
defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend abuse
    bind 127.0.0.1:$PA
    default_backend source
frontend echo
    bind 127.0.0.1:$PE
    default_backend echo
backend source
    server s1 127.0.0.1:$SOURCE
backend echo
    server s1 127.0.0.1:$ECHO
EOF
  start_haproxy "$W/haproxy.cfg" "$W/haproxy.log" "$PA" "$PE"
  abuse haproxy "$PA" "$PE" "$HA_PID" --haproxy-sock "$W/haproxy.sock" --frontend abuse
  result haproxy "$SLOW" maxconn="$(haproxy_maxconn)"
fi
