package cost

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	ticketsum "github.com/ticketsum/ticketsum"
	"go.yaml.in/yaml/v3"
)

//go:embed catalogue.yaml
var embedded []byte

// Config configures a Catalogue.
type Config struct {
	// Overrides are catalogue files (YAML, same format as the embedded
	// catalogue.yaml) applied in order over the embedded catalogue: an entry
	// replaces the entry of the same name as a whole, a new name is added,
	// and instances replace instances of the same type. Default: none.
	Overrides [][]byte
	// NoEmbedded starts from an empty catalogue instead of the embedded one.
	// Default false.
	NoEmbedded bool
	// Region is the AWS region calls are billed in when a model name holds
	// no ARN with its own: the configured aws.region. Default DefaultRegion.
	Region string
	// Guardrail, when set, says which policies the configured Bedrock
	// guardrail applies, so that Estimate (budget reservations) and
	// GuardrailCost include its text-unit charges. Default nil: no
	// guardrail. Calls are charged the units their trace reports either way.
	Guardrail *GuardrailPolicies
	// Clock tells the date that selects a legacy model's extended-access
	// price. Default the system clock.
	Clock ticketsum.Clock
}

// Catalogue is the set of known models and their prices. It is read-only
// after New and safe for concurrent use.
type Catalogue struct {
	cfg       Config
	entries   []Entry
	byName    map[string]int
	instances []Instance
	guardrail *GuardrailPrices
}

// file is the on-disk shape of a catalogue file.
type file struct {
	Models    []Entry          `yaml:"models"`
	Instances []Instance       `yaml:"instances"`
	Guardrail *GuardrailPrices `yaml:"guardrail"`
}

// errorf is fmt.Errorf, for validation messages that New codes EINVALID.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// ftoa formats a price or count without trailing zeros.
func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// Default returns the embedded catalogue.
func Default() (*Catalogue, error) { return New(Config{}) }

// New builds a catalogue from the embedded file and the overrides. It returns
// EINVALID naming the file and entry for a malformed file, an unknown field,
// a duplicate name or a bad price.
func New(cfg Config) (*Catalogue, error) {
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.Clock == nil {
		cfg.Clock = ticketsum.SystemClock{}
	}
	c := &Catalogue{cfg: cfg, byName: map[string]int{}}
	var sources []struct {
		name string
		data []byte
	}
	if !cfg.NoEmbedded {
		sources = append(sources, struct {
			name string
			data []byte
		}{"embedded catalogue", embedded})
	}
	for i, o := range cfg.Overrides {
		sources = append(sources, struct {
			name string
			data []byte
		}{fmt.Sprintf("catalogue override %d", i+1), o})
	}
	for _, s := range sources {
		f, err := parse(s.data)
		if err != nil {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "%s: %w", s.name, err)
		}
		if err := c.apply(f); err != nil {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "%s: %w", s.name, err)
		}
	}
	return c, nil
}

func parse(data []byte) (*file, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f file
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("parse: %w", err)
	}
	seen := map[string]bool{}
	for i := range f.Models {
		e := &f.Models[i]
		if err := validate(e); err != nil {
			return nil, fmt.Errorf("model %d (%q): %w", i+1, e.Name, err)
		}
		if seen[e.Name] {
			return nil, fmt.Errorf("model %q appears twice", e.Name)
		}
		seen[e.Name] = true
	}
	for i, in := range f.Instances {
		if in.Type == "" || in.USDPerHour <= 0 || in.OutputTokensPerSecond <= 0 {
			return nil, fmt.Errorf("instance %d (%q): needs a type, a positive usd_per_hour and output_tokens_per_second", i+1, in.Type)
		}
	}
	if f.Guardrail != nil {
		if err := f.Guardrail.validate(); err != nil {
			return nil, err
		}
	}
	return &f, nil
}

