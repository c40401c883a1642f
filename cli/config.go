package cli

import (
	"path/filepath"
	"time"

	"github.com/ticketsum/ticketsum/bedrock"
	"github.com/ticketsum/ticketsum/internal/app"
)

// Config is the whole configuration of the binary. It is read from the
// config file, then overridden by TICKETSUM_* environment variables, then by
// command-line flags (highest precedence).
type Config struct {
	// DataDir holds everything the binary writes: the SQLite store, the
	// audit and log keys, the invocation log, the eval cache and history and
	// default exports (default "ticketsum-data", created 0700).
	DataDir string `yaml:"data_dir"`
	// DB is the store: a SQLite file path or a postgres:// URL (default
	// ticketsum.db in DataDir).
	DB string `yaml:"db"`
	// Model is the default model (default "builtin").
	Model string `yaml:"model"`
	// MaxTicketBytes is the largest ticket accepted (default 1 MiB). The
	// guard checks a text up to the larger of it and
	// Server.MaxChatBodyBytes.
	MaxTicketBytes int64 `yaml:"max_ticket_bytes"`
	// LogLevel is debug, info, warn or error (default info).
	LogLevel string `yaml:"log_level"`
	// CallTimeout bounds one attempt of a model call: a model server that
	// has not answered by then is given up on, and the call retried
	// (default 60s).
	CallTimeout time.Duration `yaml:"call_timeout"`

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
	// Principals declares the service principals the processes act as
	// (worker, eval, judge), reconciled at start.
	Principals PrincipalsConfig `yaml:"principals"`
	// Plan holds the constraints `ticketsum plan` recommends under.
	Plan PlanConfig `yaml:"plan"`
	// Catalogue is a model catalogue file (YAML) applied over the embedded
	// one, to add models or correct prices. Default none.
	Catalogue string `yaml:"catalogue"`
	// Source maps the team's own Postgres tables (see cmd_watch.go).
	Source SourceConfig `yaml:"source"`
	// Limits configures where rate limits are counted.
	Limits LimitsConfig `yaml:"limits"`
	// Auth says who may use the web UI and its JSON API.
	Auth AuthConfig `yaml:"auth"`
}

// LimitsConfig configures where rate limits are counted.
type LimitsConfig struct {
	// RedisURL, when set (redis://host:6379/0), counts principals'
	// requests per minute and models' requests and tokens per minute in
	// Redis, shared by every process of the fleet. Default none: each
	// process counts alone, so N processes allow N times the limits.
	// Concurrency limits are per process either way.
	RedisURL string `yaml:"redis_url"`
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
	// queue (default 0.05; 0 or negative: none). The Lambda function's
	// TICKETSUM_REVIEW_SHARE is the same setting.
	ReviewShare float64 `yaml:"review_share"`
	// MetricsAddr, when set, serves /metrics on its own listener (for a
	// scraper on a private network) instead of behind the UI's sign-in.
	MetricsAddr string `yaml:"metrics_addr"`
	// MaxConcurrentPerKey caps the API requests in flight per API key; one
	// more is refused with 429 (default 64; -1: no cap).
	MaxConcurrentPerKey int `yaml:"max_concurrent_per_key"`
	// MaxChatBodyBytes is the largest body of POST /v1/chat/completions
	// accepted, in bytes (default 1 MiB; env TICKETSUM_MAX_CHAT_BODY_BYTES).
	// The guard checks a message up to the larger of it and MaxTicketBytes.
	MaxChatBodyBytes int64 `yaml:"max_chat_body_bytes"`
}

// WorkerConfig configures the queue workers.
type WorkerConfig struct {
	// Concurrency is the number of tickets summarised at once (default 4).
	Concurrency int `yaml:"concurrency"`
	// ThrottleSnooze is how long a throttled job waits (default 30s).
	ThrottleSnooze time.Duration `yaml:"throttle_snooze"`
	// ThrottleSnoozes is how many times a job is snoozed for throttling
	// before further throttling uses its attempts, so that a quota that
	// never frees ends in a failed ticket (default 20).
	ThrottleSnoozes int `yaml:"throttle_snoozes"`
	// PollInterval is how often idle workers look for new jobs, a safety
	// net behind River's notifications (default 1s on SQLite, whose
	// notifications the queue reads lazily, see queue/listen.go; 200ms on
	// Postgres, where River is woken by LISTEN/NOTIFY).
	PollInterval time.Duration `yaml:"poll_interval"`
	// JobTimeout cancels a summary that runs longer (default 5m).
	JobTimeout time.Duration `yaml:"job_timeout"`
	// RescueAfter is how long a job may stay running before it is taken to
	// be lost and run again; at least JobTimeout (default JobTimeout + 1m).
	// A killed worker's jobs run again sooner, once its heartbeat stops
	// (queue.Config.LostAfter, 30s).
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
	// Bedrock models that support prompt caching, when that prompt reaches
	// the model's minimum cacheable tokens (cache_min_tokens in the
	// catalogue). Default false: no cache point at all.
	PromptCaching bool `yaml:"prompt_caching"`
	// Guardrail applies a Bedrock Guardrail on every Bedrock call.
	Guardrail GuardrailConfig `yaml:"guardrail"`
	// Evaluation configures Amazon Bedrock Model Evaluation jobs.
	Evaluation EvaluationConfig `yaml:"evaluation"`
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

// defaultDataDir is the data directory when neither --data-dir,
// TICKETSUM_DATA_DIR nor data_dir in the config names one.
const defaultDataDir = "ticketsum-data"

// defaultConfig returns the configuration with every default filled in
// that does not depend on another setting (see resolve for the rest).
func defaultConfig() Config {
	yes := true
	return Config{
		DataDir:        defaultDataDir,
		Model:          "builtin",
		MaxTicketBytes: 1 << 20,
		LogLevel:       "info",
		CallTimeout:    60 * time.Second,
		Server:         ServerConfig{Addr: "127.0.0.1:8080", LoadSample: &yes, ReviewShare: 0.05, MaxChatBodyBytes: 1 << 20},
		Worker:         WorkerConfig{Concurrency: 4, ThrottleSnooze: 30 * time.Second, ThrottleSnoozes: 20},
		OpenAI:         OpenAIConfig{APIKeyEnv: "OPENAI_API_KEY"},
	}
}

// resolve fills the defaults that depend on other settings: the store and
// the governance files in the data directory.
func (c *Config) resolve() {
	if c.DataDir == "" {
		c.DataDir = defaultDataDir
	}
	if c.DB == "" {
		c.DB = filepath.Join(c.DataDir, "ticketsum.db")
	}
	if c.OpenAI.APIKeyEnv == "" {
		c.OpenAI.APIKeyEnv = "OPENAI_API_KEY"
	}
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

// dataPath resolves a file or directory flag whose default is name in the
// data directory: "off" turns the file off (""), another value is taken as
// it is, an empty one gives the default.
func (c *Config) dataPath(value, name string) string {
	switch value {
	case "off":
		return ""
	case "":
		return filepath.Join(c.DataDir, name)
	}
	return value
}
