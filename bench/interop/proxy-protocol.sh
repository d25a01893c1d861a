#!/usr/bin/env bash
# proxy-protocol.sh — lb's PROXY protocol against the real thing: HAProxy and nginx on both sides.
#
#   chain A: client 127.0.0.3 -> HAProxy (send-proxy-v2) -> lb (listener proxy_protocol = "v2",
#            pool proxy_protocol = "v1") -> nginx stream (listen ... proxy_protocol), which answers
#            and logs $proxy_protocol_addr:$proxy_protocol_port
#   chain B: client 127.0.0.4 -> lb (pool proxy_protocol = "v2") -> HAProxy (bind ... accept-proxy),
#            which logs %ci:%cp and passes the bytes to nginx stream, which answers "ok"
#
# Each chain passes when the original client's address and port appear at the far end (in the
# answer and in the far end's log). Prints one PASS/FAIL line per check and exits 1 on any FAIL.
# Installs haproxy and nginx's stream module with apt-get when missing. Loopback only; every
# client waits at most 5 s; every process started is stopped on exit.
#
# Usage: bench/interop/proxy-protocol.sh     (build first: mvn -B -q -o package -DskipTests)
set -eu
. "$(dirname "$0")/../faults/lib.sh"

NGX_MOD=/usr/lib/nginx/modules/ngx_stream_module.so
if ! [ -x "$HAPROXY" ] || ! command -v nginx >/dev/null || ! [ -f "$NGX_MOD" ]; then
  echo "# installing haproxy and nginx (stream module) with apt-get"
  (apt-get update -qq && apt-get install -y -qq haproxy nginx-light libnginx-mod-stream) >/dev/null 2>&1 \
    || { echo "could not install haproxy / nginx: install them and run again" >&2; exit 1; }
  HAPROXY=$(command -v haproxy)
fi
faults_init proxy-protocol
chmod 755 "$W"
FAILED=0

check() { # check WHAT EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then echo "PASS $1: $3"; else echo "FAIL $1: expected '$2', got '$3'"; FAILED=1; fi
}

# client FROM PORT: connects from FROM to 127.0.0.1:PORT, sends a line, prints "localport answer".
client() {
  python3 - "$1" "$2" <<'EOF'
import socket, sys
s = socket.socket()
s.settimeout(5)
s.bind((sys.argv[1], 0))
s.connect(("127.0.0.1", int(sys.argv[2])))
s.sendall(b"hello\n")
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
print(s.getsockname()[1], data.decode().strip())
EOF
}

NGX_PP=$(free_port) NGX_PLAIN=$(free_port) HA_SEND=$(free_port) HA_ACCEPT=$(free_port)

# nginx: one server that takes PROXY v1/v2 and answers with the address it names, one plain.
cat > "$W/nginx.conf" <<EOF
load_module $NGX_MOD;
worker_processes 1; daemon off; pid $W/nginx.pid; error_log $W/nginx.err;
events { worker_connections 256; }
stream {
  log_format pp '\$proxy_protocol_addr:\$proxy_protocol_port';
  server { listen 127.0.0.1:$NGX_PP proxy_protocol; access_log $W/nginx-pp.log pp;
           return "\$proxy_protocol_addr:\$proxy_protocol_port\n"; }
  server { listen 127.0.0.1:$NGX_PLAIN; return "ok\n"; }
}
EOF
nginx -c "$W/nginx.conf" -p "$W" &
PIDS+=($!)
wait_until 15 "nginx" port_open "$NGX_PP"
wait_until 15 "nginx" port_open "$NGX_PLAIN"

