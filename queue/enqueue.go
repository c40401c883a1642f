package queue

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/ticketsum/ticketsum"
)

// TxStore is a ticket store that upserts a ticket and, when its thread
// changed, runs onChange in the same transaction; both the sqlite and the
// postgres Store implement it.
type TxStore[TTx any] interface {
	UpsertTicketTx(ctx context.Context, t *ticketsum.Ticket, onChange func(ctx context.Context, tx TTx) error) (changed bool, err error)
}

func (q *Queue[TTx]) insertOpts() *river.InsertOpts {
	return q.insertOptsIn(q.cfg.Queue)
}

// insertOptsIn are the insert options of a single-ticket job in queue.
func (q *Queue[TTx]) insertOptsIn(queue string) *river.InsertOpts {
	o := &river.InsertOpts{
		Queue:       queue,
		MaxAttempts: q.cfg.MaxAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: uniqueStates},
	}
	if q.cfg.Delay > 0 {
		o.ScheduledAt = q.cfg.Clock.Now().Add(q.cfg.Delay)
	}
	return o
}

func checkArgs(ticketID, contentHash string) error {
	if ticketID == "" || contentHash == "" {
		return ticketsum.Errorf(ticketsum.EINVALID, "a summarize job needs a ticket id and a content hash")
	}
	return nil
}

// Enqueue adds a summarise job for the ticket's thread and reports whether
// it was inserted (false when the same job already waits or runs).
func (q *Queue[TTx]) Enqueue(ctx context.Context, ticketID, contentHash string) (bool, error) {
	return q.insert(ctx, SummarizeArgs{TicketID: ticketID, ContentHash: contentHash})
}

// insert adds a job with args and reports whether it was inserted.
func (q *Queue[TTx]) insert(ctx context.Context, args SummarizeArgs) (bool, error) {
	return q.insertWith(ctx, args, q.cfg.Queue, LivePriority)
}

// insertWith is insert into a queue at a River priority.
func (q *Queue[TTx]) insertWith(ctx context.Context, args SummarizeArgs, queue string, priority int) (bool, error) {
	if err := checkArgs(args.TicketID, args.ContentHash); err != nil {
		return false, err
	}
	opts := q.insertOptsIn(queue)
	opts.Priority = priority
	res, err := q.client.Insert(ctx, args, opts)
	if err != nil {
		return false, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "enqueue summarize job for ticket %s: %w", args.TicketID, err)
	}
	q.woken()
	return !res.UniqueSkippedAsDuplicate, nil
}

// EnqueueTx is Enqueue inside the caller's transaction.
func (q *Queue[TTx]) EnqueueTx(ctx context.Context, tx TTx, ticketID, contentHash string) (bool, error) {
	if err := checkArgs(ticketID, contentHash); err != nil {
		return false, err
	}
	res, err := q.client.InsertTx(ctx, tx, SummarizeArgs{TicketID: ticketID, ContentHash: contentHash}, q.insertOpts())
	if err != nil {
		return false, fmt.Errorf("enqueue summarize job for ticket %s: %w", ticketID, err)
	}
	return !res.UniqueSkippedAsDuplicate, nil
}

// Import upserts t into the queue's store and, when its thread is new or
// changed, enqueues its summarise job in the same transaction, so that the
// ticket and its job are saved together or not at all. It reports whether
// the thread changed, and returns the store's errors (EINVALID for a bad
// ticket, EUNAVAILABLE when the database is busy or down).
func (q *Queue[TTx]) Import(ctx context.Context, t *ticketsum.Ticket) (bool, error) {
	if t == nil {
		return false, ticketsum.Errorf(ticketsum.EINVALID, "no ticket given")
	}
	changed, err := q.store.UpsertTicketTx(ctx, t, func(ctx context.Context, tx TTx) error {
		_, err := q.EnqueueTx(ctx, tx, t.ID, t.ContentHash())
		return err
	})
	if err == nil && changed {
		q.woken()
	}
	return changed, err
}

// BatchTxStore is a ticket store that upserts many tickets in one
// transaction and runs onChange in it with those whose thread changed;
// both the sqlite and the postgres Store implement it.
type BatchTxStore[TTx any] interface {
	UpsertTicketsTx(ctx context.Context, tickets []*ticketsum.Ticket, onChange func(ctx context.Context, tx TTx, changed []*ticketsum.Ticket) error) (changed []bool, bad []error, err error)
}

// ImportMany is Import for tickets of distinct ids in one transaction: the
// tickets are upserted together and their new and changed threads queued
// as batch jobs (River's bulk insert) at ImportPriority, so that a ticket
// is never stored without its job. changed[i] reports whether tickets[i]'s
// thread was new or changed; bad[i] is the EINVALID error of a ticket the
// store refused, which is left out while the others are stored. err is an
// error of the whole call (EUNAVAILABLE when the database is busy or down),
// after which nothing was stored. A store without a many-ticket upsert
// imports the tickets one at a time.
func (q *Queue[TTx]) ImportMany(ctx context.Context, tickets []*ticketsum.Ticket) (changed []bool, bad []error, err error) {
	bs, ok := q.store.(BatchTxStore[TTx])
	if !ok {
		changed, bad = make([]bool, len(tickets)), make([]error, len(tickets))
		for i, t := range tickets {
			changed[i], err = q.Import(ctx, t)
			if ticketsum.ErrorCodeOf(err) == ticketsum.EINVALID {
				bad[i], err = err, nil
			}
			if err != nil {
				return nil, nil, err
			}
		}
		return changed, bad, nil
	}
	var queued bool
	changed, bad, err = bs.UpsertTicketsTx(ctx, tickets, func(ctx context.Context, tx TTx, moved []*ticketsum.Ticket) error {
		items := make([]Item, len(moved))
		for i, t := range moved {
			items[i] = Item{TicketID: t.ID, ContentHash: t.ContentHash()}
		}
		queued = len(items) > 0
		return q.enqueueBatchTx(ctx, tx, items, ImportPriority)
	})
	if err == nil && queued {
		q.woken()
	}
	return changed, bad, err
}

// woken tells this process's workers that it has committed jobs, so that
// they fetch them now rather than at the listener's next read.
func (q *Queue[TTx]) woken() {
	if q.wake != nil {
		q.wake()
	}
}
