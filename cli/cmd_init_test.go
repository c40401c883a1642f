package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/access"
)

const (
	initNova  = "bedrock:amazon.nova-lite-v1:0"
	initHaiku = "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0"
)

// TestInitIsIdempotent checks that init writes the config, the private
// data directory and the store, approves and provisions, and that running
// it again changes nothing and says so.
func TestInitIsIdempotent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg, data := filepath.Join(dir, "ticketsum.yaml"), filepath.Join(dir, "data")
	args := []string{"init", "--config", cfg, "--data-dir", data, "--model", initNova, "--model", initHaiku, "--judge", initHaiku, "--eval-budget", "5", "--as", "alice"}
	r := run(t, context.Background(), "", args...)
	if r.code != exitOK {
		t.Fatalf("init: %+v", r)
	}
	for _, want := range []string{"wrote " + cfg, "created data directory " + data + " (0700)", "created store " + filepath.Join(data, "ticketsum.db"),
		"approved model " + initNova + " (by alice)", "approved model " + initHaiku + " (by alice)",
		"principal ticketsum-worker (principals.worker): $100.00/month, " + initNova,
		"principal ticketsum-eval (principals.eval): $5.00/month, any approved model",
		"principal ticketsum-judge (principals.judge): $10.00/month, " + initHaiku,
		"Next:\n  ticketsum import", "--models builtin," + initNova + "," + initHaiku + " --judge " + initHaiku} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("first init: stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	for path, mode := range map[string]os.FileMode{data: 0o700 | os.ModeDir, cfg: 0o600} {
		if st, err := os.Stat(path); err != nil || st.Mode() != mode {
			t.Errorf("%s: mode %v (%v), want %v", path, st.Mode(), err, mode)
		}
	}
	body, _ := os.ReadFile(cfg)
	for _, want := range []string{`model: "` + initNova + `"`, `data_dir: "` + data + `"`, "  eval:\n    monthly_budget_usd: 5", "  judge:\n    models: [\"" + initHaiku + "\"]"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("config lacks %q:\n%s", want, body)
		}
	}
	// Again: nothing new is written, approved or recorded.
	r = run(t, context.Background(), "", args...)
	if r.code != exitOK || !strings.Contains(r.stdout, "kept "+cfg+" (it exists)") || !strings.Contains(r.stdout, "model "+initNova+" was approved by alice on ") ||
		!strings.Contains(r.stdout, "store "+filepath.Join(data, "ticketsum.db")+" is ready") {
		t.Fatalf("second init: %+v", r)
	}
	actors := auditActors(t, filepath.Join(data, "ticketsum.db"))
	want := []string{"alice model.approve", "alice model.approve", "config principal.create", "config principal.create", "config principal.create"}
	if !slices.Equal(actors, want) {
		t.Errorf("audit trail after two inits = %q, want %q", actors, want)
	}
	// A budget flag that the existing config contradicts is refused.
	r = run(t, context.Background(), "", "init", "--config", cfg, "--worker-budget", "1")
	if r.code != exitUsage || !strings.Contains(r.stderr, "change principals.worker.monthly_budget_usd there") {
		t.Errorf("init --worker-budget against the config: %+v", r)
	}
	var models []struct {
		Name       string `json:"name"`
		ApprovedBy string `json:"approved_by"`
		Note       string `json:"note"`
	}
	r = run(t, context.Background(), "", "models", "approved", "--json", "--config", cfg)
	if r.code != exitOK || json.Unmarshal([]byte(r.stdout), &models) != nil || len(models) != 2 || models[0].Name != initNova || models[0].ApprovedBy != "alice" || models[0].Note != "ticketsum init" {
		t.Errorf("models approved --json: %+v", r)
	}
	r = run(t, context.Background(), "", "models", "approved", "--config", cfg)
	if r.code != exitOK || !strings.Contains(r.stdout, "MODEL") || !strings.Contains(r.stdout, initNova) || !strings.Contains(r.stdout, "alice") {
		t.Errorf("models approved: %+v", r)
	}
}

