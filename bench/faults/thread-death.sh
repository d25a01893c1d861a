#!/usr/bin/env bash
# thread-death.sh — when one of lb's threads dies, does the process exit at once, with status 70
# and one line, and does no client connection hang?
#
# lb has a test-only switch, -Dlb.test.fault=THREAD (lb.log.InjectedFault): the named thread
# throws an AssertionError from the top of its main loop. The threads that check it are the event
# loops (EventLoop-0, EventLoop-1 with workers = 2), lb-health, lb-stats and lb-admin. The check
# runs on the thread's first pass, so the death comes during start-up, not at a moment of our
# choosing: "trigger" is the start itself. For each thread: start the daemon with the switch,
# measure the time to its exit (from the launch, and from the "died" line) and its exit status,
# count its stderr lines and stack-trace lines, and meanwhile connect to its listener every few
# ms; every connection accepted before the exit must end (EOF or reset) within 1 s of it. A
# control run without the switch is stopped with SIGTERM once ready (exit 0 expected).
# HAProxy has no such switch: not compared.
#
# Usage: bench/faults/thread-death.sh     env: THREADS="EventLoop-0 EventLoop-1 lb-health lb-stats lb-admin"
set -eu
. "$(dirname "$0")/lib.sh"
faults_init thread-death
THREADS=${THREADS:-EventLoop-0 EventLoop-1 lb-health lb-stats lb-admin}

start_backend echo 1
PORT=$(free_port)
cat >"$W/lb.toml" <<EOF
[daemon]
workers = 2
admin_socket = "$W/admin.sock"
# The prober's connections are open when the control run is stopped: do not wait 30 s for them.
shutdown_grace = "1s"

[[listener]]
name = "echo"
bind = "127.0.0.1:$PORT"
pool = "echo"

[[pool]]
name = "echo"

[pool.health]
type = "tcp"
interval = "1s"

[[pool.backend]]
address = "127.0.0.1:${BACKEND_PORTS[0]}"
EOF

# watch CASE [JVM OPTION...]: one daemon run under faultkit launch-watch; prints its RESULT line.
watch() {
  local case=$1 out=$W/watch-$1.out pid line
  shift
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  "${FK[@]}" launch-watch --port "$PORT" --deadline 20 ${TERM_WHEN_READY:+--term-when-ready} --log "$out.log" -- \
      java $JAVA_OPTS "$@" -jar "$LB_JAR" --config "$W/lb.toml" >"$out" 2>"$out.err" &
  pid=$!
  PIDS+=("$pid")
  wait "$pid" || true
  sed -n 's/^# died line: /# died line: /p' "$out.err" | cut -c1-220
  line=$(grep -v '^#' "$out" | tail -1)
  [ -n "$line" ] || { echo "launch-watch printed nothing: $(tail -3 "$out.err")" >&2; exit 1; }
  SCENARIO=thread-death/$case result lb "$line"
}

TERM_WHEN_READY=1 watch control
for thread in $THREADS; do
  watch "$thread" "-Dlb.test.fault=$thread"
done
