package access_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
)

// FuzzAuthenticate checks that any string is refused with EUNAUTHORIZED,
// never a panic, and that no refusal echoes a secret.
func FuzzAuthenticate(f *testing.F) {
	svc, _, _ := MustService(f)
	ctx := context.Background()
	svc.CreatePrincipal(ctx, "admin", &access.Principal{Name: "team-a"})
	raw, _, _ := svc.CreateKey(ctx, "admin", "team-a", 0)
	for _, s := range []string{"", "tks_", "tks_aaaaaaaa_", raw[:len(raw)-1] + "A", "tks_" + raw[4:12] + "_" + raw[13:] + "x", "Bearer " + raw, "tks_\x00\xff_abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		p, err := svc.Authenticate(ctx, key)
		if err == nil {
			if strings.TrimSpace(key) != raw || p.Name != "team-a" {
				t.Fatalf("Authenticate(%q) accepted a key that is not the real one", key)
			}
			return
		}
		if ticketsum.ErrorCodeOf(err) != ticketsum.EUNAUTHORIZED {
			t.Fatalf("Authenticate(%q) = %v, want unauthorized", key, err)
		}
		if len(raw) > 13 && strings.Contains(err.Error(), raw[13:]) {
			t.Fatalf("refusal echoes the secret")
		}
	})
}