// TestInitRefusesUnknownModels checks that a model missing from the
// catalogue stops init before anything is written, --allow-unlisted
// included (no call to such a model could be priced), naming the catalogue
// file that prices it.
func TestInitRefusesUnknownModels(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg, data := filepath.Join(dir, "ticketsum.yaml"), filepath.Join(dir, "data")
	r := run(t, context.Background(), "", "init", "--config", cfg, "--data-dir", data, "--model", "bedrock:does-not-exist")
	if r.code != exitUsage || !strings.Contains(r.stderr, "model bedrock:does-not-exist is not in the catalogue") || !strings.Contains(r.stderr, "catalogue override file") {
		t.Fatalf("init with an unknown model: %+v", r)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a refused init left %v", entries)
	}
	const arn = "bedrock:arn:aws:bedrock:us-east-1:123456789012:custom-model/my-model"
	r = run(t, context.Background(), "", "init", "--config", cfg, "--data-dir", data, "--model", arn)
	if r.code != exitUsage || !strings.Contains(r.stderr, "add it as an alias of the base model's entry in a catalogue override file") {
		t.Fatalf("init with a custom-model ARN: %+v", r)
	}
	r = run(t, context.Background(), "", "init", "--config", cfg, "--data-dir", data, "--model", arn, "--allow-unlisted")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--allow-unlisted no longer approves") {
		t.Fatalf("init --allow-unlisted: %+v", r)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a refused init left %v", entries)
	}
	if r := run(t, context.Background(), "", "init", "--config", cfg, "--data-dir", data); r.code != exitOK {
		t.Fatalf("init: %+v", r)
	}
	// models approve refuses typos the same way.
	r = run(t, context.Background(), "", "models", "approve", "bedrock:amazon.nova-lite-v1", "--config", cfg)
	if r.code != exitUsage || !strings.Contains(r.stderr, "catalogue override file") {
		t.Errorf("models approve of an unknown model: %+v", r)
	}
}

// TestInitFreshPostgres checks init on a database that has nothing in it:
// it creates the schema, the store and governance tables, and the
// principals.
func TestInitFreshPostgres(t *testing.T) {
	t.Parallel()
	base := os.Getenv("TICKETSUM_TEST_DATABASE_URL")
	if base == "" {
		t.Skip("TICKETSUM_TEST_DATABASE_URL is not set")
	}
	db := mustScaleDatabase(t, base)
	dir := t.TempDir()
	cfg, data := filepath.Join(dir, "ticketsum.yaml"), filepath.Join(dir, "data")
	// Read-only commands create nothing on the fresh database.
	if r := run(t, context.Background(), "", "principals", "list", "--data-dir", data, "--db", db); r.code != exitFailure || !strings.Contains(r.stderr, "has no schema ticketsum") || !strings.Contains(r.stderr, "run `ticketsum init`") {
		t.Fatalf("principals list on a fresh database: %+v", r)
	}
	for range 2 {
		r := run(t, context.Background(), "", "init", "--config", cfg, "--data-dir", data, "--db", db, "--model", initNova)
		if r.code != exitOK || !strings.Contains(r.stdout, "principal ticketsum-judge") {
			t.Fatalf("init on a fresh Postgres database: %+v", r)
		}
	}
	ps := mustPrincipals(t, cfg)
	for _, name := range []string{access.PrincipalWorker, access.PrincipalEval, access.PrincipalJudge} {
		if _, ok := ps[name]; !ok {
			t.Errorf("principal %s missing: %v", name, ps)
		}
	}
	if r := run(t, context.Background(), "", "models", "approved", "--config", cfg); r.code != exitOK || !strings.Contains(r.stdout, initNova) {
		t.Errorf("models approved: %+v", r)
	}
}

