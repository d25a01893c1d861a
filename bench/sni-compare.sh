#!/usr/bin/env bash
# sni-compare.sh — new TLS connections/s routed by server name: lb ([[listener.route]]) beside
# HAProxy (req.ssl_sni after tcp-request inspect-delay) and nginx (stream ssl_preread), side by side
# in one run, with the same backends and the same load; and what SNI inspection costs lb: the same
# load through an lb listener with routes and through one without (same backends, round robin).
#
# Backends: three TLS servers, one per route (a.example.com -> a, *.example.org -> b,
# c.example.net -> c): BACKEND=nginx (default: nginx stream servers terminating TLS 1.3 with their
# own self-signed RSA-2048 certificates, 2 workers) or BACKEND=tls-echo (bench backend --type
# tls-echo, one JVM per backend, P-256 certificates, which also echoes SIZE bytes). TLS ends at the
# backends; the proxies only read the ClientHello and relay bytes.
# The load generator is the JDK's TLS client, whose elliptic-curve code is pure Java: it offers
# x25519 only (-Djdk.tls.namedGroups=x25519; by default it also makes a P-256 key share it never
# uses) and meets RSA certificates (verifying an ECDSA signature costs it more than the rest of the
# handshake), which about doubles the handshakes one client core makes; the proxies see the same
# load either way.
# Load: bench load --mode tls --sni a.example.com,b.example.org,c.example.net (one name per new
# connection, in turn), -c C (32), SIZE bytes echoed (0 with nginx backends: connect, full
# handshake, close), D seconds measured after WARMUP, ROUNDS rounds, the targets in alternating
# order each round: first at full speed ("direct" is the load against backend a alone, no proxy),
# then every proxy at the same fixed RATE (200/s, below what the client makes), so that the
# proxies' CPU per connection compares at equal load: on a small machine the client sets the pace
# at full speed, and conn/s there moves with whatever else runs.
# Before measuring, each proxy is checked to route (openssl s_client sees each name's backend).
# Output: a Markdown table of medians, ratios against HAProxy, each proxy's CPU seconds per round
# (from /proc) and per connection, and lb's routes / plain ratios. On a small machine the load generator, the backends
# and the proxy share the CPUs: trust the ratios of one run, not absolute numbers across runs.
# Skips lb (saying so) when its build has no SNI routing.
#
# LOAD=wrk replaces the JDK client with wrk (C, OpenSSL): one wrk per name at once (-t1, C/3
# connections each, "Connection: close": a new full TLS 1.3 handshake per request, the name in
# the URL sent as SNI, every name resolved to 127.0.0.1 by a Lua resolve), against nginx HTTPS
# backends with P-256 certificates (an ECDSA signature costs a backend a fraction of an RSA-2048
# one). A handshake then costs the client and the backends little enough that the proxies' own cost
# shows in the connections/s. Full speed only (wrk does not pace); conn/s is the three wrk's sum,
# p50 and p99 the highest of their three.
#
# Installs haproxy, nginx's stream module and openssl with apt-get when missing. Loopback only;
# every load bounded by WARMUP + D seconds; every process started is stopped on exit.
# Usage: bench/sni-compare.sh   env: D=5 ROUNDS=3 C=32 WARMUP=2 PREWARM=5 RATE=200 BACKEND=nginx|tls-echo SIZE=0|64 LOAD=jdk|wrk
set -eu
. "$(dirname "$0")/faults/lib.sh"
D=${D:-5}
ROUNDS=${ROUNDS:-3}
C=${C:-32}
WARMUP=${WARMUP:-2}
RATE=${RATE:-200}
BACKEND=${BACKEND:-nginx}
LOAD=${LOAD:-jdk}
case $LOAD in jdk|wrk) ;; *) echo "LOAD is jdk or wrk, not $LOAD" >&2; exit 2;; esac
[ "$LOAD" = wrk ] && BACKEND=nginx
case $BACKEND in
  nginx) SIZE=${SIZE:-0}; [ "$SIZE" = 0 ] || { echo "BACKEND=nginx does not echo: SIZE=0, or BACKEND=tls-echo" >&2; exit 2; };;
  tls-echo) SIZE=${SIZE:-64};;
  *) echo "BACKEND is nginx or tls-echo, not $BACKEND" >&2; exit 2;;
esac
NAMES=a.example.com,b.example.org,c.example.net

