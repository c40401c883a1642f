package webauth

import (
	"context"
	"slices"

	"github.com/ticketsum/ticketsum"
)

// Role is what a signed-in person may do. Each role includes the ones
// below it: admin includes pm, pm includes reviewer.
type Role string

// Roles, lowest first.
const (
	RoleReviewer Role = "reviewer" // reads tickets and summaries, works the review queue
	RolePM       Role = "pm"       // also rates summaries blind and starts rating runs
	RoleAdmin    Role = "admin"    // also governance, usage, logs and administration
)

var roleOrder = []Role{RoleReviewer, RolePM, RoleAdmin}

// ParseRole returns the role named s, or EINVALID.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !slices.Contains(roleOrder, r) {
		return "", ticketsum.Errorf(ticketsum.EINVALID, "unknown role %q (want reviewer, pm or admin)", s)
	}
	return r, nil
}

// Includes reports whether r grants what need grants.
func (r Role) Includes(need Role) bool {
	return slices.Index(roleOrder, r) >= slices.Index(roleOrder, need) && slices.Contains(roleOrder, need)
}

// highest returns the highest of roles, "" when there is none.
func highest(roles []Role) Role {
	best := Role("")
	for _, r := range roles {
		if slices.Index(roleOrder, r) > slices.Index(roleOrder, best) {
			best = r
		}
	}
	return best
}

// User is the person (or API client) behind a request.
type User struct {
	// Subject identifies the user at their identity provider ("sub"), or
	// the API key's principal.
	Subject string `json:"sub"`
	// Email and Name are what the provider says, for display and for the
	// audit trail's actor. Either may be empty.
	Email string `json:"email,omitempty"`
	Name  string `json:"name,omitempty"`
	// Role is the highest role the user's groups map to.
	Role Role `json:"role"`
	// Via says how the user was identified: "oidc", "proxy", "alb",
	// "loopback" or "bearer".
	Via string `json:"via"`
}

// Actor returns how the user is named in the audit trail: the email, or
// the subject when there is none.
func (u *User) Actor() string {
	if u.Email != "" {
		return u.Email
	}
	return u.Subject
}

// Can reports whether the user has role need.
func (u *User) Can(need Role) bool { return u != nil && u.Role.Includes(need) }

type userKey struct{}

// WithUser returns ctx carrying u.
func WithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// UserFrom returns the user ctx carries, nil when the request is anonymous.
func UserFrom(ctx context.Context) *User {
	u, _ := ctx.Value(userKey{}).(*User)
	return u
}
