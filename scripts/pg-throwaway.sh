#!/usr/bin/env bash
# A throwaway PostgreSQL (scripts/throwaway-postgres.ts): installs Debian's postgresql package when
# missing, initdb into a temporary folder, runs as the postgres user on a free loopback port, removes
# everything on exit.
#   scripts/pg-throwaway.sh                  prints DATABASE_URL=… and runs until Ctrl-C
#   scripts/pg-throwaway.sh -- npm start     runs the command with DATABASE_URL set
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-postgres.sh
exec node_modules/.bin/tsx scripts/throwaway-postgres.ts "$@"
