#!/usr/bin/env bash
# Measures `ticketsum serve` against a direct call and Bifrost core v1.3.0 in
# one run (see scripts/gatewaybench). Usage:
#   scripts/bench-gateway.sh                     # SQLite in a temp dir
#   scripts/bench-gateway.sh -db postgres://postgres@127.0.0.1:5432/postgres
# (Postgres: the bench creates a fresh database on that server and drops it)
# Each target gets a closed loop, 2 s idle, then a fixed-rate latency run.
# serve's model is priced, so every call charges a budget as a paid call does.
# Extra flags go to gatewaybench (-c workers, -d duration, -rate req/s,
# -trail-commit async for serve's governance.trail_commit).
# Bifrost is built in its own module (scripts/gatewaybench/go.mod), never
# part of ticketsum's build; the module proxy must serve bifrost/core v1.3.0.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
(cd "$root" && go build -o "$out/ticketsum" ./cmd/ticketsum)
(cd "$root/scripts/gatewaybench" && go build -o "$out/gatewaybench" .)
"$out/gatewaybench" -ticketsum "$out/ticketsum" "$@"
