package ticketsum_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
)

func TestClassOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want ticketsum.FailureClass
	}{
		{"nil", nil, ""},
		{"throttled", ticketsum.Errorf(ticketsum.ETHROTTLED, "slow down"), ticketsum.ClassRetryable},
		{"unavailable", ticketsum.Errorf(ticketsum.EUNAVAILABLE, "5xx"), ticketsum.ClassRetryable},
		{"uncoded", errors.New("boom"), ticketsum.ClassRetryable},
		{"conflict", ticketsum.Errorf(ticketsum.ECONFLICT, "busy"), ticketsum.ClassRetryable},
		{"forbidden", ticketsum.Errorf(ticketsum.EFORBIDDEN, "access denied"), ticketsum.ClassConfig},
		{"unauthorized", ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "no credentials"), ticketsum.ClassConfig},
		{"not found", ticketsum.Errorf(ticketsum.ENOTFOUND, "no such model"), ticketsum.ClassConfig},
		{"quota", ticketsum.Errorf(ticketsum.EQUOTA, "budget spent"), ticketsum.ClassConfig},
		{"invalid", ticketsum.Errorf(ticketsum.EINVALID, "empty thread"), ticketsum.ClassBadTicket},
		{"blocked", ticketsum.Errorf(ticketsum.EBLOCKED, "guardrail"), ticketsum.ClassPolicy},
		{"override", &ticketsum.Error{Code: ticketsum.EINVALID, Message: "use an inference profile", Class: ticketsum.ClassConfig}, ticketsum.ClassConfig},
		{"wrapped", fmt.Errorf("ticket T-1: %w", ticketsum.Errorf(ticketsum.EBLOCKED, "guardrail")), ticketsum.ClassPolicy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ticketsum.ClassOf(tt.err); got != tt.want {
				t.Errorf("ClassOf(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestWithClass(t *testing.T) {
	t.Parallel()
	base := ticketsum.Errorf(ticketsum.EINVALID, "model cannot be called on demand")
	wrapped := fmt.Errorf("call: %w", base)

	got := ticketsum.WithClass(wrapped, ticketsum.ClassConfig)
	if c := ticketsum.ClassOf(got); c != ticketsum.ClassConfig {
		t.Errorf("class = %q, want config", c)
	}
	if code := ticketsum.ErrorCodeOf(got); code != ticketsum.EINVALID {
		t.Errorf("code = %q, want the original invalid", code)
	}
	if got.Error() != wrapped.Error() {
		t.Errorf("text = %q, want %q", got.Error(), wrapped.Error())
	}
	if !errors.Is(got, base) {
		t.Error("the original error is no longer in the chain")
	}
	if ticketsum.ClassOf(base) != ticketsum.ClassBadTicket {
		t.Error("WithClass changed the original error")
	}

	direct := ticketsum.WithClass(base, ticketsum.ClassConfig)
	if ticketsum.ClassOf(direct) != ticketsum.ClassConfig || ticketsum.ErrorMessage(direct) != base.Message {
		t.Errorf("direct: class %q message %q", ticketsum.ClassOf(direct), ticketsum.ErrorMessage(direct))
	}

	plain := ticketsum.WithClass(errors.New("disk full"), ticketsum.ClassConfig)
	if ticketsum.ClassOf(plain) != ticketsum.ClassConfig || ticketsum.ErrorCodeOf(plain) != ticketsum.EINTERNAL {
		t.Errorf("uncoded: class %q code %q", ticketsum.ClassOf(plain), ticketsum.ErrorCodeOf(plain))
	}
	if ticketsum.WithClass(nil, ticketsum.ClassConfig) != nil {
		t.Error("WithClass(nil) is not nil")
	}
}

// TestWithheldf: a provider's error text is in neither the message nor
// Error(), also once wrapped again, while the cause stays in the chain.
func TestWithheldf(t *testing.T) {
	t.Parallel()
	cause := &causeErr{"ValidationException: message from Jane Doe <jane.doe@example.org>"}
	err := ticketsum.Withheldf(ticketsum.EINVALID, cause, "rejected the request to %s: check the settings (%s)", "m", "ValidationException")
	wrapped := ticketsum.Errorf(ticketsum.EUNAVAILABLE, "m: no answer within 1m: %w", ticketsum.WithClass(err, ticketsum.ClassConfig))
	for _, e := range []error{err, wrapped, fmt.Errorf("call: %w", err)} {
		for _, s := range []string{e.Error(), ticketsum.ErrorMessage(e)} {
			if strings.Contains(s, "jane.doe") || strings.Contains(s, "Jane Doe") || !strings.Contains(s, "check the settings (ValidationException)") {
				t.Errorf("%q: want the message without the cause's text", s)
			}
		}
		var got *causeErr
		if !errors.As(e, &got) || got != cause {
			t.Errorf("%v: the cause is not in the chain", e)
		}
	}
}

type causeErr struct{ s string }

func (c *causeErr) Error() string { return c.s }

func TestErrorCodeValid(t *testing.T) {
	for _, c := range []ticketsum.ErrorCode{ticketsum.EINVALID, ticketsum.EUNAUTHORIZED, ticketsum.EFORBIDDEN, ticketsum.ENOTFOUND,
		ticketsum.ECONFLICT, ticketsum.ETHROTTLED, ticketsum.EQUOTA, ticketsum.EUNAVAILABLE, ticketsum.EBLOCKED, ticketsum.EINTERNAL} {
		if !c.Valid() {
			t.Errorf("%q is a code", c)
		}
	}
	for _, c := range []ticketsum.ErrorCode{"", "Throttled", "ValidationException", "throttled "} {
		if c.Valid() {
			t.Errorf("%q is not a code", c)
		}
	}
}
