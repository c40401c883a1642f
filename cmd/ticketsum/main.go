// Command ticketsum summarises customer-support tickets: one binary that
// imports tickets, runs the summarisation queue, serves the web UI and API,
// evaluates models and plans deployment. Run `ticketsum help` for commands;
// docs/cli/ is the reference of every command.
//
// The command tree lives in package cli; this main only turns SIGINT and
// SIGTERM into a cancelled context and the tree's result into an exit code.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/ticketsum/ticketsum/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
