#!/usr/bin/env bash
# bad-config.sh — configurations that used to hurt: does lb refuse each in one line, quickly, with
# no stack trace, both under --check-config and at start?
#
# Cases: buffer_pool_max = "1000GiB" (documented as a warning only: the pools grow on demand);
# buffer_size = "16MiB" with workers = 256 (4 GiB of read buffers); a key holding arrays nested
# 5000 deep; /dev/zero; a FIFO with no writer; a file over 1 MiB (a valid config padded with
# comments). For each, `--check-config` and a plain start, each with a 20 s deadline: exit
# status (or "none_killed_at_deadline"), time, lines of output, stack-trace lines, and whether
# the start reached "ready" (it is then stopped with SIGTERM). HAProxy `-c` on what is analogous:
# the FIFO, /dev/zero, and a valid config padded to over 1 MiB.
#
# Usage: bench/faults/bad-config.sh
set -eu
. "$(dirname "$0")/lib.sh"
faults_init bad-config

# A valid lb config to build the cases on: no admin socket, nothing to connect to.
valid_lb() {
  cat <<EOF
[[listener]]
name = "l"
bind = "127.0.0.1:0"
pool = "p"

[[pool]]
name = "p"

[[pool.backend]]
address = "127.0.0.1:9"
EOF
}

{ printf '[daemon]\nadmin_socket = ""\nbuffer_pool_max = "1000GiB"\n\n'; valid_lb; } >"$W/pool-max-1000GiB.toml"
{ printf '[daemon]\nadmin_socket = ""\nworkers = 256\nbuffer_size = "16MiB"\n\n'; valid_lb; } >"$W/buffer-16MiB-x256.toml"
python3 - "$W/nested-5000.toml" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write('[daemon]\nadmin_socket = ""\n')
    f.write("deep = " + "[" * 5000 + "1" + "]" * 5000 + "\n")
EOF
valid_lb >>"$W/nested-5000.toml"
mkfifo "$W/fifo.toml"
{ printf '[daemon]\nadmin_socket = ""\n\n'; valid_lb
  python3 -c 'print(("# padding, to make the file larger than 1 MiB\n" * 30000), end="")'; } >"$W/big.toml"

# case NAME FILE: --check-config and a start of lb on FILE; prints its RESULT line.
case_lb() {
  local name=$1 file=$2 check start
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  check=$("${FK[@]}" --prefix check_ launch-watch --deadline 20 -- \
      java $JAVA_OPTS -jar "$LB_JAR" --check-config --config "$file" 2>"$W/$name-check.err")
  sed -n 's/^# first line: /# lb --check-config: /p' "$W/$name-check.err" | cut -c1-220
  # shellcheck disable=SC2086
  start=$("${FK[@]}" --prefix start_ launch-watch --deadline 20 --term-when-ready -- \
      java $JAVA_OPTS -jar "$LB_JAR" --config "$file" 2>"$W/$name-start.err")
  sed -n 's/^# first line: /# lb start:          /p' "$W/$name-start.err" | cut -c1-220
  SCENARIO=bad-config/$name result lb "$(trim "$check")" "$(trim "$start")"
}

# case_haproxy NAME FILE: haproxy -c on FILE.
case_haproxy() {
  local name=$1 file=$2 check
  check=$("${FK[@]}" --prefix check_ launch-watch --deadline 20 -- "$HAPROXY" -c -f "$file" 2>"$W/$name-ha.err")
  sed -n 's/^# first line: /# haproxy -c:        /p' "$W/$name-ha.err" | cut -c1-220
  SCENARIO=bad-config/$name result haproxy "$(trim "$check")"
}

# trim LINE: launch-watch's keys that mean something here (no probe, no died line).
trim() {
  tr ' ' '\n' <<<"$1" | grep -E '^(check|start)_(exit|exit_ms|ready_ms|lines|stack_lines)=' | paste -sd ' '
}

case_lb pool-max-1000GiB "$W/pool-max-1000GiB.toml"
case_lb buffer-16MiB-x256 "$W/buffer-16MiB-x256.toml"
case_lb nested-5000 "$W/nested-5000.toml"
case_lb dev-zero /dev/zero
case_lb fifo "$W/fifo.toml"
case_lb big-1MiB "$W/big.toml"

if have_haproxy; then
  cat >"$W/haproxy-big.cfg" <<EOF
global
    maxconn 100
defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend fe
    bind 127.0.0.1:$(free_port)
    default_backend be
backend be
    server s1 127.0.0.1:9
EOF
  python3 -c 'print(("# padding, to make the file larger than 1 MiB\n" * 30000), end="")' >>"$W/haproxy-big.cfg"
  case_haproxy dev-zero /dev/zero
  case_haproxy fifo "$W/fifo.toml"
  case_haproxy big-1MiB "$W/haproxy-big.cfg"
fi
