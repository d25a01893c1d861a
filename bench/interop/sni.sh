#!/usr/bin/env bash
# sni.sh — TLS passthrough routing by server name: lb's [[listener.route]] beside HAProxy
# (req.ssl_sni / req.ssl_alpn after tcp-request inspect-delay) and nginx (stream ssl_preread), the
# same checks against each.
#
# Backends: one nginx with three HTTPS servers, api, org and default, each with its own self-signed
# certificate (CN=api-backend, ...; made here by openssl req -x509) and answering its own name
# ("api\n"), HTTP/2 offered. TLS ends at the backends; the proxies only read the ClientHello.
# Routes, the same in the three proxies:
#   api.example.com                 -> api
#   *.example.org, client offers h2 -> org
#   anything else, no SNI           -> default
# Checks, per proxy: openssl s_client -servername api.example.com completes its handshake and sees
# the api backend's certificate and answer; curl (which offers h2) for www.example.org reaches org
# over HTTP/2; curl --http1.1 (no h2 offered) for the same name reaches default; a name no route
# has and a client without SNI (-noservername) reach default; the proxy's log names the SNI (lb:
# sni= in its access log, its stdout). Prints one PASS/FAIL line per check and exits 1 on any FAIL.
# Skips lb (saying so) when its build has no SNI routing yet.
#
# Installs haproxy, nginx's stream module, openssl and curl with apt-get when missing. Loopback
# only; every client waits at most 10 s; every process started is stopped on exit.
#
# Usage: bench/interop/sni.sh     (build first: mvn -B -q -o package -DskipTests)
set -eu
. "$(dirname "$0")/../faults/lib.sh"

NGX_MOD=/usr/lib/nginx/modules/ngx_stream_module.so
if ! [ -x "$HAPROXY" ] || ! command -v nginx >/dev/null || ! [ -f "$NGX_MOD" ] || ! command -v openssl >/dev/null \
    || ! command -v curl >/dev/null; then
  echo "# installing haproxy, nginx (stream module), openssl and curl with apt-get"
  (apt-get update -qq && apt-get install -y -qq haproxy nginx-light libnginx-mod-stream openssl curl) >/dev/null 2>&1 \
    || { echo "could not install haproxy / nginx / openssl / curl: install them and run again" >&2; exit 1; }
  HAPROXY=$(command -v haproxy)
fi
faults_init sni
chmod 755 "$W"
FAILED=0

check() { # check WHAT EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then echo "PASS $1: $3"; else echo "FAIL $1: expected '$2', got '$3'"; FAILED=1; fi
}

