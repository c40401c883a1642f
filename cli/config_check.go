package cli

import (
	"errors"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/prompt"
	"github.com/ticketsum/ticketsum/source"
)

// defaultJobTimeout is the queue's job timeout when worker.job_timeout is
// not set (queue.Config's default).
const defaultJobTimeout = 5 * time.Minute

// check is the one validator of a configuration: every command runs it
// after load, so a configuration is valid or invalid the same way for
// `summarize` as for `worker` or `serve`. It returns a *configError naming
// the key and the reason, or a coded error from a component's own check.
func (c *Config) check() error {
	for _, f := range []func() error{c.checkTop, c.checkServer, c.checkWorker, c.checkModels, c.checkFiles, c.checkPlan, c.checkSource, c.checkAuth, c.checkPrincipals} {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) checkTop() error {
	switch {
	case c.DataDir == "":
		return badKey("data_dir", "must not be empty")
	case c.DB == "":
		return badKey("db", "must not be empty")
	case c.Model == "":
		return badKey("model", "must not be empty")
	case c.Model != "builtin" && !validModelName(c.Model):
		return badKey("model", "unknown model %q: want builtin, bedrock:<model id>, sagemaker:<endpoint> or openai:<model>", c.Model)
	case c.CallTimeout < 0:
		return badKey("call_timeout", "must not be negative, got %v", c.CallTimeout)
	case c.MaxTicketBytes <= 0:
		return badKey("max_ticket_bytes", "must be positive, got %d", c.MaxTicketBytes)
	case c.OpenAI.APIKeyEnv == "":
		return badKey("openai.api_key_env", "must not be empty")
	case !validEnvName(c.OpenAI.APIKeyEnv):
		// The value is not echoed: a name that is not a variable's is
		// most likely the key itself.
		return badKey("openai.api_key_env", "must be the name of an environment variable (letters, digits and _, such as OPENAI_API_KEY), not the key itself: put the key in that variable; a key written in the file should be replaced")
	case c.Governance.WorkerMonthlyBudgetUSD < 0 || math.IsNaN(c.Governance.WorkerMonthlyBudgetUSD):
		return badKey("governance.worker_monthly_budget_usd", "must not be negative")
	case c.Governance.SigningKeyFingerprint != "" && !audit.ValidFingerprint(c.Governance.SigningKeyFingerprint):
		return badKey("governance.signing_key_fingerprint", "want sha256: and 64 hex digits, as `ticketsum audit key` prints, got %q", c.Governance.SigningKeyFingerprint)
	}
	switch audit.TrailCommit(c.Governance.TrailCommit) {
	case "", audit.CommitFlushed, audit.CommitAsync:
	default:
		return badKey("governance.trail_commit", "must be %s (wait for the WAL flush, the default) or %s (Postgres: do not; docs/governance.md), got %q",
			audit.CommitFlushed, audit.CommitAsync, c.Governance.TrailCommit)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
		return nil
	}
	return badKey("log_level", "must be debug, info, warn or error, got %q", c.LogLevel)
}

// validModelName reports whether name has a provider prefix and an id.
func validModelName(name string) bool {
	provider, id, ok := strings.Cut(name, ":")
	return ok && id != "" && (provider == "bedrock" || provider == "sagemaker" || provider == "openai") &&
		!strings.ContainsFunc(id, func(r rune) bool { return !unicode.IsPrint(r) })
}

func (c *Config) checkServer() error {
	s := c.Server
	if err := checkAddr(s.Addr); err != nil {
		return badKey("server.addr", "%s", err)
	}
	if s.ReviewShare > 1 || math.IsNaN(s.ReviewShare) {
		return badKey("server.review_share", "must be a share between 0 and 1 (0 or negative: no sampling), got %v", s.ReviewShare)
	}
	if s.MaxConcurrentPerKey < -1 {
		return badKey("server.max_concurrent_per_key", "must be a number of requests (0: the default 64; -1: no cap), got %d", s.MaxConcurrentPerKey)
	}
	if s.MaxChatBodyBytes <= 0 {
		return badKey("server.max_chat_body_bytes", "must be positive, got %d", s.MaxChatBodyBytes)
	}
	return nil
}

// checkAddr checks a listen address: host:port, the port a number from 0
// to 65535 or a service name.
func checkAddr(addr string) error {
	if addr == "" {
		return errors.New("must not be empty")
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("want HOST:PORT such as 127.0.0.1:8080, got " + strconv.Quote(addr))
	}
	if n, err := strconv.Atoi(port); err == nil {
		if n < 0 || n > 65535 {
			return errors.New("port " + port + " is not between 0 and 65535")
		}
		return nil
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return errors.New("port " + strconv.Quote(port) + " is not a number or a known service name")
	}
	return nil
}

func (c *Config) checkWorker() error {
	w := c.Worker
	switch {
	case w.Concurrency < 1 || w.Concurrency > 1000:
		return badKey("worker.concurrency", "must be between 1 and 1000, got %d", w.Concurrency)
	case w.ThrottleSnooze < 0:
		return badKey("worker.throttle_snooze", "must not be negative, got %v", w.ThrottleSnooze)
	case w.ThrottleSnoozes < 0:
		return badKey("worker.throttle_snoozes", "must not be negative, got %d", w.ThrottleSnoozes)
	case w.PollInterval < 0:
		return badKey("worker.poll_interval", "must not be negative, got %v", w.PollInterval)
	case w.JobTimeout < 0:
		return badKey("worker.job_timeout", "must not be negative, got %v", w.JobTimeout)
	case w.RescueAfter < 0:
		return badKey("worker.rescue_after", "must not be negative, got %v", w.RescueAfter)
	}
	timeout := w.JobTimeout
	if timeout == 0 {
		timeout = defaultJobTimeout
	}
	if w.RescueAfter != 0 && w.RescueAfter < timeout {
		return badKey("worker.rescue_after", "must be at least worker.job_timeout (%v), got %v: a job still running would be started again", timeout, w.RescueAfter)
	}
	return nil
}

func (c *Config) checkModels() error {
	for name, m := range c.Models {
		key := "models." + name
		switch {
		case !validModelName(name):
			return badKey(key, "unknown model %q: want bedrock:<model id>, sagemaker:<endpoint> or openai:<model>", name)
		case m.API != "" && m.API != "converse" && m.API != "invoke":
			return badKey(key+".api", "must be converse or invoke, got %q", m.API)
		case m.Payload != "" && m.Payload != "tgi" && m.Payload != "openai":
			return badKey(key+".payload", "must be tgi or openai, got %q", m.Payload)
		case m.RPM < 0:
			return badKey(key+".rpm", "must not be negative, got %d", m.RPM)
		case m.TPM < 0:
			return badKey(key+".tpm", "must not be negative, got %d", m.TPM)
		case m.MaxTokens < 0:
			return badKey(key+".max_tokens", "must not be negative, got %d", m.MaxTokens)
		}
		for _, f := range m.Fallback {
			if !validModelName(f) {
				return badKey(key+".fallback", "unknown model %q: want bedrock:<model id>, sagemaker:<endpoint> or openai:<model>", f)
			}
		}
	}
	return nil
}

// checkFiles checks the files the config names: the prompt template (its
// version must exist, embedded or under prompt.path) and the catalogue.
func (c *Config) checkFiles() error {
	if c.Catalogue != "" {
		if _, err := os.Stat(c.Catalogue); err != nil {
			return badKey("catalogue", "%s: %v", c.Catalogue, unwrapPathError(err))
		}
	}
	key := "prompt.version"
	if c.Prompt.Path != "" {
		key = "prompt.path"
		if _, err := os.Stat(c.Prompt.Path); err != nil {
			return badKey(key, "%s: %v", c.Prompt.Path, unwrapPathError(err))
		}
	}
	if _, err := prompt.New(prompt.Config{Version: c.Prompt.Version, Path: c.Prompt.Path}); err != nil {
		return badKey(key, "%s", strings.TrimPrefix(ticketsum.ErrorMessage(err), "prompt: "))
	}
	return nil
}

func (c *Config) checkPlan() error {
	if h := c.Plan.LatencyTargetHours; h < 0 || math.IsNaN(h) || math.IsInf(h, 0) {
		return badKey("plan.latency_target_hours", "must be a positive number of hours, got %v", h)
	}
	return nil
}

// checkSource runs the source package's own check on a configured source
// mapping (its messages name the source keys).
func (c *Config) checkSource() error {
	if !c.Source.configured() {
		return nil
	}
	sc := c.Source
	return source.Config{Mapping: sc.Mapping, Name: sc.Name, PollInterval: sc.PollInterval, Debounce: sc.Debounce,
		BatchSize: sc.BatchSize, Channel: sc.Channel}.Validate()
}

// validEnvName reports whether s can name an environment variable in a
// shell: a letter or _, then letters, digits and _.
func validEnvName(s string) bool {
	for i, r := range s {
		switch {
		case r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return s != ""
}
