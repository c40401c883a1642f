package ticketsum_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
)

func mustTicket(tb testing.TB) *ticketsum.Ticket {
	tb.Helper()
	return &ticketsum.Ticket{
		ID:       "T-1",
		Subject:  "Cannot log in",
		Customer: ticketsum.Customer{Name: "Ana Lima", Email: "ana@example.com"},
		Messages: []ticketsum.Message{
			{Role: ticketsum.RoleCustomer, Author: "Ana Lima", Body: "I cannot log in."},
			{Role: ticketsum.RoleAgent, Author: "Sam", At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Body: "Reset your password."},
		},
	}
}

func TestTicketValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*ticketsum.Ticket)
		want   string // substring of the error; "" for valid
	}{
		{"valid", func(*ticketsum.Ticket) {}, ""},
		{"no id", func(tk *ticketsum.Ticket) { tk.ID = "" }, "no id"},
		{"long id", func(tk *ticketsum.Ticket) { tk.ID = strings.Repeat("x", 300) }, "longer than"},
		{"no messages", func(tk *ticketsum.Ticket) { tk.Messages = nil }, "no messages"},
		{"unknown role", func(tk *ticketsum.Ticket) { tk.Messages[1].Role = "bot" }, `message 2 has unknown role "bot"`},
		{"bad utf8 body", func(tk *ticketsum.Ticket) { tk.Messages[0].Body = "\xff" }, "message 1 is not valid UTF-8"},
		{"bad utf8 subject", func(tk *ticketsum.Ticket) { tk.Subject = "\xfe" }, "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tk := mustTicket(t)
			tt.mutate(tk)
			err := tk.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want error containing %q", err, tt.want)
			}
			if code := ticketsum.ErrorCodeOf(err); code != ticketsum.EINVALID {
				t.Fatalf("code = %q, want invalid", code)
			}
		})
	}
}

func TestContentHash(t *testing.T) {
	t.Parallel()
	a, b := mustTicket(t), mustTicket(t)
	if a.ContentHash() != b.ContentHash() {
		t.Fatal("equal tickets hash differently")
	}
	b.Customer.Name = "Someone Else"
	if a.ContentHash() != b.ContentHash() {
		t.Fatal("customer details must not change the thread hash")
	}
	b.Messages[1].Body += "!"
	if a.ContentHash() == b.ContentHash() {
		t.Fatal("edited body did not change the hash")
	}
	// Field boundaries are unambiguous: moving text between fields changes the hash.
	c, d := mustTicket(t), mustTicket(t)
	c.Subject, c.ProductLine = "ab", "c"
	d.Subject, d.ProductLine = "a", "bc"
	if c.ContentHash() == d.ContentHash() {
		t.Fatal("hash is ambiguous across field boundaries")
	}
}

func TestPeople(t *testing.T) {
	t.Parallel()
	got := mustTicket(t).People()
	want := []string{"Ana Lima", "ana@example.com", "Sam"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("People() = %v, want %v", got, want)
	}
}

func TestErrorCodes(t *testing.T) {
	t.Parallel()
	cause := errors.New("socket closed")
	coded := ticketsum.Errorf(ticketsum.EUNAVAILABLE, "bedrock unreachable: %w", cause)
	wrapped := fmt.Errorf("summarize T-1: %w", coded)
	tests := []struct {
		err       error
		code      ticketsum.ErrorCode
		msg       string
		retryable bool
	}{
		{nil, "", "", false},
		{cause, ticketsum.EINTERNAL, "internal error", false},
		{wrapped, ticketsum.EUNAVAILABLE, "bedrock unreachable: socket closed", true},
		{ticketsum.Errorf(ticketsum.ETHROTTLED, "slow down"), ticketsum.ETHROTTLED, "slow down", true},
		{ticketsum.Errorf(ticketsum.EINVALID, "bad"), ticketsum.EINVALID, "bad", false},
	}
	for _, tt := range tests {
		if got := ticketsum.ErrorCodeOf(tt.err); got != tt.code {
			t.Errorf("ErrorCodeOf(%v) = %q, want %q", tt.err, got, tt.code)
		}
		if got := ticketsum.ErrorMessage(tt.err); got != tt.msg {
			t.Errorf("ErrorMessage(%v) = %q, want %q", tt.err, got, tt.msg)
		}
		if got := ticketsum.Retryable(tt.err); got != tt.retryable {
			t.Errorf("Retryable(%v) = %v, want %v", tt.err, got, tt.retryable)
		}
	}
	if !errors.Is(wrapped, cause) {
		t.Fatal("cause lost through Errorf")
	}
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	cause := errors.New("EOF")
	if got := ticketsum.Errorf(ticketsum.EUNAVAILABLE, "read: %w", cause).Error(); got != "read: EOF" {
		t.Errorf("Errorf text = %q, want %q", got, "read: EOF")
	}
	e := &ticketsum.Error{Code: ticketsum.EUNAVAILABLE, Message: "bedrock unreachable", Err: cause}
	if got := e.Error(); got != "bedrock unreachable: EOF" {
		t.Errorf("literal text = %q", got)
	}
}
