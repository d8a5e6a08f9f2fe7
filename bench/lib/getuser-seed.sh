# Shell helpers for GetUser under plain h2load (sourced by bench/held-out.sh and scripts/gc-hunt/svc-gc.sh;
# scripts/gc-hunt/client-gc.sh uses wait_port); run from the repository root.

# wait_port FILE...: prints the port a server announced in FILE ("listening on HOST:PORT" or
# "LISTENING PORT"), waiting up to 20 s; fails if none did.
wait_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(grep -ohE "(listening on [^ ]*:|LISTENING )[0-9]+" "$@" 2>/dev/null | grep -oE "[0-9]+$" | head -1 || true)
    if [ -n "$p" ]; then echo "$p"; return 0; fi
    sleep 0.1
  done
  echo "no server announced a port in $*: $(cat "$@" 2>/dev/null)" >&2
  return 1
}

# getuser_body ID FILE: a gRPC length-prefixed GetUserRequest { id = 1 } (a short id: one-byte lengths).
getuser_body() {
  node -e 'const b = Buffer.from(process.argv[1]); const m = Buffer.concat([Buffer.from([0x0a, b.length]), b]);
    const p = Buffer.alloc(5); p.writeUInt32BE(m.length, 1); require("fs").writeFileSync(process.argv[2], Buffer.concat([p, m]));' "$1" "$2"
}

# seed_getuser PORT TOKEN FILE: creates one user through userctl, checks GetUser finds it with this
# token (h2load counts HTTP 200s, and a gRPC error is an HTTP 200 too), writes the GetUser body for its id.
seed_getuser() {
  local id
  id=$(npx tsx src/cli/userctl.ts --target "127.0.0.1:$1" --token "$2" create --username held --email held@example.com --full-name "Held Out" |
    node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).id))')
  npx tsx src/cli/userctl.ts --target "127.0.0.1:$1" --token "$2" get "$id" >/dev/null
  getuser_body "$id" "$3"
}
