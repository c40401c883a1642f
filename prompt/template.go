package prompt

import (
	"bytes"
	"embed"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/thread"
)

//go:embed templates/*.tmpl
var embedded embed.FS

// DefaultVersion is the version of the embedded template used when
// Config.Version is empty.
const DefaultVersion = "default-v1"

// blocks are the named templates every template file must define.
var blocks = []string{"system", "ticket", "chunk", "combine", "repair"}

// Config configures a Template.
type Config struct {
	// Version names the template: the file name without ".tmpl". Default
	// DefaultVersion.
	Version string
	// Path overrides the embedded templates: a .tmpl file (its name gives
	// the version, and Version must be empty or equal) or a directory
	// holding <Version>.tmpl. Default "": the embedded templates.
	Path string
	// Examples are the approved few-shot examples to choose from. Default:
	// the embedded approved examples (see DefaultExamples). Set NoExamples
	// for zero-shot prompts.
	Examples []Example
	// NoExamples disables few-shot examples.
	NoExamples bool
	// MaxExamples is how many examples a prompt carries, those of the
	// ticket's product line first. Default 2.
	MaxExamples int
	// ToneGuide is a few knowledge-base articles whose tone summaries
	// should match. Default none.
	ToneGuide []Article
	// ToneGuideMaxTokens caps the estimated tokens of the tone guide; the
	// articles past the cap are dropped and the last one cut. Default 1500.
	ToneGuideMaxTokens int
	// CharsPerToken is the token estimate: tokens = characters (runes) /
	// CharsPerToken, rounded up. Default 4, right for English with most
	// tokenizers; lower it (e.g. 2) for CJK-heavy tickets.
	CharsPerToken float64
	// MaxWords is the word limit of a summary. Default
	// ticketsum.MaxSummaryWords (60).
	MaxWords int
	// ChunkWords is the word limit of a partial summary of one chunk.
	// Default 80.
	ChunkWords int
	// PII finds personal data in an answer. Default DefaultPII (emails and
	// phone numbers); the lead plugs the guard package in here.
	PII PIIChecker
	// Render turns a message body into prompt text before it is escaped.
	// Default thread.Clean: HTML to text, quoted replies and signatures
	// removed, pasted logs and stack traces collapsed. CleanBody only
	// normalises whitespace.
	Render func(body string) string
}

// Template is one version of the summary prompt, ready to render tickets.
// It is safe for concurrent use.
type Template struct {
	cfg  Config
	tmpl *template.Template
}

func (c *Config) fill() {
	if c.Version == "" && c.Path != "" && strings.HasSuffix(c.Path, ".tmpl") {
		c.Version = strings.TrimSuffix(filepath.Base(c.Path), ".tmpl")
	}
	if c.Version == "" {
		c.Version = DefaultVersion
	}
	if c.Examples == nil && !c.NoExamples {
		c.Examples = DefaultExamples()
	}
	if c.NoExamples {
		c.Examples = nil
	}
	if c.MaxExamples == 0 {
		c.MaxExamples = 2
	}
	if c.ToneGuideMaxTokens == 0 {
		c.ToneGuideMaxTokens = 1500
	}
	if c.CharsPerToken == 0 {
		c.CharsPerToken = 4
	}
	if c.MaxWords == 0 {
		c.MaxWords = ticketsum.MaxSummaryWords
	}
	if c.ChunkWords == 0 {
		c.ChunkWords = 80
	}
	if c.PII == nil {
		c.PII = DefaultPII
	}
	if c.Render == nil {
		c.Render = thread.Clean
	}
}

