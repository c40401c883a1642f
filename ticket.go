package ticketsum

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
	"unicode/utf8"
)

// Role says who wrote a message in a ticket thread.
type Role string

// The roles a message can have.
const (
	RoleCustomer Role = "customer" // the person asking for help
	RoleAgent    Role = "agent"    // a support agent replying to the customer
	RoleInternal Role = "internal" // an internal note, not seen by the customer
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	return r == RoleCustomer || r == RoleAgent || r == RoleInternal
}

// Customer is the person who opened a ticket. Both fields are personal data.
type Customer struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// Message is one entry of a ticket thread.
type Message struct {
	Role   Role      `json:"role"`
	Author string    `json:"author,omitempty"`
	At     time.Time `json:"at,omitzero"`
	Body   string    `json:"body"`
}

// Ticket is a support ticket: a thread of customer messages, agent replies
// and internal notes. References and Labels are only set on evaluation data.
type Ticket struct {
	ID          string    `json:"id"`
	Subject     string    `json:"subject,omitempty"`
	ProductLine string    `json:"product_line,omitempty"`
	Customer    Customer  `json:"customer,omitzero"`
	CreatedAt   time.Time `json:"created_at,omitzero"`
	UpdatedAt   time.Time `json:"updated_at,omitzero"`
	Messages    []Message `json:"messages"`

	// References are human-written reference summaries, for evaluation.
	References []string `json:"references,omitempty"`
	// ExpectedStatus is the labelled resolution status, for evaluation.
	ExpectedStatus Status `json:"expected_status,omitempty"`
}

// MaxIDLength is the longest ticket ID accepted.
const MaxIDLength = 256

// Validate checks the ticket's structure and returns an EINVALID error that
// names the first problem found.
func (t *Ticket) Validate() error {
	switch {
	case t.ID == "":
		return Errorf(EINVALID, "ticket has no id")
	case len(t.ID) > MaxIDLength:
		return Errorf(EINVALID, "ticket id is longer than %d bytes", MaxIDLength)
	case !utf8.ValidString(t.ID):
		return Errorf(EINVALID, "ticket id is not valid UTF-8")
	case len(t.Messages) == 0:
		return Errorf(EINVALID, "ticket %s has no messages", t.ID)
	}
	for _, s := range []string{t.Subject, t.ProductLine, t.Customer.Name, t.Customer.Email} {
		if !utf8.ValidString(s) {
			return Errorf(EINVALID, "ticket %s has a field that is not valid UTF-8", t.ID)
		}
	}
	for i, m := range t.Messages {
		if !m.Role.Valid() {
			return Errorf(EINVALID, "ticket %s message %d has unknown role %q (want customer, agent or internal)", t.ID, i+1, truncate(string(m.Role), 40))
		}
		if !utf8.ValidString(m.Body) || !utf8.ValidString(m.Author) {
			return Errorf(EINVALID, "ticket %s message %d is not valid UTF-8", t.ID, i+1)
		}
	}
	return nil
}

// ContentHash returns a stable hash of the thread: subject, product line and
// every message's role, author, time and body. A summary is current for a
// ticket while the ticket's content hash equals the summary's.
func (t *Ticket) ContentHash() string {
	h := sha256.New()
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	field(t.Subject)
	field(t.ProductLine)
	for _, m := range t.Messages {
		field(string(m.Role))
		field(m.Author)
		if m.At.IsZero() {
			field("")
		} else {
			field(m.At.UTC().Format(time.RFC3339Nano))
		}
		field(m.Body)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Size returns the approximate size of the ticket's text in bytes.
func (t *Ticket) Size() int {
	n := len(t.ID) + len(t.Subject) + len(t.ProductLine) + len(t.Customer.Name) + len(t.Customer.Email)
	for _, m := range t.Messages {
		n += len(m.Author) + len(m.Body)
	}
	return n
}

// People returns the names and emails of the ticket's known people: the
// customer and every message author. Guards use them to find personal data.
func (t *Ticket) People() []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	add(t.Customer.Name)
	add(t.Customer.Email)
	for _, m := range t.Messages {
		add(m.Author)
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
