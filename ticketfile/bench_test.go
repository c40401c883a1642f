package ticketfile_test

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/ticketfile"
)

// benchInput returns n tickets of about size bytes each, as JSON Lines or
// as pretty-printed objects one after another.
func benchInput(b *testing.B, n, size int, pretty bool) string {
	b.Helper()
	body := strings.Repeat("2026-11-24T03:00:00Z \x1b[31mERROR\x1b[0m sync-worker upstream timeout after 30000ms\n", size/80+1)
	var sb strings.Builder
	for i := range n {
		t := map[string]any{"id": fmt.Sprintf("T-%d", i), "created_at": "2026-11-25 10:00:00",
			"messages": []map[string]string{{"role": "customer", "body": body}, {"role": "Agent", "body": "Please restart it."}}}
		var out []byte
		var err error
		if pretty {
			out, err = json.MarshalIndent(t, "", "  ")
		} else {
			out, err = json.Marshal(t)
		}
		if err != nil {
			b.Fatal(err)
		}
		sb.Write(out)
		sb.WriteByte('\n')
	}
	return sb.String()
}

func BenchmarkDecode(b *testing.B) {
	for _, bc := range []struct {
		name    string
		n, size int
		pretty  bool
	}{
		{"jsonl-2KB", 500, 2 << 10, false},
		{"jsonl-300KB", 4, 300 << 10, false},
		{"pretty-2KB", 500, 2 << 10, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			in := benchInput(b, bc.n, bc.size, bc.pretty)
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				d := ticketfile.NewDecoder(strings.NewReader(in), "bench", ticketfile.Options{})
				for {
					if _, err := d.Next(); err == io.EOF {
						break
					} else if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
