package guard

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/internal/datasets"
)

var showMisses = flag.String("misses", "", "print missed and spurious spans of this entity type in TestPresidioSynth")

// presidioName is the Presidio synthetic set's file in the shared datasets
// directory (internal/datasets finds it from any checkout depth).
const presidioName = "pii-presidio-synth/presidio_synth_v2.jsonl"

type goldSpan struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Type  string `json:"type"`
}

type goldDoc struct {
	ID    string     `json:"id"`
	Text  string     `json:"text"`
	Spans []goldSpan `json:"spans"`
}

// presidioToBedrock maps presidio's entity names to ours, for recall.
var presidioToBedrock = map[string]EntityType{
	"PERSON": Name, "EMAIL_ADDRESS": Email, "PHONE_NUMBER": Phone, "CREDIT_CARD": CardNumber,
	"IBAN_CODE": IBAN, "US_SSN": USSSN, "IP_ADDRESS": IPAddress, "STREET_ADDRESS": Address,
	"AGE": Age, "US_DRIVER_LICENSE": DriverID,
}

// acceptable lists, for precision, the presidio types a prediction of our
// type may overlap and still be right: an address also covers the city
// (GPE) and postcode; a URL covers a domain name.
var acceptable = map[EntityType][]string{
	Address: {"STREET_ADDRESS", "ZIP_CODE", "GPE"},
	URL:     {"DOMAIN_NAME"},
}

// presidioFile is the dataset's path: TICKETSUM_PRESIDIO when set, else
// presidioName in the shared datasets directory; "" when neither is there.
func presidioFile() string {
	if p := os.Getenv("TICKETSUM_PRESIDIO"); p != "" {
		return p
	}
	if d := datasets.Dir(); d != "" {
		return filepath.Join(d, presidioName)
	}
	return ""
}

// loadPresidio reads the Presidio set; it skips tb, saying what is missing
// and how to supply it, when the dataset is not found.
func loadPresidio(tb testing.TB) []goldDoc {
	tb.Helper()
	p := presidioFile()
	if os.Getenv("TICKETSUM_PRESIDIO") == "" {
		p = datasets.Path(tb, presidioName)
	}
	f, err := os.Open(p)
	if err != nil {
		tb.Skipf("presidio dataset not read (%v): set TICKETSUM_PRESIDIO to the file or %s to the datasets directory", err, datasets.Env)
	}
	defer f.Close()
	var docs []goldDoc
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var d goldDoc
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			tb.Fatalf("parse dataset: %v", err)
		}
		docs = append(docs, d)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return docs
}

// prf counts matches for one entity type.
type prf struct{ goldFound, gold, predOK, pred int }

func (c prf) recall() float64 {
	if c.gold == 0 {
		return 1
	}
	return float64(c.goldFound) / float64(c.gold)
}

func (c prf) precision() float64 {
	if c.pred == 0 {
		return 1
	}
	return float64(c.predOK) / float64(c.pred)
}

// coveredShare returns the share of the non-space bytes of text[s:e] that
// lie inside any of the ranges.
func coveredShare(text string, s, e int, ranges [][2]int) float64 {
	total, in := 0, 0
	for i := s; i < e; i++ {
		if c := text[i]; c == ' ' || c == '\n' || c == '\t' || c == ',' {
			continue
		}
		total++
		for _, r := range ranges {
			if i >= r[0] && i < r[1] {
				in++
				break
			}
		}
	}
	if total == 0 {
		return 0
	}
	return float64(in) / float64(total)
}

// scorePresidio runs the detector over the documents whose numeric id has
// the given parity and counts, per entity type: a gold span is found when
// predictions of its type cover at least half of its (non-space) bytes; a
// prediction is right when acceptable gold spans cover at least half of it.
func scorePresidio(g *Guard, docs []goldDoc, parity int, misses string) map[EntityType]*prf {
	out := map[EntityType]*prf{}
	get := func(t EntityType) *prf {
		if out[t] == nil {
			out[t] = &prf{}
		}
		return out[t]
	}
	for i, d := range docs {
		if parity >= 0 && i%2 != parity {
			continue
		}
		found := g.Detect(nil, d.Text)
		pred := map[EntityType][][2]int{}
		for _, f := range found {
			pred[EntityType(f.Type)] = append(pred[EntityType(f.Type)], [2]int{f.Start, f.End})
		}
		goldBy := map[string][][2]int{}
		for _, s := range d.Spans {
			goldBy[s.Type] = append(goldBy[s.Type], [2]int{s.Start, s.End})
			t, ok := presidioToBedrock[s.Type]
			if !ok {
				continue
			}
			c := get(t)
			c.gold++
			if coveredShare(d.Text, s.Start, s.End, pred[t]) >= 0.5 {
				c.goldFound++
			} else if string(t) == misses {
				fmt.Printf("MISS %s %q in %q\n", d.ID, d.Text[s.Start:s.End], d.Text)
			}
		}
		for _, f := range found {
			t := EntityType(f.Type)
			var ok [][2]int
			for pt, bt := range presidioToBedrock {
				if bt == t {
					ok = append(ok, goldBy[pt]...)
				}
			}
			for _, pt := range acceptable[t] {
				ok = append(ok, goldBy[pt]...)
			}
			c := get(t)
			c.pred++
			if coveredShare(d.Text, f.Start, f.End, ok) >= 0.5 {
				c.predOK++
			} else if string(t) == misses {
				fmt.Printf("SPURIOUS %s %q in %q\n", d.ID, d.Text[f.Start:f.End], d.Text)
			}
		}
	}
	return out
}

func formatScores(title string, m map[EntityType]*prf) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%-34s %6s %6s %9s %6s\n", title, "type", "gold", "recall", "predicted", "prec.")
	var keys []string
	for t := range m {
		keys = append(keys, string(t))
	}
	sort.Strings(keys)
	for _, k := range keys {
		c := m[EntityType(k)]
		fmt.Fprintf(&b, "%-34s %6d %6.3f %9d %6.3f\n", k, c.gold, c.recall(), c.pred, c.precision())
	}
	return b.String()
}

// recallFloors are the recall figures the detectors reach on the held-out
// half (odd ids), rounded down; a regression below them fails the test.
var recallFloors = map[EntityType]float64{
	Email: 0.95, Phone: 0.95, CardNumber: 0.95, IBAN: 0.95, USSSN: 0.95, IPAddress: 0.95,
	Name: 0.85, Address: 0.85, Age: 0.95,
}

func TestPresidioSynth(t *testing.T) {
	t.Parallel()
	docs := loadPresidio(t)
	g, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	tune := scorePresidio(g, docs, 0, *showMisses)
	held := scorePresidio(g, docs, 1, "")
	t.Log("\n" + formatScores("tuning half (even ids)", tune))
	t.Log("\n" + formatScores("held-out half (odd ids)", held))
	for typ, floor := range recallFloors {
		c := held[typ]
		if c == nil || c.gold == 0 {
			t.Errorf("%s: no gold spans in the held-out half", typ)
			continue
		}
		if c.recall() < floor {
			t.Errorf("%s: held-out recall %.3f is below the floor %.2f", typ, c.recall(), floor)
		}
	}
}
