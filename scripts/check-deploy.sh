#!/usr/bin/env bash
# `npm run deploy:check`: what can be checked of deploy/ on a machine without a docker daemon or a
# running systemd (docs/DEPLOY.md):
#  1. deploy/user-service.service parses cleanly (`systemd-analyze verify` prints nothing);
#  2. deploy/Dockerfile's steps run (scripts/dockerfile-dry-run.mjs: both stages, CMD, userctl, SIGTERM → exit 0).
# The stop pattern of the unit itself (SIGTERM to the main pid, KillMode=mixed) is tested by
# test/service/signals.test.ts in `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v systemd-analyze >/dev/null 2>&1; then
  unit_dir="$(mktemp -d)"
  trap 'rm -rf "$unit_dir"' EXIT
  cp deploy/user-service.service "$unit_dir/"
  # verify complains about the missing user and paths of a real install only as warnings on stderr;
  # a syntax problem ("Failed to parse …", "Unknown key …") must not appear.
  out="$(systemd-analyze verify "$unit_dir/user-service.service" 2>&1 || true)"
  if printf '%s' "$out" | grep -Eq 'Failed to parse|Unknown (key|section)|Invalid|Missing'; then
    printf 'deploy/user-service.service:\n%s\n' "$out" >&2
    exit 1
  fi
  echo "check-deploy: systemd-analyze verify deploy/user-service.service: clean"
elif [ "${CI:-}" = "true" ]; then
  echo "check-deploy: systemd-analyze is missing (Debian: apt-get install systemd)" >&2
  exit 1
else
  echo "check-deploy: systemd-analyze not installed here: unit syntax not checked"
fi

node scripts/dockerfile-dry-run.mjs
