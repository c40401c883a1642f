package guard

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/datasets"
)

// corpusTexts returns the guard's own test texts, line by line, and the
// presidio dataset's when it is at hand.
func corpusTexts(t *testing.T) []string {
	var texts []string
	for _, name := range []string{"testdata/prose.txt", "testdata/thread.txt", "testdata/addresses.txt"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b))
		texts = append(texts, strings.Split(string(b), "\n")...)
	}
	f, err := os.Open(datasets.Path(t, "pii-presidio-synth/presidio_synth_v2.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var d struct{ Text string }
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		texts = append(texts, d.Text)
	}
	return texts
}

// redactProbe is the model behind Middleware in
// TestRedactContextReusesOnlyACleanCheck: it redacts each message it gets
// as an invocation log inside the guard does, and without the shortcut.
type redactProbe struct {
	g                   *Guard
	hits, scans, differ int
}

func (p *redactProbe) Name() string { return "probe" }

func (p *redactProbe) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	s := SessionFrom(ctx)
	for _, m := range req.Messages {
		if s.isClean(p.g, m.Content) {
			p.hits++
		} else {
			p.scans++
		}
		if p.g.RedactContext(ctx, m.Content) != p.g.redact(s, m.Content) {
			p.differ++
		}
	}
	return &ticketsum.ModelResponse{Text: "ok", Model: "probe"}, nil
}

// TestRedactContextReusesOnlyACleanCheck sends every test text through
// Middleware as a user message and checks that RedactContext inside it
// (what the invocation log writes) is what a second scan gives, on every
// text, while it skips the scan of those the input check found clean; and
// that the texts the check masked are scanned again, because the second
// scan sometimes finds more in them (5 of the Presidio texts on
// 2026-12-03: an address fragment beside a masked phone number).
func TestRedactContextReusesOnlyACleanCheck(t *testing.T) {
	g, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	probe := &redactProbe{g: g}
	model := g.Middleware()(probe)
	masked, moreFound := 0, 0
	for _, text := range corpusTexts(t) {
		req := &ticketsum.ModelRequest{System: "Be brief.", Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: text}}}
		if _, err := model.Generate(context.Background(), req); err != nil {
			continue // blocked or refused: the model is not called
		}
		s := g.NewSession(nil)
		res, err := g.CheckInput(context.Background(), s, text)
		if err != nil {
			t.Fatal(err)
		}
		if res.Text != text {
			masked++
			if g.redact(s, res.Text) != res.Text {
				moreFound++
			}
		}
	}
	if probe.differ != 0 {
		t.Errorf("RedactContext differed from a second scan on %d messages", probe.differ)
	}
	if probe.hits == 0 || probe.scans == 0 {
		t.Errorf("%d messages reused the check, %d scanned again: want some of each", probe.hits, probe.scans)
	}
	t.Logf("%d messages reused the input check, %d scanned again (%d masked by the check, a second scan found more in %d)",
		probe.hits, probe.scans, masked, moreFound)
}

