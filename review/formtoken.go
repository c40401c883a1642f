package review

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
)

// FormToken returns the CSRF token the review forms carry for r (the
// signed-in person's, with Config.CSRF; else made from
// Config.CSRFSecret), so that a page served by another handler, such as an
// eval run's page, can hold a form that posts to /review/tasks/new.
func (s *Service) FormToken(w http.ResponseWriter, r *http.Request) string {
	if s.cfg.CSRF != nil {
		return s.cfg.CSRF.Token(w, r)
	}
	return s.staticToken()
}

// staticToken is the per-server token of forms without sign-in.
func (s *Service) staticToken() string {
	mac := hmac.New(sha256.New, s.cfg.CSRFSecret)
	mac.Write([]byte("ticketsum review csrf v1"))
	return hex.EncodeToString(mac.Sum(nil))
}
