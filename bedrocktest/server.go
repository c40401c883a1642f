package bedrocktest

import (
	"encoding/pem"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is a fake Bedrock runtime and SageMaker runtime on 127.0.0.1.
// Point bedrockruntime and sagemakerruntime clients at URL.
type Server struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:38211.
	URL string

	cfg     Config
	srv     *httptest.Server
	client  *http.Client
	closing chan struct{}
	start   time.Time
	seq     atomic.Int64 // request IDs

	mu       sync.Mutex
	rng      *rand.Rand
	faults   []*faultState
	windows  map[string]*window
	cache    map[string]time.Time
	stats    Stats
	inflight int
	requests []Request
	closed   bool
}

// Request is a request the server received, for assertions.
type Request struct {
	// Op is the operation, e.g. OpConverse.
	Op string
	// Model is the model ID (or SageMaker endpoint, or guardrail ID) from
	// the path, unescaped.
	Model string
	// EscapedPath is the path as it arrived on the wire.
	EscapedPath string
	// Header holds the request's headers.
	Header http.Header
	// Body is the request body.
	Body []byte
}

// NewServer starts a fake server on a loopback port. It returns EINVALID for
// a bad Config. Close it when done (t.Cleanup(srv.Close)).
func NewServer(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		closing: make(chan struct{}),
		start:   cfg.Clock.Now(),
		rng:     rand.New(rand.NewSource(cfg.Seed)),
		windows: map[string]*window{},
		cache:   map[string]time.Time{},
		stats:   newStats(),
	}
	for _, f := range cfg.Faults {
		s.faults = append(s.faults, &faultState{Fault: f})
	}
	transport := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        2048,
		MaxIdleConnsPerHost: 2048,
		IdleConnTimeout:     90 * time.Second,
	}
	if cfg.TLS {
		s.srv = httptest.NewTLSServer(s)
		transport.TLSClientConfig = s.srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	} else {
		s.srv = httptest.NewServer(s)
	}
	s.URL = s.srv.URL
	s.client = &http.Client{Transport: transport}
	return s, nil
}

// MustNewServer is NewServer for tests and benchmarks: it fails tb on error
// and closes the server when the test ends.
func MustNewServer(tb interface {
	Helper()
	Fatalf(string, ...any)
	Cleanup(func())
}, cfg Config) *Server {
	tb.Helper()
	s, err := NewServer(cfg)
	if err != nil {
		tb.Fatalf("bedrocktest.NewServer: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server, ending calls hung by FaultTimeout first. It is
// safe to call more than once.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.closing)
	s.mu.Unlock()
	s.srv.Close()
	s.client.CloseIdleConnections()
}

// Client returns an HTTP client for the server that keeps up to 2048 idle
// connections, so that benchmarks with many concurrent calls reuse them.
func (s *Server) Client() *http.Client { return s.client }

// CertificatePEM returns the server's TLS certificate in PEM, for
// AWS_CA_BUNDLE, or nil when the server does not use TLS.
func (s *Server) CertificatePEM() []byte {
	if !s.cfg.TLS {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw})
}

// Region returns the region the server expects requests to be signed for.
func (s *Server) Region() string { return s.cfg.Region }

// AddFault adds a fault after those already configured. It returns EINVALID
// for a bad fault.
func (s *Server) AddFault(f Fault) error {
	if err := f.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultState{Fault: f})
	return nil
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Requests returns the latest requests received, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// LastRequest returns the latest request, and false when there is none.
func (s *Server) LastRequest() (Request, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) == 0 {
		return Request{}, false
	}
	return s.requests[len(s.requests)-1], true
}

func (s *Server) record(r Request) {
	if s.cfg.RecordRequests < 0 {
		return
	}
	if len(s.requests) >= s.cfg.RecordRequests {
		s.requests = s.requests[1:]
	}
	s.requests = append(s.requests, r)
}

// ServeHTTP routes a request on its escaped path, so that model IDs with
// ":" and ARNs with "/" (escaped by the SDK as %3A and %2F) stay whole.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	for i, seg := range segs {
		u, err := url.PathUnescape(seg)
		if err != nil {
			writeError(w, "bedrock", errValidation("bad path escape"))
			return
		}
		segs[i] = u
	}
	if r.Method != http.MethodPost {
		writeError(w, "bedrock", newError(404, "UnknownOperationException", "unknown operation "+r.Method+" "+r.URL.EscapedPath()))
		return
	}
	switch {
	case len(segs) == 3 && segs[0] == "model":
		op := map[string]string{
			"converse":                    OpConverse,
			"converse-stream":             OpConverseStream,
			"invoke":                      OpInvokeModel,
			"invoke-with-response-stream": OpInvokeModelStream,
		}[segs[2]]
		if op != "" {
			if s.authorize(w, r, "bedrock") {
				s.serveModel(w, r, op, segs[1])
			}
			return
		}
	case len(segs) == 5 && segs[0] == "guardrail" && segs[2] == "version" && segs[4] == "apply":
		if s.authorize(w, r, "bedrock") {
			s.serveApplyGuardrail(w, r, segs[1], segs[3])
		}
		return
	case len(segs) == 3 && segs[0] == "endpoints" && segs[2] == "invocations":
		if s.authorize(w, r, "sagemaker") {
			s.serveSageMaker(w, r, segs[1])
		}
		return
	}
	writeError(w, "bedrock", newError(404, "UnknownOperationException", "unknown operation POST "+r.URL.EscapedPath()))
}

// authorize checks the SigV4 credential scope (or a Bedrock API key) and
// writes the error AWS would send when it does not fit.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, service string) bool {
	auth := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(auth, "Bearer "); ok && service == "bedrock" && s.cfg.APIKey != "" {
		if tok == s.cfg.APIKey {
			return true
		}
		writeError(w, service, newError(403, "UnrecognizedClientException", "The security token included in the request is invalid."))
		return false
	}
	akid, region, svc, ok := credentialScope(auth)
	switch {
	case !ok:
		writeError(w, service, newError(403, "MissingAuthenticationTokenException", "Missing Authentication Token"))
	case s.cfg.AccessKeyID != "" && akid != s.cfg.AccessKeyID:
		writeError(w, service, newError(403, "UnrecognizedClientException", "The security token included in the request is invalid."))
	case svc != service:
		writeError(w, service, newError(403, "InvalidSignatureException", "Credential should be scoped to correct service: '"+service+"'. "))
	case region != s.cfg.Region:
		writeError(w, service, newError(403, "InvalidSignatureException", "Credential should be scoped to a valid region. "))
	default:
		return true
	}
	return false
}

// credentialScope parses "AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, ...".
func credentialScope(auth string) (akid, region, service string, ok bool) {
	rest, found := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 ")
	if !found {
		return "", "", "", false
	}
	for _, f := range strings.Split(rest, ",") {
		cred, found := strings.CutPrefix(strings.TrimSpace(f), "Credential=")
		if !found {
			continue
		}
		p := strings.Split(cred, "/")
		if len(p) != 5 || p[4] != "aws4_request" {
			return "", "", "", false
		}
		return p[0], p[2], p[3], true
	}
	return "", "", "", false
}

// wait sleeps for d, or until the request ends or the server closes; it
// reports whether the full time passed.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-s.closing:
	}
	return false
}

// hang blocks until the request ends or the server closes, then drops the
// connection without an answer.
func (s *Server) hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.closing:
	}
	panic(http.ErrAbortHandler)
}
