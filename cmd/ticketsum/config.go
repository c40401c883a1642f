package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrock"
	"github.com/ticketsum/ticketsum/internal/app"
	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration of the binary. It is read from the
// config file, then overridden by TICKETSUM_* environment variables, then by
// command-line flags (highest precedence).
type Config struct {
	// DB is the store: a SQLite file path (default "ticketsum.db") or a
	// postgres:// URL.
	DB string `yaml:"db"`
	// Model is the default model (default "builtin").
	Model string `yaml:"model"`
	// MaxTicketBytes is the largest ticket accepted (default 1 MiB).
	MaxTicketBytes int64 `yaml:"max_ticket_bytes"`
	// LogLevel is debug, info, warn or error (default info).
	LogLevel string `yaml:"log_level"`

	Server ServerConfig `yaml:"server"`
	Worker WorkerConfig `yaml:"worker"`
	// Models holds per-model settings, keyed by model name.
	Models map[string]ModelConfig `yaml:"models"`
	OpenAI OpenAIConfig           `yaml:"openai"`
	AWS    AWSConfig              `yaml:"aws"`
	Prompt PromptConfig           `yaml:"prompt"`
	// Governance configures the guard, access control, invocation log and
	// audit trail around every model call.
	Governance GovernanceConfig `yaml:"governance"`
	// Plan holds the constraints `ticketsum plan` recommends under.
	Plan PlanConfig `yaml:"plan"`
	// Catalogue is a model catalogue file (YAML) applied over the embedded
	// one, to add models or correct prices. Default none.
	Catalogue string `yaml:"catalogue"`
	// Source maps the team's own Postgres tables (see cmd_watch.go).
	Source SourceConfig `yaml:"source"`
}

// PromptConfig selects the prompt template of LLM summaries.
type PromptConfig struct {
	// Version is the template version (default "default-v1", embedded).
	Version string `yaml:"version"`
	// Path is a <version>.tmpl file or a directory of them that overrides
	// the embedded templates. Default none.
	Path string `yaml:"path"`
}

// ServerConfig configures `ticketsum serve`.
type ServerConfig struct {
	// Addr is the listen address (default 127.0.0.1:8080).
	Addr string `yaml:"addr"`
	// LoadSample loads the bundled sample tickets into an empty store on
	// start (default true).
	LoadSample *bool `yaml:"load_sample"`
	// ReviewShare is the share of new summaries sampled into the review
	// queue (default 0.05; negative: none).
	ReviewShare float64 `yaml:"review_share"`
}

// WorkerConfig configures the queue workers.
type WorkerConfig struct {
	// Concurrency is the number of tickets summarised at once (default 4).
	Concurrency int `yaml:"concurrency"`
	// ThrottleSnooze is how long a throttled job waits (default 30s).
	ThrottleSnooze time.Duration `yaml:"throttle_snooze"`
	// PollInterval is how often idle workers look for new jobs (default
	// 50ms on SQLite, which has no notifications; 200ms on Postgres, where
	// River is woken by LISTEN/NOTIFY and polling is the safety net).
	PollInterval time.Duration `yaml:"poll_interval"`
	// JobTimeout cancels a summary that runs longer (default 5m).
	JobTimeout time.Duration `yaml:"job_timeout"`
	// RescueAfter is how long a job may stay running before it is taken to
	// be lost with a killed worker and run again; at least JobTimeout
	// (default JobTimeout + 1m).
	RescueAfter time.Duration `yaml:"rescue_after"`
}

// ModelConfig holds the settings of one model (see app.ModelConfig for the
// fields and their defaults).
type ModelConfig = app.ModelConfig

// OpenAIConfig configures OpenAI-compatible servers.
type OpenAIConfig struct {
	// BaseURL is the server, e.g. http://127.0.0.1:8000/v1 for vLLM.
	BaseURL string `yaml:"base_url"`
	// APIKeyEnv names the environment variable holding the API key
	// (default OPENAI_API_KEY); the key itself never goes in the file.
	APIKeyEnv string `yaml:"api_key_env"`
}

// AWSConfig overrides parts of the standard AWS configuration chain.
type AWSConfig struct {
	// Region overrides AWS_REGION and the profile's region.
	Region string `yaml:"region"`
	// Profile selects a shared-config profile (AWS_PROFILE otherwise).
	Profile string `yaml:"profile"`
	// PromptCaching puts a cache point after the static system prompt, for
	// Bedrock models that support prompt caching (default false).
	PromptCaching bool `yaml:"prompt_caching"`
	// Guardrail applies a Bedrock Guardrail on every Bedrock call.
	Guardrail GuardrailConfig `yaml:"guardrail"`
}

// GuardrailConfig names a Bedrock Guardrail.
type GuardrailConfig struct {
	// ID is the guardrail identifier or ARN; empty disables it.
	ID string `yaml:"id"`
	// Version is a version number or DRAFT (default DRAFT).
	Version string `yaml:"version"`
}

func (g GuardrailConfig) bedrock() bedrock.GuardrailConfig {
	return bedrock.GuardrailConfig{ID: g.ID, Version: g.Version}
}

