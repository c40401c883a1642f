package eval

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/ticketsum/ticketsum"
)

// Run is one stored evaluation run: what ran on which data, and its
// per-configuration metrics (without per-item results).
type Run struct {
	ID             string            `json:"id"`
	StartedAt      time.Time         `json:"started_at"`
	Dataset        DatasetInfo       `json:"dataset"`
	Models         []string          `json:"models"`
	PromptVersions []string          `json:"prompt_versions"`
	Judge          string            `json:"judge,omitempty"`
	Bars           []Bar             `json:"bars,omitempty"`
	Config         map[string]string `json:"config,omitempty"`
	Configurations []CellMetrics     `json:"configurations"`
	Cheapest       string            `json:"cheapest_passing,omitempty"`
}

// NewRun turns a report into a storable run; config records the settings
// that shaped it (concurrency, cache, flags...).
func NewRun(rep *Report, config map[string]string) *Run {
	run := &Run{
		StartedAt: rep.StartedAt, Dataset: rep.Dataset, Judge: rep.Judge, Bars: rep.Bars,
		Config: config, Cheapest: rep.Cheapest,
	}
	seenM, seenP := map[string]bool{}, map[string]bool{}
	for _, m := range rep.Configurations {
		m.RougeLDist = nil
		run.Configurations = append(run.Configurations, m)
		if !seenM[m.Model] {
			seenM[m.Model] = true
			run.Models = append(run.Models, m.Model)
		}
		if !seenP[m.PromptVersion] {
			seenP[m.PromptVersion] = true
			run.PromptVersions = append(run.PromptVersions, m.PromptVersion)
		}
	}
	h := sha256.Sum256([]byte(rep.StartedAt.Format(time.RFC3339Nano) + rep.Dataset.Hash))
	run.ID = rep.StartedAt.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(h[:4])
	return run
}

// RunStore keeps evaluation runs over time.
type RunStore interface {
	// SaveRun appends a run. It returns EUNAVAILABLE when the store cannot
	// be written.
	SaveRun(ctx context.Context, run *Run) error
	// ListRuns returns every run, oldest first. It returns EINVALID for a
	// corrupt store and EUNAVAILABLE when it cannot be read.
	ListRuns(ctx context.Context) ([]*Run, error)
}

// JSONLStore is a RunStore in a JSON Lines file, one run per line, appended
// to. It is safe for concurrent use within one process.
type JSONLStore struct {
	Path string
	mu   sync.Mutex
}

var _ RunStore = (*JSONLStore)(nil)

// NewJSONLStore returns a store in the file at path (created on first save).
func NewJSONLStore(path string) (*JSONLStore, error) {
	if path == "" {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "eval: run history needs a file path")
	}
	return &JSONLStore{Path: path}, nil
}

// SaveRun appends run as one line.
func (s *JSONLStore) SaveRun(ctx context.Context, run *Run) error {
	b, err := json.Marshal(run)
	if err != nil {
		return ticketsum.Errorf(ticketsum.EINTERNAL, "eval: encode run: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.OpenFile(s.Path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "eval: open run history: %w", err)
	}
	_, werr := f.Write(append(b, '\n'))
	cerr := f.Close()
	if werr != nil || cerr != nil {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "eval: write run history %s: %v %v", s.Path, werr, cerr)
	}
	return nil
}

// ListRuns reads every run; a missing file is an empty history.
func (s *JSONLStore) ListRuns(ctx context.Context) ([]*Run, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.Open(s.Path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "eval: open run history: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var runs []*Run
	for line := 1; sc.Scan(); line++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var r Run
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "eval: run history %s line %d is not a run: %w", s.Path, line, err)
		}
		runs = append(runs, &r)
	}
	if err := sc.Err(); err != nil {
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "eval: read run history: %w", err)
	}
	return runs, nil
}

// WriteHistory writes scores over time: one row per configuration of each
// run, oldest first, so that drift shows as a column going down. Errors
// have their own column, so that an outage never reads as a quality drop,
// and the human column shows blind ratings where the run has any.
func WriteHistory(w io.Writer, runs []*Run) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "run\tdate\tdataset\tconfiguration\tR-L\tformat%\tPII\tstatus%\thalluc%\ttoxic%\t$/ticket\terrors\thuman\tverdict")
	for _, r := range runs {
		for _, m := range r.Configurations {
			verdict := m.Verdict
			if len(m.External) > 0 {
				verdict = externalScores(m.External)
			} else if verdict == "" { // runs stored before verdicts
				verdict = "-"
				if len(r.Bars) > 0 {
					verdict = map[bool]string{true: "pass", false: "fail"}[m.PassesBars]
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s@%.8s\t%s\t%s\t%.1f\t%d\t%s\t%.1f\t%.1f\t%.5f\t%d/%d\t%s\t%s\n",
				r.ID, r.StartedAt.UTC().Format("2006-01-02 15:04"), r.Dataset.Name, r.Dataset.Hash, m.Name,
				fmtOpt(m.RougeL, "%.1f"), m.FormatCompliance, m.PIILeaks, fmtOpt(m.StatusAccuracy, "%.1f"),
				m.HallucinationRate, m.ToxicityRate, m.CostPerTicketUSD, m.Errors, m.Tickets, m.Human, verdict)
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write eval history: %w", err)
	}
	return nil
}

// externalScores renders imported scores as "Correctness 0.91, Faithfulness
// 0.88", metric names without their "Builtin." prefix, sorted.
func externalScores(ext map[string]float64) string {
	var parts []string
	for k, v := range ext {
		parts = append(parts, fmt.Sprintf("%s %.2f", strings.TrimPrefix(k, "Builtin."), v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
