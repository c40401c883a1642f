package bedrocktest_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrocktest"
)

// manualClock is a Clock tests move by hand.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// outcomes calls Converse n times and returns the error code of each call
// ("" for success).
func outcomes(t *testing.T, srv *bedrocktest.Server, model string, n int, between func()) []string {
	t.Helper()
	client := newClient(srv)
	var out []string
	for range n {
		_, err := client.Converse(context.Background(), converseInput(model, "", "The report export fails."))
		out = append(out, errorCode(err))
		if between != nil {
			between()
		}
	}
	return out
}

func count(codes []string, code string) int {
	n := 0
	for _, c := range codes {
		if c == code {
			n++
		}
	}
	return n
}

func TestFaultSchedules(t *testing.T) {
	t.Parallel()
	const model = "amazon.nova-micro-v1:0"
	t.Run("every third call", func(t *testing.T) {
		t.Parallel()
		srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Faults: []bedrocktest.Fault{{Kind: bedrocktest.FaultThrottle, Every: 3}}})
		codes := outcomes(t, srv, model, 9, nil)
		for i, c := range codes {
			want := ""
			if (i+1)%3 == 0 {
				want = "ThrottlingException"
			}
			if c != want {
				t.Errorf("call %d: %q, want %q", i+1, c, want)
			}
		}
		if s := srv.Stats(); s.Throttled != 3 || s.Faults != 3 || s.Succeeded != 6 {
			t.Errorf("stats %+v", s)
		}
	})
	t.Run("seeded rate is reproducible", func(t *testing.T) {
		t.Parallel()
		cfg := bedrocktest.Config{Seed: 42, Faults: []bedrocktest.Fault{{Kind: bedrocktest.FaultUnavailable, Rate: 0.3}}}
		a := outcomes(t, bedrocktest.MustNewServer(t, cfg), model, 60, nil)
		b := outcomes(t, bedrocktest.MustNewServer(t, cfg), model, 60, nil)
		n := count(a, "ServiceUnavailableException")
		if n < 6 || n > 30 {
			t.Errorf("%d of 60 calls failed at rate 0.3", n)
		}
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("call %d differs between runs with one seed: %q vs %q", i, a[i], b[i])
			}
		}
	})
	t.Run("burst for a duration", func(t *testing.T) {
		t.Parallel()
		clock := &manualClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Clock: clock,
			Faults: []bedrocktest.Fault{{Kind: bedrocktest.FaultThrottle, After: 2 * time.Second, For: 3 * time.Second}}})
		codes := outcomes(t, srv, model, 7, func() { clock.Advance(time.Second) })
		want := []string{"", "", "ThrottlingException", "ThrottlingException", "ThrottlingException", "", ""}
		for i := range want {
			if codes[i] != want[i] {
				t.Errorf("second %d: %q, want %q", i, codes[i], want[i])
			}
		}
	})
	t.Run("limit and model filter", func(t *testing.T) {
		t.Parallel()
		srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Faults: []bedrocktest.Fault{{Kind: bedrocktest.FaultInternal, Model: model, Limit: 2}}})
		if got := count(outcomes(t, srv, "amazon.nova-lite-v1:0", 3, nil), ""); got != 3 {
			t.Errorf("other model: %d of 3 succeeded", got)
		}
		if got := count(outcomes(t, srv, "us."+model, 4, nil), "InternalServerException"); got != 2 {
			t.Errorf("profile of the faulty model: %d failures, want 2", got)
		}
	})
	t.Run("added at run time", func(t *testing.T) {
		t.Parallel()
		srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
		if err := srv.AddFault(bedrocktest.Fault{Kind: bedrocktest.FaultModelError}); err != nil {
			t.Fatal(err)
		}
		if got := outcomes(t, srv, model, 1, nil)[0]; got != "ModelErrorException" {
			t.Errorf("got %q", got)
		}
		srv.ClearFaults()
		if got := outcomes(t, srv, model, 1, nil)[0]; got != "" {
			t.Errorf("after ClearFaults: %q", got)
		}
		if err := srv.AddFault(bedrocktest.Fault{Kind: "meteor"}); err == nil {
			t.Error("unknown fault kind accepted")
		}
	})
}

