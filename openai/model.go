package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	ticketsum "github.com/ticketsum/ticketsum"
)

// Config configures a Model.
type Config struct {
	// Model is the server's model name, such as "gpt-4o-mini" or
	// "llama3.1:8b". Required.
	Model string
	// BaseURL is the server's API root, such as "http://localhost:11434/v1".
	// Default "https://api.openai.com/v1".
	BaseURL string
	// APIKey is sent as a bearer token when set. Default: none (Ollama,
	// vLLM without --api-key).
	APIKey string
	// MaxTokens caps the output when a request sets none. Default 512.
	MaxTokens int
	// Timeout bounds one HTTP attempt. Default 60s.
	Timeout time.Duration
	// HTTPClient sends the requests: its Transport each request, and the
	// client itself a request whose answer redirects, following redirects
	// within the base URL's origin only (a client with a Timeout or a Jar
	// sends every request). Default: a client on a clone of
	// http.DefaultTransport that keeps up to 256 idle connections to the
	// server (the default keeps 2, so that beyond 2 concurrent calls most
	// calls dialled a new connection and left one in TIME_WAIT).
	HTTPClient *http.Client
	// Clock measures latency. Default ticketsum.SystemClock.
	Clock ticketsum.Clock
	// Logger logs failures, never prompt text. Default: discard.
	Logger *slog.Logger
	// Structured says how a request's Output is asked for:
	// StructuredJSONSchema (default), StructuredTools or StructuredOff. A
	// server that refuses it (400 or 422 naming response_format or tools)
	// is asked again in text, once, and in text from then on; a server
	// that ignores it answers in text, which the summariser parses too.
	Structured string
}

// maxIdleConns is how many idle connections the default client keeps to
// the server: as many as a model's concurrency limit is usually set to.
const maxIdleConns = 256

// DefaultBaseURL is the API root used when Config.BaseURL is empty.
const DefaultBaseURL = "https://api.openai.com/v1"

func (c *Config) fill() error {
	if c.Model == "" {
		return ticketsum.Errorf(ticketsum.EINVALID, "openai provider: no model name: set the model, e.g. openai:llama3.1:8b")
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	if !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		return ticketsum.Errorf(ticketsum.EINVALID, "openai provider: base URL %q must start with http:// or https://", c.BaseURL)
	}
	switch {
	case c.MaxTokens < 0:
		return ticketsum.Errorf(ticketsum.EINVALID, "openai provider: max tokens %d is negative", c.MaxTokens)
	case c.MaxTokens == 0:
		c.MaxTokens = 512
	}
	switch {
	case c.Timeout < 0:
		return ticketsum.Errorf(ticketsum.EINVALID, "openai provider: timeout %s is negative", c.Timeout)
	case c.Timeout == 0:
		c.Timeout = 60 * time.Second
	}
	if c.HTTPClient == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConns = maxIdleConns
		t.MaxIdleConnsPerHost = maxIdleConns
		c.HTTPClient = &http.Client{Transport: t}
	}
	if c.Clock == nil {
		c.Clock = ticketsum.SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	switch c.Structured {
	case "":
		c.Structured = StructuredJSONSchema
	case StructuredJSONSchema, StructuredTools, StructuredOff:
	default:
		return ticketsum.Errorf(ticketsum.EINVALID, "openai provider: structured output %q is not %s, %s or %s", c.Structured, StructuredJSONSchema, StructuredTools, StructuredOff)
	}
	return nil
}

// Model is a chat model on an OpenAI-compatible server.
type Model struct {
	cfg    Config
	name   string // "openai:<model>", built once: every answer carries it
	client oai.Client
	// textOnly is set once the server refused structured output.
	textOnly atomic.Bool
}

var _ ticketsum.Model = (*Model)(nil)

