package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/ticketsum/ticketsum"
)

// defaultConfigFile is read when neither --config nor TICKETSUM_CONFIG
// names a file, if it exists.
const defaultConfigFile = "ticketsum.yaml"

// loaded is a configuration with where its settings came from, so that a
// bad value is reported against the flag, the variable or the file that set
// it.
type loaded struct {
	cfg Config
	// file is the config file read, "" when none.
	file string
	// origins maps a config key (worker.concurrency) to the flag or
	// environment variable that set it; keys set by the file are absent.
	origins map[string]string
}

// bind applies a command's flag to the configuration when it was given on
// the command line.
type bind struct {
	flag  string        // the flag's name, without dashes
	key   string        // the config key it overrides, e.g. worker.concurrency; {model} stands for the model
	apply func(*Config) // sets the key from the flag's variable
}

// readConfig reads the config file at path over the defaults, then the
// TICKETSUM_* environment variables. An empty path reads ./ticketsum.yaml
// when it exists. Unknown keys, values of the wrong type and files that
// are not YAML text are refused; values are checked by check.
func readConfig(path string, getenv func(string) string) (*loaded, error) {
	l := &loaded{cfg: defaultConfig(), origins: map[string]string{}}
	explicit := path != ""
	if !explicit {
		path = defaultConfigFile
	}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		l.file = path
		if err := decodeConfig(data, &l.cfg); err != nil {
			return l, ticketsum.Errorf(ticketsum.EINVALID, "config %s: %s", path, err)
		}
	case explicit || !errors.Is(err, os.ErrNotExist):
		return l, ticketsum.Errorf(ticketsum.EINVALID, "config %s: %v", path, unwrapPathError(err))
	}
	if err := l.applyEnv(getenv); err != nil {
		return l, err
	}
	return l, nil
}

// decodeConfig decodes a YAML config file into cfg after checking that it
// is text and that every key and value fits the Config type.
func decodeConfig(data []byte, cfg *Config) error {
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return errors.New("not a YAML text file (it holds binary data or is not UTF-8)")
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return errors.New(yamlSyntaxMessage(err))
	}
	if doc.Kind == 0 { // an empty file or only comments
		return nil
	}
	if err := checkYAML(&doc, configType, ""); err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return errors.New(yamlSyntaxMessage(err))
	}
	return nil
}

// yamlSyntaxMessage turns a YAML parser error into one line without the
// library's prefixes.
func yamlSyntaxMessage(err error) string {
	msg := strings.TrimPrefix(oneLine(err.Error()), "yaml: ")
	return strings.TrimPrefix(msg, "unmarshal errors: ")
}

// envVars lists the environment overrides, each with the key it sets and,
// when it is not a whole number, what a value must be.
var envVars = []struct {
	name, key, want string
	set             func(*Config, string) error
}{
	{"TICKETSUM_DATA_DIR", "data_dir", "", func(c *Config, v string) error { c.DataDir = v; return nil }},
	{"TICKETSUM_DB", "db", "", func(c *Config, v string) error { c.DB = v; return nil }},
	{"TICKETSUM_MODEL", "model", "", func(c *Config, v string) error { c.Model = v; return nil }},
	{"TICKETSUM_ADDR", "server.addr", "", func(c *Config, v string) error { c.Server.Addr = v; return nil }},
	{"TICKETSUM_LOG_LEVEL", "log_level", "", func(c *Config, v string) error { c.LogLevel = v; return nil }},
	{"TICKETSUM_MAX_TICKET_BYTES", "max_ticket_bytes", "", func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		c.MaxTicketBytes = n
		return err
	}},
	{"TICKETSUM_MAX_CHAT_BODY_BYTES", "server.max_chat_body_bytes", "", func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		c.Server.MaxChatBodyBytes = n
		return err
	}},
	{"TICKETSUM_CALL_TIMEOUT", "call_timeout", "a duration such as 90s or 2m", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		c.CallTimeout = d
		return err
	}},
	{"TICKETSUM_WORKERS", "worker.concurrency", "", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		c.Worker.Concurrency = n
		return err
	}},
	{"TICKETSUM_REVIEW_SHARE", "server.review_share", "a share between 0 and 1", func(c *Config, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		c.Server.ReviewShare = f
		return err
	}},
}

