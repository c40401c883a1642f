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
	}{
		{"success", nil, 1, 10, false, fateDone},
		{"success while stopping", nil, 1, 10, true, fateDone},
		{"bad ticket", ticketsum.Errorf(ticketsum.EINVALID, "bad"), 1, 10, false, fateFail},
		{"config: forbidden, wrapped", fmt.Errorf("summarize: %w", ticketsum.Errorf(ticketsum.EFORBIDDEN, "denied")), 1, 10, false, fateFail},
		{"config: model not found", ticketsum.Errorf(ticketsum.ENOTFOUND, "no such model"), 1, 10, false, fateFail},
		{"config: budget spent", ticketsum.Errorf(ticketsum.EQUOTA, "spent"), 1, 10, false, fateFail},
		{"config: invalid request a setting fixes", ticketsum.WithClass(ticketsum.Errorf(ticketsum.EINVALID, "wrong region"), ticketsum.ClassConfig), 1, 10, false, fateFail},
		{"policy", ticketsum.Errorf(ticketsum.EBLOCKED, "guardrail"), 1, 10, false, fateFail},
		{"throttled", ticketsum.Errorf(ticketsum.ETHROTTLED, "slow down"), 1, 10, false, fateSnooze},
		{"throttled on the last attempt", ticketsum.Errorf(ticketsum.ETHROTTLED, "slow down"), 10, 10, false, fateSnooze},
		{"unavailable", ticketsum.Errorf(ticketsum.EUNAVAILABLE, "down"), 1, 10, false, fateRetry},
		{"unavailable, attempts left", ticketsum.Errorf(ticketsum.EUNAVAILABLE, "down"), 9, 10, false, fateRetry},
		{"unavailable, attempts exhausted", ticketsum.Errorf(ticketsum.EUNAVAILABLE, "down"), 10, 10, false, fateFail},
		{"uncoded", plain, 1, 10, false, fateRetry},
		{"uncoded, exhausted", plain, 3, 3, false, fateFail},
		{"retryable marked as bad ticket", ticketsum.WithClass(plain, ticketsum.ClassBadTicket), 1, 10, false, fateFail},
		{"context", context.DeadlineExceeded, 1, 10, false, fateRetry},
		{"interrupted by stop", ticketsum.Errorf(ticketsum.EUNAVAILABLE, "cancelled"), 10, 10, true, fateYield},
		{"config error while stopping", ticketsum.Errorf(ticketsum.EFORBIDDEN, "denied"), 1, 10, true, fateYield},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := decide(c.err, c.attempt, c.max, c.stopping); got != c.want {
				t.Errorf("decide = %d, want %d", got, c.want)
			}
		})
	}
}

func TestConfigDefaultsAndRejects(t *testing.T) {
	t.Parallel()
	c, err := Config{}.withDefaults()
	if err != nil || c.Workers != 4 || c.Queue != "ticketsum" || c.PollInterval != 200*time.Millisecond ||
		c.MaxAttempts != 10 || c.SnoozeFor != 30*time.Second || c.JobTimeout != 5*time.Minute || c.RescueAfter != 6*time.Minute {
		t.Errorf("defaults = %+v (%v)", c, err)
	}
	bad := []Config{
		{Workers: -1}, {Queue: "Bad Queue"}, {PollInterval: time.Microsecond}, {MaxAttempts: -2},
		{SnoozeFor: -time.Second}, {JobTimeout: -time.Second}, {JobTimeout: time.Hour, RescueAfter: time.Minute},
	}
	for _, b := range bad {
		if _, err := b.withDefaults(); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
			t.Errorf("config %+v: %v, want EINVALID", b, err)
		}
	}
}