// defaultConfig returns the configuration with every default filled in.
func defaultConfig() Config {
	yes := true
	return Config{
		DB:             "ticketsum.db",
		Model:          "builtin",
		MaxTicketBytes: 1 << 20,
		LogLevel:       "info",
		Server:         ServerConfig{Addr: "127.0.0.1:8080", LoadSample: &yes},
		Worker:         WorkerConfig{Concurrency: 4, ThrottleSnooze: 30 * time.Second},
		OpenAI:         OpenAIConfig{APIKeyEnv: "OPENAI_API_KEY"},
	}
}

// loadConfig reads the config file at path over the defaults, then applies
// environment overrides. An empty path reads ./ticketsum.yaml when it
// exists. Unknown fields and bad values are refused with the field's name.
func loadConfig(path string, getenv func(string) string) (Config, error) {
	cfg := defaultConfig()
	explicit := path != ""
	if !explicit {
		path = "ticketsum.yaml"
	}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) { // io.EOF: empty file
			return cfg, ticketsum.Errorf(ticketsum.EINVALID, "config %s: %s", path, yamlMessage(err, data))
		}
	case explicit || !errors.Is(err, os.ErrNotExist):
		return cfg, ticketsum.Errorf(ticketsum.EINVALID, "config %s: %v", path, unwrapPathError(err))
	}
	if err := applyEnv(&cfg, getenv); err != nil {
		return cfg, err
	}
	return cfg, cfg.validate()
}

var yamlLine = regexp.MustCompile(`line (\d+): `)

// yamlMessage turns a YAML decoding error into one line that names the
// field: the decoder names only the line, so the key on that line is added.
func yamlMessage(err error, data []byte) string {
	msg := strings.TrimPrefix(oneLine(strings.TrimPrefix(err.Error(), "yaml: ")), "unmarshal errors: ")
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	n, _ := strconv.Atoi(m[1])
	lines := strings.Split(string(data), "\n")
	if n < 1 || n > len(lines) {
		return msg
	}
	key, _, ok := strings.Cut(strings.TrimSpace(lines[n-1]), ":")
	if !ok || key == "" {
		return msg
	}
	return "field " + key + " (" + msg + ")"
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// envVars lists the environment overrides, each with the field it sets.
var envVars = []struct {
	name string
	set  func(*Config, string) error
}{
	{"TICKETSUM_DB", func(c *Config, v string) error { c.DB = v; return nil }},
	{"TICKETSUM_MODEL", func(c *Config, v string) error { c.Model = v; return nil }},
	{"TICKETSUM_ADDR", func(c *Config, v string) error { c.Server.Addr = v; return nil }},
	{"TICKETSUM_LOG_LEVEL", func(c *Config, v string) error { c.LogLevel = v; return nil }},
	{"TICKETSUM_MAX_TICKET_BYTES", func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		c.MaxTicketBytes = n
		return err
	}},
	{"TICKETSUM_WORKERS", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		c.Worker.Concurrency = n
		return err
	}},
}

func applyEnv(cfg *Config, getenv func(string) string) error {
	for _, ev := range envVars {
		v := getenv(ev.name)
		if v == "" {
			continue
		}
		if err := ev.set(cfg, v); err != nil {
			return ticketsum.Errorf(ticketsum.EINVALID, "environment %s=%q: not a number", ev.name, v)
		}
	}
	return nil
}

// validate rejects values that cannot work, naming the field and the reason.
func (c *Config) validate() error {
	bad := func(field, format string, args ...any) error {
		return ticketsum.Errorf(ticketsum.EINVALID, "config: %s: %s", field, fmt.Sprintf(format, args...))
	}
	switch {
	case c.DB == "":
		return bad("db", "must not be empty")
	case c.Model == "":
		return bad("model", "must not be empty")
	case c.MaxTicketBytes <= 0:
		return bad("max_ticket_bytes", "must be positive, got %d", c.MaxTicketBytes)
	case c.Worker.Concurrency < 1 || c.Worker.Concurrency > 1000:
		return bad("worker.concurrency", "must be between 1 and 1000, got %d", c.Worker.Concurrency)
	case c.Worker.ThrottleSnooze < 0:
		return bad("worker.throttle_snooze", "must not be negative")
	case c.Worker.PollInterval < 0:
		return bad("worker.poll_interval", "must not be negative")
	case c.Server.Addr == "":
		return bad("server.addr", "must not be empty")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return bad("log_level", "must be debug, info, warn or error, got %q", c.LogLevel)
	}
	for name, m := range c.Models {
		field := "models." + name
		switch m.API {
		case "", "converse", "invoke":
		default:
			return bad(field+".api", "must be converse or invoke, got %q", m.API)
		}
		switch m.Payload {
		case "", "tgi", "openai":
		default:
			return bad(field+".payload", "must be tgi or openai, got %q", m.Payload)
		}
		if m.RPM < 0 || m.TPM < 0 || m.MaxTokens < 0 {
			return bad(field, "rpm, tpm and max_tokens must not be negative")
		}
	}
	return nil
}

// setModelAPI sets the Bedrock API of one model.
func (c *Config) setModelAPI(model, api string) {
	if c.Models == nil {
		c.Models = map[string]ModelConfig{}
	}
	m := c.Models[model]
	m.API = api
	c.Models[model] = m
}
