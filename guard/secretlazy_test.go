package guard

import (
	"regexp"
	"testing"
)

// TestSecretRulesCompile compiles every secret rule's expression and every
// allowlist's, which the rules compile only on first use, and checks each
// against regexp.Compile of its source: a rule whose expression would not
// compile would otherwise only show when its keyword first occurs.
func TestSecretRulesCompile(t *testing.T) {
	set, err := compiledSecretRules()
	if err != nil {
		t.Fatal(err)
	}
	all := append([]*lazyRE(nil), set.global.res...)
	for _, r := range set.rules {
		all = append(all, r.re)
		for _, a := range r.allow {
			all = append(all, a.res...)
		}
	}
	if len(all) < 80 {
		t.Fatalf("%d expressions, want the 72 rules' and their allowlists'", len(all))
	}
	for _, l := range all {
		re, err := l.re()
		if err != nil {
			t.Errorf("%s: %v", l.src, err)
			continue
		}
		want := regexp.MustCompile(l.src)
		if re.String() != l.src || re.String() != want.String() || re.NumSubexp() != want.NumSubexp() {
			t.Errorf("compiled %q, want %q", re, want)
		}
	}
}

// TestLazyREBadExpression: an expression that does not parse is an error
// when the rules load, with regexp's message, not a rule that never
// matches.
func TestLazyREBadExpression(t *testing.T) {
	for _, src := range []string{`a(`, `[z-a]`, `x{2000}{2000}`, `(?P<n>a`} {
		_, want := regexp.Compile(src)
		l, err := newLazyRE(src)
		if want == nil || err == nil || err.Error() != want.Error() || l != nil {
			t.Errorf("newLazyRE(%q) = %v, %v; want regexp's error %v", src, l, err, want)
		}
	}
	if l, err := newLazyRE(`a+b`); err != nil || !l.MatchString("xaab") || l.MatchString("ba") {
		t.Errorf("newLazyRE(a+b) = %v, %v", l, err)
	}
}
