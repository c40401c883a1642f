package queue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ticketsum/ticketsum"
)

func TestDecide(t *testing.T) {
	t.Parallel()
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	job := &river.Job[SummarizeArgs]{JobRow: &rivertype.JobRow{ID: 7, Attempt: 1}, Args: SummarizeArgs{TicketID: "T-1"}}
	plain := errors.New("boom")
	cases := []struct {
		name string
		err  error
		want string // "ok", "cancel", "snooze", "retry"
	}{
		{"success", nil, "ok"},
		{"invalid", ticketsum.Errorf(ticketsum.EINVALID, "bad"), "cancel"},
		{"forbidden wrapped", fmt.Errorf("summarize: %w", ticketsum.Errorf(ticketsum.EFORBIDDEN, "denied")), "cancel"},
		{"not found", ticketsum.Errorf(ticketsum.ENOTFOUND, "gone"), "cancel"},
		{"throttled", ticketsum.Errorf(ticketsum.ETHROTTLED, "slow down"), "snooze"},
		{"unavailable", ticketsum.Errorf(ticketsum.EUNAVAILABLE, "down"), "retry"},
		{"quota", ticketsum.Errorf(ticketsum.EQUOTA, "spent"), "retry"},
		{"uncoded", plain, "retry"},
		{"context", context.DeadlineExceeded, "retry"},
	}
	for _, c := range cases {
		got := decide(c.err, 42*time.Second, discard, job)
		var cancel *rivertype.JobCancelError
		var snooze *rivertype.JobSnoozeError
		kind := "retry"
		switch {
		case got == nil:
			kind = "ok"
		case errors.As(got, &cancel):
			kind = "cancel"
			if !errors.Is(got, c.err) {
				t.Errorf("%s: cancel does not carry the reason", c.name)
			}
		case errors.As(got, &snooze):
			kind = "snooze"
			if snooze.Duration != 42*time.Second {
				t.Errorf("%s: snooze %v, want the configured 42s", c.name, snooze.Duration)
			}
		case got != c.err:
			t.Errorf("%s: retry returned %v, want the handler's error", c.name, got)
		}
		if kind != c.want {
			t.Errorf("%s: decided %s, want %s", c.name, kind, c.want)
		}
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
