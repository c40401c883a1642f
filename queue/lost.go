package queue

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ticketsum/ticketsum"
)

// A worker process writes a heartbeat (its River client's id and the time)
// to the queue_workers table every Config.LostAfter/3 while it runs, and
// every running worker process looks as often for running jobs whose
// worker's heartbeat is older than LostAfter: that process was killed (or
// cut off from the database), and its jobs are made available again at
// once, instead of after Config.RescueAfter (River's rescuer, which goes
// by how long a job has run, not by whether its worker lives). A job of a
// worker with no heartbeat row (a version before heartbeats) is left to
// River's rescuer.
//
// The heartbeat's time is the writing process's clock, and processes on
// other hosts may disagree by more than LostAfter. So a worker is taken as
// lost by what the looking process saw itself: its heartbeat value did not
// change for LostAfter by the looker's clock. A looker whose clock runs an
// hour ahead never takes a live worker's jobs; one that just started waits
// LostAfter before it takes any.

// workerTable is the SQL of the heartbeat table and of the rescue, with
// '?' placeholders, in the dialect of the queue's database.
type workerTable struct {
	exec  func(ctx context.Context, query string, args ...any) (int64, error)
	query func(ctx context.Context, query string, scan func(id string, seen int64), args ...any) error
	// jobs is the (schema-qualified) name of River's job table.
	jobs, workers string
	// create makes the heartbeat table.
	create string
}

// beat writes this process's heartbeat.
func (q *Queue[TTx]) beat(ctx context.Context) error {
	now := q.cfg.Clock.Now().UnixMicro()
	_, err := q.workers.exec(ctx, `INSERT INTO `+q.workers.workers+` (id, seen_at) VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`, q.client.ID(), now)
	if err != nil {
		return fmt.Errorf("write worker heartbeat: %w", err)
	}
	return nil
}

// heartbeats reads every worker's last heartbeat, by River client id.
func (q *Queue[TTx]) heartbeats(ctx context.Context) (map[string]time.Time, error) {
	seen := map[string]time.Time{}
	err := q.workers.query(ctx, `SELECT id, seen_at FROM `+q.workers.workers, func(id string, at int64) {
		seen[id] = time.UnixMicro(at)
	})
	if err != nil {
		return nil, fmt.Errorf("read worker heartbeats: %w", err)
	}
	return seen, nil
}

// running returns the queue's running jobs.
func (q *Queue[TTx]) running(ctx context.Context) ([]*rivertype.JobRow, error) {
	res, err := q.client.JobList(ctx, river.NewJobListParams().Queues(q.cfg.Queue, q.cfg.BatchQueue).
		States(rivertype.JobStateRunning).OrderBy(river.JobListOrderByID, river.SortOrderAsc).First(10000))
	if err != nil {
		return nil, fmt.Errorf("list running jobs: %w", err)
	}
	return res.Jobs, nil
}

// Stalled is a running job no live worker is doing: its worker stopped
// writing heartbeats (it was killed), or the job has run past
// Config.JobTimeout (a worker of a version without heartbeats was killed).
type Stalled struct {
	JobID int64
	// Tickets is how many tickets the job carries (a batch job's items).
	Tickets int
	// Worker is the River client id of the worker that ran it.
	Worker string
	// RescueBy is when, at the latest, the job is made available again:
	// at the next check of a live worker (Config.LostAfter/3) when its
	// worker's heartbeat stopped, else by River's rescuer
	// (Config.RescueAfter after the attempt began, plus its 30-second
	// interval). No worker process must be running for either.
	RescueBy time.Time
}

// rescuerInterval is how often River's rescuer runs (not configurable).
const rescuerInterval = 30 * time.Second

// stalled returns the running jobs no live worker is doing, given the
// workers' heartbeats.
func (q *Queue[TTx]) stalled(jobs []*rivertype.JobRow, seen map[string]time.Time) []Stalled {
	now := q.cfg.Clock.Now()
	var out []Stalled
	for _, j := range jobs {
		if j.AttemptedAt == nil {
			continue
		}
		w := lastWorker(j)
		at, known := seen[w]
		switch {
		case known && now.Sub(at) > q.cfg.LostAfter:
			out = append(out, Stalled{JobID: j.ID, Tickets: jobTickets(j), Worker: w, RescueBy: now.Add(q.cfg.LostAfter / 3)})
		case !known && now.Sub(*j.AttemptedAt) > q.cfg.JobTimeout+time.Minute:
			out = append(out, Stalled{JobID: j.ID, Tickets: jobTickets(j), Worker: w,
				RescueBy: j.AttemptedAt.Add(q.cfg.RescueAfter + rescuerInterval)})
		}
	}
	return out
}