NGX_MOD=/usr/lib/nginx/modules/ngx_stream_module.so
if ! [ -x "$HAPROXY" ] || ! command -v nginx >/dev/null || ! [ -f "$NGX_MOD" ] || ! command -v openssl >/dev/null \
   || { [ "$LOAD" = wrk ] && ! command -v wrk >/dev/null; }; then
  echo "# installing haproxy, nginx (stream module), openssl and wrk with apt-get" >&2
  (apt-get update -qq && apt-get install -y -qq haproxy nginx-light libnginx-mod-stream openssl wrk) >/dev/null 2>&1 \
    || { echo "could not install haproxy / nginx / openssl: install them and run again" >&2; exit 1; }
  HAPROXY=$(command -v haproxy)
fi
faults_init sni-compare
chmod 755 "$W"
raise_nofile 20000 >&2

# cpu_s PID: user + system CPU seconds of PID and its children (nginx's workers), now.
cpu_s() {
  local t=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  awk -v t="$t" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f\n", t / hz}'
}

# ---- backends: a, b, c --------------------------------------------------------------------------
declare -A BACK
for id in a b c; do BACK[$id]=$(free_port); done
if [ "$LOAD" = wrk ]; then
  # HTTPS backends for wrk: a.example.com's backend answers "a", and so on; P-256 certificates.
  servers=""
  for id in a b c; do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=$id-backend" \
      -keyout "$W/$id.key" -out "$W/$id.crt" 2>/dev/null
    servers+="  server { listen 127.0.0.1:${BACK[$id]} ssl reuseport backlog=4096; ssl_certificate $W/$id.crt;
           ssl_certificate_key $W/$id.key; ssl_protocols TLSv1.3; location / { return 200 \"$id\\n\"; } }
"
  done
  cat > "$W/backends.conf" <<EOF
worker_processes 2; daemon off; pid $W/backends.pid; error_log $W/backends.err;
worker_rlimit_nofile 19000;
events { worker_connections 8192; }
http { access_log off;
$servers}
EOF
  nginx -c "$W/backends.conf" -p "$W" &
  PIDS+=($!)
elif [ "$BACKEND" = nginx ]; then
  servers=""
  for id in a b c; do
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$id-backend" \
      -keyout "$W/$id.key" -out "$W/$id.crt" 2>/dev/null
    servers+="  server { listen 127.0.0.1:${BACK[$id]} ssl reuseport backlog=4096; ssl_certificate $W/$id.crt;
           ssl_certificate_key $W/$id.key; ssl_protocols TLSv1.3; return \"$id\\n\"; }
"
  done
  cat > "$W/backends.conf" <<EOF
load_module $NGX_MOD;
worker_processes 2; daemon off; pid $W/backends.pid; error_log $W/backends.err;
worker_rlimit_nofile 19000;
events { worker_connections 8192; }
stream {
$servers}
EOF
  nginx -c "$W/backends.conf" -p "$W" &
  PIDS+=($!)
else
  for id in a b c; do
    java -Xmx256m -jar "$BENCH_JAR" backend --type tls-echo --name "$id-backend" --port "${BACK[$id]}" \
      >"$W/backend-$id.out" 2>&1 &
    PIDS+=($!)
  done
fi
for id in a b c; do wait_until 30 "backend $id" port_open "${BACK[$id]}"; done

# ---- proxies ------------------------------------------------------------------------------------
declare -A PORT PROXY_PID
PORT[haproxy]=$(free_port)
cat > "$W/haproxy.cfg" <<EOF
global
    nbthread 2
    maxconn $(haproxy_maxconn)
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend tls
    bind 127.0.0.1:${PORT[haproxy]}
    tcp-request inspect-delay 5s
    tcp-request content accept if { req_ssl_hello_type 1 }
    use_backend a if { req.ssl_sni -i a.example.com }
    use_backend b if { req.ssl_sni -i -m end .example.org }
    use_backend c if { req.ssl_sni -i c.example.net }
    default_backend a
backend a
    server a 127.0.0.1:${BACK[a]}
backend b
    server b 127.0.0.1:${BACK[b]}
backend c
    server c 127.0.0.1:${BACK[c]}
EOF
start_haproxy "$W/haproxy.cfg" "$W/haproxy.log" "${PORT[haproxy]}"
PROXY_PID[haproxy]=$HA_PID

PORT[nginx]=$(free_port)
cat > "$W/nginx.conf" <<EOF
load_module $NGX_MOD;
worker_processes 2; daemon off; pid $W/nginx.pid; error_log $W/nginx.err;
worker_rlimit_nofile 19000;
events { worker_connections 8192; }
stream {
  map \$ssl_preread_server_name \$sni_backend {
    a.example.com          127.0.0.1:${BACK[a]};
    ~*\.example\.org\$     127.0.0.1:${BACK[b]};
    c.example.net          127.0.0.1:${BACK[c]};
    default                127.0.0.1:${BACK[a]};
  }
  server { listen 127.0.0.1:${PORT[nginx]} reuseport backlog=4096; ssl_preread on; proxy_pass \$sni_backend;
           proxy_connect_timeout 5s; access_log off; }
}
EOF
nginx -c "$W/nginx.conf" -p "$W" &
PROXY_PID[nginx]=$!
PIDS+=($!)
wait_until 15 "nginx" port_open "${PORT[nginx]}"

TARGETS="direct haproxy nginx"
lb_config() { # lb_config ROUTES(yes|no): one listener "tls" over a, b, c, with or without routes
  cat <<EOF
[daemon]
workers = 2
access_log = "off"
admin_socket = "$W/lb-$1.sock"
[[listener]]
name = "tls"
bind = "127.0.0.1:0"
EOF
  if [ "$1" = yes ]; then
    cat <<EOF
pool = "a"
[[listener.route]]
sni = ["a.example.com"]
pool = "a"
[[listener.route]]
sni = ["*.example.org"]
pool = "b"
[[listener.route]]
sni = ["c.example.net"]
pool = "c"
EOF
    for id in a b c; do printf '[[pool]]\nname = "%s"\n[[pool.backend]]\naddress = "127.0.0.1:%s"\n' "$id" "${BACK[$id]}"; done
  else
    printf 'pool = "abc"\n[[pool]]\nname = "abc"\n'
    for id in a b c; do printf '[[pool.backend]]\naddress = "127.0.0.1:%s"\n' "${BACK[$id]}"; done
  fi
}
lb_config yes >"$W/lb.toml"
lb_config no >"$W/lb-plain.toml"
if java -jar "$LB_JAR" --config "$W/lb.toml" --check-config >"$W/lb-check.out" 2>&1; then
  start_lb "$W/lb-plain.toml" "$W/lb-plain.log"
  PORT[lb-plain]=$(lb_port "$W/lb-plain.log" tls)
  PROXY_PID[lb-plain]=$LB_PID
  start_lb "$W/lb.toml" "$W/lb.log"
  PORT[lb]=$(lb_port "$W/lb.log" tls)
  PROXY_PID[lb]=$LB_PID
  TARGETS="$TARGETS lb lb-plain"
else
  echo "# lb: skipped, its build does not take [[listener.route]] (SNI routing) yet: $(head -1 "$W/lb-check.out")" >&2
fi
PORT[direct]=${BACK[a]}

# ---- every proxy routes each name to its backend before anything is measured ---------------------
for t in $TARGETS; do
  [ "$t" = direct ] && continue
  for name in ${NAMES//,/ }; do
    want=${name%%.*}-backend
    [ "$t" = lb-plain ] && want="" # round robin: any backend
    got=$(timeout 10 openssl s_client -connect "127.0.0.1:${PORT[$t]}" -servername "$name" </dev/null 2>/dev/null \
      | sed -n 's/^subject=CN = //p' | head -1)
    if [ -z "$got" ] || { [ -n "$want" ] && [ "$got" != "$want" ]; }; then
      echo "routing check failed: $t sent $name to '${got:-nothing}', not ${want:-a backend}" >&2
      exit 1
    fi
  done
done
echo "# routing checked: $(echo "$TARGETS" | sed 's/direct //') send each of $NAMES to its backend" >&2
echo "# versions: $("$HAPROXY" -v | head -1 | cut -d' ' -f1-3); $(nginx -v 2>&1); lb $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?');" \
  "$(nproc) CPUs; backends: $BACKEND; load: $([ "$LOAD" = wrk ] && echo "wrk, one per name, -t1 -c$((C / 3)) each" \
  || echo "bench load --mode tls --sni $NAMES --size $SIZE -c $C"), ${WARMUP}s + ${D}s" >&2
# wrk connects to the URL's host: every name here is 127.0.0.1 (the name still goes out as SNI).
# Each answer is checked: a name's backend says its letter; any other answer counts as an error.
cat >"$W/loopback.lua" <<'LUA'
wrk.resolve = function(host, service) wrk.addrs = wrk.lookup("127.0.0.1", service) end
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) expected = args[1] .. "\n"; misrouted = 0 end
function response(status, headers, body) if body ~= expected then misrouted = misrouted + 1 end end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("misrouted") end
  io.write("misrouted " .. n .. "\n")
end
LUA

# wrk_tls PORT SECONDS OUT [LETTER]: one wrk per name at once; OUT gets "conn/s p50_ms p99_ms errors".
# Each answer must be the name's backend letter (or LETTER for all: the direct target is backend a).
wrk_tls() {
  local port=$1 secs=$2 out=$3 only=${4:-} name pids=()
  for name in ${NAMES//,/ }; do
    wrk -t1 -c$((C / 3)) -d"${secs}s" --latency -s "$W/loopback.lua" -H 'Connection: close' \
      "https://$name:$port/" -- "${only:-${name%%.*}}" >"$out.$name" 2>&1 &
    pids+=($!)
  done
  wait "${pids[@]}" || true
  cat "$out".* | awk '
    function ms(v) { if (v ~ /us$/) { sub(/us/, "", v); return v / 1000 } if (v ~ /ms$/) { sub(/ms/, "", v); return v + 0 }
                     if (v ~ /s$/) { sub(/s/, "", v); return v * 1000 } return v }
    /Requests\/sec/ {cps += $2} / 50%/ {v = ms($2); if (v > p50) p50 = v} / 99%/ {v = ms($2); if (v > p99) p99 = v}
    /Socket errors/ {gsub(/,/, ""); e += $4 + $6 + $8 + $10} /Non-2xx/ {e += $NF} /^misrouted/ {e += $2}
    END {printf "%.0f %.3f %.3f %d\n", cps, p50, p99, e}' >"$out"
}

# ---- rounds: run_rounds PART [--rate N] --------------------------------------------------------
# part "full": as fast as the client goes; part "paced": every proxy at --rate RATE, the same load
# for each, so that their CPU per connection compares like with like.
run_rounds() {
  local part=$1 round t pid c0 c1 i order reversed
  shift
  order=($TARGETS)
  [ "$part" = paced ] && order=(${TARGETS/direct /})
  for round in $(seq 1 "$ROUNDS"); do
    for t in "${order[@]}"; do
      echo "$part round $round: $t" >&2
      pid=${PROXY_PID[$t]:-}
      c0=$([ -n "$pid" ] && cpu_s "$pid" || echo 0)
      if [ "$LOAD" = wrk ]; then
        only=$([ "$t" = direct ] && echo a || true)
        wrk_tls "${PORT[$t]}" "$WARMUP" "$W/warm" "$only" # the warm-up, inside the CPU reading as for the JDK load
        wrk_tls "${PORT[$t]}" "$D" "$W/$part-$t-$round.wrk" "$only"
        read -r cps p50 p99 errors <"$W/$part-$t-$round.wrk"
        printf '{"connects_per_s":%s,"p50_us":%s,"p99_us":%s,"errors":%s}\n' "$cps" \
          "$(awk -v v="$p50" 'BEGIN {print v * 1000}')" "$(awk -v v="$p99" 'BEGIN {print v * 1000}')" "$errors" \
          >"$W/$part-$t-$round.json"
      else
        java -Xmx256m -Djdk.tls.namedGroups=x25519 -jar "$BENCH_JAR" load --target "127.0.0.1:${PORT[$t]}" --mode tls \
          --sni "$NAMES" --size "$SIZE" -c "$C" "$@" --duration "${D}s" --warmup "${WARMUP}s" --timeout 5s --json \
          >"$W/$part-$t-$round.json" 2>"$W/$part-$t-$round.err" || true
      fi
      c1=$([ -n "$pid" ] && cpu_s "$pid" || echo 0)
      python3 - "$W/$part-$t-$round.json" "$part" "$t" "$c0" "$c1" >>"$W/rows.tsv" <<'EOF'
import json, sys
path, part, name, c0, c1 = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
try:
    r = json.load(open(path))
except Exception:
    r = {}
cpu = c1 - c0 if name != "direct" else float("nan")
print("\t".join([part, name, str(r.get("connects_per_s", "nan")), str(r.get("p50_us", float("nan")) / 1000),
                 str(r.get("p99_us", float("nan")) / 1000), str(r.get("errors", "nan")), "%.2f" % cpu]))
if r.get("errors"):
    print("  %s %s: %s errors, first: %s" % (part, name, r["errors"], r.get("first_error")), file=sys.stderr)
EOF
    done
    # alternate the order, so that no target always runs first (or right after the same one)
    reversed=()
    for ((i = ${#order[@]} - 1; i >= 0; i--)); do reversed+=("${order[$i]}"); done
    order=("${reversed[@]}")
  done
}
# Every target carries PREWARM seconds of the load before any round: the JVMs compile their TLS
# paths then, not inside the first round's CPU reading.
for t in $TARGETS; do
  if [ "$LOAD" = wrk ]; then
    wrk_tls "${PORT[$t]}" "${PREWARM:-5}" "$W/prewarm" "$([ "$t" = direct ] && echo a || true)"
  else
    java -Xmx256m -Djdk.tls.namedGroups=x25519 -jar "$BENCH_JAR" load --target "127.0.0.1:${PORT[$t]}" --mode tls \
      --sni "$NAMES" --size "$SIZE" -c "$C" --duration "${PREWARM:-5}s" --warmup 0s --timeout 5s >/dev/null 2>&1 || true
  fi
done
: >"$W/rows.tsv"
run_rounds full
[ "$LOAD" = wrk ] || run_rounds paced --rate "$RATE"

python3 - "$W/rows.tsv" "$D" "$ROUNDS" "$WARMUP" "$RATE" <<'EOF'
import collections, math, statistics, sys
D, ROUNDS, WARMUP, RATE = float(sys.argv[2]), sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
rows = collections.defaultdict(lambda: collections.defaultdict(list))
names = {"full": [], "paced": []}
for line in open(sys.argv[1]):
    part, n, cps, p50, p99, errors, cpu = line.rstrip("\n").split("\t")
    if n not in names[part]:
        names[part].append(n)
    for k, v in (("cps", cps), ("p50", p50), ("p99", p99), ("errors", errors), ("cpu", cpu)):
        try:
            v = float(v)
        except ValueError:
            v = float("nan")
        if not math.isnan(v):
            rows[(part, n)][k].append(v)
# The proxy's CPU is read around the whole run, warm-up included: per connection, it is divided by
# the measured rate times the whole run (the warm-up at about the measured rate).
for (part, n), r in list(rows.items()):
    if r["cpu"] and r["cps"]:
        r["us_per_conn"] = [c * 1e6 / (x * (D + WARMUP)) for c, x in zip(r["cpu"], r["cps"]) if x > 0]
def med(part, n, k):
    return statistics.median(rows[(part, n)][k]) if rows[(part, n)][k] else None
def cell(part, n, k, fmt):
    v, base = med(part, n, k), med(part, "haproxy", k)
    if v is None:
        return "-"
    ratio = f" ({v / base:.2f}x)" if base and n not in ("haproxy", "direct") else ""
    return fmt % v + ratio
def table(part, title):
    print(title)
    print()
    print("| target | TLS conn/s | p50 ms | p99 ms | errors (sum) | proxy cpu-s/round | proxy cpu µs/conn |")
    print("|---|---|---|---|---|---|---|")
    for n in names[part]:
        r = rows[(part, n)]
        errors = "%d" % sum(r["errors"]) if r["errors"] else "-"
        cpu = "%.2f" % med(part, n, "cpu") if med(part, n, "cpu") is not None else "-"
        print(f"| {n} | {cell(part, n, 'cps', '%.0f')} | {cell(part, n, 'p50', '%.2f')} | {cell(part, n, 'p99', '%.2f')}"
              f" | {errors} | {cpu} | {cell(part, n, 'us_per_conn', '%.0f')} |")
    print()
table("full", f"## new TLS connections/s routed by SNI, full speed: medians of {ROUNDS} rounds of {D:g} s")
if names["paced"]:
    table("paced", f"## the same at a fixed {RATE:g} connections/s (latency from each intended start): medians of {ROUNDS} rounds")
print("(Nx) = ratio to HAProxy in this run; for p50/p99 and cpu lower is better. direct: backend a, no proxy;"
      " lb-plain: an lb listener without routes over the same backends (round robin). cpu µs/conn: the"
      " proxy's CPU over the run (warm-up included) / (measured conn/s x run seconds), approximate.")
for part in ("full", "paced"):
    if med(part, "lb", "cps") and med(part, "lb-plain", "cps"):
        print()
        print("lb's SNI inspection, %s, routes vs plain: %.0f vs %.0f conn/s = %.3f; p99 %.2f vs %.2f ms;"
              " cpu %.0f vs %.0f µs/conn = %.3f"
              % (part, med(part, "lb", "cps"), med(part, "lb-plain", "cps"),
                 med(part, "lb", "cps") / med(part, "lb-plain", "cps"), med(part, "lb", "p99"),
                 med(part, "lb-plain", "p99"), med(part, "lb", "us_per_conn") or 0,
                 med(part, "lb-plain", "us_per_conn") or 0,
                 (med(part, "lb", "us_per_conn") or 0) / (med(part, "lb-plain", "us_per_conn") or 1)))
EOF
