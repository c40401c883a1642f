package guard

import (
	"context"
	"fmt"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/ctltext"
)

type sessionKey struct{}

// WithSession returns a context that carries s, so that every model call
// made for one ticket (chunks, retries, fallbacks) shares its placeholders.
func WithSession(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

// SessionFrom returns the session carried by ctx, or nil.
func SessionFrom(ctx context.Context) *Session {
	s, _ := ctx.Value(sessionKey{}).(*Session)
	return s
}

// Begin starts guarding ticket t: it returns ctx carrying a new session for
// t (known people, placeholder vault). With CheckSummary it makes *Guard a
// summarize.Guard.
func (g *Guard) Begin(ctx context.Context, t *ticketsum.Ticket) context.Context {
	return WithSession(ctx, g.NewSession(t))
}

// CheckSummary checks a finished summary as model output with the session in
// ctx (or a new one for t) and scrubs what remains into neutral words ("the
// customer", "an email address"). It returns the text to keep, the flags to
// record, and EBLOCKED when the output policy blocks the summary.
func (g *Guard) CheckSummary(ctx context.Context, t *ticketsum.Ticket, text string) (string, []string, error) {
	s := SessionFrom(ctx)
	if s == nil {
		s = g.NewSession(t)
	}
	res, err := g.CheckOutput(ctx, s, text)
	if err != nil {
		var flags []string
		if res != nil {
			flags = res.Flags
		}
		return "", flags, err
	}
	scrubbed, _ := g.Scrub(s, res.Text)
	return scrubbed, res.Flags, nil
}

// Middleware returns the gateway wrapper that guards every model call: the
// user messages are checked as input (the system prompt, which the
// application writes, is not) and the answer as output, with the session in
// the call's context (a fresh one per call when there is none). The model
// sees the masked messages; the caller gets the checked answer and the
// flags of both sides in ModelResponse.Flags. A block returns EBLOCKED
// before the model is called (input) or instead of its answer (output).
//
// The rendered prompt fences ticket text with its own tags; list them in
// Config.TrustedTags so that they are not taken for delimiter spoofing.
func (g *Guard) Middleware() func(ticketsum.Model) ticketsum.Model {
	return func(next ticketsum.Model) ticketsum.Model { return &guardedModel{g: g, next: next} }
}

type guardedModel struct {
	g    *Guard
	next ticketsum.Model
}

var _ ticketsum.Model = (*guardedModel)(nil)

// Name returns the wrapped model's name.
func (m *guardedModel) Name() string { return m.next.Name() }

// Generate checks the user messages, calls the wrapped model with the masked
// request and checks its answer.
func (m *guardedModel) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	s := SessionFrom(ctx)
	if s == nil {
		s = m.g.NewSession(nil)
		ctx = WithSession(ctx, s) // for the wrappers inside: RedactContext
	}
	masked := *req
	masked.Messages = make([]ticketsum.ChatMessage, len(req.Messages))
	var flags []string
	results := make([]*Result, len(req.Messages))
	seen := make([]int, len(req.Messages)) // names the session had masked after each check
	for i, msg := range req.Messages {
		masked.Messages[i] = msg
		if msg.Role != ticketsum.ChatUser {
			continue
		}
		res, err := m.g.CheckInput(ctx, s, msg.Content)
		if err != nil {
			return nil, fmt.Errorf("guard input of %s: %w", m.next.Name(), err)
		}
		results[i], seen[i] = res, s.nameCount()
	}
	// A name first seen in full in a later message ("Signed: Zbyszek
	// Wrzesniewski") is masked where its parts stood alone earlier
	// ("Zbyszek will call back."), as within one text: a message checked
	// before the session masked more names is checked again.
	learned := false
	for i, res := range results {
		if res == nil {
			continue
		}
		if seen[i] < s.nameCount() {
			if !learned {
				s.learnNames(m.g.lx)
				learned = true
			}
			again, err := m.g.CheckInput(ctx, s, req.Messages[i].Content)
			if err != nil {
				return nil, fmt.Errorf("guard input of %s: %w", m.next.Name(), err)
			}
			res = again
		}
		masked.Messages[i].Content = res.Text
		flags = append(flags, res.Flags...)
		m.g.noteClean(s, req.Messages[i].Content, res)
	}
	resp, err := m.next.Generate(ctx, &masked)
	if err != nil {
		return nil, err
	}
	// Invisible characters inside a word ("A<ZWSP>na") would hide it from
	// the detectors while a screen shows it whole: they go first.
	text := ctltext.Strip(resp.Text)
	out, err := m.g.CheckOutput(ctx, s, text)
	if err != nil {
		return nil, fmt.Errorf("guard output of %s: %w", resp.Model, err)
	}
	// The invocation log redacts the answer next (RedactContext): an answer
	// the check found clean and left as it was is not scanned again.
	m.g.noteClean(s, text, out)
	checked := *resp
	checked.Text = out.Text
	checked.Flags = append(append(append([]string(nil), resp.Flags...), flags...), out.Flags...)
	checked.Flags = uniq(checked.Flags)
	return &checked, nil
}

// RemoteFunc adapts a function to the Remote interface, e.g. a closure over
// the Bedrock provider's ApplyGuardrail helper.
type RemoteFunc func(ctx context.Context, source Source, text string) (*RemoteResult, error)

// Apply calls f.
func (f RemoteFunc) Apply(ctx context.Context, source Source, text string) (*RemoteResult, error) {
	return f(ctx, source, text)
}