func (c *Config) validate() error {
	switch {
	case c.MaxExamples < 0:
		return ticketsum.Errorf(ticketsum.EINVALID, "prompt: MaxExamples is %d, want 0 or more", c.MaxExamples)
	case c.ToneGuideMaxTokens < 0:
		return ticketsum.Errorf(ticketsum.EINVALID, "prompt: ToneGuideMaxTokens is %d, want 0 or more", c.ToneGuideMaxTokens)
	case c.CharsPerToken < 0.5 || c.CharsPerToken > 20 || math.IsNaN(c.CharsPerToken):
		return ticketsum.Errorf(ticketsum.EINVALID, "prompt: CharsPerToken is %v, want between 0.5 and 20", c.CharsPerToken)
	case c.MaxWords < 5:
		return ticketsum.Errorf(ticketsum.EINVALID, "prompt: MaxWords is %d, want 5 or more", c.MaxWords)
	case c.ChunkWords < 5:
		return ticketsum.Errorf(ticketsum.EINVALID, "prompt: ChunkWords is %d, want 5 or more", c.ChunkWords)
	case strings.ContainsAny(c.Version, `/\`) || strings.HasPrefix(c.Version, "."):
		return ticketsum.Errorf(ticketsum.EINVALID, "prompt: version %q is not a plain name", c.Version)
	}
	for i, e := range c.Examples {
		if err := e.validate(); err != nil {
			return ticketsum.Errorf(ticketsum.EINVALID, "prompt: example %d: %s", i+1, err)
		}
	}
	return nil
}

// New loads the template cfg names and checks that it defines every block
// ("system", "ticket", "chunk", "combine", "repair"). It returns EINVALID
// for a bad Config or template and ENOTFOUND for an unknown version.
func New(cfg Config) (*Template, error) {
	cfg.fill()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	src, err := readSource(cfg)
	if err != nil {
		return nil, err
	}
	tmpl, err := template.New(cfg.Version).Funcs(template.FuncMap{
		"inc": func(i int) int { return i + 1 },
	}).Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "prompt: parse template %s: %w", cfg.Version, err)
	}
	for _, b := range blocks {
		if tmpl.Lookup(b) == nil {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "prompt: template %s does not define block %q (want %s)", cfg.Version, b, strings.Join(blocks, ", "))
		}
	}
	return &Template{cfg: cfg, tmpl: tmpl}, nil
}

// Default returns the embedded default template with default settings.
func Default() *Template {
	t, err := New(Config{})
	if err != nil {
		panic("prompt: embedded default template is broken: " + err.Error())
	}
	return t
}

func readSource(cfg Config) (string, error) {
	var (
		b   []byte
		err error
	)
	switch {
	case cfg.Path == "":
		b, err = fs.ReadFile(embedded, "templates/"+cfg.Version+".tmpl")
		if err != nil {
			return "", ticketsum.Errorf(ticketsum.ENOTFOUND, "prompt: no embedded template %q (have %s)", cfg.Version, strings.Join(Versions(), ", "))
		}
		return string(b), nil
	case strings.HasSuffix(cfg.Path, ".tmpl"):
		if v := strings.TrimSuffix(filepath.Base(cfg.Path), ".tmpl"); v != cfg.Version {
			return "", ticketsum.Errorf(ticketsum.EINVALID, "prompt: template file %s gives version %q but Version is %q", cfg.Path, v, cfg.Version)
		}
		b, err = os.ReadFile(cfg.Path)
	default:
		b, err = os.ReadFile(filepath.Join(cfg.Path, cfg.Version+".tmpl"))
	}
	if os.IsNotExist(err) {
		return "", ticketsum.Errorf(ticketsum.ENOTFOUND, "prompt: template %q not found under %s", cfg.Version, cfg.Path)
	}
	if err != nil {
		return "", ticketsum.Errorf(ticketsum.EINVALID, "prompt: read template %s: %w", cfg.Version, err)
	}
	return string(b), nil
}

// Versions lists the embedded template versions.
func Versions() []string {
	ents, _ := fs.ReadDir(embedded, "templates")
	var out []string
	for _, e := range ents {
		if v, ok := strings.CutSuffix(e.Name(), ".tmpl"); ok {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// Version returns the template's version, recorded on every summary.
func (t *Template) Version() string { return t.cfg.Version }

// MaxWords returns the summary word limit.
func (t *Template) MaxWords() int { return t.cfg.MaxWords }

func (t *Template) exec(block string, data any) (string, error) {
	var buf bytes.Buffer
	if err := t.tmpl.ExecuteTemplate(&buf, block, data); err != nil {
		return "", ticketsum.Errorf(ticketsum.EINVALID, "prompt: render %s/%s: %w", t.cfg.Version, block, err)
	}
	return strings.TrimSpace(buf.String()), nil
}
