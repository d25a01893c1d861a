# lib.sh — sourced by every fault scenario: jars, scratch directory, process bookkeeping, waiting
# for conditions, starting lb, HAProxy and the bench backends, and the RESULT line format.
#
# Every process a scenario starts is added to PIDS and stopped on EXIT. The jars are copied into
# the scenario's scratch directory W first: a rebuild in the work tree during a run cannot pull a
# jar from under a running JVM, and every process of this run names W on its command line, which
# is how the cleanup's last sweep recognises leftovers as ours (and only ours).

FAULTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$FAULTS/../.." && pwd)
JAVA_OPTS=${JAVA_OPTS:--XX:+UseParallelGC -Xms256m -Xmx256m}
HAPROXY=${HAPROXY:-$(command -v haproxy || echo /usr/sbin/haproxy)}
PIDS=()

# faults_init NAME: checks the jars, makes W, copies the jars there, arms the cleanup.
faults_init() {
  SCENARIO=$1
  local jar
  for jar in "${LB_JAR:=$ROOT/lb-daemon/target/lb-daemon.jar}" "${CLI_JAR:=$ROOT/lb-cli/target/lb-cli.jar}" \
             "${BENCH_JAR:=$ROOT/bench/target/bench.jar}"; do
    [ -f "$jar" ] || { echo "$jar not built: (cd $ROOT && mvn -B -q -o package -DskipTests)" >&2; exit 1; }
  done
  W=$(mktemp -d -t "lb-faults-$SCENARIO.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  cp "$LB_JAR" "$W/lb-daemon.jar"; cp "$CLI_JAR" "$W/lb-cli.jar"; cp "$BENCH_JAR" "$W/bench.jar"
  LB_JAR=$W/lb-daemon.jar CLI_JAR=$W/lb-cli.jar BENCH_JAR=$W/bench.jar
  # shellcheck disable=SC2034 # FK, like BACKEND_PORTS below, is for the scenario that sources this
  FK=(python3 "$FAULTS/faultkit.py")
}

# alive PID: the process exists and is not a zombie waiting to be reaped.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat:0:1}" != Z ]
}

# stop_pid PID: SIGTERM, up to 5 s to exit (a JVM runs its shutdown), then SIGKILL; reaps it.
stop_pid() {
  local pid=$1 end=$((SECONDS + 5))
  kill -TERM "$pid" 2>/dev/null || return 0
  while alive "$pid" && (( SECONDS < end )); do sleep 0.05; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local pid
  for pid in ${PIDS[@]+"${PIDS[@]}"}; do stop_pid "$pid"; done
  for pid in $(pgrep -f "$W/" || true); do kill -KILL "$pid" 2>/dev/null || true; done
  if [ -n "${KEEP:-}" ]; then echo "# scratch kept: $W" >&2; else rm -rf "$W"; fi
}

# raise_nofile N: this shell's descriptor limit, inherited by everything started after it.
raise_nofile() {
  ulimit -n "$1" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
  echo "# descriptor limit for clients and daemons: $(ulimit -n)"
}