func (l *loaded) applyEnv(getenv func(string) string) error {
	for _, ev := range envVars {
		v := getenv(ev.name)
		if v == "" {
			continue
		}
		if err := ev.set(&l.cfg, v); err != nil {
			want := ev.want
			if want == "" {
				want = "a whole number"
			}
			return ticketsum.Errorf(ticketsum.EINVALID, "environment %s=%q: want %s", ev.name, v, want)
		}
		l.origins[ev.key] = ev.name
	}
	return nil
}

// globalBinds are the global flags' overrides; a global flag given empty
// is refused rather than taken as "use the default".
func (e *env) globalBinds() []bind {
	g := &e.globals
	return []bind{
		{gDataDir, "data_dir", func(c *Config) { c.DataDir = g.dataDir }},
		{gDB, "db", func(c *Config) { c.DB = g.db }},
		{gLogLevel, "log_level", func(c *Config) { c.LogLevel = g.logLevel }},
	}
}

// load is how every command gets its configuration: the config file
// (--config, $TICKETSUM_CONFIG or ./ticketsum.yaml), the environment, the
// global flags, then the command's own flags in binds, each applied only
// when given. The result is checked by the one validator, check, so that a
// configuration is valid or invalid the same way for every command, and a
// bad value is reported against whatever set it.
func (e *env) load(cmd *cobra.Command, binds ...bind) (Config, error) {
	path := e.globals.config
	if f := cmd.Flags().Lookup(gConfig); f != nil && f.Changed {
		if path == "" {
			return Config{}, usagef("--config: must not be empty")
		}
	} else {
		path = e.getenv("TICKETSUM_CONFIG")
	}
	l, err := readConfig(path, e.getenv)
	if err != nil {
		return l.cfg, err
	}
	return e.finishLoad(cmd, l, binds...)
}

// configPath returns the config file a command reads: --config, else
// $TICKETSUM_CONFIG, else ./ticketsum.yaml; explicit says whether it was
// named (a named file must exist).
func (e *env) configPath(cmd *cobra.Command) (path string, explicit bool, err error) {
	if f := cmd.Flags().Lookup(gConfig); f != nil && f.Changed {
		if e.globals.config == "" {
			return "", false, usagef("--config: must not be empty")
		}
		return e.globals.config, true, nil
	}
	if p := e.getenv("TICKETSUM_CONFIG"); p != "" {
		return p, true, nil
	}
	return defaultConfigFile, false, nil
}

// finishLoad applies the global flags and the command's binds to a read
// configuration, fills the defaults and checks it (see load).
func (e *env) finishLoad(cmd *cobra.Command, l *loaded, binds ...bind) (Config, error) {
	var applied []bind
	for _, b := range append(e.globalBinds(), binds...) {
		f := cmd.Flags().Lookup(b.flag)
		if f == nil || !f.Changed {
			continue
		}
		if f.Value.Type() == "string" && f.Value.String() == "" {
			return l.cfg, usagef("--%s: must not be empty", b.flag)
		}
		b.apply(&l.cfg)
		applied = append(applied, b)
	}
	for _, b := range applied {
		// {model} stands for the model the command runs, known only now.
		l.origins[strings.ReplaceAll(b.key, "{model}", l.cfg.Model)] = "--" + b.flag
	}
	l.cfg.resolve()
	return l.cfg, l.explain(l.cfg.check())
}

// explain reports a configError against what set the key: the flag or the
// environment variable, else the config file.
func (l *loaded) explain(err error) error {
	var ce *configError
	if !errors.As(err, &ce) {
		return err
	}
	if o, ok := l.origins[ce.key]; ok {
		return ticketsum.Errorf(ticketsum.EINVALID, "%s: %s", o, ce.msg)
	}
	if l.file != "" {
		return ticketsum.Errorf(ticketsum.EINVALID, "config %s: %s: %s", l.file, ce.key, ce.msg)
	}
	return ticketsum.Errorf(ticketsum.EINVALID, "config: %s: %s", ce.key, ce.msg)
}

// configError is one invalid setting, by its config key.
type configError struct{ key, msg string }

func (c *configError) Error() string { return "config: " + c.key + ": " + c.msg }

func badKey(key, format string, args ...any) error {
	return &configError{key: key, msg: fmt.Sprintf(format, args...)}
}
