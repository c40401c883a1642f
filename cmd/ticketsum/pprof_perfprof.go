//go:build perfprof

package main

// Built only with -tags perfprof, for measurements (docs/performance.md):
// TICKETSUM_PPROF_ADDR=127.0.0.1:6061 serves net/http/pprof on that
// address. The default build has no profiling endpoint.

import (
	"net/http"
	_ "net/http/pprof"
	"os"
)

func init() {
	if a := os.Getenv("TICKETSUM_PPROF_ADDR"); a != "" {
		go http.ListenAndServe(a, nil)
	}
}
