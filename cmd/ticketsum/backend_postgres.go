package main

import (
	"context"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/queue"
)

func (w *wiring) openPostgres(ctx context.Context, qcfg queue.Config) (*backend, error) {
	return nil, ticketsum.Errorf(ticketsum.EINVALID, "postgres store not wired yet")
}
