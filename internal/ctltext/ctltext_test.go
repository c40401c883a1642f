package ctltext

import "testing"

func TestStrip(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"plain text\twith tab\nand lines", "plain text\twith tab\nand lines"},
		{"red \x1b[31mtext\x1b[0m", "red text"},
		{"title \x1b]0;pwned\x07done", "title done"},
		{"bell\x07 and \x00nul and \u0085c1", "bell and nul and c1"},
		{"reads \u202ebackwards\u202c", "reads backwards"},
		{"isolate \u2066x\u2069 mark \u200ex\u200f", "isolate x mark x"},
		// Invisible characters inside a name or an address hide it from
		// the detectors while a screen shows it whole.
		{"M\u200baria Gonz\u200calez", "Maria Gonzalez"},
		{"ana\u200d.lima@exa\u00admple.com", "ana.lima@example.com"},
		{"4111\u20601111\ufeff1111\u180e1111", "4111111111111111"},
		{"caf\u00e9 \u00fcber \u4e2d\u6587", "caf\u00e9 \u00fcber \u4e2d\u6587"},
	} {
		if got := Strip(c.in); got != c.want {
			t.Errorf("Strip(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
