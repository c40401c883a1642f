#!/usr/bin/env bash
# Measures a Postgres backfill end to end (see scripts/backfillbench): distinct
# ~1,500-word tickets (6-20 messages) generated into the docs/postgres.md team
# tables of a scratch database, `ticketsum backfill` with one process at
# default settings, then tickets/s, CPU ms/ticket per process and for the
# Postgres backends, round trips/ticket and peak RSS (VmHWM). Usage:
#   scripts/bench-backfill.sh                 # 2,000 tickets
#   scripts/bench-backfill.sh -n 100000       # the issue 14 target run
#   scripts/bench-backfill.sh -db postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
#   scripts/bench-backfill.sh -n 20000 -live 50   # and the latency of 50 live tickets meanwhile
#   scripts/bench-backfill.sh -mode import -store sqlite   # import, then worker --until-idle
# Flags go to backfillbench (-n, -words, -worker, -keep, -config, -backfill-flags,
# -mode, -store, -live, -live-every).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
(cd "$root" && go build -o "$out/ticketsum" ./cmd/ticketsum && go build -o "$out/backfillbench" ./scripts/backfillbench)
"$out/backfillbench" -bin "$out/ticketsum" "$@"
