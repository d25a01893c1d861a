#!/usr/bin/env bash
# run-all.sh — runs the fault scenarios in order, then prints their RESULT lines as one markdown
# table (scenario | lb | haproxy) to paste into docs.
#
# Usage: bench/faults/run-all.sh [--build] [SCENARIO...]
#   --build     build the work tree first (mvn -B -q -o package -DskipTests)
#   SCENARIO    run only these (names as the scripts, without .sh)
# Each scenario's full output goes to OUT (default: a new temporary directory, named at the end).
# A scenario that fails gets a FAILED row and the others still run; the exit status is then 1.
set -eu
FAULTS=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$FAULTS/../.." && pwd)
ALL=(admin-flood slow-readers out-of-descriptors thread-death bad-config scrape-stall)

if [ "${1:-}" = --build ]; then
  shift
  (cd "$ROOT" && mvn -B -q -o package -DskipTests)
fi
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=("${ALL[@]}")
OUT=${OUT:-$(mktemp -d -t lb-faults-run.XXXXXX)}
mkdir -p "$OUT"

failed=0
for s in "${SCENARIOS[@]}"; do
  [ -f "$FAULTS/$s.sh" ] || { echo "no scenario $s (have: ${ALL[*]})" >&2; exit 2; }
  echo "## $s"
  t0=$(date +%s)
  bash "$FAULTS/$s.sh" 2>&1 | tee "$OUT/$s.log"   # the pipeline's status is tee's: set -e stays quiet
  rc=${PIPESTATUS[0]}
  echo "## $s: exit $rc after $(( $(date +%s) - t0 )) s"
  echo "EXIT scenario=$s status=$rc seconds=$(( $(date +%s) - t0 ))" >>"$OUT/$s.log"
  [ "$rc" = 0 ] || failed=1
done

echo
python3 - "$OUT" "${SCENARIOS[@]}" <<'EOF'
import sys

out, scenarios = sys.argv[1], sys.argv[2:]
rows = {}    # scenario (with its case) -> {proxy: "k=v ..."}
order = []
exits = {}
for s in scenarios:
    with open(f"{out}/{s}.log", errors="replace") as f:
        for line in f:
            words = line.split()
            if not words or words[0] not in ("RESULT", "EXIT"):
                continue
            fields = dict(w.split("=", 1) for w in words[1:] if "=" in w)
            if words[0] == "EXIT":
                exits[s] = fields
                continue
            name, proxy = fields.pop("scenario"), fields.pop("proxy")
            if name not in rows:
                rows[name] = {}
                order.append(name)
            rows[name][proxy] = " ".join(f"{k}={v}" for k, v in fields.items())

def cell(text):
    return f"`{text}`" if text else "n/a"

print("| scenario | lb | haproxy |")
print("|---|---|---|")
for s in scenarios:
    status = exits.get(s, {}).get("status", "?")
    if status != "0":
        print(f"| {s} | FAILED (exit {status}; see {out}/{s}.log) | |")
    for name in order:
        if name == s or name.startswith(s + "/"):
            print(f"| {name} | {cell(rows[name].get('lb'))} | {cell(rows[name].get('haproxy'))} |")
EOF
echo
echo "logs: $OUT"
leftover=$(pgrep -f 'lb-faults-' | grep -vx "$$" || true)
[ -z "$leftover" ] || echo "warning: processes of this suite still running: $leftover" >&2
exit $failed
