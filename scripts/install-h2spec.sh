#!/usr/bin/env bash
# Installs h2spec (HTTP/2 conformance tester, github.com/summerwind/h2spec), pinned, into .peers/bin (gitignored).
# Its v2 tags lack a /v2 module suffix, so the pin is the pseudo-version of commit 70ac229 (2020-08-04,
# master with go.mod; its dependencies are pinned by that go.mod/go.sum). Idempotent: a stamp file
# records the installed version. A tool that cannot be installed is a failure (CI=true or not).
set -euo pipefail
cd "$(dirname "$0")/.."

H2SPEC_VERSION="v0.0.0-20200804131034-70ac22940108"
PEERS="$PWD/.peers"
mkdir -p "$PEERS/bin"

# npm run h2spec cannot run without it, so a missing tool fails with or without CI=true.
fail() { echo "install-h2spec: $1" >&2; exit 1; }

if [ -x "$PEERS/bin/h2spec" ] && [ "$(cat "$PEERS/h2spec.version" 2>/dev/null)" = "$H2SPEC_VERSION" ]; then
  echo "h2spec: $PEERS/bin/h2spec ($H2SPEC_VERSION)"
  exit 0
fi
command -v go >/dev/null 2>&1 || fail "the Go toolchain is not on PATH (needed to build h2spec)"
echo "h2spec: go install github.com/summerwind/h2spec/cmd/h2spec@$H2SPEC_VERSION"
GOBIN="$PEERS/bin" go install "github.com/summerwind/h2spec/cmd/h2spec@$H2SPEC_VERSION" || fail "go install failed"
echo "$H2SPEC_VERSION" > "$PEERS/h2spec.version"
