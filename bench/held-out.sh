#!/usr/bin/env bash
# A check of `npm run bench:service`'s GetUser figures with nothing of the harness in the loop: the
# service as `npm start` runs it (node dist/service/main.js, call log on, to a file), the grpc-js twin
# and the floor, driven by plain h2load, in interleaved rounds. Servers on core 0, h2load on core 1.
#   bash bench/held-out.sh [-c CONNECTIONS] [-m STREAMS] [-D SECONDS] [-r ROUNDS]     (default 4 16 4 3)
# Prints, per round and server, calls/s (h2load's "finished in" rate, after a 1 s warm-up) and the
# calls that succeeded; exits non-zero if a call failed or none succeeded (CI runs it once, briefly).
# Requires h2load (scripts/install-bench-tools.sh installs it); pins to cores only where taskset exists.
set -euo pipefail
cd "$(dirname "$0")/.."
C=4 M=16 D=4 ROUNDS=3
while getopts "c:m:D:r:" o; do
  case $o in c) C=$OPTARG ;; m) M=$OPTARG ;; D) D=$OPTARG ;; r) ROUNDS=$OPTARG ;; *) exit 2 ;; esac
done
command -v h2load >/dev/null || { echo "h2load missing: bash scripts/install-bench-tools.sh" >&2; exit 1; }
TOKEN=held-out-token
ON0=() ON1=()
if command -v taskset >/dev/null; then ON0=(taskset -c 0) ON1=(taskset -c 1); fi
TMP=$(mktemp -d)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; rm -rf "$TMP"' EXIT

# start NAME CMD...: runs the server on core 0, logs to $TMP/NAME.log, sets PORT_NAME and its pid.
start() {
  local name=$1; shift
  "${ON0[@]}" "$@" >"$TMP/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 200); do
    local p
    p=$(grep -oE "(listening on [^ ]*:|LISTENING )[0-9]+" "$TMP/$name.log" | grep -oE "[0-9]+$" | head -1 || true)
    if [ -n "$p" ]; then printf -v "PORT_$name" %s "$p"; return; fi
    sleep 0.1
  done
  echo "$name did not start: $(cat "$TMP/$name.log")" >&2; exit 1
}

# body ID FILE: a gRPC length-prefixed GetUserRequest { id = 1 } (a short id: one-byte lengths).
body() {
  node -e 'const b = Buffer.from(process.argv[1]); const m = Buffer.concat([Buffer.from([0x0a, b.length]), b]);
    const p = Buffer.alloc(5); p.writeUInt32BE(m.length, 1); require("fs").writeFileSync(process.argv[2], Buffer.concat([p, m]));' "$1" "$2"
}

# seed PORT FILE: creates one user through userctl, checks GetUser finds it with this token (h2load
# counts HTTP 200s, and a gRPC error is an HTTP 200 too), writes the GetUser body for its id.
seed() {
  local id
  id=$(npx tsx src/cli/userctl.ts --target "127.0.0.1:$1" --token "$TOKEN" create --username held --email held@example.com --full-name "Held Out" |
    node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).id))')
  npx tsx src/cli/userctl.ts --target "127.0.0.1:$1" --token "$TOKEN" get "$id" >/dev/null
  body "$id" "$2"
}

npm run --silent build >/dev/null
AUTH_TOKENS=$TOKEN=admin HOST=127.0.0.1 PORT=0 start ours node dist/service/main.js
AUTH_TOKENS=$TOKEN=admin PORT=0 start twin node --import tsx bench/servers/grpcjs-user.ts
PORT=0 start floor node --import tsx bench/servers/floor.ts
seed "$PORT_ours" "$TMP/ours.bin"
seed "$PORT_twin" "$TMP/twin.bin"
cp "$TMP/ours.bin" "$TMP/floor.bin" # the floor answers any GetUser with its canned user

echo "GetUser, ${C}×${M}, ${D} s per round, h2load $(h2load --version | head -1 | awk '{print $2}')"
for r in $(seq 1 "$ROUNDS"); do
  for name in floor twin ours; do
    port_var=PORT_$name
    out=$("${ON1[@]}" h2load -c "$C" -m "$M" -D "$D" --warm-up-time=1 -d "$TMP/$name.bin" \
      -H "content-type: application/grpc" -H "te: trailers" -H "authorization: Bearer $TOKEN" \
      "http://127.0.0.1:${!port_var}/user.UserService/GetUser" 2>&1)
    rate=$(echo "$out" | grep -oE "[0-9.]+ req/s" | head -1)
    calls=$(echo "$out" | awk '/^requests:/ { print $8 }')            # succeeded
    failed=$(echo "$out" | awk '/^requests:/ { print $10 + $12 }')    # failed + errored
    if [ -z "$calls" ] || [ "$calls" -eq 0 ] || [ "$failed" -ne 0 ]; then echo "$name: h2load failed: $out" >&2; exit 1; fi
    echo "round $r  $name  $rate  ($calls calls)"
  done
done
