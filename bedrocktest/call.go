package bedrocktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// call is one parsed model call, whatever its operation and body format.
type call struct {
	op, model, base, family string
	parts                   []string // input texts in order: system blocks, then turns
	cacheCut                int      // parts[:cacheCut] is the prefix before the last cache point; 0: none
	prompt                  string   // what the Responder sees
	maxTokens               int
	stop                    []string
	guard                   *guardSpec
	chat                    bool // Mistral chat body rather than text completion
	tools                   *toolConfig
	tool                    string // the tool a forced toolChoice makes the model answer with
	noStatus                bool   // FaultNoStatus: the answer leaves the status out
}

// result is the answer to a call.
type result struct {
	text                                 string
	stop                                 string // end_turn, max_tokens, stop_sequence, guardrail_intervened
	input, output, cacheRead, cacheWrite int
	latency                              time.Duration
	guardIn, guardOut                    *guardOutcome
	tool, toolInput                      string // a tool call's name and JSON input, when forced
}

// defaultMaxTokens is the output cap when a body sets none.
const defaultMaxTokens = 4096

// requestID returns the next X-Amzn-RequestId of the server.
func (s *Server) requestID() string {
	n := s.seq.Add(1)
	return fmt.Sprintf("fa4e0000-0000-4000-8000-%012d", n)
}

// serveModel runs Converse, ConverseStream, InvokeModel and
// InvokeModelWithResponseStream.
func (s *Server) serveModel(w http.ResponseWriter, r *http.Request, op, model string) {
	begin := time.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, "bedrock", errValidation("cannot read body"))
		return
	}
	base := BaseModelID(model)
	now := s.cfg.Clock.Now()

	s.mu.Lock()
	s.record(Request{Op: op, Model: model, EscapedPath: r.URL.EscapedPath(), Header: r.Header.Clone(), Body: body})
	s.stats.Calls[model]++
	s.stats.Ops[op]++
	s.inflight++
	s.stats.PeakInFlight = max(s.stats.PeakInFlight, s.inflight)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inflight--
		s.mu.Unlock()
	}()

	c, aerr := s.parseCall(r, op, model, body)
	if aerr != nil {
		writeError(w, "bedrock", aerr)
		return
	}

	s.mu.Lock()
	f := s.pickFault(op, model, base, now)
	streaming := op == OpConverseStream || op == OpInvokeModelStream
	s.countFault(f.Kind)
	s.mu.Unlock()
	fault := f.Kind
	var exception *apiError
	switch {
	case fault == FaultStall:
		if !s.wait(r, f.Delay) {
			panic(http.ErrAbortHandler) // the client gave up first: nothing charged
		}
	case fault.answers():
	case fault == FaultTimeout:
		s.hang(r)
		return
	case f.MidStream && streaming:
		exception = faultError(f, "bedrock", model)
		exception.code = streamExceptionType(fault)
	default:
		// AWS names every answer, errors too, with a request id.
		w.Header().Set("X-Amzn-RequestId", s.requestID())
		writeError(w, "bedrock", faultError(f, "bedrock", model))
		return
	}

	c.noStatus = fault == FaultNoStatus
	res, aerr := s.run(r, c, now)
	if aerr != nil {
		writeError(w, "bedrock", aerr)
		return
	}
	if fault == FaultDropAfterAnswer {
		s.mu.Lock()
		s.stats.Dropped++
		s.mu.Unlock()
		panic(http.ErrAbortHandler) // answered and charged, but the response never leaves
	}
	res.latency = time.Since(begin)
	w.Header().Set("X-Amzn-RequestId", s.requestID())
	switch op {
	case OpConverse:
		writeJSON(w, res, converseBody(c, res), fault == FaultMalformed)
	case OpInvokeModel:
		writeJSON(w, res, nativeBody(c, res), fault == FaultMalformed)
	case OpConverseStream:
		s.writeStream(w, r, converseEvents(c, res), fault == FaultMalformed, exception)
	case OpInvokeModelStream:
		w.Header().Set("X-Amzn-Bedrock-Content-Type", "application/json")
		s.writeStream(w, r, chunkEvents(nativeChunks(c, res)), fault == FaultMalformed, exception)
	}
}

// parseCall checks the model and parses the body of a call.
func (s *Server) parseCall(r *http.Request, op, model string, body []byte) (*call, *apiError) {
	base := BaseModelID(model)
	c := &call{op: op, model: model, base: base, family: Family(model)}
	switch {
	case c.family == "":
		return nil, errValidation("The provided model identifier is invalid.")
	case slices.Contains(s.cfg.DeniedModels, model) || slices.Contains(s.cfg.DeniedModels, base):
		return nil, newError(403, "AccessDeniedException", "You don't have access to the model with the specified model ID.")
	case model == base && slices.Contains(s.cfg.ProfileOnlyModels, base):
		return nil, errValidation("Invocation of model ID " + base + " with on-demand throughput isn\u2019t supported. Retry your request with the ID or ARN of an inference profile that contains this model.")
	}
	var err error
	if op == OpConverse || op == OpConverseStream {
		err = parseConverse(c, body)
	} else {
		err = parseNative(c, body)
		if err == nil {
			c.guard, err = guardFromHeaders(r.Header)
		}
	}
	if err != nil {
		return nil, errValidation("Malformed input request: " + err.Error() + ", please reformat your input and try again.")
	}
	if c.tools != nil {
		if aerr := checkTools(c, c.tools); aerr != nil {
			return nil, aerr
		}
	}
	if c.maxTokens <= 0 {
		return nil, errValidation("Malformed input request: max tokens must be positive, please reformat your input and try again.")
	}
	if c.cacheCut > 0 && !SupportsCaching(model) {
		return nil, errValidation("You invoked an unsupported model or your request did not allow prompt caching. See the documentation for more information.")
	}
	if c.guard != nil && len(s.cfg.Guardrails) > 0 && !slices.Contains(s.cfg.Guardrails, c.guard.id) {
		return nil, errValidation("The guardrail identifier or version provided in the request does not exist.")
	}
	return c, nil
}

