package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
)

// hashedEvent is the reference form of the hash input: existing trails
// were hashed with json.Marshal of it, before appendHashInput wrote it by
// hand. Keep it as it is.
type hashedEvent struct {
	Time             int64             `json:"t"`
	Kind             string            `json:"k"`
	Actor            string            `json:"a"`
	Action           string            `json:"ac"`
	Target           string            `json:"tg"`
	RequestID        string            `json:"r"`
	TicketID         string            `json:"ti"`
	ProductLine      string            `json:"pl"`
	UseCase          string            `json:"uc"`
	Outcome          string            `json:"o"`
	ErrorCode        string            `json:"ec"`
	InputTokens      int64             `json:"it"`
	OutputTokens     int64             `json:"ot"`
	CacheReadTokens  int64             `json:"cr"`
	CacheWriteTokens int64             `json:"cw"`
	CostMicros       int64             `json:"c"`
	Flags            []string          `json:"f"`
	Details          map[string]string `json:"d"`
	PrevHash         string            `json:"p"`
}

// referenceHashInput is the hash input as ComputeHash made it with
// encoding/json.
func referenceHashInput(e *Event) []byte {
	flags := e.Flags
	if flags == nil {
		flags = []string{}
	}
	details := e.Details
	if details == nil {
		details = map[string]string{}
	}
	b, err := json.Marshal(hashedEvent{
		Time: e.Time.UnixMicro(), Kind: e.Kind, Actor: e.Actor, Action: e.Action, Target: e.Target,
		RequestID: e.RequestID, TicketID: e.TicketID, ProductLine: e.ProductLine, UseCase: e.UseCase,
		Outcome: e.Outcome, ErrorCode: e.ErrorCode, InputTokens: e.InputTokens, OutputTokens: e.OutputTokens,
		CacheReadTokens: e.CacheReadTokens, CacheWriteTokens: e.CacheWriteTokens, CostMicros: e.CostMicros,
		Flags: flags, Details: details, PrevHash: e.PrevHash,
	})
	if err != nil {
		panic(err)
	}
	return b
}

// awkward are strings that encoding/json escapes in every way it can.
var awkward = []string{
	"", "plain", `quote " and \ backslash`, "<script>&amp;</script>", "tab\tnewline\nreturn\r\b\f\x00\x01\x1f\x7f",
	"é ñ 日本語 🙂", "line\u2028para\u2029", "bad \xff\xfe utf8 \xc3", "\xed\xa0\x80 surrogate", "{EMAIL_1} <PERSON_2>",
}

func awkwardEvents() []*Event {
	t0 := time.Date(2026, 12, 3, 8, 30, 1, 123456789, time.UTC)
	evs := []*Event{
		{},
		{Time: t0, Kind: KindInvocation, Actor: "svc", Action: "model.call", Target: "m", PrevHash: GenesisHash},
		{Time: t0.In(time.FixedZone("x", -5*3600)), Kind: KindAdmin, Flags: []string{}, Details: map[string]string{}},
		{Time: time.Unix(-1, 0), InputTokens: -1, OutputTokens: math.MaxInt64, CacheReadTokens: math.MinInt64, CostMicros: 42},
		{Details: map[string]string{"requested_model": "a", "paid_attempts": "2", "B": "", "a": "x", "é": "y", "<": ">"}},
	}
	for i, s := range awkward {
		evs = append(evs, &Event{Time: t0.Add(time.Duration(i) * time.Microsecond), Kind: s, Actor: s, Action: s, Target: s, RequestID: s,
			TicketID: s, ProductLine: s, UseCase: s, Outcome: s, ErrorCode: s, Flags: []string{s, s + "x"},
			Details: map[string]string{s: s, s + "k": "v"}, PrevHash: s, Hash: s})
	}
	return evs
}

// TestHashInputIsJSONs checks that the hand-written hash input is byte for
// byte what encoding/json made of hashedEvent, so that existing trails
// still verify, and pins one hash computed before the change.
func TestHashInputIsJSONs(t *testing.T) {
	for i, e := range awkwardEvents() {
		got, want := appendHashInput(nil, e), referenceHashInput(e)
		if !bytes.Equal(got, want) {
			t.Errorf("event %d: hash input\n%s\nwant\n%s", i, got, want)
		}
		sum := sha256.Sum256(want)
		if h := e.ComputeHash(); h != hex.EncodeToString(sum[:]) {
			t.Errorf("event %d: hash %s, want %s", i, h, hex.EncodeToString(sum[:]))
		}
	}
	e := &Event{Time: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), Kind: KindInvocation, Actor: "svc", Action: "model.call",
		Target: "claude", RequestID: "tks-1", Outcome: "success", InputTokens: 100, OutputTokens: 20, CostMicros: 600,
		Flags: []string{"input:EMAIL:ANONYMIZED"}, Details: map[string]string{"paid_attempts": "2", "requested_model": "a"}, PrevHash: GenesisHash}
	// as the json.Marshal version (referenceHashInput, the code of 3b885ca) computes it
	const pinned = "ab95ce9d04a957e3919c910689b29b97d81498f1947649906b5eb27c2cb16ac8"
	if h := e.ComputeHash(); h != pinned {
		t.Errorf("hash %s, want %s as json.Marshal made it", h, pinned)
	}
}

