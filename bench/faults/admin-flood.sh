#!/usr/bin/env bash
# admin-flood.sh — does a flood of admin-socket clients hurt the data plane, or lock the operator out?
#
# (a) N connections (default 10000) to the admin socket, opened and held idle. While they are held,
#     an echo client relays through a listener (exchanges ok / failed), and a status request is
#     timed twice: lb-cli status (a JVM start included) and the raw request on a fresh connection.
#     After they are closed, the same again. Heap in use (jstat) and RSS while held and after.
# (b) PIPELINE requests (default 100000) in one write on one connection; every reply is read and
#     its count and order checked (replies carry no id: the protocol answers in order, so every
#     tenth request is an unknown command whose error quotes its index back); then lb-cli status.
# HAProxy: the same against its stats socket (`stats socket PATH level admin`, default maxconn 10
# and timeout 10 s), `show info` as the status request, and show version / show info pipelined
# in prompt mode (its CLI has no command that echoes an argument, so order is checked by kind).
#
# Usage: bench/faults/admin-flood.sh        env: N=10000 PIPELINE=100000
# Prints one RESULT line per proxy (README.md lists the keys). Loopback only; stops what it starts.
set -eu
. "$(dirname "$0")/lib.sh"
faults_init admin-flood
N=${N:-10000}
PIPELINE=${PIPELINE:-100000}
raise_nofile 65536   # the holder needs N descriptors, and lb one per connection it accepts

start_backend echo 1
ECHO=${BACKEND_PORTS[0]}

# memory PID PROXY PHASE: live heap (lb only) and RSS of the proxy, as key=value pairs.
memory() {
  local heap=na
  [ "$2" = lb ] && heap=$(heap_live_kib "$1")
  echo "heap_live_$3_kib=$heap rss_$3_kib=$(rss_kib "$1")"
}

# flood PROXY SOCKET PROTO ECHO_PORT PID STATUS_CMD...: phases (a) and (b) against one proxy;
# sets FLOOD (key=value pairs). STATUS_CMD is the operator's status command (lb-cli, or the raw
# request for HAProxy), timed with its exit status.
flood() {
  local proxy=$1 sock=$2 proto=$3 port=$4 pid=$5
  shift 5
  local hold status open_at_probe
  FLOOD="$("${FK[@]}" --prefix before_status_ unix-rtt "$sock" --proto "$proto" --count 5)"
  FLOOD+=" $("${FK[@]}" --prefix before_echo_ echo-rr "127.0.0.1:$port" --count 200 --interval-ms 10)"
  FLOOD+=" $(memory "$pid" "$proxy" before)"

  # (a) hold N connections; measure while they are held, then after they are closed.
  "${FK[@]}" --prefix hold_ hold-unix "$sock" --count "$N" --connect-deadline 15 --hold-max 60 \
      --status-file "$W/hold-$proxy.status" >"$W/hold-$proxy.out" &
  hold=$!
  PIDS+=("$hold")
  wait_until 30 "$N admin connections" file_has "$W/hold-$proxy.status" phase=holding
  status=$(timed_ms "$W/status-held-$proxy.out" "$@")
  echo "# $proxy: status while held said: $(head -c 160 "$W/status-held-$proxy.out" | tr '\n' ' ')"
  FLOOD+=" held_cli_ms=${status% *} held_cli_exit=${status#* }"
  FLOOD+=" $("${FK[@]}" --prefix held_status_ unix-rtt "$sock" --proto "$proto" --count 3 --timeout 5)"
  FLOOD+=" $("${FK[@]}" --prefix held_echo_ echo-rr "127.0.0.1:$port" --count 200 --interval-ms 10)"
  open_at_probe=$(field open "$(cat "$W/hold-$proxy.status")")
  FLOOD+=" $(memory "$pid" "$proxy" held)"
  stop_tool "$hold"
  FLOOD+=" $(cat "$W/hold-$proxy.out") hold_open_at_probe=$open_at_probe"
  status=$(timed_ms "$W/status-after-$proxy.out" "$@")
  FLOOD+=" after_cli_ms=${status% *} after_cli_exit=${status#* }"
  FLOOD+=" $("${FK[@]}" --prefix after_status_ unix-rtt "$sock" --proto "$proto" --count 5)"
  FLOOD+=" $(memory "$pid" "$proxy" after)"

  # (b) pipelined requests in one write, then the operator's status again.
  FLOOD+=" $("${FK[@]}" --prefix pipe_ pipeline "$sock" --proto "$proto" --count "$PIPELINE" --timeout 60)"
  status=$(timed_ms "$W/status-pipe-$proxy.out" "$@")
  FLOOD+=" pipe_then_cli_ms=${status% *} pipe_then_cli_exit=${status#* } $(memory "$pid" "$proxy" pipe)"
}

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

[[pool.backend]]
address = "127.0.0.1:$ECHO"
EOF
start_lb "$W/lb.toml" "$W/lb.log"
flood lb "$W/admin.sock" lb "$(lb_port "$W/lb.log" echo)" "$LB_PID" \
    java -jar "$CLI_JAR" --socket "$W/admin.sock" status
alive "$LB_PID" && up=yes || up=no
result lb "$FLOOD" daemon_alive="$up"
stop_pid "$LB_PID"

# --- HAProxy ----------------------------------------------------------------------------------
if have_haproxy; then
  HPORT=$(free_port)
  cat >"$W/haproxy.cfg" <<EOF
global
    stats socket $W/haproxy.sock level admin
    maxconn $(haproxy_maxconn)
    nbthread 2
defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend echo
    bind 127.0.0.1:$HPORT
    default_backend echo
backend echo
    server s1 127.0.0.1:$ECHO
EOF
  start_haproxy "$W/haproxy.cfg" "$W/haproxy.log" "$HPORT"
  flood haproxy "$W/haproxy.sock" haproxy "$HPORT" "$HA_PID" \
      "${FK[@]}" unix-rtt "$W/haproxy.sock" --proto haproxy --count 1 --timeout 10 --strict
  alive "$HA_PID" && up=yes || up=no
  result haproxy "$FLOOD" daemon_alive="$up"
fi
