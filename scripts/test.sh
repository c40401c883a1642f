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

go test -race -count=1 -timeout 40m "$@" ./...
