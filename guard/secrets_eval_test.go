package guard

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

var updateSecrets = flag.Bool("update-secrets", false, "regenerate testdata/secrets.jsonl")

const secretSetPath = "testdata/secrets.jsonl"

// secretTypes are the entity types a secret is reported as.
var secretTypes = map[EntityType]bool{AWSAccessKey: true, AWSSecretKey: true, Credential: true, Password: true}

func loadSecretSet(tb testing.TB) []secretCase {
	tb.Helper()
	f, err := os.Open(secretSetPath)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var cases []secretCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var c secretCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			tb.Fatal(err)
		}
		cases = append(cases, c)
	}
	return cases
}

// kindScore counts, for one kind, gold spans found and predictions right.
type kindScore struct{ gold, found, pred, right, cases int }

// scoreSecrets matches predictions of the secret types against the gold
// spans: a gold span is found when predictions cover at least half of its
// non-space bytes; a prediction is right when gold spans cover at least half
// of its. A wrong prediction counts against the kind of its case (the
// secret kind, or the look-alike's).
func scoreSecrets(g *Guard, cases []secretCase, show bool) map[string]*kindScore {
	out := map[string]*kindScore{}
	get := func(k string) *kindScore {
		if out[k] == nil {
			out[k] = &kindScore{}
		}
		return out[k]
	}
	for _, c := range cases {
		get(c.Kind).cases++
		var pred [][2]int
		var types []string
		for _, f := range g.Detect(nil, c.Text) {
			if secretTypes[EntityType(f.Type)] {
				pred = append(pred, [2]int{f.Start, f.End})
				types = append(types, f.Type)
			}
		}
		var gold [][2]int
		for _, s := range c.Spans {
			gold = append(gold, [2]int{s.Start, s.End})
			k := get(s.Kind)
			k.gold++
			if coveredShare(c.Text, s.Start, s.End, pred) >= 0.5 {
				k.found++
			} else if show {
				fmt.Printf("MISS %s %s %q\n", c.ID, s.Kind, c.Text[s.Start:s.End])
			}
		}
		for i, p := range pred {
			kind := c.Kind
			for _, s := range c.Spans {
				if p[0] < s.End && s.Start < p[1] {
					kind = s.Kind
				}
			}
			k := get(kind)
			k.pred++
			if coveredShare(c.Text, p[0], p[1], gold) >= 0.5 {
				k.right++
			} else if show {
				fmt.Printf("FALSE %s %s %s %q\n", c.ID, c.Kind, types[i], c.Text[p[0]:p[1]])
			}
		}
	}
	return out
}

func formatSecretScores(m map[string]*kindScore) string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "%-14s %5s %5s %6s %5s %6s\n", "kind", "cases", "gold", "recall", "pred", "prec.")
	var all kindScore
	for _, k := range keys {
		s := m[k]
		rec, prec := "-", "-"
		if s.gold > 0 {
			rec = fmt.Sprintf("%.3f", float64(s.found)/float64(s.gold))
		}
		if s.pred > 0 {
			prec = fmt.Sprintf("%.3f", float64(s.right)/float64(s.pred))
		}
		fmt.Fprintf(&b, "%-14s %5d %5d %6s %5d %6s\n", k, s.cases, s.gold, rec, s.pred, prec)
		all.cases += s.cases
		all.gold += s.gold
		all.found += s.found
		all.pred += s.pred
		all.right += s.right
	}
	fmt.Fprintf(&b, "%-14s %5d %5d %6.3f %5d %6.3f\n", "all", all.cases, all.gold, float64(all.found)/float64(all.gold), all.pred, float64(all.right)/float64(all.pred))
	return b.String()
}

// TestSecretSet checks the labelled secrets set: generated deterministically
// (the file must match the generator), then scored per kind. The floors are
// the figures reached, rounded down: a regression fails the test.
func TestSecretSet(t *testing.T) {
	t.Parallel()
	want := marshalSecretSet(secretCases(20261202))
	if *updateSecrets {
		if err := os.WriteFile(secretSetPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(secretSetPath)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("%s differs from its generator (run go test -run TestSecretSet -update-secrets)", secretSetPath)
	}
	cases := loadSecretSet(t)
	if len(cases) < 200 {
		t.Fatalf("only %d cases", len(cases))
	}
	g := MustGuard(t, Config{})
	scores := scoreSecrets(g, cases, testing.Verbose())
	t.Log("\n" + formatSecretScores(scores))
	// the same templates with values never looked at while tuning
	held := scoreSecrets(g, secretCases(2), false)
	t.Log("\nheld-out values (seed 2)\n" + formatSecretScores(held))
	for name, m := range map[string]map[string]*kindScore{"set": scores, "held-out": held} {
		var all kindScore
		for kind, s := range m {
			all.gold += s.gold
			all.found += s.found
			all.pred += s.pred
			all.right += s.right
			if s.gold > 0 && float64(s.found) < 0.85*float64(s.gold) {
				t.Errorf("%s: %s recall %d/%d is below 0.85", name, kind, s.found, s.gold)
			}
			if s.gold == 0 && s.pred > 0 {
				t.Errorf("%s: %d false positives on %s look-alikes", name, s.pred, kind)
			}
		}
		if float64(all.found) < 0.97*float64(all.gold) || float64(all.right) < 0.97*float64(all.pred) {
			t.Errorf("%s: recall %d/%d or precision %d/%d is below 0.97", name, all.found, all.gold, all.right, all.pred)
		}
	}
}

// TestGitleaksRulesLoad checks that the embedded rule file parses and every
// rule compiles (detectSecrets relies on it), and that the adaptation of the
// token ending to prose touched the rules that end with it.
func TestGitleaksRulesLoad(t *testing.T) {
	t.Parallel()
	set, err := compiledSecretRules()
	if err != nil {
		t.Fatal(err)
	}
	if len(set.rules) < 70 {
		t.Errorf("%d rules, want the 72 of gitleaks.toml", len(set.rules))
	}
	adapted := 0
	for _, r := range set.rules {
		if strings.Contains(r.re.String(), proseEnd) {
			adapted++
		}
		if strings.Contains(r.re.String(), codeEnd) {
			t.Errorf("rule %s still ends with gitleaks' code ending", r.id)
		}
	}
	if adapted < 30 {
		t.Errorf("only %d rules end with the prose ending", adapted)
	}
	if len(set.always) != 0 {
		t.Errorf("rules that run on every candidate: %v, want none (database-password has implied keywords)", set.always)
	}
}
