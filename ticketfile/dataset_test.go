package ticketfile_test

import (
	"io"
	"os"
	"testing"

	"github.com/ticketsum/ticketsum/internal/datasets"
	"github.com/ticketsum/ticketsum/ticketfile"
)

// TestDecoderReadsSharedDatasets decodes every dialog of the evaluation
// datasets without a problem.
func TestDecoderReadsSharedDatasets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want int
	}{
		{"tweetsumm/tweetsumm_test.jsonl", 110},
		{"tweetsumm/tweetsumm_valid.jsonl", 108},
		{"dialogsum/dialogsum_test.jsonl", 500},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(datasets.Path(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			d := ticketfile.NewDecoder(f, tt.file, ticketfile.Options{})
			n := 0
			for {
				tk, err := d.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(tk.References) == 0 {
					t.Errorf("%s has no references", tk.ID)
				}
				n++
			}
			if n != tt.want {
				t.Errorf("read %d tickets, want %d", n, tt.want)
			}
		})
	}
}
