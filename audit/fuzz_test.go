package audit_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ticketsum/ticketsum/audit"
)

// FuzzReader feeds arbitrary bytes to the log reader as a segment: it must
// return an error or records, never panic.
func FuzzReader(f *testing.F) {
	w := MustLocalWrapper(f)
	seedDir := f.TempDir()
	sink, _ := audit.NewFileSink(audit.FileSinkConfig{Dir: seedDir, Wrapper: w})
	sink.Write(context.Background(), &audit.InvocationRecord{RequestID: "r1", Outcome: "success"})
	sink.Close(context.Background())
	names, _ := audit.DirSource{Dir: seedDir}.List(context.Background())
	good, _ := os.ReadFile(filepath.Join(seedDir, names[0]))
	f.Add(good)
	f.Add([]byte("{}\n"))
	f.Add([]byte(`{"format":"ticketsum-invocation-log","version":1,"alg":"AES-256-GCM","wrapper":"local","keyId":"x","wrappedKey":"AAAA"}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "invocations-x.jsonl.enc"), data, 0o600); err != nil {
			t.Fatal(err)
		}
		r, _ := audit.NewReader(audit.DirSource{Dir: dir}, w)
		_ = r.Read(context.Background(), audit.Filter{}, func(*audit.InvocationRecord) error { return nil })
	})
}
