package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"
)

// TestSealWritesTheLineJSONWould checks that seal's hand-written line is
// byte for byte what json.Marshal makes of a sealedLine, and opens again.
func TestSealWritesTheLineJSONWould(t *testing.T) {
	w, err := NewLocalKeyWrapper(t.TempDir() + "/log.key")
	if err != nil {
		t.Fatal(err)
	}
	seg, err := newSegmentWriter(context.Background(), w, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	file := seg.header()
	for i, pt := range []string{"", `{"requestId":"r1"}`, string(bytes.Repeat([]byte("é\"<x>"), 3000))} {
		line, err := seg.seal([]byte(pt))
		if err != nil {
			t.Fatal(err)
		}
		var sl sealedLine
		if err := json.Unmarshal(line, &sl); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		want, _ := json.Marshal(sl)
		if !bytes.Equal(line, append(want, '\n')) {
			t.Errorf("record %d: line %q, want %q", i, line, want)
		}
		file = append(file, line...)
	}
	var got []string
	err = openSegment(context.Background(), bytes.NewReader(file), map[string]KeyWrapper{w.Name(): w}, func(pt []byte) error {
		got = append(got, string(pt))
		return nil
	})
	if err != nil || len(got) != 3 || got[1] != `{"requestId":"r1"}` {
		t.Errorf("opened %d records (%v), want the 3 sealed", len(got), err)
	}
}
