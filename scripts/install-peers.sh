#!/usr/bin/env bash
# Installs the pinned interop peers (scripts/peers.lock) into .peers/:
#   .peers/bin/go-interop-client, go-interop-server  grpc-go's official interop programs
#   .peers/bin/grpcurl, .peers/bin/grpc-health-probe
#   .peers/venv                                       Python grpcio (C-core) + generated stubs
# Idempotent: a peer whose stamp matches its pinned version is skipped. Needs go, python3, npm ci done.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PEERS=$ROOT/.peers
BIN=$PEERS/bin
mkdir -p "$BIN" "$PEERS/stamps"
# shellcheck disable=SC1091
source scripts/peers.lock

log() { printf '[install-peers %s] %s\n' "$(date +%T)" "$*"; }
stamped() { [[ -f $PEERS/stamps/$1 && $(cat "$PEERS/stamps/$1") == "$2" ]]; }
stamp() { printf '%s' "$2" >"$PEERS/stamps/$1"; }

install_go_interop() {
  local want="$GRPC_GO $(sha256sum test/interop/peers/go/go.mod test/interop/peers/go/go.sum | sha256sum | cut -c1-16)"
  if stamped go-interop "$want" && [[ -x $BIN/go-interop-client && -x $BIN/go-interop-server ]]; then
    log "grpc-go interop $GRPC_GO: up to date"; return
  fi
  log "grpc-go interop $GRPC_GO: building from test/interop/peers/go"
  # The go.mod of test/interop/peers/go requires google.golang.org/grpc at the pinned version;
  # building its interop/client and interop/server main packages from there avoids
  # `go install pkg@version`, which refuses modules with replace directives.
  (cd test/interop/peers/go &&
    grep -q "google.golang.org/grpc $GRPC_GO" go.mod &&
    go build -o "$BIN/go-interop-client" google.golang.org/grpc/interop/client &&
    go build -o "$BIN/go-interop-server" google.golang.org/grpc/interop/server)
  stamp go-interop "$want"
}

install_go_tool() { # name module version
  if stamped "$1" "$3" && [[ -x $BIN/$1 ]]; then log "$1 $3: up to date"; return; fi
  log "$1 $3: go install $2@$3"
  GOBIN=$BIN go install "$2@$3"
  stamp "$1" "$3"
}

install_python() {
  local want="grpcio==$GRPCIO grpcio-tools==$GRPCIO_TOOLS $(cat scripts/install-peers.sh proto/grpc/testing/*.proto | sha256sum | cut -c1-16)"
  if stamped python "$want" && [[ -x $PEERS/venv/bin/python ]]; then log "python grpcio $GRPCIO: up to date"; return; fi
  log "python grpcio $GRPCIO: venv + pip install"
  [[ -x $PEERS/venv/bin/python ]] || python3 -m venv "$PEERS/venv"
  "$PEERS/venv/bin/pip" install --quiet --disable-pip-version-check "grpcio==$GRPCIO" "grpcio-tools==$GRPCIO_TOOLS"
  # The official Python interop client/server are not published on PyPI: our scripts in
  # test/interop/peers/python use stubs generated here from proto/grpc/testing.
  rm -rf "$PEERS/python-gen" && mkdir -p "$PEERS/python-gen"
  "$PEERS/venv/bin/python" -m grpc_tools.protoc -I proto --python_out="$PEERS/python-gen" \
    --grpc_python_out="$PEERS/python-gen" proto/grpc/testing/empty.proto \
    proto/grpc/testing/messages.proto proto/grpc/testing/test.proto
  # Python's own `grpc` package owns the name grpc.testing: move the stubs to grpc_testing_pb (not grpc_testing: grpcio-testing owns that).
  mv "$PEERS/python-gen/grpc/testing" "$PEERS/python-gen/grpc_testing_pb" && rmdir "$PEERS/python-gen/grpc"
  sed -i 's/^from grpc\.testing import/from grpc_testing_pb import/' "$PEERS/python-gen/grpc_testing_pb/"*.py
  stamp python "$want"
}

check_node() {
  local v
  v=$(node -p 'require("./node_modules/@grpc/grpc-js/package.json").version' 2>/dev/null) ||
    { log "@grpc/grpc-js missing: run npm ci first"; return 1; }
  log "@grpc/grpc-js $v: from node_modules (test/interop/peers/node)"
}

# `install-peers.sh grpcurl`: grpcurl alone (test/docs/readme-commands.test.ts needs nothing else).
if [[ ${1:-} == grpcurl ]]; then
  install_go_tool grpcurl github.com/fullstorydev/grpcurl/cmd/grpcurl "$GRPCURL"
  exit 0
fi

start=$(date +%s)
# The Python install (network + unpacking) runs beside the Go builds (CPU).
install_python >"$PEERS/python-install.log" 2>&1 &
py_pid=$!
install_go_interop
install_go_tool grpcurl github.com/fullstorydev/grpcurl/cmd/grpcurl "$GRPCURL"
install_go_tool grpc-health-probe github.com/grpc-ecosystem/grpc-health-probe "$GRPC_HEALTH_PROBE"
if ! wait "$py_pid"; then cat "$PEERS/python-install.log"; log "python install failed"; exit 1; fi
cat "$PEERS/python-install.log"
check_node
log "all peers ready in $(($(date +%s) - start)) s"