# wait_until SECONDS WHAT CMD...: polls CMD every 50 ms until it succeeds; fails after SECONDS.
wait_until() {
  local secs=$1 what=$2 end
  shift 2
  end=$(( $(date +%s%N) + secs * 1000000000 ))
  until "$@"; do
    if (( $(date +%s%N) >= end )); then echo "timed out after ${secs} s waiting for $what" >&2; return 1; fi
    sleep 0.05
  done
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

file_has() { [ -f "$1" ] && grep -q -- "$2" "$1"; }

# quiet PID: true once PID used under 5% of one CPU over the last half second (it has settled).
quiet() {
  local before after
  before=$(awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null) || return 1
  sleep 0.5  # the sampling window of this condition, not a synchronisation sleep
  after=$(awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null) || return 1
  (( (after - before) * 10 < $(getconf CLK_TCK) * 5 / 10 ))
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo na; }

# heap_live_kib PID: heap in use right after a full collection (jcmd GC.run, then jstat -gc:
# survivor + eden + old generation, KiB), i.e. what the daemon retains, not its garbage.
heap_live_kib() {
  jcmd "$1" GC.run >/dev/null 2>&1 || true
  jstat -gc "$1" 2>/dev/null | awk 'NR==1 {for (i = 1; i <= NF; i++) c[$i] = i}
    NR==2 {printf "%d\n", $c["S0U"] + $c["S1U"] + $c["EU"] + $c["OU"]}' | grep . || echo na
}

# direct_kib PID: native memory the JDK tags "Other", which is where direct ByteBuffers live in
# JDK 17 (needs -XX:NativeMemoryTracking=summary). lb exports no buffer-pool gauge of its own.
direct_kib() {
  jcmd "$1" VM.native_memory summary 2>/dev/null |
    sed -n 's/^-  *Other (reserved=[0-9]*KB, committed=\([0-9]*\)KB)/\1/p' | grep . || echo na
}

# result PROXY KEY=VALUE...: the one summary line per proxy that run-all.sh collects.
result() {
  local proxy=$1
  shift
  echo "RESULT scenario=$SCENARIO proxy=$proxy $*"
}

# haproxy_maxconn: the most connections HAProxy can be given under this shell's descriptor limit
# (it needs two per proxied connection and refuses to start when it cannot raise the limit).
haproxy_maxconn() { echo $(( ($(ulimit -n) - 200) / 2 )); }

# have_haproxy: true when HAProxy can be run; otherwise says so once and records the skip.
have_haproxy() {
  [ -x "$HAPROXY" ] && return 0
  echo "haproxy: skipped (apt-get install haproxy)"
  result haproxy skipped=not_installed
  return 1
}

# start_backend TYPE N: N bench backends of TYPE (echo, source, sink) in one JVM; sets
# BACKEND_PID and BACKEND_PORTS.
start_backend() {
  local type=$1 n=$2 out i args=()
  out=$W/backend-$type-$RANDOM.out
  for ((i = 0; i < n; i++)); do args+=(--port 0); done
  java -Xmx256m -jar "$BENCH_JAR" backend --type "$type" "${args[@]}" >"$out" 2>&1 &
  BACKEND_PID=$!
  PIDS+=("$BACKEND_PID")
  wait_until 30 "$type backend" backend_listening "$out" "$n"
  # shellcheck disable=SC2034
  mapfile -t BACKEND_PORTS < <(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$out")
}

backend_listening() {
  alive "$BACKEND_PID" || { echo "backend exited: $(tail -3 "$1")" >&2; exit 1; }
  [ "$(grep -cs 'listening on' "$1")" -ge "$2" ]
}

# start_lb CONFIG LOG [JVM OPTION...]: starts lb-daemon and waits for its ready line; sets LB_PID.
# With NOFILE set, the daemon runs under that descriptor limit (the subshell execs java, so the
# pid is the JVM's).
start_lb() {
  local config=$1 log=$2
  shift 2
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  ( [ -z "${NOFILE:-}" ] || ulimit -n "$NOFILE"; exec java $JAVA_OPTS "$@" -jar "$LB_JAR" --config "$config" ) \
      >"$log" 2>&1 &
  LB_PID=$!
  PIDS+=("$LB_PID")
  wait_until 30 "lb ready" lb_ready "$log"
}

lb_ready() {
  alive "$LB_PID" || { echo "lb exited: $(tail -5 "$1")" >&2; exit 1; }
  grep -qs ' ready: ' "$1"
}

# lb_port LOG LISTENER: the port lb bound for a listener configured with port 0.
lb_port() { sed -n "s/.*listener \"$2\" on 127\\.0\\.0\\.1:\\([0-9]*\\) .*/\\1/p" "$1" | head -1; }

lb_metrics_port() { sed -n 's|.*metrics on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$1" | head -1; }

# timed_ms OUTFILE CMD...: runs CMD with its output in OUTFILE; prints "MS EXIT".
timed_ms() {
  local out=$1 t0 rc=0
  shift
  t0=$(date +%s%N)
  "$@" >"$out" 2>&1 || rc=$?
  echo "$(( ($(date +%s%N) - t0) / 1000000 )) $rc"
}

# start_haproxy CONFIG LOG PORT...: HAProxy in the foreground (-db), up once every PORT accepts;
# under NOFILE as start_lb.
start_haproxy() {
  local config=$1 log=$2 port
  shift 2
  ( [ -z "${NOFILE:-}" ] || ulimit -n "$NOFILE"; exec "$HAPROXY" -db -f "$config" ) >"$log" 2>&1 &
  HA_PID=$!
  PIDS+=("$HA_PID")
  for port in "$@"; do wait_until 15 "haproxy on $port" haproxy_listening "$log" "$port"; done
}

haproxy_listening() {
  alive "$HA_PID" || { echo "haproxy exited: $(tail -5 "$1")" >&2; exit 1; }
  port_open "$2"
}

# stop_tool PID: ends a faultkit holder (SIGUSR1: report and exit) and waits for its line.
stop_tool() {
  kill -USR1 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# field KEY LINE: the value of KEY in a key=value line.
field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p" | head -1; }