// TestCleanMarkIsTheGuardsOwn checks that a text marked clean by one guard
// is scanned by another (whose policy or detectors may differ), and that a
// text with personal data is never marked.
func TestCleanMarkIsTheGuardsOwn(t *testing.T) {
	g, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	other, err := New(Config{MinScore: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s := g.NewSession(nil)
	for _, text := range []string{"My export fails since Monday.", "Write to anna.berg@example.com or call +1 415 555 0100."} {
		res, err := g.CheckInput(ctx, s, text)
		if err != nil {
			t.Fatal(err)
		}
		g.noteClean(s, text, res)
		g.noteClean(s, res.Text, res)
	}
	if !s.isClean(g, "My export fails since Monday.") || s.isClean(other, "My export fails since Monday.") {
		t.Error("the clean text is not marked for its guard only")
	}
	if s.isClean(g, "Write to anna.berg@example.com or call +1 415 555 0100.") {
		t.Error("a text with an email and a phone number was marked clean")
	}
	if got := g.RedactContext(WithSession(ctx, s), "Write to anna.berg@example.com or call +1 415 555 0100."); strings.Contains(got, "anna.berg") || strings.Contains(got, "555") {
		t.Errorf("RedactContext left personal data: %q", got)
	}
}

// answerProbe is the model behind Middleware in
// TestRedactContextReusesOnlyACleanAnswer: it answers with answer, as a
// model that writes personal data of its own might.
type answerProbe struct{ answer string }

func (p *answerProbe) Name() string { return "probe" }

func (p *answerProbe) Generate(context.Context, *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	return &ticketsum.ModelResponse{Text: p.answer, Model: "probe"}, nil
}

// TestRedactContextReusesOnlyACleanAnswer: every test text comes back as
// the model's answer; RedactContext of the answer Middleware returns (what
// the invocation log writes) must be what a second scan gives, while the
// answers the output check found clean are not scanned again.
func TestRedactContextReusesOnlyACleanAnswer(t *testing.T) {
	g, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	probe := &answerProbe{}
	model := g.Middleware()(probe)
	hits, scans, differ := 0, 0, 0
	for _, text := range corpusTexts(t) {
		probe.answer = text
		s := g.NewSession(nil)
		ctx := WithSession(context.Background(), s)
		req := &ticketsum.ModelRequest{System: "Be brief.", Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: "Summarise the ticket."}}}
		resp, err := model.Generate(ctx, req)
		if err != nil {
			continue // blocked: nothing is answered
		}
		if s.isClean(g, resp.Text) {
			hits++
		} else {
			scans++
		}
		if g.RedactContext(ctx, resp.Text) != g.redact(s, resp.Text) {
			differ++
		}
	}
	if differ != 0 {
		t.Errorf("RedactContext differed from a second scan on %d answers", differ)
	}
	if hits == 0 || scans == 0 {
		t.Errorf("%d answers reused the check, %d scanned again: want some of each", hits, scans)
	}
	t.Logf("%d answers reused the output check, %d scanned again", hits, scans)
}

// TestCleanMemoYieldsToTheSession: texts a scan without a session found
// nothing in are in the guard's memo, and RedactContext still redacts them
// with a session that knows one of their words as a person's name part, an
// e-mail address in them or a name it learned from an earlier message,
// which only the session's scan finds.
func TestCleanMemoYieldsToTheSession(t *testing.T) {
	g := MustGuard(t, Config{})
	ctx := context.Background()
	known := g.NewSession(&ticketsum.Ticket{Customer: ticketsum.Customer{Name: "Zorblat Quenby", Email: "zq@helpdesk"}})
	learned := g.NewSession(nil)
	if _, err := g.CheckInput(ctx, learned, "Signed: Zbyszek Wrzesniewski"); err != nil {
		t.Fatal(err)
	}
	learned.learnNames(g.lx)
	for _, c := range []struct {
		s          *Session
		text, want string
	}{
		{known, "Answer as the zorblat team does.", "Answer as the {NAME} team does."},
		{known, "Write to zq@helpdesk for help.", "Write to {EMAIL} for help."},
		{learned, "The Zbyszek plan is fine.", "The {NAME} plan is fine."},
	} {
		if got := g.RedactContext(ctx, c.text); got != c.text {
			t.Fatalf("without a session %q was redacted to %q: the test no longer shows the difference", c.text, got)
		}
		if !g.clean.clean(nil, c.text) {
			t.Fatalf("%q is not in the memo after a clean scan", c.text)
		}
		if got := g.RedactContext(WithSession(ctx, c.s), c.text); got != c.want {
			t.Errorf("RedactContext(%q) with the session = %q, want %q", c.text, got, c.want)
		}
	}
	// the memo serves a session that knows none of the text's words
	if !g.clean.clean(known, "The Zbyszek plan is fine.") || g.clean.clean(learned, "The Zbyszek plan is fine.") {
		t.Error("the memo does not tell the sessions apart")
	}
}