# ---- backends ---------------------------------------------------------------------------------
API=$(free_port) ORG=$(free_port) DEF=$(free_port)
servers=""
for id in api org default; do
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=$id-backend" \
    -keyout "$W/$id.key" -out "$W/$id.crt" 2>/dev/null
  case $id in api) port=$API;; org) port=$ORG;; default) port=$DEF;; esac
  servers+="  server { listen 127.0.0.1:$port ssl http2; ssl_certificate $W/$id.crt; ssl_certificate_key $W/$id.key;
           ssl_protocols TLSv1.2 TLSv1.3; default_type text/plain; location / { return 200 \"$id\\n\"; } }
"
done
cat > "$W/backends.conf" <<EOF
worker_processes 1; daemon off; pid $W/backends.pid; error_log $W/backends.err;
events { worker_connections 1024; }
http {
  access_log off;
$servers}
EOF
nginx -c "$W/backends.conf" -p "$W" &
PIDS+=($!)
for port in $API $ORG $DEF; do wait_until 15 "nginx backend on $port" port_open "$port"; done

# ---- HAProxy ----------------------------------------------------------------------------------
HA=$(free_port)
cat > "$W/haproxy.cfg" <<EOF
global
    log stdout format raw local0
defaults
    mode tcp
    log global
    timeout connect 5s
    timeout client 10s
    timeout server 10s
frontend tls
    bind 127.0.0.1:$HA
    tcp-request inspect-delay 5s
    tcp-request content set-var(sess.sni) req.ssl_sni if { req_ssl_hello_type 1 }
    tcp-request content accept if { req_ssl_hello_type 1 }
    log-format "%ci:%cp sni=%[var(sess.sni)] backend=%b"
    use_backend api if { req.ssl_sni -i api.example.com }
    use_backend org if { req.ssl_sni -i -m end .example.org } { req.ssl_alpn h2 }
    default_backend default
backend api
    server api 127.0.0.1:$API
backend org
    server org 127.0.0.1:$ORG
backend default
    server default 127.0.0.1:$DEF
EOF
start_haproxy "$W/haproxy.cfg" "$W/haproxy.log" "$HA"

# ---- nginx stream, ssl_preread ----------------------------------------------------------------
NG=$(free_port)
cat > "$W/nginx.conf" <<EOF
load_module $NGX_MOD;
worker_processes 1; daemon off; pid $W/nginx.pid; error_log $W/nginx.err;
events { worker_connections 1024; }
stream {
  map "\$ssl_preread_server_name \$ssl_preread_alpn_protocols" \$sni_backend {
    "~*^api\.example\.com "                    127.0.0.1:$API;
    "~*^[^ ]+\.example\.org (.*,)?h2(,.*)?\$"  127.0.0.1:$ORG;
    default                                    127.0.0.1:$DEF;
  }
  log_format sni '\$remote_addr:\$remote_port sni=\$ssl_preread_server_name alpn=\$ssl_preread_alpn_protocols backend=\$upstream_addr';
  server { listen 127.0.0.1:$NG; ssl_preread on; proxy_pass \$sni_backend; proxy_connect_timeout 5s;
           access_log $W/nginx-access.log sni; }
}
EOF
nginx -c "$W/nginx.conf" -p "$W" &
PIDS+=($!)
wait_until 15 "nginx on $NG" port_open "$NG"

# ---- lb -----------------------------------------------------------------------------------------
cat > "$W/lb.toml" <<EOF
[daemon]
workers = 2
admin_socket = "$W/lb.sock"
[[listener]]
name = "tls"
bind = "127.0.0.1:0"
pool = "default"
client_hello_timeout = "5s"
client_hello_max = "16KiB"
[[listener.route]]
sni = ["api.example.com"]
pool = "api"
[[listener.route]]
sni = ["*.example.org"]
alpn = ["h2"]
pool = "org"
[[pool]]
name = "api"
[[pool.backend]]
address = "127.0.0.1:$API"
[[pool]]
name = "org"
[[pool.backend]]
address = "127.0.0.1:$ORG"
[[pool]]
name = "default"
[[pool.backend]]
address = "127.0.0.1:$DEF"
EOF
LB=""
if java -jar "$LB_JAR" --config "$W/lb.toml" --check-config >"$W/lb-check.out" 2>&1; then
  start_lb "$W/lb.toml" "$W/lb.log"
  LB=$(lb_port "$W/lb.log" tls)
else
  echo "# lb: skipped, its build does not take [[listener.route]] yet: $(head -1 "$W/lb-check.out")"
fi

echo "# versions: $("$HAPROXY" -v | head -1 | cut -d' ' -f1-3); $(nginx -v 2>&1); $(openssl version | cut -d' ' -f1-2);" \
  "$(curl -V | head -1 | cut -d' ' -f1-2); lb $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"

# s_client PORT OPTION...: an HTTP/1.0 GET over openssl s_client; its whole output.
s_client() {
  local port=$1
  shift
  printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client -connect "127.0.0.1:$port" -ign_eof "$@" 2>&1 || true
}
# seen OUTPUT: "<certificate subject> / <answer> / <handshake>" from s_client's output.
seen() {
  local subject answer handshake
  subject=$(sed -n 's/^subject=//p' <<<"$1" | head -1)
  answer=$(grep -xE 'api|org|default' <<<"$1" | tail -1)
  handshake=$(grep -qE '^New, TLSv1\.[23], Cipher is [A-Z]' <<<"$1" && echo complete || echo incomplete)
  echo "${subject:-no certificate} / ${answer:-no answer} / handshake ${handshake}"
}
# fetch PORT NAME CURL_OPTION...: curl -k for https://NAME:PORT/ resolved to loopback: "<answer> http/<version>".
fetch() {
  local port=$1 name=$2
  shift 2
  curl -sk --max-time 10 "$@" --resolve "$name:$port:127.0.0.1" -w 'http/%{http_version}' "https://$name:$port/" \
    | tr '\n' ' ' || true
}

# checks PROXY PORT LOG SNI_PATTERN: every check through one proxy; SNI_PATTERN greps LOG for a name.
checks() {
  local p=$1 port=$2 log=$3 pattern=$4 name
  check "$p: SNI api.example.com -> api (certificate, answer, handshake)" \
    "CN = api-backend / api / handshake complete" "$(seen "$(s_client "$port" -servername api.example.com)")"
  check "$p: SNI www.example.org, h2 offered (curl) -> org over HTTP/2" "org http/2" \
    "$(fetch "$port" www.example.org)"
  check "$p: SNI www.example.org, only http/1.1 offered (curl --http1.1) -> default" "default http/1.1" \
    "$(fetch "$port" www.example.org --http1.1)"
  check "$p: SNI example.org (the wildcard is below it, not it) -> default" "default http/2" \
    "$(fetch "$port" example.org)"
  check "$p: SNI no.route.example.net (no route) -> default" "CN = default-backend / default / handshake complete" \
    "$(seen "$(s_client "$port" -servername no.route.example.net)")"
  check "$p: no SNI (-noservername) -> default" "CN = default-backend / default / handshake complete" \
    "$(seen "$(s_client "$port" -noservername)")"
  for name in api.example.com www.example.org no.route.example.net; do
    wait_until 5 "$p log naming $name" grep -q -- "${pattern/NAME/$name}" "$log" || true
    check "$p: its log names the SNI $name" "1" "$(grep -c -m1 -- "${pattern/NAME/$name}" "$log" || true)"
  done
}

checks haproxy "$HA" "$W/haproxy.log" "sni=NAME backend="
checks nginx "$NG" "$W/nginx-access.log" "sni=NAME alpn="
if [ -n "$LB" ]; then
  checks lb "$LB" "$W/lb.log" "sni=NAME"
  # lb's access line for the api name names the api backend; for a client without SNI, no sni= at all.
  check "lb: the access line of sni=api.example.com names the api backend" "1" \
    "$(grep -- 'sni=api.example.com' "$W/lb.log" | grep -c -m1 -- "127.0.0.1:$API" || true)"
  check "lb: a client without SNI is logged without sni= and reached default" "1" \
    "$(grep -- "127.0.0.1:$DEF" "$W/lb.log" | grep -v -c -m1 'sni=' || true)"
fi

exit $FAILED
