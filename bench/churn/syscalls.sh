#!/usr/bin/env bash
# syscalls.sh — what a new proxied connection asks of the kernel: lb beside HAProxy.
#
# One echo backend; the proxy (lb with --no-access-log --no-stats, HAProxy with nbthread 2) in
# front of it. After a warm-up of W connections, strace -f -c is attached to the proxy while C
# sequential connections each send 4 bytes, read the echo and close; the counts are divided by C.
# The same load runs again without strace to read the proxy's user and system CPU per connection
# from /proc, and, with no traffic, how often it wakes up. Prints a Markdown table: system calls by kind per connection, then the totals and
# CPU. Loopback only; every loop bounded; every process it starts is stopped on exit.
#
# Usage: bench/churn/syscalls.sh        env: C=2000 WARMUP=10000 HAPROXY=path (absent: lb only)
#        STRACE_STACKS=1 also writes strace -k stacks of lb's calls to the scratch directory (KEEP=1)
set -eu
. "$(dirname "$0")/../faults/lib.sh"
faults_init syscalls
C=${C:-2000}
WARM=${WARMUP:-10000}

# connections PORT COUNT: COUNT sequential connect / send 4 bytes / read 4 / close, checked.
connections() {
  python3 - "$1" "$2" <<'PY'
import socket, sys
port, count = int(sys.argv[1]), int(sys.argv[2])
for i in range(count):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"ping")
        got = b""
        while len(got) < 4:
            chunk = s.recv(4 - len(got))
            if not chunk:
                sys.exit(f"connection {i}: closed after {got!r}")
            got += chunk
        if got != b"ping":
            sys.exit(f"connection {i}: echoed {got!r}")
PY
}

cpu_ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }

# wakeups PID: voluntary context switches of all the process's threads (each a sleep ended).
wakeups() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ {n += $2} END {print n}'; }

# measure NAME PID PORT: strace counts per connection into $W/NAME.calls, CPU into $W/NAME.cpu.
measure() {
  local name=$1 pid=$2 port=$3 tracer before after
  connections "$port" "$WARM"
  local stack_opts=()
  [ "${STRACE_STACKS:-0}" = 1 ] && [ "$name" = lb ] && stack_opts=(-k -o "$W/$name.stacks")
  if [ ${#stack_opts[@]} -gt 0 ]; then
    strace -f -qq "${stack_opts[@]}" -e trace=futex,gettid,getsockname,fcntl,poll,getsockopt,epoll_ctl -p "$pid" &
  else
    strace -f -qq -c -o "$W/$name.strace" -p "$pid" &
  fi
  tracer=$!
  PIDS+=("$tracer")
  wait_until 10 "strace attached" grep -q TracerPid:.[1-9] "/proc/$pid/status"
  connections "$port" "$C"
  kill -INT "$tracer"; wait "$tracer" || true
  [ ${#stack_opts[@]} -gt 0 ] && return 0
  awk -v c="$C" '$NF ~ /^[a-z_0-9]+$/ && $1 ~ /^[0-9.]+$/ && $NF != "total" {
      print $NF, $4 / c }' \
      "$W/$name.strace" | sort >"$W/$name.calls"
  # Idle: how often the process wakes up with no traffic at all, over 2 s.
  before=$(wakeups "$pid")
  sleep 2  # the measurement window, not a synchronisation
  after=$(wakeups "$pid")
  echo $(( (after - before) / 2 )) >"$W/$name.idle"
  before=$(cpu_ticks "$pid")
  connections "$port" "$C"
  after=$(cpu_ticks "$pid")
  python3 -c 'import sys, os
b = list(map(int, sys.argv[1].split())); a = list(map(int, sys.argv[2].split()))
hz = os.sysconf("SC_CLK_TCK"); c = int(sys.argv[3])
print("%.1f %.1f" % ((a[0] - b[0]) / hz / c * 1e6, (a[1] - b[1]) / hz / c * 1e6))' "$before" "$after" "$C" >"$W/$name.cpu"
}

start_backend echo 1
ECHO=${BACKEND_PORTS[0]}
LB=$(free_port)
# shellcheck disable=SC2086
java $JAVA_OPTS -jar "$LB_JAR" --listen "127.0.0.1:$LB" --backends "127.0.0.1:$ECHO" --no-access-log --no-stats \
    >"$W/lb.log" 2>&1 &
LB_PID=$!
PIDS+=("$LB_PID")
wait_until 30 "lb ready" lb_ready "$W/lb.log"
measure lb "$LB_PID" "$LB"
stop_pid "$LB_PID"
names=(lb)

if [ -x "$HAPROXY" ]; then
  HA=$(free_port)
  cat >"$W/haproxy.cfg" <<CFG
global
    nbthread 2
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend f
    bind 127.0.0.1:$HA
    default_backend b
backend b
    server s1 127.0.0.1:$ECHO
CFG
  start_haproxy "$W/haproxy.cfg" "$W/haproxy.log" "$HA"
  measure haproxy "$HA_PID" "$HA"
  stop_pid "$HA_PID"
  names+=(haproxy)
else
  echo "haproxy: skipped (apt-get install haproxy)"
fi
[ "${STRACE_STACKS:-0}" = 1 ] && { echo "stacks: $W/lb.stacks"; exit 0; }

python3 - "$W" "$C" "${names[@]}" <<'PY'
import sys
w, c, names = sys.argv[1], sys.argv[2], sys.argv[3:]
calls = {n: dict((k, float(v)) for k, v in (l.split() for l in open(f"{w}/{n}.calls"))) for n in names}
cpu = {n: open(f"{w}/{n}.cpu").read().split() for n in names}
idle = {n: open(f"{w}/{n}.idle").read().strip() for n in names}
kinds = sorted(set().union(*calls.values()), key=lambda k: -max(calls[n].get(k, 0) for n in names))
print(f"system calls per proxied connection ({c} sequential connections, 4 bytes echoed each)\n")
print("| call | " + " | ".join(names) + " |")
print("|---|" + "---|" * len(names))
for k in kinds:
    print(f"| `{k}` | " + " | ".join(f"{calls[n].get(k, 0):.2f}" for n in names) + " |")
print("| **total** | " + " | ".join(f"**{sum(calls[n].values()):.1f}**" for n in names) + " |")
print("| user CPU per connection (us) | " + " | ".join(cpu[n][0] for n in names) + " |")
print("| system CPU per connection (us) | " + " | ".join(cpu[n][1] for n in names) + " |")
print("| wake-ups per second, idle | " + " | ".join(idle[n] for n in names) + " |")
PY