// New returns a Model. It returns EINVALID for a bad Config.
func New(cfg Config) (*Model, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || base.Host == "" {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "openai provider: base URL %q is not a URL", cfg.BaseURL)
	}
	opts := []option.RequestOption{
		option.WithBaseURL(cfg.BaseURL),
		option.WithHTTPClient(newSender(cfg.HTTPClient, base)),
		option.WithMaxRetries(0), // the gateway owns retries
		option.WithRequestTimeout(cfg.Timeout),
	}
	if cfg.APIKey != "" {
		opts = append(opts, option.WithAPIKey(cfg.APIKey))
	}
	// A Client built from its options, unlike NewClient, reads no OPENAI_*
	// variables.
	return &Model{cfg: cfg, name: "openai:" + cfg.Model, client: oai.Client{Options: opts}}, nil
}

// sender sends the SDK's requests (option.WithHTTPClient takes any Do).
// A request goes straight to the client's transport, without the
// http.Client around it, which copies every header again, arms its own
// timer and keeps redirect state (a tenth of the call's allocations);
// the SDK's request timeout still bounds it. An answer that redirects
// is sent again through the client, which follows redirects within the
// base URL's origin only (the SDK's own rule for its http.Client).
type sender struct {
	rt     http.RoundTripper // nil: the client sends every request
	client *http.Client
}

// maxRedirects is how many redirects a call follows, as http.Client's
// default.
const maxRedirects = 10

func newSender(c *http.Client, base *url.URL) *sender {
	follow := *c
	check := c.CheckRedirect
	follow.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !strings.EqualFold(req.URL.Scheme, base.Scheme) || !strings.EqualFold(req.URL.Host, base.Host) {
			return fmt.Errorf("redirected away from %s://%s", base.Scheme, base.Host)
		}
		if check != nil {
			return check(req, via)
		}
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		return nil
	}
	s := &sender{client: &follow}
	if c.Timeout == 0 && c.Jar == nil { // nothing the client adds to a request
		s.rt = c.Transport
		if s.rt == nil {
			s.rt = http.DefaultTransport
		}
	}
	return s
}

// Do sends req. It hands net/http the body as the in-memory reader the
// SDK keeps for retries (GetBody) instead of the SDK's wrapper around it,
// which net/http cannot tell is in memory: it then writes the headers and
// the body in one write, not one write for each.
func (s *sender) Do(req *http.Request) (*http.Response, error) {
	rewind(req)
	if s.rt == nil {
		return s.client.Do(req)
	}
	res, err := s.rt.RoundTrip(req)
	if err != nil || !redirect(res) {
		return res, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 4<<10))
	_ = res.Body.Close()
	rewind(req)
	return s.client.Do(req)
}

// rewind sets req's body to a fresh in-memory reader when it has one.
func rewind(req *http.Request) {
	if req.GetBody != nil && req.Body != nil && req.Body != http.NoBody {
		if b, err := req.GetBody(); err == nil {
			req.Body = b // the SDK's wrapper holds nothing to release
		}
	}
}

// redirect reports whether res is a redirect http.Client would follow.
func redirect(res *http.Response) bool {
	switch res.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return res.Header.Get("Location") != ""
	}
	return false
}

// Name returns "openai:<model>".
func (m *Model) Name() string { return m.name }

