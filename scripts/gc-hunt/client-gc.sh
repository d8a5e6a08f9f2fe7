#!/bin/bash
# Young-generation promotion of OUR CLIENT (src/client) driving the floor server, from --trace-gc-nvp.
#   bash scripts/gc-hunt/client-gc.sh [label] [extra node flags for the client...]
#   env: D=seconds measured (3), W=warm-up seconds (1), C=connections (1), S=calls in flight per connection (16),
#        IMPL=ours|grpcjs (ours), KEEP_LOG=file (keeps the client's stdout), KEEP_ERR=file (its stderr)
#   what outlives young GCs, by allocation stack (scripts/gc-hunt/survivors.mjs):
#        KEEP_ERR=/tmp/surv.txt bash scripts/gc-hunt/client-gc.sh surv --import ./scripts/gc-hunt/survivors.mjs
# Prints calls, scavenges, mark-compacts, bytes promoted per call, scavenge pause and client CPU per call,
# counted over the load generator's measured window (between its MEASURING and STOPPED markers).
set -euo pipefail
LABEL=${1:-client}; shift || true
HERE=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d)
cd "$HERE"
node --import tsx bench/servers/floor.ts >"$TMP/floor.log" 2>&1 &
FLOOR=$!
trap 'kill $FLOOR 2>/dev/null || true; [ -n "${KEEP_LOG:-}" ] && cp "$TMP/client.log" "$KEEP_LOG"; rm -rf "$TMP"' EXIT
# shellcheck source=../../bench/lib/getuser-seed.sh
. bench/lib/getuser-seed.sh
PORT=$(wait_port "$TMP/floor.log")
node --trace-gc-nvp "$@" --import tsx bench/loadgen/node-loadgen.ts --impl "${IMPL:-ours}" --target "127.0.0.1:$PORT" \
  --call unary --payload 0 --connections "${C:-1}" --streams "${S:-16}" --warmup "${W:-1}" --duration "${D:-3}" >"$TMP/client.log" 2>"$TMP/client.err"
[ -n "${KEEP_ERR:-}" ] && cp "$TMP/client.err" "$KEEP_ERR"
awk -v label="$LABEL" '
/^MEASURING/ { on = 1; next }
/^STOPPED/ { on = 0; next }
/^\{"calls"/ { match($0, /"calls":[0-9]+/); calls = substr($0, RSTART + 8, RLENGTH - 8); match($0, /"cpuS":[0-9.e-]+/); cpu = substr($0, RSTART + 7, RLENGTH - 7); match($0, /"errors":[0-9]+/); errs = substr($0, RSTART + 9, RLENGTH - 9) }
on && /gc=s / { ns++; for (i = 1; i <= NF; i++) { split($i, a, "="); if (a[1] == "promoted") p += a[2]; if (a[1] == "pause") sp += a[2] } }
on && /gc=mc/ { nm++; for (i = 1; i <= NF; i++) { split($i, a, "="); if (a[1] == "pause") mp += a[2] } }
END { printf "%-14s calls=%d errors=%d scavenges=%d mark-compacts=%d promoted/call=%.0f B scavenge-pause=%.0f ms mc-pause=%.0f ms cpu/call=%.2f us\n", label, calls, errs, ns, nm, p / calls, sp, mp, cpu * 1e6 / calls }
' "$TMP/client.log"
