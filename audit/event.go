package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Event kinds.
const (
	KindInvocation = "invocation" // a model call
	KindAdmin      = "admin"      // a key, model, principal or policy change, or a log read
)

// GenesisHash is the PrevHash of the first event of a trail.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Event is one record of the audit trail. Hash is the SHA-256 of every
// other field except Seq, PrevHash included, so that each event commits to
// the whole history before it. Seq is the storage position; the chain, not
// Seq, defines the true order, which is how reordering is detected.
type Event struct {
	Seq    int64     `json:"seq"`
	Time   time.Time `json:"time"`
	Kind   string    `json:"kind"`
	Actor  string    `json:"actor"`  // principal of a call, operator of an admin action
	Action string    `json:"action"` // "model.call", "key.create", "model.approve", ...
	Target string    `json:"target"` // model id, key prefix, principal name...

	RequestID        string `json:"request_id,omitempty"`
	TicketID         string `json:"ticket_id,omitempty"`
	ProductLine      string `json:"product_line,omitempty"`
	UseCase          string `json:"use_case,omitempty"`
	Outcome          string `json:"outcome,omitempty"` // success, denied, error
	ErrorCode        string `json:"error_code,omitempty"`
	InputTokens      int64  `json:"input_tokens,omitempty"`
	OutputTokens     int64  `json:"output_tokens,omitempty"`
	CacheReadTokens  int64  `json:"cache_read_tokens,omitempty"`
	CacheWriteTokens int64  `json:"cache_write_tokens,omitempty"`
	// CostMicros is the cost in micro-dollars (1e-6 USD).
	CostMicros int64             `json:"cost_micros,omitempty"`
	Flags      []string          `json:"flags,omitempty"`
	Details    map[string]string `json:"details,omitempty"`

	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// ComputeHash returns the hash the event should carry: the SHA-256 of
// its hashed form (see appendHashInput).
func (e *Event) ComputeHash() string {
	var arr [512]byte
	sum := sha256.Sum256(appendHashInput(arr[:0], e))
	return hex.EncodeToString(sum[:])
}

// eventFromInvocation turns an invocation record into a trail event. No
// input or output text goes into the trail.
func eventFromInvocation(r *InvocationRecord) *Event {
	e := &Event{
		Time: r.Timestamp, Kind: KindInvocation, Actor: r.Identity.Principal, Action: "model.call", Target: r.ModelID,
		RequestID: r.RequestID, TicketID: r.RequestMetadata.TicketID, ProductLine: r.RequestMetadata.ProductLine,
		UseCase: r.RequestMetadata.UseCase, Outcome: r.Outcome, ErrorCode: r.ErrorCode,
		InputTokens: int64(r.Input.InputTokenCount), CacheReadTokens: int64(r.Input.CacheReadInputTokenCount),
		CacheWriteTokens: int64(r.Input.CacheWriteInputTokenCount), CostMicros: usdToMicros(r.CostUSD),
		Flags: r.GuardrailActions,
	}
	if r.Output != nil {
		e.OutputTokens = int64(r.Output.OutputTokenCount)
	}
	if r.ResponseModelID != "" { // a fallback answered: attribute the cost to it
		e.Target = r.ResponseModelID
		e.Details = map[string]string{"requested_model": r.ModelID}
	}
	if r.PaidAttempts > 0 {
		if e.Details == nil {
			e.Details = map[string]string{}
		}
		e.Details["paid_attempts"] = strconv.Itoa(r.PaidAttempts)
	}
	return e
}

func usdToMicros(usd float64) int64 {
	if usd <= 0 || usd != usd {
		return 0
	}
	return int64(usd*1e6 + 0.5)
}

// flagType returns the intervention type of a guardrail flag:
// "input:NAME:ANONYMIZED" -> "NAME", "output:profanity" -> "profanity".
func flagType(f string) string {
	parts := strings.Split(f, ":")
	if len(parts) >= 2 {
		return parts[1]
	}
	return f
}