// Generate sends req as one chat completion. It returns EINVALID for a bad
// request or a prompt beyond the context window, EUNAUTHORIZED for a missing
// or wrong key, EFORBIDDEN, ENOTFOUND for an unknown model or URL,
// ETHROTTLED for 429, EQUOTA when the account's quota is spent, and
// EUNAVAILABLE for 5xx, timeouts, unreachable servers and answers that are
// not a chat completion (no choices and no usage). An answer with no text,
// or with no choices but its usage (a charged call), is returned as an
// empty answer with its usage, not as an error: retrying it would pay again.
func (m *Model) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	if req == nil || len(req.Messages) == 0 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "%s: request has no messages", m.Name())
	}
	body, err := m.body(req)
	if err != nil {
		return nil, err
	}
	structured, err := m.structure(&body, req)
	if err != nil {
		return nil, err
	}
	start := m.cfg.Clock.Now()
	res, err := m.send(ctx, &body)
	if err != nil && structured && refusedStructure(err) {
		m.textOnly.Store(true)
		m.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "server refused structured output; asking in text from now on",
			slog.String("model", m.Name()), slog.String("structured", m.cfg.Structured))
		body.ResponseFormat, body.Tools, body.ToolChoice = nil, nil, nil
		structured = false
		res, err = m.send(ctx, &body)
	}
	latency := m.cfg.Clock.Now().Sub(start)
	if err != nil {
		err = m.translate(ctx, err)
		m.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "openai call failed", slog.String("model", m.Name()),
			slog.String("code", string(ticketsum.ErrorCodeOf(err))), slog.Duration("latency", latency),
			slog.String("request_id", req.Meta.RequestID))
		return nil, err
	}
	u := res.Usage
	var text, stop string
	var isStructured bool
	switch {
	case len(res.Choices) > 0:
		text, isStructured = answerOf(&res.Choices[0], structured)
		stop = res.Choices[0].FinishReason
	case u.PromptTokens <= 0 && u.CompletionTokens <= 0:
		// Nothing says the call was charged: not an answer, retried.
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%s: server answered with no choices", m.Name())
	}
	// An answer with no choices but its usage was charged: it is an empty
	// answer, recorded (and priced) once like any other, rather than an
	// error the gateway and the caller would retry and pay for again.
	cached := min(max(int(u.PromptTokensDetails.CachedTokens), 0), int(u.PromptTokens))
	return &ticketsum.ModelResponse{
		Text:       text,
		Structured: isStructured,
		Model:      m.Name(),
		StopReason: stop,
		Usage: ticketsum.Usage{
			// OpenAI counts cached tokens inside prompt_tokens; ticketsum
			// counts them apart so that they are priced apart.
			InputTokens:     max(int(u.PromptTokens)-cached, 0),
			OutputTokens:    max(int(u.CompletionTokens), 0),
			CacheReadTokens: cached,
		},
		Latency: latency,
	}, nil
}

// send posts body to chat/completions through the SDK (base URL, key,
// timeout, and its API error for a 4xx or 5xx answer) and decodes the
// answer.
func (m *Model) send(ctx context.Context, body *wireRequest) (*wireResponse, error) {
	b, ok := appendRequest(make([]byte, 0, requestSize(body)), body)
	if !ok {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "%s: encode request: %w", m.Name(), err)
		}
	}
	// The SDK hands over the answer unread (after its own handling of a
	// 4xx or 5xx), so that it is read into one buffer of its length.
	var hr *http.Response
	if err := m.client.Post(ctx, "chat/completions", b, &hr); err != nil {
		return nil, err
	}
	raw, err := readBody(hr)
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%s: reading the server's answer: %w", m.Name(), err)
	}
	var res wireResponse
	if err := decodeAnswer(raw, &res); err != nil {
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%s: the server's answer is not a chat completion (%d bytes): %s", m.Name(), len(raw), jsonProblem(err))
	}
	return &res, nil
}

// maxPrealloc caps the buffer allocated from an answer's Content-Length
// before its bytes arrive.
const maxPrealloc = 1 << 20

// readBody reads and closes res's body.
func readBody(res *http.Response) ([]byte, error) {
	defer res.Body.Close()
	n := res.ContentLength
	if n <= 0 || n > maxPrealloc {
		return io.ReadAll(res.Body)
	}
	// net/http's body of a known length reports its end with its last
	// bytes, so the connection is reused.
	buf := make([]byte, n)
	_, err := io.ReadFull(res.Body, buf)
	return buf, err
}

// jsonProblem says what is wrong with an answer without quoting it (it may
// hold prompt text).
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("not valid JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %s is a JSON %s", typ.Field, typ.Value)
	}
	return "not valid JSON"
}

