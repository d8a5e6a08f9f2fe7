#!/usr/bin/env bash
# Installs the benchmark's external tools, pinned, into .peers/ (gitignored):
#   h2load     Debian's nghttp2-client (apt, when missing and we are root)
#   ghz        go install github.com/bojand/ghz/cmd/ghz@$GHZ_VERSION
#   grpc-go    the bench/peers/go echo + user server, built with the Go toolchain
# Under CI=true a tool that cannot be installed is a failure; otherwise a warning.
set -euo pipefail
cd "$(dirname "$0")/.."

GHZ_VERSION="v0.121.0"
PEERS="$PWD/.peers"
mkdir -p "$PEERS/bin"
fail=0

need() { # name, message
  if [ "${CI:-}" = "true" ]; then echo "install-bench-tools: $1: $2 (CI: failing)" >&2; fail=1
  else echo "install-bench-tools: $1: $2 (skipped)" >&2; fi
}

# h2load
if command -v h2load >/dev/null 2>&1; then
  echo "h2load: $(command -v h2load)"
elif [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "h2load: installing nghttp2-client with apt-get"
  if ! { apt-get install -y -q nghttp2-client >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q nghttp2-client >/dev/null; }; }; then
    need h2load "apt-get install nghttp2-client failed"
  fi
else
  need h2load "not found; install Debian's nghttp2-client"
fi

if ! command -v go >/dev/null 2>&1; then
  need go "the Go toolchain is not on PATH (needed for ghz and grpc-go)"
else
  # ghz
  # `go install` builds report version "dev", so the installed version is kept in a stamp file.
  if [ -x "$PEERS/bin/ghz" ] && [ "$(cat "$PEERS/ghz.version" 2>/dev/null)" = "$GHZ_VERSION" ]; then
    echo "ghz: $PEERS/bin/ghz ($GHZ_VERSION)"
  else
    echo "ghz: go install github.com/bojand/ghz/cmd/ghz@$GHZ_VERSION"
    if GOBIN="$PEERS/bin" go install "github.com/bojand/ghz/cmd/ghz@$GHZ_VERSION"; then echo "$GHZ_VERSION" > "$PEERS/ghz.version"
    else need ghz "go install failed"; fi
  fi
  # grpc-go peer server
  echo "grpc-go: building bench/peers/go"
  if ! (cd bench/peers/go && go build -trimpath -o "$PEERS/bin/grpc-go-bench" .); then need grpc-go "go build failed"; fi
fi

exit $fail
