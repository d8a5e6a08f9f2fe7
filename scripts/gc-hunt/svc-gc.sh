#!/bin/bash
# Young-generation promotion of the user service under h2load GetUser, from --trace-gc-nvp.
#   bash scripts/gc-hunt/svc-gc.sh ROOT [label] [extra node flags...]   (ROOT: a built checkout)
# Prints scavenges, mark-compacts, bytes promoted per call and server CPU per call.
set -euo pipefail
ROOT=$1; LABEL=${2:-$(basename "$ROOT")}; shift; shift || true
HERE=$(cd "$(dirname "$0")/../.." && pwd)
TOKEN=gc-token
TMP=$(mktemp -d)
LOG=$TMP/srv.log
(cd "$ROOT" && AUTH_TOKENS=$TOKEN=admin HOST=127.0.0.1 PORT=0 exec node --trace-gc-nvp "$@" --import "$HERE/scripts/gc-hunt/cpu-mark.mjs" dist/service/main.js) >"$LOG" 2>"$TMP/err.log" &
PID=$!
trap 'kill $PID 2>/dev/null || true; [ -n "${KEEP_LOG:-}" ] && cp "$LOG" "$KEEP_LOG"; rm -rf "$TMP"' EXIT
cd "$HERE"
# shellcheck source=../../bench/lib/getuser-seed.sh
. bench/lib/getuser-seed.sh
PORT=$(wait_port "$LOG" "$TMP/err.log")
seed_getuser "$PORT" "$TOKEN" "$TMP/body.bin"
load() { h2load -c 4 -m 16 -D "$1" -d "$TMP/body.bin" -H "content-type: application/grpc" -H "te: trailers" \
  -H "authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/user.UserService/GetUser" 2>&1; }
load 1 >/dev/null
START=$(wc -l <"$LOG")
kill -WINCH $PID
OUT=$(load "${D:-3}")
END=$(wc -l <"$LOG")
if [ -n "${HEAP_OUT:-}" ]; then kill -USR2 $PID; sleep 2; fi
kill -TERM $PID; wait $PID || true
REQS=$(echo "$OUT" | awk '/^requests:/ { print $8 }')
CPU=$(grep -oE "^CPU [0-9.]+" "$TMP/err.log" "$LOG" | awk '{print $2}' | head -1)
sed -n "$((START + 1)),${END}p" "$LOG" | awk -v reqs="$REQS" -v label="$LABEL" -v cpu="$CPU" '
/gc=s /{ns++; for(i=1;i<=NF;i++){split($i,a,"="); if(a[1]=="promoted")p+=a[2]; if(a[1]=="pause")sp+=a[2]}}
/gc=mc/{nm++; for(i=1;i<=NF;i++){split($i,a,"="); if(a[1]=="pause")mp+=a[2]}}
END{printf "%-12s calls=%d scavenges=%d mark-compacts=%d promoted/call=%.0f B scavenge-pause=%.0f ms mc-pause=%.0f ms cpu/call=%.1f us\n", label, reqs, ns, nm, p/reqs, sp, mp, cpu*1000/reqs}'
