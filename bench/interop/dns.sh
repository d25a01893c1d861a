#!/usr/bin/env bash
# dns.sh — lb's backends from DNS against a real DNS server: dnsmasq serves SRV records for
# _app._tcp.lb.test (and the targets' A records) with a TTL of 1 s, lb balances live traffic over
# what they name, and the records change under it.
#
#   phase 1: b1 and b2 (weights 10 and 10)          -> lb has both, traffic reaches both
#   phase 2: dnsmasq restarted with b1 and b3        -> lb adds b3, drains and drops b2
#   phase 3: dnsmasq stopped for 5 s (lookups fail)  -> lb keeps b1 and b3, counts the failures
#   phase 4: dnsmasq back with b1, b3 and b4         -> lb adds b4, the failures stop
# Throughout, a client opens 100 new connections a second (64-byte echo each): none may fail.
# dnsmasq's SRV records are not reloaded on SIGHUP, hence the restarts (lb keeps its last good set
# across each). Prints one PASS/FAIL line per check; exits 1 on any FAIL. Installs dnsmasq with
# apt-get when missing. Loopback only; bounded (about 40 s); every process stopped on exit.
# Usage: bench/interop/dns.sh      (build first: mvn -B -q -o package -DskipTests)
set -eu
. "$(dirname "$0")/../faults/lib.sh"
command -v dnsmasq >/dev/null || {
  echo "# installing dnsmasq with apt-get"
  (apt-get update -qq && apt-get install -y -qq dnsmasq-base) >/dev/null 2>&1 || { echo "could not install dnsmasq" >&2; exit 1; }
}
faults_init dns
FAILED=0
json_num() { sed -n "s/.*\"$2\":\\([0-9.]*\\).*/\\1/p" "$1"; }
check() { # check WHAT EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then echo "PASS $1: $3"; else echo "FAIL $1: expected '$2', got '$3'"; FAILED=1; fi
}

start_backend echo 4
DNS_PORT=$(free_port)
DNS_PID=

dns_up() { # dns_up NAME... : dnsmasq with an SRV record per named backend (b1..b4 -> BACKEND_PORTS[0..3])
  local args=() name i
  for name in "$@"; do
    i=${name#b}
    args+=("--host-record=$name.lb.test,127.0.0.1"
           "--srv-host=_app._tcp.lb.test,$name.lb.test,${BACKEND_PORTS[$((i - 1))]},0,10")
  done
  dnsmasq --keep-in-foreground --no-resolv --no-hosts --no-dhcp-interface= --bind-interfaces \
    --listen-address=127.0.0.1 --port="$DNS_PORT" --local-ttl=1 --user="$(id -un)" \
    --pid-file="$W/dnsmasq.pid" "${args[@]}" >"$W/dnsmasq.log" 2>&1 &
  DNS_PID=$!
  PIDS+=("$DNS_PID")
  wait_until 10 dnsmasq port_open_udp
}
port_open_udp() { python3 -c "
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.2)
q = b'\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x04_app\x04_tcp\x02lb\x04test\x00\x00\x21\x00\x01'
s.sendto(q, ('127.0.0.1', $DNS_PORT))
try: s.recv(512)
except Exception: sys.exit(1)"; }
dns_down() { stop_pid "$DNS_PID"; }

cat > "$W/lb.toml" <<EOF
[daemon]
workers = 2
access_log = "off"
admin_socket = "$W/lb.sock"
state_file = ""
[[listener]]
name = "web"
bind = "127.0.0.1:0"
pool = "app"
[[pool]]
name = "app"
[pool.discovery]
name = "_app._tcp.lb.test"
type = "srv"
resolvers = ["127.0.0.1:$DNS_PORT"]
refresh = "ttl"
min_refresh = "500ms"
timeout = "500ms"
EOF

backends() { # the pool's backends, sorted, as "name:admin_state" words
  java -jar "$CLI_JAR" --socket "$W/lb.sock" --json status 2>/dev/null | python3 -c '
import json, sys
r = json.load(sys.stdin)["result"]
for p in r["pools"]:
    print(" ".join(sorted(b["name"].split(".")[0] + ":" + b["admin_state"] for b in p["backends"])))'
}
has_backends() { [ "$(backends)" = "$1" ]; }

dns_up b1 b2
start_lb "$W/lb.toml" "$W/lb.log"
PORT=$(lb_port "$W/lb.log" web)
echo "# dnsmasq $(dnsmasq --version | head -1 | cut -d' ' -f3) on 127.0.0.1:$DNS_PORT; lb $(git -C "$ROOT" rev-parse --short HEAD)"
java -Xmx128m -jar "$BENCH_JAR" load --target "127.0.0.1:$PORT" --mode crr --rate 100 -c 16 -t 1 --duration 40s \
  --warmup 0s --json >"$W/load.json" 2>/dev/null &
LOAD=$!
PIDS+=("$LOAD")

wait_until 10 "b1 and b2" has_backends "b1:active b2:active" || true
check "phase 1: the SRV records' backends" "b1:active b2:active" "$(backends)"

dns_down
dns_up b1 b3
wait_until 15 "b3 in, b2 out" has_backends "b1:active b3:active" || true
check "phase 2: b3 added, b2 drained and gone" "b1:active b3:active" "$(backends)"

dns_down
START=$SECONDS
failing() { java -jar "$CLI_JAR" --socket "$W/lb.sock" --json stats | python3 -c '
import json, sys
r = json.load(sys.stdin)["result"]
p = r["pools"][0]
print("yes" if p.get("discovery_failing") else "no", sum(p.get("discovery_failures", {}).values()))'; }
wait_until 10 "a failed lookup" sh -c "[ \"\$(java -jar '$CLI_JAR' --socket '$W/lb.sock' --json stats | grep -o '\"discovery_failing\":true')\" ]" || true
while (( SECONDS - START < 5 )); do sleep 0.5; done # the outage's length, not a synchronisation
check "phase 3: DNS down, the last good set kept" "b1:active b3:active" "$(backends)"
read -r FAILING FAILURES < <(failing)
check "phase 3: the pool says its lookups fail" "yes" "$FAILING"
echo "# lookups failed during the outage: $FAILURES (lb_pool_discovery_failures_total); status: $(java -jar "$CLI_JAR" --socket "$W/lb.sock" status | grep discovery: | head -1)"

dns_up b1 b3 b4
wait_until 15 "b4 in" has_backends "b1:active b3:active b4:active" || true
check "phase 4: DNS back, b4 added" "b1:active b3:active b4:active" "$(backends)"
read -r FAILING FAILURES < <(failing)
check "phase 4: the pool's lookups work again" "no" "$FAILING"

wait "$LOAD" || true
check "live traffic: new connections that failed" "0" "$(json_num "$W/load.json" errors)"
echo "# new connections served: $(json_num "$W/load.json" connects)"
exit $FAILED
