#!/usr/bin/env bash
# Installs Debian's PostgreSQL server (package `postgresql`) when its binaries are missing, for the
# throwaway databases of the tests, CI and `npm run cluster` (scripts/throwaway-postgres.ts).
# Idempotent: does nothing when /usr/lib/postgresql/*/bin/initdb exists. Exits non-zero when
# PostgreSQL is missing and cannot be installed (tests then fail; they never skip).
set -euo pipefail

found() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }

if found; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-postgres: PostgreSQL server binaries not found and cannot apt-get install as $(id -un); install Debian's postgresql package" >&2
  exit 1
fi
echo "install-postgres: installing Debian's postgresql package with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt_get() { apt-get -o DPkg::Lock::Timeout=600 "$@"; }
if ! apt_get install -y -q postgresql >/dev/null; then
  apt_get update -q >/dev/null
  apt_get install -y -q postgresql >/dev/null
fi
# The package starts a cluster of its own on port 5432; we never use it (our databases are throwaway).
if found; then
  exit 0
fi
echo "install-postgres: postgresql installed but no initdb under /usr/lib/postgresql/*/bin" >&2
exit 1
