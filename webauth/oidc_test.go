package webauth_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum/webauth"
)

func get(tb testing.TB, c *http.Client, u string, accept string) (*http.Response, string) {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func post(tb testing.TB, c *http.Client, u string, form url.Values) (*http.Response, string) {
	tb.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// TestOIDCSignInJourney: a browser asking for a page is sent to sign in,
// comes back through the provider (code flow with PKCE), lands on the page
// it asked for with the role its groups map to, and can post a form with
// its session's CSRF token and no other.
func TestOIDCSignInJourney(t *testing.T) {
	t.Parallel()
	p := mustProvider(t)
	s := mustOIDCSite(t, p, nil)
	p.signIn(map[string]any{"sub": "u-1", "email": "pm@example.com", "name": "Pat", "groups": []string{"support", "product"}})

	resp, body := get(t, s.client, s.URL+"/tickets?page=2", "text/html")
	if resp.StatusCode != http.StatusOK || body != "hello pm@example.com (pm via oidc)" {
		t.Fatalf("after sign-in: %d %q", resp.StatusCode, body)
	}
	if resp.Request.URL.RequestURI() != "/tickets?page=2" {
		t.Errorf("landed on %s, want the page asked for", resp.Request.URL.RequestURI())
	}
	sessionCookie(t, s)

	// A pm may not see governance; the refusal names the role needed.
	resp, body = get(t, s.client, s.URL+"/governance", "application/json")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, `needs \"admin\"`) || !strings.Contains(body, "auth.roles") {
		t.Errorf("pm on governance: %d %s", resp.StatusCode, body)
	}

	// CSRF: the form's token works, a missing or foreign one does not.
	_, token := get(t, s.client, s.URL+"/form", "")
	if resp, body := post(t, s.client, s.URL+"/rate", url.Values{webauth.CSRFField: {token}}); resp.StatusCode != http.StatusOK || body != "rated" {
		t.Errorf("post with the token: %d %s", resp.StatusCode, body)
	}
	if resp, _ := post(t, s.client, s.URL+"/rate", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("post without a token: %d, want 403", resp.StatusCode)
	}
	other := mustOIDCSite(t, p, nil) // another browser, another session
	p.signIn(map[string]any{"sub": "u-2", "email": "lead@example.com", "groups": []string{"product"}})
	get(t, other.client, other.URL+"/tickets", "text/html")
	_, foreign := get(t, other.client, other.URL+"/form", "")
	if resp, _ := post(t, s.client, s.URL+"/rate", url.Values{webauth.CSRFField: {foreign}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("post with another session's token: %d, want 403", resp.StatusCode)
	}
	if foreign == token {
		t.Error("two sessions got the same CSRF token")
	}

	// Logout needs the token and ends the session.
	if resp, _ := post(t, s.client, s.URL+webauth.LogoutPath, url.Values{webauth.CSRFField: {token}}); resp.StatusCode != http.StatusOK {
		t.Errorf("logout: %d", resp.StatusCode)
	}
	if resp, _ := get(t, s.client, s.URL+"/tickets", "application/json"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("after logout: %d, want 401", resp.StatusCode)
	}
}

// TestSignOutEndsCopiesOfTheCookie: a session cookie copied before its
// user signs out (stolen) is refused after, not good for the rest of its
// 12 hours.
func TestSignOutEndsCopiesOfTheCookie(t *testing.T) {
	t.Parallel()
	p := mustProvider(t)
	s := mustOIDCSite(t, p, nil)
	p.signIn(map[string]any{"sub": "u-1", "email": "pm@example.com", "groups": []string{"product"}})
	if resp, _ := get(t, s.client, s.URL+"/tickets", "text/html"); resp.StatusCode != http.StatusOK {
		t.Fatalf("after sign-in: %d", resp.StatusCode)
	}
	stolen := sessionCookie(t, s)
	thief := func() int {
		req, _ := http.NewRequest("GET", s.URL+"/tickets", nil)
		req.Header.Set("Accept", "application/json")
		req.AddCookie(&http.Cookie{Name: stolen.Name, Value: stolen.Value})
		resp, err := (&http.Client{Transport: s.client.Transport}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := thief(); code != http.StatusOK {
		t.Fatalf("copied cookie before sign-out: %d, want 200", code)
	}
	_, token := get(t, s.client, s.URL+"/form", "")
	if resp, _ := post(t, s.client, s.URL+webauth.LogoutPath, url.Values{webauth.CSRFField: {token}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if code := thief(); code != http.StatusUnauthorized {
		t.Errorf("copied cookie after sign-out: %d, want 401", code)
	}
}

// sessionCookie returns the session cookie of s's browser.
func sessionCookie(t *testing.T, s *site) *http.Cookie {
	t.Helper()
	u, _ := url.Parse(s.URL)
	for _, c := range s.client.Jar.Cookies(u) {
		if c.Name == "ticketsum_session" {
			return c
		}
	}
	t.Fatal("no session cookie")
	return nil
}

func TestSessionCookieFlags(t *testing.T) {
	t.Parallel()
	p := mustProvider(t)
	s := mustOIDCSite(t, p, nil)
	p.signIn(map[string]any{"sub": "u-1", "groups": []string{"support"}})
	noFollow := *s.client
	noFollow.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if via[len(via)-1].URL.Path == webauth.CallbackPath {
			return http.ErrUseLastResponse
		}
		return nil
	}
	resp, _ := get(t, &noFollow, s.URL+"/tickets", "text/html")
	var found bool
	for _, c := range resp.Cookies() {
		if c.Name == "ticketsum_session" {
			found = true
			if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
				t.Errorf("session cookie %+v: want Secure, HttpOnly, SameSite=Lax, Path=/", c)
			}
		}
	}
	if !found {
		t.Fatal("the callback set no session cookie")
	}
}

func TestOIDCRefusals(t *testing.T) {
	t.Parallel()
	t.Run("no role", func(t *testing.T) {
		t.Parallel()
		p := mustProvider(t)
		s := mustOIDCSite(t, p, nil)
		p.signIn(map[string]any{"sub": "u-9", "email": "guest@example.com", "groups": []string{"marketing"}})
		resp, body := get(t, s.client, s.URL+"/tickets", "application/json, text/html")
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "none of their groups maps to a role") {
			t.Errorf("unmapped groups: %d %s", resp.StatusCode, body)
		}
	})
	t.Run("wrong nonce", func(t *testing.T) {
		t.Parallel()
		p := mustProvider(t)
		p.badNonce = true
		s := mustOIDCSite(t, p, nil)
		p.signIn(map[string]any{"sub": "u-1", "groups": []string{"support"}})
		resp, body := get(t, s.client, s.URL+"/tickets", "text/html")
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "another sign-in") {
			t.Errorf("token for another sign-in: %d %s", resp.StatusCode, body)
		}
	})
	t.Run("forged state", func(t *testing.T) {
		t.Parallel()
		p := mustProvider(t)
		s := mustOIDCSite(t, p, nil)
		// A callback this browser never started (login CSRF).
		resp, body := get(t, s.client, s.URL+webauth.CallbackPath+"?code=x&state=y", "text/html")
		if resp.StatusCode != http.StatusUnauthorized || p.exchange != 0 {
			t.Errorf("callback without a login: %d %s, %d code exchanges", resp.StatusCode, body, p.exchange)
		}
	})
	t.Run("open redirect", func(t *testing.T) {
		t.Parallel()
		p := mustProvider(t)
		s := mustOIDCSite(t, p, nil)
		p.signIn(map[string]any{"sub": "u-1", "groups": []string{"support"}})
		resp, _ := get(t, s.client, s.URL+webauth.LoginPath+"?next="+url.QueryEscape("//evil.example/steal"), "text/html")
		if resp.Request.URL.Host != strings.TrimPrefix(s.URL, "https://") || resp.Request.URL.Path != "/" {
			t.Errorf("after sign-in landed on %s, want / on this site", resp.Request.URL)
		}
	})
	// Browsers drop tabs and line breaks from a URL before reading it
	// (WHATWG URL), so "/<TAB>/evil.example" is "//evil.example" to them:
	// another site. The redirect after sign-in must not be one.
	for _, next := range []string{"/\t/evil.example/steal", "/\t\\evil.example", "/\r/evil.example", "/\x00/evil.example", "/\x7f/evil.example"} {
		t.Run(fmt.Sprintf("open redirect %q", next), func(t *testing.T) {
			t.Parallel()
			p := mustProvider(t)
			s := mustOIDCSite(t, p, nil)
			rec := &locations{RoundTripper: s.client.Transport}
			s.client.Transport = rec
			p.signIn(map[string]any{"sub": "u-1", "groups": []string{"support"}})
			s.client.Get(s.URL + webauth.LoginPath + "?next=" + url.QueryEscape(next)) // may fail on the Location
			loc, ok := rec.after(webauth.CallbackPath)
			if !ok {
				t.Fatal("the sign-in never reached the callback")
			}
			seen := strings.Map(func(r rune) rune { // what a browser reads
				if r == '\t' || r == '\n' || r == '\r' {
					return -1
				}
				return r
			}, loc)
			seen = strings.TrimLeft(seen, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x7f ")
			if !strings.HasPrefix(seen, "/") || strings.HasPrefix(seen, "//") || strings.HasPrefix(seen, "/\\") || strings.ContainsFunc(loc, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
				t.Errorf("after sign-in with next=%q the site redirects to %q, which a browser reads as %q: another site", next, loc, seen)
			}
		})
	}
}

// locations records the Location header of each response, by the path
// of the request it answered.
type locations struct {
	http.RoundTripper
	mu  sync.Mutex
	loc map[string]string
}

func (l *locations) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.RoundTripper.RoundTrip(r)
	if err == nil {
		l.mu.Lock()
		if l.loc == nil {
			l.loc = map[string]string{}
		}
		l.loc[r.URL.Path] = resp.Header.Get("Location")
		l.mu.Unlock()
	}
	return resp, err
}

func (l *locations) after(path string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	loc, ok := l.loc[path]
	return loc, ok
}

func TestSessionExpiresAndResistsTampering(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Now()}
	p := mustProvider(t)
	s := mustOIDCSite(t, p, clock)
	p.signIn(map[string]any{"sub": "u-1", "groups": []string{"support"}})
	if resp, _ := get(t, s.client, s.URL+"/tickets", "text/html"); resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	u, _ := url.Parse(s.URL)
	cookies := s.client.Jar.Cookies(u)
	for _, c := range cookies {
		if c.Name != "ticketsum_session" {
			continue
		}
		// Flip a character: the cookie no longer opens.
		b := []byte(c.Value)
		b[len(b)/2] ^= 1
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/tickets", nil)
		req.AddCookie(&http.Cookie{Name: c.Name, Value: string(b)})
		resp, err := (&http.Client{Transport: s.client.Transport}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("tampered cookie: %d, want 401", resp.StatusCode)
		}
	}
	clock.advance(13 * time.Hour)
	if resp, _ := get(t, s.client, s.URL+"/tickets", "application/json"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("after the session's 12 hours: %d, want 401", resp.StatusCode)
	}
}
