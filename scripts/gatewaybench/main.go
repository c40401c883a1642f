// Command gatewaybench measures `ticketsum serve` on the path a caller pays
// for: the OpenAI-compatible POST /v1/chat/completions with every
// governance step on, against a direct call to the same upstream and
// against Bifrost core v1.3.0 (behind a minimal fasthttp front) fronting the
// same upstream, in one run. Each server runs as its own process; the
// load generator and the upstream run in others. It prints requests/s at
// saturation (closed loop), CPU µs per request of the server under test,
// and p50/p99 latency added over the direct call at a fixed rate.
//
// It is its own module (scripts/gatewaybench/go.mod) so that Bifrost is
// never a dependency of ticketsum; run it with scripts/bench-gateway.sh.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
)

func main() {
	role := flag.String("role", "drive", "drive, upstream or bifrost")
	addr := flag.String("addr", "127.0.0.1:0", "listen address (upstream, bifrost)")
	upstream := flag.String("upstream", "", "upstream base URL ending in /v1 (bifrost)")
	bin := flag.String("ticketsum", "", "path to the ticketsum binary (drive)")
	db := flag.String("db", "", "database of ticketsum serve: empty for SQLite in a temp dir, or a postgres:// URL of a server where the bench creates (and drops) a fresh database")
	conc := flag.Int("c", 32, "closed-loop concurrency")
	dur := flag.Duration("d", 10e9, "closed-loop duration per target")
	rate := flag.Int("rate", 500, "fixed rate (requests/s) for the latency run")
	trailCommit := flag.String("trail-commit", "", "governance.trail_commit of ticketsum serve (flushed or async; empty: the default)")
	only := flag.String("targets", "direct,bifrost-core,ticketsum", "comma-separated targets to measure")
	flag.Parse()
	switch *role {
	case "upstream":
		runUpstream(*addr)
	case "bifrost":
		runBifrost(*addr, *upstream)
	case "drive":
		if *bin == "" {
			fmt.Fprintln(os.Stderr, "gatewaybench: -ticketsum BIN is required")
			os.Exit(2)
		}
		if err := drive(driveConfig{bin: *bin, db: *db, conc: *conc, dur: *dur, rate: *rate, targets: *only, trailCommit: *trailCommit}); err != nil {
			log.Fatal(err)
		}
	default:
		fmt.Fprintf(os.Stderr, "gatewaybench: unknown role %q\n", *role)
		os.Exit(2)
	}
}