// TestStoredFlagsAndDetailsAreJSONs checks that the flags and details
// columns the trail stores are what encoding/json wrote there before (nil
// as [] and {}), so that readers of existing rows and new ones agree.
func TestStoredFlagsAndDetailsAreJSONs(t *testing.T) {
	for i, e := range append(awkwardEvents(), &Event{}) {
		args := appendEventArgs(nil, e)
		if len(args) != numEventColumns {
			t.Fatalf("event %d: %d values, want %d", i, len(args), numEventColumns)
		}
		flags, details := e.Flags, e.Details
		if flags == nil {
			flags = []string{}
		}
		if details == nil {
			details = map[string]string{}
		}
		wantFlags, _ := json.Marshal(flags)
		wantDetails, _ := json.Marshal(details)
		if args[17] != string(wantFlags) || args[18] != string(wantDetails) {
			t.Errorf("event %d: flags %v, details %v; want %s, %s", i, args[17], args[18], wantFlags, wantDetails)
		}
	}
}

// FuzzHashInput compares the hand-written hash input with encoding/json's
// on arbitrary values.
func FuzzHashInput(f *testing.F) {
	for _, s := range awkward {
		f.Add(s, s, int64(1), "k", "v", int64(1764750601123456))
	}
	f.Fuzz(func(t *testing.T, s, flag string, n int64, k, v string, micros int64) {
		e := &Event{Time: time.UnixMicro(micros), Kind: s, Actor: flag, Action: k, Target: v, RequestID: s, TicketID: flag, ProductLine: s,
			UseCase: k, Outcome: v, ErrorCode: s, InputTokens: n, OutputTokens: -n, CacheReadTokens: n / 3, CacheWriteTokens: n ^ 7, CostMicros: n,
			Flags: []string{flag, s}, Details: map[string]string{k: v, v: s, s: k}, PrevHash: flag}
		if n%2 == 0 {
			e.Flags, e.Details = nil, nil
		}
		if got, want := appendHashInput(nil, e), referenceHashInput(e); !bytes.Equal(got, want) {
			t.Errorf("hash input\n%s\nwant\n%s", got, want)
		}
	})
}

func awkwardRecords() []*InvocationRecord {
	temp := 0.7
	tiny, huge, zero := 1e-7, 1.5e21, 0.0
	t0 := time.Date(2026, 12, 3, 8, 30, 1, 123456789, time.UTC)
	recs := []*InvocationRecord{
		{},
		{SchemaType: "ModelInvocationLog", SchemaVersion: "1.0", Timestamp: t0, RequestID: "tks-1", Operation: "Generate", ModelID: "m",
			Input: InvocationInput{InputContentType: "application/json", InputBodyJSON: &InputBody{}}, Outcome: "success"},
		{Timestamp: t0.In(time.FixedZone("x", 5*3600+1800)), Input: InvocationInput{InputBodyJSON: &InputBody{Messages: []ticketsum.ChatMessage{}, Temperature: &zero}}},
		{Timestamp: t0, Input: InvocationInput{InputBodyJSON: &InputBody{Temperature: &tiny, StopSequences: []string{}}}, CostUSD: 1e-9, GuardrailActions: []string{}},
		{Timestamp: t0, Input: InvocationInput{InputBodyJSON: &InputBody{Temperature: &huge}}, CostUSD: 123456.789, LatencyMs: -3, PaidAttempts: -1},
		{Timestamp: t0, Output: &InvocationOutput{}, CostUSD: -0.000001, RequestMetadata: RequestMetadata{ProductLine: "p"}},
		{Timestamp: t0, Output: &InvocationOutput{OutputBodyJSON: &OutputBody{}}, RequestMetadata: RequestMetadata{TicketID: "t", ProductLine: "p"}},
		// encoding/json's own cases: a year it refuses, an offset with seconds it writes
		{Timestamp: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Timestamp: time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("lmt", 3600+7))},
	}
	for i, s := range awkward {
		recs = append(recs, &InvocationRecord{SchemaType: s, SchemaVersion: s, Timestamp: t0.Add(time.Duration(i)), RequestID: s, Operation: s,
			ModelID: s, ResponseModelID: s, Identity: Identity{Principal: s}, RequestMetadata: RequestMetadata{UseCase: s, TicketID: s, ProductLine: s},
			Input: InvocationInput{InputContentType: s, InputBodyJSON: &InputBody{System: s, MaxTokens: i + 1, Temperature: &temp, StopSequences: []string{s, "\n"},
				Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: s}, {Role: ticketsum.ChatRole(s), Content: s + s}}},
				InputTokenCount: i, CacheReadInputTokenCount: 2 * i, CacheWriteInputTokenCount: 3 * i},
			Output:    &InvocationOutput{OutputContentType: s, OutputBodyJSON: &OutputBody{Text: s, StopReason: s}, OutputTokenCount: i},
			LatencyMs: int64(i), CostUSD: float64(i) / 7, GuardrailActions: []string{s}, Outcome: s, ErrorCode: s, ErrorMessage: s, PaidAttempts: i})
	}
	return recs
}

