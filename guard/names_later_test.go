package guard

import (
	"context"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
)

// lastRequest is a model that keeps the request it was sent.
type lastRequest struct{ req *ticketsum.ModelRequest }

func (l *lastRequest) Name() string { return "last-request" }

func (l *lastRequest) Generate(_ context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	l.req = req
	return &ticketsum.ModelResponse{Text: "ok", Model: "last-request"}, nil
}

// TestMiddlewareMasksNamesSeenLater: a chat whose later message names a
// person in full ("Signed: Zbyszek Wrzesniewski") has that person's name
// masked where a part of it stood alone in an earlier message, as the same
// lines in one text are; common words that are also given names ("will",
// "bill", "rose") stay as they are in both.
func TestMiddlewareMasksNamesSeenLater(t *testing.T) {
	g, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, msgs := range [][]string{
		{"Zbyszek will call back.", "Signed: Zbyszek Wrzesniewski"},
		{"Wrzesniewski account is locked", "From: Zbyszek Wrzesniewski <zw@example.com>"},
		{"Kowalczyk here, still broken.", "Still waiting.", "I am Tomasz Kowalczyk."},
		{"I will mark it as done in May, the bill is paid.", "Thanks, Will Mark and May Bill Chen"},
		{"The rose bush order", "Regards, Rose Bush"},
		{"My order is late.", "It was due on Monday."},
	} {
		rec := &lastRequest{}
		req := &ticketsum.ModelRequest{}
		for _, c := range msgs {
			req.Messages = append(req.Messages, ticketsum.ChatMessage{Role: ticketsum.ChatUser, Content: c})
		}
		if _, err := g.Middleware()(rec).Generate(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range rec.req.Messages {
			got = append(got, m.Content)
		}
		one, err := g.CheckInput(context.Background(), g.NewSession(nil), strings.Join(msgs, "\n"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, "\n") != one.Text {
			t.Errorf("messages %q masked as %q, want what one text of them gives: %q", msgs, got, one.Text)
		}
	}
}