// TestCleanMemoEqualsTheSessionScan compares RedactContext, with the memo
// filled by a scan without a session, with the session's own scan (redact)
// over every test text, for sessions that know no name, a fixed ticket's
// people, a person named by two of the text's own words (and an address
// in it) and names learned from the text.
func TestCleanMemoEqualsTheSessionScan(t *testing.T) {
	g := MustGuard(t, Config{})
	ctx := context.Background()
	hits, yielded, differ := 0, 0, 0
	for _, text := range corpusTexts(t) {
		g.RedactContext(ctx, text) // fills the memo when nothing is found
		sessions := []*Session{g.NewSession(nil), g.NewSession(newTicket())}
		var words []string
		for _, tok := range tokenize(text) {
			if tok.letters && len(tok.folded) >= 3 {
				words = append(words, tok.word(text))
			}
		}
		if len(words) > 0 {
			name := words[len(words)/2] + " " + words[len(words)-1]
			email := "x@y"
			if i := strings.IndexByte(text, '@'); i > 0 {
				email = strings.Fields(text[strings.LastIndexAny(text[:i], " \t\n")+1:])[0]
			}
			sessions = append(sessions, g.NewSession(&ticketsum.Ticket{Customer: ticketsum.Customer{Name: name, Email: email}}))
			l := g.NewSession(nil)
			if _, err := g.CheckInput(ctx, l, "Signed: "+name); err == nil {
				l.learnNames(g.lx)
				sessions = append(sessions, l)
			}
		}
		inMemo := g.clean.clean(nil, text)
		for _, s := range sessions {
			got, want := g.RedactContext(WithSession(ctx, s), text), g.redact(s, text)
			switch {
			case got != want:
				differ++
				t.Errorf("RedactContext(%.60q) = %.80q, the session's scan %.80q", text, got, want)
			case inMemo && got == text:
				hits++
			case inMemo:
				yielded++ // in the memo, yet the session's scan found something
			}
		}
	}
	if hits == 0 || yielded == 0 {
		t.Errorf("%d memo hits, %d texts in the memo scanned with the session and changed: want some of each", hits, yielded)
	}
	t.Logf("%d memo hits, %d memo texts the session's scan changed, %d differences", hits, yielded, differ)
}

// TestCleanMemoConcurrent redacts more texts than the memo holds from many
// goroutines, with and without sessions that know names in them, and
// checks every result against the session's scan and the memo's bound
// (run it with -race).
func TestCleanMemoConcurrent(t *testing.T) {
	g := MustGuard(t, Config{})
	ctx := context.Background()
	texts := []string{"Be brief.", "Answer as the zorblat team does.", "Write to zq@helpdesk for help."}
	for i := range 2 * maxMemoTexts {
		texts = append(texts, fmt.Sprintf("Summarise ticket number %d in three sentences.", i))
	}
	sessions := []*Session{nil, g.NewSession(nil), g.NewSession(&ticketsum.Ticket{Customer: ticketsum.Customer{Name: "Zorblat Quenby", Email: "zq@helpdesk"}})}
	var wg sync.WaitGroup
	var differ atomic.Int32
	for w := range 8 {
		wg.Go(func() {
			for i := range 200 {
				text := texts[(i*7+w)%len(texts)]
				if i%3 == 0 {
					text = texts[i%3]
				}
				s := sessions[(i+w)%len(sessions)]
				if g.RedactContext(WithSession(ctx, s), text) != g.redact(s, text) {
					differ.Add(1)
				}
				if p := g.clean.texts.Load(); p != nil && len(*p) > maxMemoTexts {
					t.Errorf("the memo holds %d texts, more than %d", len(*p), maxMemoTexts)
				}
			}
		})
	}
	wg.Wait()
	if differ.Load() != 0 {
		t.Errorf("RedactContext differed from the session's scan %d times", differ.Load())
	}
}
