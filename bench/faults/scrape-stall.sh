#!/usr/bin/env bash
# scrape-stall.sh — does a metrics client that stalls half-way through its request hold up the
# scrapes of others?
#
# lb serves metrics on the JDK's HTTP server with 4 threads and a 10 s limit on a request's
# arrival. Scrapes (a fresh connection each, paced 100 ms apart) are timed: first alone
# (baseline), then for 12 s while 1 client has sent half a request and stopped, then for 12 s
# while 8 clients do (more stalled clients than serving threads). For each stall phase: the
# scrapes' p50 / p99 / max and failures, and when the server dropped the stalled clients.
# HAProxy: its built-in Prometheus exporter (`http-request use-service prometheus-exporter`, in
# this build when `haproxy -vv` lists PROMEX) with `timeout http-request 10s` to match; n/a
# without it.
#
# Usage: bench/faults/scrape-stall.sh     env: STALLS="1 8"
set -eu
. "$(dirname "$0")/lib.sh"
faults_init scrape-stall
STALLS=${STALLS:-1 8}

# stalls PROXY PORT: baseline, then each stall phase; sets STALL (key=value pairs).
stalls() {
  local proxy=$1 port=$2 k tool
  STALL=$("${FK[@]}" --prefix base_ scrape "127.0.0.1:$port" --count 20 --interval-ms 100)
  for k in $STALLS; do
    "${FK[@]}" --prefix "stall${k}_" stall "127.0.0.1:$port" --count "$k" --hold-max 40 \
        --status-file "$W/stall-$proxy-$k.status" >"$W/stall-$proxy-$k.out" &
    tool=$!
    PIDS+=("$tool")
    wait_until 10 "$k stalled clients" file_has "$W/stall-$proxy-$k.status" phase=stalling
    STALL+=" $("${FK[@]}" --prefix "stall${k}_" scrape "127.0.0.1:$port" --count 120 --interval-ms 100)"
    stop_tool "$tool"
    STALL+=" $(cat "$W/stall-$proxy-$k.out")"
  done
}

# --- lb ---------------------------------------------------------------------------------------
cat >"$W/lb.toml" <<EOF
[daemon]
admin_socket = ""
access_log = false

[metrics]
listen = "127.0.0.1:0"

[[listener]]
name = "l"
bind = "127.0.0.1:0"
pool = "p"

[[pool]]
name = "p"

[[pool.backend]]
address = "127.0.0.1:9"
EOF
start_lb "$W/lb.toml" "$W/lb.log"
stalls lb "$(lb_metrics_port "$W/lb.log")"
result lb "$STALL"
stop_pid "$LB_PID"

# --- HAProxy ----------------------------------------------------------------------------------
if have_haproxy; then
  if ! "$HAPROXY" -vv 2>/dev/null | grep -q 'Prometheus exporter'; then
    echo "haproxy: n/a (built without the Prometheus exporter)"
    result haproxy na=no_prometheus_exporter
    exit 0
  fi
  PP=$(free_port)
  cat >"$W/haproxy.cfg" <<EOF
global
    nbthread $(nproc)
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout http-request 10s
frontend prometheus
    bind 127.0.0.1:$PP
    http-request use-service prometheus-exporter if { path /metrics }
EOF
  start_haproxy "$W/haproxy.cfg" "$W/haproxy.log" "$PP"
  stalls haproxy "$PP"
  result haproxy "$STALL"
fi