// TestInitNextEval checks that the eval command init suggests evaluates
// the --model candidates and judges with --judge, instead of listing the
// judge among the candidates.
func TestInitNextEval(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := run(t, context.Background(), "", "init", "--config", filepath.Join(dir, "ticketsum.yaml"), "--data-dir", filepath.Join(dir, "data"),
		"--model", initNova, "--judge", initHaiku)
	if want := "ticketsum eval --dataset labelled.jsonl --models builtin," + initNova + " --judge " + initHaiku + "\n"; r.code != exitOK || !strings.Contains(r.stdout, want) {
		t.Fatalf("init: %+v\nwant %q", r, want)
	}
}

// TestReadOnlyCommandsCreateNothing runs every command that only reads in
// an empty directory: none may create a store, a data directory or any
// other file, and each says to run init.
func TestReadOnlyCommandsCreateNothing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"principals", "list"}, exitFailure},
		{[]string{"keys", "list"}, exitFailure},
		{[]string{"models", "approved"}, exitFailure},
		{[]string{"usage"}, exitFailure},
		{[]string{"audit", "verify"}, exitFailure},
		{[]string{"logs", "read"}, exitFailure},
		{[]string{"review", "queue"}, exitFailure},
		{[]string{"failures", "list"}, exitFailure},
		{[]string{"failures", "retry", "--all"}, exitFailure},
		{[]string{"export", "finetune", "--out", "-"}, exitFailure},
		{[]string{"export", "finetune"}, exitFailure},
		{[]string{"models"}, exitOK},
		{[]string{"models", "list", "--json"}, exitOK},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			data := filepath.Join(dir, "ticketsum-data")
			args := append(slices.Clone(tc.args), "--data-dir", data)
			r := run(t, context.Background(), "", args...)
			if r.code != tc.code || !strings.Contains(r.stderr, "no store at "+filepath.Join(data, "ticketsum.db")+": run `ticketsum init`") {
				t.Errorf("exit %d, stderr %q; want exit %d and the way to create a store", r.code, r.stderr, tc.code)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("left %v in an empty directory", entries)
			}
		})
	}
}

// TestInitCatalogueNewModel: a Bedrock model newer than the catalogue
// could not be set up with init alone (the config it writes names no
// catalogue file, and init had no way to give one), and the refusal of an
// ARN said "a catalogue override file" without the catalogue: key that
// names it. Both refusals now name the key and how to give the file, and
// init --catalogue FILE checks the models against it and writes it into
// the new config.
func TestInitCatalogueNewModel(t *testing.T) {
	t.Parallel()
	const model = "bedrock:amazon.nova-next-v1:0"
	dir := t.TempDir()
	cfg, data := filepath.Join(dir, "ticketsum.yaml"), filepath.Join(dir, "data")
	for _, m := range []string{model, "bedrock:arn:aws:bedrock:us-east-1:123456789012:custom-model/my-model"} {
		r := run(t, context.Background(), "", "init", "--config", cfg, "--data-dir", data, "--model", m)
		if r.code != exitUsage || !strings.Contains(r.stderr, "catalogue: in the config") || !strings.Contains(r.stderr, "ticketsum init --catalogue FILE") {
			t.Fatalf("init --model %s: %+v; want exit 2 naming catalogue: and init --catalogue", m, r)
		}
	}
	prices := filepath.Join(dir, "prices.yaml")
	entry := "models:\n  - name: " + model + "\n    family: nova\n    context_window: 300000\n    max_output: 5000\n" +
		"    input: 0.5\n    output: 2\n    effective: \"2026-12-01\"\n    source: \"our contract\"\n    verified: true\n"
	if err := os.WriteFile(prices, []byte(entry), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run(t, context.Background(), "", "init", "--config", cfg, "--data-dir", data, "--model", model, "--catalogue", prices); r.code != exitOK {
		t.Fatalf("init --catalogue: %+v", r)
	}
	if b, _ := os.ReadFile(cfg); !strings.Contains(string(b), "catalogue: \""+prices+"\"") {
		t.Fatalf("the new config does not name the catalogue file:\n%s", b)
	}
	if r := run(t, context.Background(), "", "models", "approved", "--json", "--config", cfg); !strings.Contains(r.stdout, model) {
		t.Fatalf("init did not approve %s: %+v", model, r)
	}
}
