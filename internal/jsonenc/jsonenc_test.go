package jsonenc

import (
	"encoding/json"
	"testing"
)

// FuzzAppendString checks that AppendString writes what json.Marshal
// writes, for any string.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `"q" \ b`, "<a>&", "\t\n\r\b\f\x00\x1f\x7f", "é€😀", "\xff\xfe", "\u2028\u2029", "a\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Fatalf("AppendString(%q) = %s, want %s", s, got[1:], want)
		}
	})
}
