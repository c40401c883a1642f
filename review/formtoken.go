package review

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// FormToken returns the CSRF token the review forms carry (made from
// Config.CSRFSecret), so that a page served by another handler, such as an
// eval run's page, can hold a form that posts to /review/tasks/new.
func (s *Service) FormToken() string {
	mac := hmac.New(sha256.New, s.cfg.CSRFSecret)
	mac.Write([]byte("ticketsum review csrf v1"))
	return hex.EncodeToString(mac.Sum(nil))
}