// run checks the context window, guardrails, cache and quota of a call and
// generates its answer.
func (s *Server) run(r *http.Request, c *call, now time.Time) (*result, *apiError) {
	total := 0
	for _, p := range c.parts {
		total += Tokens(p)
	}
	window := defaultContextWindow(c.family)
	if n, ok := s.cfg.ContextWindows[c.model]; ok {
		window = n
	} else if n, ok := s.cfg.ContextWindows[c.base]; ok {
		window = n
	}
	if total > window {
		return nil, errValidation("Input is too long for requested model.")
	}
	res := &result{stop: "end_turn"}
	prompt := c.prompt
	if c.guard != nil {
		res.guardIn = s.assess(prompt)
		prompt = res.guardIn.masked
	}

	s.mu.Lock()
	res.cacheRead, res.cacheWrite = s.cacheUse(c.base, c.parts, c.cacheCut, now, false)
	ev, q, ok := s.admit(c.model, c.base, total-res.cacheRead, c.maxTokens, now)
	if ok {
		s.cacheUse(c.base, c.parts, c.cacheCut, now, true)
	} else {
		s.stats.Throttled++
	}
	s.mu.Unlock()
	if !ok {
		return nil, errThrottling()
	}
	res.input = total - res.cacheRead - res.cacheWrite

	if !s.wait(r, s.cfg.Latency) {
		s.settle(ev, q, 0, 0)
		panic(http.ErrAbortHandler) // the client left or the server is closing
	}
	if res.guardIn != nil && res.guardIn.blocked {
		res.text, res.stop = s.cfg.BlockedMessage, "guardrail_intervened"
	} else {
		res.text = s.cfg.Responder(c.model, prompt)
		if c.noStatus {
			res.text = stripStatus(res.text)
		}
		for _, stop := range c.stop {
			if i := strings.Index(res.text, stop); stop != "" && i >= 0 {
				res.text, res.stop = res.text[:i], "stop_sequence"
			}
		}
		var cut bool
		if res.text, cut = truncateTokens(res.text, c.maxTokens); cut {
			res.stop = "max_tokens"
		}
		if c.tool != "" {
			res.tool, res.toolInput, res.stop = c.tool, StructuredAnswer(res.text, c.noStatus), "tool_use"
			res.output = Tokens(res.toolInput)
		} else {
			res.output = Tokens(res.text)
		}
		if c.guard != nil {
			res.guardOut = s.assess(res.text)
			switch {
			case res.guardOut.blocked:
				res.text, res.stop, res.toolInput = s.cfg.BlockedMessage, "guardrail_intervened", ""
			case len(res.guardOut.findings) > 0:
				res.text, res.stop = res.guardOut.masked, "guardrail_intervened"
				if res.toolInput != "" {
					res.toolInput = StructuredAnswer(res.text, c.noStatus)
				}
			}
		}
	}
	if res.guardIn != nil && !res.guardIn.blocked && len(res.guardIn.findings) > 0 {
		res.stop = "guardrail_intervened"
	}
	s.settle(ev, q, total-res.cacheRead, res.output)
	s.mu.Lock()
	s.stats.Succeeded++
	s.stats.InputTokens += res.input
	s.stats.OutputTokens += res.output
	s.stats.CacheReadTokens += res.cacheRead
	s.stats.CacheWriteTokens += res.cacheWrite
	s.mu.Unlock()
	return res, nil
}

// writeJSON writes a successful JSON answer with Bedrock's token headers;
// malformed cuts the body in half.
func writeJSON(w http.ResponseWriter, res *result, body any, malformed bool) {
	b, _ := json.Marshal(body)
	if malformed {
		b = b[:len(b)/2]
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Bedrock-Input-Token-Count", strconv.Itoa(res.input))
	h.Set("X-Amzn-Bedrock-Output-Token-Count", strconv.Itoa(res.output))
	h.Set("X-Amzn-Bedrock-Invocation-Latency", strconv.FormatInt(res.latency.Milliseconds(), 10))
	if res.cacheRead > 0 {
		h.Set("X-Amzn-Bedrock-Cache-Read-Input-Token-Count", strconv.Itoa(res.cacheRead))
	}
	if res.cacheWrite > 0 {
		h.Set("X-Amzn-Bedrock-Cache-Write-Input-Token-Count", strconv.Itoa(res.cacheWrite))
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}