# lb: listener "in" takes v2 and sends v1 to nginx; listener "out" sends v2 to HAProxy.
cat > "$W/lb.toml" <<EOF
[daemon]
workers = 2
admin_socket = "$W/lb.sock"
[[listener]]
name = "in"
bind = "127.0.0.1:0"
pool = "nginx"
proxy_protocol = "v2"
proxy_protocol_trusted = ["127.0.0.1"]
[[listener]]
name = "out"
bind = "127.0.0.1:0"
pool = "haproxy"
[[pool]]
name = "nginx"
proxy_protocol = "v1"
[[pool.backend]]
name = "nginx"
address = "127.0.0.1:$NGX_PP"
[[pool]]
name = "haproxy"
proxy_protocol = "v2"
[[pool.backend]]
name = "haproxy"
address = "127.0.0.1:$HA_ACCEPT"
EOF
start_lb "$W/lb.toml" "$W/lb.log"
LB_IN=$(lb_port "$W/lb.log" in) LB_OUT=$(lb_port "$W/lb.log" out)

cat > "$W/haproxy.cfg" <<EOF
global
    log stdout format raw local0
defaults
    mode tcp
    log global
    timeout connect 5s
    timeout client 10s
    timeout server 10s
frontend send_v2
    bind 127.0.0.1:$HA_SEND
    log-format "send_v2 %ci:%cp"
    default_backend lb_in
backend lb_in
    server lb 127.0.0.1:$LB_IN send-proxy-v2
frontend accept
    bind 127.0.0.1:$HA_ACCEPT accept-proxy
    log-format "accepted %ci:%cp"
    default_backend plain
backend plain
    server nginx 127.0.0.1:$NGX_PLAIN
EOF
start_haproxy "$W/haproxy.cfg" "$W/haproxy.log" "$HA_SEND" "$HA_ACCEPT"

echo "# versions: $("$HAPROXY" -v | head -1 | cut -d' ' -f1-3); $(nginx -v 2>&1); lb $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"

read -r port answer < <(client 127.0.0.3 "$HA_SEND")
check "A: client -> HAProxy send-proxy-v2 -> lb v2 in, v1 out -> nginx answers" "127.0.0.3:$port" "$answer"
wait_until 5 "nginx log line" file_has "$W/nginx-pp.log" "127.0.0.3:$port"
check "A: nginx logs \$proxy_protocol_addr:port" "127.0.0.3:$port" "$(grep -o "127.0.0.3:$port" "$W/nginx-pp.log" | head -1)"

read -r port answer < <(client 127.0.0.4 "$LB_OUT")
check "B: client -> lb v2 out -> HAProxy accept-proxy -> nginx answers" "ok" "$answer"
wait_until 5 "haproxy log line" file_has "$W/haproxy.log" "accepted 127.0.0.4:$port"
check "B: HAProxy logs %ci:%cp" "accepted 127.0.0.4:$port" "$(grep -o "accepted 127.0.0.4:$port" "$W/haproxy.log" | head -1)"

# lb's own view of chain A: the client HAProxy named, in lb's access log (the journal: its stdout).
wait_until 5 "lb access line" file_has "$W/lb.log" "client=127.0.0.3:"
check "A: lb's access log names the client HAProxy's header named" "client=127.0.0.3 listener=in" \
  "$(grep -o 'client=127\.0\.0\.3:[0-9]* listener=in' "$W/lb.log" | head -1 | sed 's/:[0-9]* / /')"

# A client that is not HAProxy (no header) is refused by lb and counted.
python3 -c '
import socket; s = socket.create_connection(("127.0.0.1", '"$LB_IN"'), timeout=5); s.sendall(b"GET / HTTP/1.0\r\n\r\n")
try: print(len(s.recv(10)))
except ConnectionResetError: print("reset")' >"$W/plain.out" 2>&1 || true
check "lb refuses a client without a header" "reset" "$(cat "$W/plain.out")"
rejected=$(java -jar "$CLI_JAR" --socket "$W/lb.sock" --json stats | python3 -c '
import json, sys
for l in json.load(sys.stdin)["result"]["listeners"]:
    if l["name"] == "in": print(l["proxy_protocol_rejected"]["not_proxy"])')
check "lb counts it (reason not_proxy)" "1" "$rejected"

exit $FAILED