func TestTPMQuotaCountsInputAndOutput(t *testing.T) {
	t.Parallel()
	const model = "anthropic.claude-3-5-haiku-20241022-v1:0"
	clock := &manualClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	user := "The report export fails."
	per := bedrocktest.Tokens(user) + bedrocktest.Tokens(bedrocktest.DefaultResponder(model, user))
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Clock: clock,
		Quotas: map[string]bedrocktest.Quota{"*": {TPM: 3*per + bedrocktest.Tokens(user) - 1}}})
	// Three calls fit; the fourth's input would pass the quota.
	codes := outcomes(t, srv, model, 4, nil)
	if want := []string{"", "", "", "ThrottlingException"}; count(codes, "") != 3 || codes[3] != want[3] {
		t.Fatalf("codes = %q, want %q", codes, want)
	}
	clock.Advance(61 * time.Second)
	if codes := outcomes(t, srv, model, 1, nil); codes[0] != "" {
		t.Fatalf("after a minute: %q", codes[0])
	}
	if s := srv.Stats(); s.InputTokens != 4*bedrocktest.Tokens(user) || s.Throttled != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestReservedMaxTokensAndOutputBurn(t *testing.T) {
	t.Parallel()
	const model = "anthropic.claude-3-7-sonnet-20250219-v1:0"
	// converseInput asks for 200 max tokens: with them reserved at 5x, one
	// call needs over 1000 tokens of quota at admission.
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{
		Quotas: map[string]bedrocktest.Quota{model: {TPM: 1000, OutputBurn: 5, ReserveMaxTokens: true}}})
	if codes := outcomes(t, srv, model, 1, nil); codes[0] != "ThrottlingException" {
		t.Fatalf("got %q, want the reservation to throttle", codes[0])
	}
	user := "The report export fails."
	in, out := bedrocktest.Tokens(user), bedrocktest.Tokens(bedrocktest.DefaultResponder(model, user))
	settled, reserve := in+5*out, in+5*200
	srv2 := bedrocktest.MustNewServer(t, bedrocktest.Config{
		Quotas: map[string]bedrocktest.Quota{model: {TPM: settled + reserve, OutputBurn: 5, ReserveMaxTokens: true}}})
	if codes := outcomes(t, srv2, model, 2, nil); codes[0] != "" || codes[1] != "" {
		t.Fatalf("got %q: after the first call settles, its unused reservation is given back", codes)
	}
}

func TestCloseEndsHungCalls(t *testing.T) {
	t.Parallel()
	srv, err := bedrocktest.NewServer(bedrocktest.Config{Faults: []bedrocktest.Fault{{Kind: bedrocktest.FaultTimeout}}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := newClient(srv).Converse(context.Background(), converseInput("amazon.nova-micro-v1:0", "", "hello"))
		done <- err
	}()
	for srv.Stats().Faults == 0 {
		time.Sleep(time.Millisecond)
	}
	srv.Close()
	if err := <-done; err == nil {
		t.Fatal("a hung call succeeded")
	}
}

func TestConfigIsValidated(t *testing.T) {
	t.Parallel()
	for _, cfg := range []bedrocktest.Config{
		{TimeScale: -1},
		{Latency: -time.Second},
		{Quotas: map[string]bedrocktest.Quota{"*": {RPM: -1}}},
		{Faults: []bedrocktest.Fault{{Kind: bedrocktest.FaultThrottle, Rate: 2}}},
	} {
		if _, err := bedrocktest.NewServer(cfg); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
			t.Errorf("%+v: err = %v, want EINVALID", cfg, err)
		}
	}
}

func TestCacheTTLAndThrottledCallsWriteNothing(t *testing.T) {
	t.Parallel()
	const model = "anthropic.claude-3-5-haiku-20241022-v1:0"
	clock := &manualClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Clock: clock, CacheMinTokens: 10,
		Quotas: map[string]bedrocktest.Quota{model: {RPM: 1}}})
	client := newClient(srv)
	system := "Summarise the ticket in one neutral paragraph of at most sixty words."
	call := func() (read, write int, code string) {
		in := converseInput(model, system, "The login page loops.")
		in.System = append(in.System, cachePoint())
		out, err := client.Converse(context.Background(), in)
		if err != nil {
			return 0, 0, errorCode(err)
		}
		return int(deref(out.Usage.CacheReadInputTokens)), int(deref(out.Usage.CacheWriteInputTokens)), ""
	}
	sys := bedrocktest.Tokens(system)
	if r, w, code := call(); code != "" || r != 0 || w != sys {
		t.Fatalf("first call: read %d write %d %q, want a write of %d", r, w, code, sys)
	}
	// Throttled calls do not touch the cache.
	if _, _, code := call(); code != "ThrottlingException" {
		t.Fatalf("second call in the minute: %q", code)
	}
	clock.Advance(61 * time.Second)
	if r, w, code := call(); code != "" || r != sys || w != 0 {
		t.Fatalf("within the TTL: read %d write %d %q, want a read of %d", r, w, code, sys)
	}
	clock.Advance(6 * time.Minute)
	if r, w, code := call(); code != "" || r != 0 || w != sys {
		t.Fatalf("after the TTL: read %d write %d %q, want a write of %d", r, w, code, sys)
	}
}