// body maps req to a chat completion request.
func (m *Model) body(req *ticketsum.ModelRequest) (wireRequest, error) {
	msgs := make([]wireMessage, 0, len(req.Messages)+1)
	if req.System != "" {
		msgs = append(msgs, wireMessage{Role: "system", Content: req.System})
	}
	for i, cm := range req.Messages {
		switch cm.Role {
		case ticketsum.ChatUser:
			msgs = append(msgs, wireMessage{Role: "user", Content: cm.Content})
		case ticketsum.ChatAssistant:
			msgs = append(msgs, wireMessage{Role: "assistant", Content: cm.Content})
		default:
			return wireRequest{}, ticketsum.Errorf(ticketsum.EINVALID, "%s: message %d has unknown role %q", m.Name(), i+1, cm.Role)
		}
	}
	maxTokens := req.MaxTokens
	if maxTokens < 0 {
		return wireRequest{}, ticketsum.Errorf(ticketsum.EINVALID, "%s: max tokens %d is negative", m.Name(), maxTokens)
	}
	if maxTokens == 0 {
		maxTokens = m.cfg.MaxTokens
	}
	return wireRequest{
		Model:       m.cfg.Model,
		Messages:    msgs,
		MaxTokens:   maxTokens,
		Temperature: req.Temperature,
		Stop:        req.StopSequences,
	}, nil
}

// translate maps an SDK or transport error to a coded error. Server messages
// are not copied into the errors, as they may echo the prompt back; of the
// server's error only the status and an identifier-like code are named.
func (m *Model) translate(ctx context.Context, err error) error {
	var apiErr *oai.Error
	var coded *ticketsum.Error
	if !errors.As(err, &apiErr) {
		if errors.As(err, &coded) { // an answer that is not a chat completion
			return err
		}
		if ctx.Err() != nil {
			return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%s: call cancelled or timed out: %w", m.Name(), ctx.Err())
		}
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%s: server %s did not answer (timeout or connection failure): %w", m.Name(), m.cfg.BaseURL, err)
	}
	status, code := apiErr.StatusCode, apiErr.Code
	name := m.Name()
	switch {
	case code == "context_length_exceeded" || (status == http.StatusBadRequest && strings.Contains(strings.ToLower(apiErr.Message), "context length")):
		return ticketsum.Errorf(ticketsum.EINVALID, "%s: the prompt and max tokens exceed the model's context window: shorten the ticket thread (chunk it) or lower max tokens", name)
	case status == http.StatusUnauthorized:
		return ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "%s: the server rejected the API key (401): set the key for %s", name, m.cfg.BaseURL)
	case status == http.StatusForbidden:
		return ticketsum.Errorf(ticketsum.EFORBIDDEN, "%s: the key may not use this model (403)", name)
	case status == http.StatusNotFound:
		return ticketsum.Errorf(ticketsum.ENOTFOUND, "%s: model or endpoint not found (404) at %s: check the model name and that the base URL ends in /v1", name, m.cfg.BaseURL)
	case status == http.StatusTooManyRequests && code == "insufficient_quota":
		return ticketsum.Errorf(ticketsum.EQUOTA, "%s: the account's quota is spent (429 insufficient_quota): raise it with the provider", name)
	case status == http.StatusTooManyRequests:
		return ticketsum.Errorf(ticketsum.ETHROTTLED, "%s: rate limited (429)", name)
	case status == http.StatusRequestTimeout || status >= 500:
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%s: server error (%d)", name, status)
	case status >= 400:
		// The request the settings make is wrong, not the ticket.
		return ticketsum.WithClass(ticketsum.Errorf(ticketsum.EINVALID, "%s: the server rejected the request (%s): check the model name, openai.base_url and models.<name>.max_tokens",
			name, strings.TrimSpace(fmt.Sprint(status, " ", errorCode(code)))), ticketsum.ClassConfig)
	}
	return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%s: unexpected answer (%d)", name, status)
}

// errorCode returns code when it looks like an error code
// (invalid_request_error: letters, digits, '_', '.' or '-', at most 64),
// and "" otherwise: the server chooses it, and may put prose there.
func errorCode(code string) string {
	if len(code) > 64 {
		return ""
	}
	for _, r := range code {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_' || r == '.' || r == '-') {
			return ""
		}
	}
	return code
}
