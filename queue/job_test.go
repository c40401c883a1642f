package queue

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
)

func TestDecide(t *testing.T) {
	t.Parallel()
	plain := errors.New("boom")
	cases := []struct {
		name         string
		err          error
		attempt, max int
		stopping     bool
		want         fate
		snoozes      int
	}{
		{"success", nil, 1, 10, false, fateDone, 0},
		{"success while stopping", nil, 1, 10, true, fateDone, 0},
		{"bad ticket", ticketsum.Errorf(ticketsum.EINVALID, "bad"), 1, 10, false, fateFail, 0},
		{"config: forbidden, wrapped", fmt.Errorf("summarize: %w", ticketsum.Errorf(ticketsum.EFORBIDDEN, "denied")), 1, 10, false, fateFail, 0},
		{"config: model not found", ticketsum.Errorf(ticketsum.ENOTFOUND, "no such model"), 1, 10, false, fateFail, 0},
		{"config: budget spent", ticketsum.Errorf(ticketsum.EQUOTA, "spent"), 1, 10, false, fateFail, 0},
		{"config: invalid request a setting fixes", ticketsum.WithClass(ticketsum.Errorf(ticketsum.EINVALID, "wrong region"), ticketsum.ClassConfig), 1, 10, false, fateFail, 0},
		{"policy", ticketsum.Errorf(ticketsum.EBLOCKED, "guardrail"), 1, 10, false, fateFail, 0},
		{"throttled", ticketsum.Errorf(ticketsum.ETHROTTLED, "slow down"), 1, 10, false, fateSnooze, 0},
		{"throttled on the last attempt", ticketsum.Errorf(ticketsum.ETHROTTLED, "slow down"), 10, 10, false, fateSnooze, 0},
		{"throttled, snoozes left", ticketsum.Errorf(ticketsum.ETHROTTLED, "slow down"), 1, 10, false, fateSnooze, 19},
		{"throttled past the snoozes: an attempt", ticketsum.Errorf(ticketsum.ETHROTTLED, "slow down"), 1, 10, false, fateRetry, 20},
		{"throttled past the snoozes on the last attempt", ticketsum.Errorf(ticketsum.ETHROTTLED, "slow down"), 10, 10, false, fateFail, 25},
		{"throttled past the snoozes while stopping", ticketsum.Errorf(ticketsum.ETHROTTLED, "slow down"), 10, 10, true, fateYield, 25},
		{"unavailable", ticketsum.Errorf(ticketsum.EUNAVAILABLE, "down"), 1, 10, false, fateRetry, 0},
		{"unavailable, attempts left", ticketsum.Errorf(ticketsum.EUNAVAILABLE, "down"), 9, 10, false, fateRetry, 0},
		{"unavailable, attempts exhausted", ticketsum.Errorf(ticketsum.EUNAVAILABLE, "down"), 10, 10, false, fateFail, 0},
		{"uncoded", plain, 1, 10, false, fateRetry, 0},
		{"uncoded, exhausted", plain, 3, 3, false, fateFail, 0},
		{"retryable marked as bad ticket", ticketsum.WithClass(plain, ticketsum.ClassBadTicket), 1, 10, false, fateFail, 0},
		{"context", context.DeadlineExceeded, 1, 10, false, fateRetry, 0},
		{"interrupted by stop", ticketsum.Errorf(ticketsum.EUNAVAILABLE, "cancelled"), 10, 10, true, fateYield, 0},
		{"config error while stopping", ticketsum.Errorf(ticketsum.EFORBIDDEN, "denied"), 1, 10, true, fateYield, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := runState{attempt: c.attempt, maxAttempts: c.max, snoozes: c.snoozes, maxSnoozes: 20, stopping: c.stopping}
			if got := decide(c.err, r); got != c.want {
				t.Errorf("decide = %d, want %d", got, c.want)
			}
		})
	}
}

func TestSnoozes(t *testing.T) {
	t.Parallel()
	for meta, want := range map[string]int{``: 0, `{}`: 0, `{"snoozes": 3}`: 3, `{"snoozes": 21, "other": "x"}`: 21, `not json`: 0} {
		if got := snoozes([]byte(meta)); got != want {
			t.Errorf("snoozes(%s) = %d, want %d", meta, got, want)
		}
	}
}

func TestConfigDefaultsAndRejects(t *testing.T) {
	t.Parallel()
	c, err := Config{}.withDefaults()
	if err != nil || c.Workers != 4 || c.Queue != "ticketsum" || c.PollInterval != 200*time.Millisecond ||
		c.MaxAttempts != 10 || c.SnoozeFor != 30*time.Second || c.MaxSnoozes != 20 || c.JobTimeout != 5*time.Minute || c.RescueAfter != 6*time.Minute {
		t.Errorf("defaults = %+v (%v)", c, err)
	}
	bad := []Config{
		{Workers: -1}, {Queue: "Bad Queue"}, {PollInterval: time.Microsecond}, {MaxAttempts: -2},
		{SnoozeFor: -time.Second}, {MaxSnoozes: -1}, {JobTimeout: -time.Second}, {JobTimeout: time.Hour, RescueAfter: time.Minute},
	}
	for _, b := range bad {
		if _, err := b.withDefaults(); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
			t.Errorf("config %+v: %v, want EINVALID", b, err)
		}
	}
}
