#!/usr/bin/env bash
# Runs every test of ticketsum: installs what the tests need (Debian's
# chromium for the browser test), points the Postgres tests at the local
# server, and runs `go test -race` over the whole module.
#
# Usage: scripts/test.sh [extra go test flags]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-chromium.sh

# Postgres tests use TICKETSUM_TEST_DATABASE_URL; default to the local server.
export TICKETSUM_TEST_DATABASE_URL="${TICKETSUM_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
if ! scripts/ensure-postgres.sh; then
  echo "scripts/test.sh: PostgreSQL is not reachable at $TICKETSUM_TEST_DATABASE_URL" >&2
  exit 1
fi

# The dataset tests read the public datasets beside the repository
# (internal/datasets): $TICKETSUM_DATASETS, else the nearest shared/datasets
# here or in a parent. Without them those tests skip; say so once, here.
datasets="${TICKETSUM_DATASETS:-}"
if [ -z "$datasets" ]; then
  d=$PWD
  while :; do
    if [ -d "$d/shared/datasets" ]; then datasets=$d/shared/datasets; break; fi
    [ "$d" = / ] && break
    d=$(dirname "$d")
  done
fi
if [ -n "$datasets" ] && [ -d "$datasets" ]; then
  echo "scripts/test.sh: public datasets at $datasets"
else
  echo "scripts/test.sh: no public datasets (no shared/datasets here or in a parent, TICKETSUM_DATASETS unset): the dataset tests skip and only the repository's own data is tested" >&2
fi

go test -race -count=1 -timeout 40m "$@" ./...