// lastWorker is the River client id of the worker that made the job's
// current attempt.
func lastWorker(j *rivertype.JobRow) string {
	if len(j.AttemptedBy) == 0 {
		return ""
	}
	return j.AttemptedBy[len(j.AttemptedBy)-1]
}

// ListStalled returns the running jobs that no live worker is doing (see
// Stalled), oldest first. It returns EUNAVAILABLE when the database
// cannot be read.
func (q *Queue[TTx]) ListStalled(ctx context.Context) ([]Stalled, error) {
	jobs, err := q.running(ctx)
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%w", err)
	}
	if len(jobs) == 0 {
		return nil, nil
	}
	seen, err := q.heartbeats(ctx)
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%w", err)
	}
	return q.stalled(jobs, seen), nil
}

// rescueLost makes the running jobs of workers whose heartbeat is older
// than Config.LostAfter available again, and returns how many. A job is
// taken only in the attempt it was found in (a job that finished or was
// rescued meanwhile is left alone), never one of this process's; a job that was on its last attempt
// gets one more, as the kill was not its failure.
func (q *Queue[TTx]) rescueLost(ctx context.Context) (int, error) {
	jobs, err := q.running(ctx)
	if err != nil || len(jobs) == 0 {
		return 0, err
	}
	seen, err := q.heartbeats(ctx)
	if err != nil {
		return 0, err
	}
	now, self := q.cfg.Clock.Now(), q.client.ID()
	q.watch.observe(seen, now)
	n := 0
	for _, j := range jobs {
		w := lastWorker(j)
		at, known := seen[w]
		if !known || w == self || !q.watch.silentFor(w, now, q.cfg.LostAfter) {
			continue
		}
		c, err := q.workers.exec(ctx, `UPDATE `+q.workers.jobs+` SET state = 'available',
			max_attempts = CASE WHEN attempt >= max_attempts THEN attempt + 1 ELSE max_attempts END
			WHERE id = ? AND state = 'running' AND attempt = ?`, j.ID, j.Attempt)
		if err != nil {
			return n, fmt.Errorf("make job %d of a lost worker available: %w", j.ID, err)
		}
		if c == 1 {
			n++
			q.cfg.Logger.Warn("job of a worker that stopped (no heartbeat) back in the queue",
				"job_id", j.ID, "tickets", jobTickets(j), "worker", w, "last_heartbeat", at.UTC().Format(time.RFC3339))
		}
	}
	if n > 0 && q.wake != nil {
		q.wake()
	}
	return n, nil
}

// beatWatch is what one process saw of the other workers' heartbeats:
// for each, the last value read and when (by this process's clock) it was
// first read. Only watchWorkers's goroutine uses it.
type beatWatch map[string]beatSeen

// beatSeen is one worker's heartbeat value and when it was first seen.
type beatSeen struct {
	at    time.Time
	since time.Time
}

// observe records the heartbeats read at now, and forgets workers whose
// row is gone.
func (b beatWatch) observe(seen map[string]time.Time, now time.Time) {
	for id, at := range seen {
		if old, ok := b[id]; !ok || !old.at.Equal(at) {
			b[id] = beatSeen{at: at, since: now}
		}
	}
	for id := range b {
		if _, ok := seen[id]; !ok {
			delete(b, id)
		}
	}
}

// silentFor reports whether worker id's heartbeat has not changed for
// longer than d by this process's clock.
func (b beatWatch) silentFor(id string, now time.Time, d time.Duration) bool {
	s, ok := b[id]
	return ok && now.Sub(s.since) > d
}

// forgetAfter is how long the row of a worker that stopped writing
// heartbeats is kept: past it, River's rescuer has taken its jobs.
const forgetAfter = 24 * time.Hour

// watchWorkers writes this process's heartbeat and rescues the jobs of
// lost workers every Config.LostAfter/3 until stop is closed, then
// deletes this process's heartbeat row.
func (q *Queue[TTx]) watchWorkers(stop <-chan struct{}) {
	t := time.NewTicker(q.cfg.LostAfter / 3)
	defer t.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-stop; cancel() }()
	for {
		select {
		case <-ctx.Done():
			dctx, dcancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer dcancel()
			if _, err := q.workers.exec(dctx, `DELETE FROM `+q.workers.workers+` WHERE id = ? OR seen_at < ?`,
				q.client.ID(), q.cfg.Clock.Now().Add(-forgetAfter).UnixMicro()); err != nil {
				q.cfg.Logger.Warn("delete worker heartbeat", "err", err)
			}
			return
		case <-t.C:
		}
		if err := q.beat(ctx); err != nil && ctx.Err() == nil {
			q.cfg.Logger.Warn("worker heartbeat not written", "err", err)
			continue
		}
		if _, err := q.rescueLost(ctx); err != nil && ctx.Err() == nil {
			q.cfg.Logger.Warn("rescue jobs of lost workers", "err", err)
		}
	}
}
