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

# shellcheck source=lib/getuser-seed.sh
. bench/lib/getuser-seed.sh

# start NAME CMD...: runs the server on core 0, logs to $TMP/NAME.log, sets PORT_NAME and its pid.
start() {
  local name=$1; shift
  "${ON0[@]}" "$@" >"$TMP/$name.log" 2>&1 &
  PIDS+=($!)
  local p
  p=$(wait_port "$TMP/$name.log")
  printf -v "PORT_$name" %s "$p"
}

npm run --silent build >/dev/null
AUTH_TOKENS=$TOKEN=admin HOST=127.0.0.1 PORT=0 start ours node dist/service/main.js
AUTH_TOKENS=$TOKEN=admin PORT=0 start twin node --import tsx bench/servers/grpcjs-user.ts
PORT=0 start floor node --import tsx bench/servers/floor.ts
seed_getuser "$PORT_ours" "$TOKEN" "$TMP/ours.bin"
seed_getuser "$PORT_twin" "$TOKEN" "$TMP/twin.bin"
cp "$TMP/ours.bin" "$TMP/floor.bin" # the floor answers any GetUser with its canned user

RATES=""
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
    RATES="$RATES$name ${rate% req/s}"$'\n'
  done
done
# Medians over the rounds, and ours against each (the ratios the issue asks for).
printf %s "$RATES" | awk '
  { v[$1] = v[$1] " " $2 }
  function median(list,   a, n, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  END {
    f = median(v["floor"]); t = median(v["twin"]); o = median(v["ours"])
    printf "median calls/s: floor %.0f, twin %.0f, ours %.0f; ours vs twin %.2fx, vs floor %.2fx\n", f, t, o, o / t, o / f
  }'