// TestRecordEncodingIsJSONs checks that the hand-written invocation record
// is byte for byte what json.Marshal writes, so that the log's lines stay
// as they were, and that a record encoding/json refuses is refused alike.
func TestRecordEncodingIsJSONs(t *testing.T) {
	for i, rec := range awkwardRecords() {
		want, jerr := json.Marshal(rec)
		got, err := encodeRecord([]byte("prefix"), rec)
		if jerr != nil {
			if err == nil || err.Error() != jerr.Error() {
				t.Errorf("record %d: error %v, want encoding/json's %v", i, err, jerr)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, append([]byte("prefix"), want...)) {
			t.Errorf("record %d: %s (%v)\nwant prefix%s", i, got, err, want)
		}
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		_, jerr := json.Marshal(&InvocationRecord{CostUSD: bad})
		if _, err := encodeRecord(nil, &InvocationRecord{CostUSD: bad}); err == nil || jerr == nil || err.Error() != jerr.Error() {
			t.Errorf("cost %v: error %v, want encoding/json's %v", bad, err, jerr)
		}
		if _, err := encodeRecord(nil, &InvocationRecord{Input: InvocationInput{InputBodyJSON: &InputBody{Temperature: &bad}}}); err == nil {
			t.Errorf("temperature %v encoded, want encoding/json's error", bad)
		}
	}
}

// FuzzRecordEncoding compares the hand-written record with json.Marshal's
// on arbitrary values.
func FuzzRecordEncoding(f *testing.F) {
	for i, s := range awkward {
		f.Add(s, "user", int64(i), 0.25*float64(i), int64(1764750601123456789))
	}
	f.Add("", "", int64(0), 1e-7, int64(0))
	f.Add("x", "y", int64(-5), 3e21, int64(-62135596800000000))
	f.Fuzz(func(t *testing.T, s, role string, n int64, x float64, nanos int64) {
		rec := &InvocationRecord{SchemaType: s, Timestamp: time.Unix(0, nanos).UTC(), RequestID: role, ModelID: s, ResponseModelID: role,
			Identity: Identity{Principal: s}, RequestMetadata: RequestMetadata{UseCase: role, TicketID: s},
			Input: InvocationInput{InputContentType: role, InputBodyJSON: &InputBody{System: s, MaxTokens: int(n), Temperature: &x, StopSequences: []string{s, role},
				Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatRole(role), Content: s}}}, InputTokenCount: int(n)},
			LatencyMs: n, CostUSD: x, GuardrailActions: []string{role}, Outcome: s, ErrorCode: role, ErrorMessage: s, PaidAttempts: int(n)}
		switch n % 4 {
		case 1:
			rec.Output = &InvocationOutput{OutputContentType: s, OutputBodyJSON: &OutputBody{Text: s, StopReason: role}, OutputTokenCount: int(-n)}
		case 2:
			rec.Output = &InvocationOutput{OutputTokenCount: int(n)}
			rec.Input.InputBodyJSON.Messages, rec.Input.InputBodyJSON.Temperature = nil, nil
		case 3:
			rec.Input.InputBodyJSON = nil
			rec.Timestamp = rec.Timestamp.In(time.FixedZone("z", int(n%100000)))
		}
		want, jerr := json.Marshal(rec)
		got, err := encodeRecord(nil, rec)
		if (err == nil) != (jerr == nil) || !bytes.Equal(got, want) && jerr == nil {
			t.Errorf("record %s (%v)\nwant %s (%v)", got, err, want, jerr)
		}
	})
}

// TestRecordEncodingHasNoSurprises spot-checks the encoder's output for a
// typical record, to be read rather than computed.
func TestRecordEncodingHasNoSurprises(t *testing.T) {
	rec := &InvocationRecord{SchemaType: "ModelInvocationLog", SchemaVersion: "1.0", Timestamp: time.Date(2026, 12, 3, 8, 0, 0, 5000, time.UTC),
		RequestID: "tks-1", Operation: "Generate", ModelID: "m", Input: InvocationInput{InputContentType: "application/json",
			InputBodyJSON: &InputBody{Messages: []ticketsum.ChatMessage{{Role: "user", Content: "a <b>"}}}}, CostUSD: 0.0006, Outcome: "success"}
	got, _ := encodeRecord(nil, rec)
	want := `{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2026-12-03T08:00:00.000005Z","requestId":"tks-1",` +
		`"operation":"Generate","modelId":"m","identity":{"principal":""},"requestMetadata":{},"input":{"inputContentType":"application/json",` +
		`"inputBodyJson":{"messages":[{"role":"user","content":"a \u003cb\u003e"}]},"inputTokenCount":0,"cacheReadInputTokenCount":0,` +
		`"cacheWriteInputTokenCount":0},"latencyMs":0,"costUsd":0.0006,"outcome":"success"}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, strings.TrimSpace(want))
	}
}