func validate(e *Entry) error {
	switch {
	case e.Name == "":
		return errors.New("has no name")
	case !strings.Contains(e.Name, ":") && e.Name != "builtin":
		return errors.New(`name must be "provider:model-id"`)
	case e.Input < 0 || e.Output < 0:
		return errors.New("has a negative price")
	case e.CacheRead != nil && *e.CacheRead < 0, e.CacheWrite != nil && *e.CacheWrite < 0:
		return errors.New("has a negative cache price")
	case e.PromptCaching && (e.CacheRead == nil || e.CacheWrite == nil):
		return errors.New("supports prompt caching but has no cache_read or cache_write price")
	case e.PromptCaching && e.CacheMinTokens <= 0:
		return errors.New("supports prompt caching but has no cache_min_tokens (the fewest tokens a cache point caches)")
	case e.CacheMinTokens < 0:
		return errors.New("cache_min_tokens must not be negative")
	case e.BatchDiscount < 0 || e.BatchDiscount >= 1:
		return errors.New("batch_discount must be in [0, 1)")
	case e.RegionalUplift < 0 || e.RegionalUplift > 1:
		return errors.New("regional_uplift must be in [0, 1]")
	case e.OutputQuotaWeight < 0:
		return errors.New("output_quota_weight must not be negative")
	case e.ContextWindow < 0 || e.MaxOutput < 0:
		return errors.New("context_window and max_output must not be negative")
	case e.Effective == "" || e.Source == "":
		return errors.New("needs an effective date and a source")
	}
	if p := e.Provisioned; p != nil && (p.NoCommitment < 0 || p.OneMonth < 0 || p.SixMonth < 0 || p.TokensPerMinPerUnit < 0) {
		return errors.New("has a negative provisioned price")
	}
	if e.Region == "" {
		e.Region = DefaultRegion
	}
	for i := range e.Regional {
		if err := e.Regional[i].validate(); err != nil {
			return err
		}
	}
	if e.Lifecycle != nil {
		return e.Lifecycle.validate()
	}
	return nil
}

func (c *Catalogue) apply(f *file) error {
	for _, e := range f.Models {
		if i, ok := c.byName[e.Name]; ok && c.entries[i].Name != e.Name {
			return fmt.Errorf("model %q is already an alias of %q", e.Name, c.entries[i].Name)
		}
		if i, ok := c.byName[e.Name]; ok {
			for _, a := range c.entries[i].Aliases {
				delete(c.byName, a)
			}
			c.entries[i] = e
		} else {
			c.entries = append(c.entries, e)
			c.byName[e.Name] = len(c.entries) - 1
		}
	}
	for i, e := range c.entries {
		for _, a := range e.Aliases {
			if j, ok := c.byName[a]; ok && j != i {
				return fmt.Errorf("alias %q of %q is already the name or alias of %q", a, e.Name, c.entries[j].Name)
			}
			c.byName[a] = i
		}
	}
	if f.Guardrail != nil {
		c.guardrail = f.Guardrail
	}
	for _, in := range f.Instances {
		k := slices.IndexFunc(c.instances, func(x Instance) bool { return x.Type == in.Type })
		if k >= 0 {
			c.instances[k] = in
		} else {
			c.instances = append(c.instances, in)
		}
	}
	return nil
}

// Models returns every entry, in catalogue order.
func (c *Catalogue) Models() []Entry { return slices.Clone(c.entries) }

// Instances returns the SageMaker instance types, in catalogue order.
func (c *Catalogue) Instances() []Instance { return slices.Clone(c.instances) }

// Cost prices the usage a provider reported for one call to the named model:
// input, output, cache-read and cache-write tokens at their own prices. It
// returns ENOTFOUND for a model not in the catalogue and EINVALID for a
// negative count.
func (c *Catalogue) Cost(name string, u ticketsum.Usage) (float64, error) {
	e, err := c.Lookup(name)
	if err != nil {
		return 0, err
	}
	return e.Cost(u)
}

// Estimate returns the most a call can cost before it is made: inputTokens
// at the input price plus maxOutputTokens at the output price, plus the
// configured guardrail's text units for a Bedrock model (Config.Guardrail;
// characters estimated at CharsPerToken a token). Budgets reserve it and
// settle with Cost afterwards. It returns ENOTFOUND for a model not in the
// catalogue and EINVALID for a negative count.
func (c *Catalogue) Estimate(name string, inputTokens, maxOutputTokens int) (float64, error) {
	e, err := c.Lookup(name)
	if err != nil {
		return 0, err
	}
	u := ticketsum.Usage{InputTokens: inputTokens, OutputTokens: maxOutputTokens}
	if c.cfg.Guardrail != nil && strings.HasPrefix(e.Name, "bedrock:") {
		u.Guardrail = c.cfg.Guardrail.Units(max(inputTokens, 0)*CharsPerToken, max(maxOutputTokens, 0)*CharsPerToken)
	}
	return e.Cost(u)
}

// CharsPerToken is the characters a token stands for when the catalogue
// turns tokens into guardrail text units.
const CharsPerToken = 4

// Now returns the catalogue's date, which selects lifecycle prices, for
// callers that report lifecycle states alongside them.
func (c *Catalogue) Now() time.Time { return c.cfg.Clock.Now() }
