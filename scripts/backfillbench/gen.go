package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// teamSchema is the team-table layout of docs/postgres.md section 1.
const teamSchema = `
CREATE TABLE public.tickets (
    id             bigint PRIMARY KEY,
    subject        text NOT NULL,
    product        text NOT NULL,
    requester_name text, requester_email text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL,
    ai_summary     text, ai_summary_status text
);
CREATE INDEX tickets_updated ON public.tickets (updated_at, id);
CREATE TABLE public.ticket_messages (
    id          bigserial PRIMARY KEY,
    ticket_id   bigint NOT NULL REFERENCES public.tickets (id),
    author_type text NOT NULL,
    author_name text,
    created_at  timestamptz NOT NULL,
    body        text NOT NULL
);
CREATE INDEX ticket_messages_ticket ON public.ticket_messages (ticket_id);`

// teamMapping is the source section of docs/postgres.md section 3 for
// teamSchema.
const teamMapping = `source:
  tickets:
    table: public.tickets
    subject: subject
    product_line: product
    customer_name: requester_name
    customer_email: requester_email
    created_at: created_at
  messages:
    table: public.ticket_messages
    role: author_type
    author: author_name
    id: id
    roles: {end_user: customer, staff: agent, note: internal}
`

var (
	products = []string{"billing", "shipping", "web", "mobile", "api"}
	firsts   = []string{"Maria", "James", "Aiko", "Olu", "Priya", "Lars", "Chen", "Fatima", "Diego", "Hannah", "Tomasz", "Amara"}
	lasts    = []string{"Garcia", "Smith", "Tanaka", "Adeyemi", "Patel", "Nilsson", "Wei", "Haddad", "Lopez", "Becker", "Nowak", "Okafor"}
	agents   = []string{"Sam", "Alex", "Jordan", "Robin", "Casey", "Morgan"}
	things   = map[string][]string{
		"billing":  {"invoice", "refund", "annual plan", "credit card charge", "VAT receipt", "discount code", "payment method", "subscription renewal"},
		"shipping": {"parcel", "tracking number", "delivery slot", "return label", "courier pickup", "customs form", "replacement order", "damaged box"},
		"web":      {"dashboard", "login page", "password reset", "CSV export", "report filter", "team invite", "dark mode", "browser extension"},
		"mobile":   {"Android app", "iOS app", "push notification", "offline mode", "app update", "camera upload", "widget", "sync setting"},
		"api":      {"API key", "webhook", "rate limit", "OAuth token", "pagination cursor", "bulk endpoint", "sandbox account", "SDK version"},
	}
	verbs    = []string{"stopped working", "shows the wrong amount", "fails with an error", "is missing", "was charged twice", "never arrived", "keeps timing out", "does not match the order", "looks broken", "cannot be changed"}
	feelings = []string{"This is frustrating because", "I am worried since", "It is urgent for us as", "I would appreciate help because", "To be honest I am confused since", "Our team is blocked because"}
	reasons  = []string{"we have a deadline on Friday", "our finance team needs the numbers", "customers are asking us about it", "it worked fine last month", "I followed every step of the guide", "the same thing happened in March"}
	actions  = []string{"I checked the logs on our side", "I escalated it to the engineering team", "I reissued the document", "I refunded the duplicate charge", "I reset the configuration", "I opened an investigation with the carrier", "I applied a credit to the account", "I reproduced the problem on a test account"}
	outcomes = []string{"and it should be fixed within two business days", "and you will receive an email confirmation shortly", "and the change is already visible on your account", "but I need one more detail from you to finish", "and I will follow up as soon as I hear back", "and the fix will ship in the next release"}
	fillers  = []string{"Thanks for your patience while we look into this.", "Let me know if anything else comes up.", "I have attached a screenshot of what I see.", "The problem started right after the last update.", "Nothing in the help centre covered this case.", "Could you confirm which browser and version you use?", "We tried again this morning with the same result.", "I can also share the order confirmation if that helps.", "Please keep this ticket open until it is resolved.", "I have noted this on your account for future reference."}
)

// ticketGen makes distinct tickets of about words words each, 6-20
// messages, from a seeded generator (the same seed gives the same tickets).
type ticketGen struct {
	r     *rand.Rand
	words int
}

type genMessage struct {
	role, author, body string
	at                 time.Time
}

type genTicket struct {
	id                     int64
	subject, product       string
	reqName, reqEmail      string
	created, updated       time.Time
	messages               []genMessage
	wordsCount, bytesCount int
}

func (g *ticketGen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

// sentence is one customer or agent sentence about thing.
func (g *ticketGen) sentence(customer bool, thing string, id int64) string {
	n := g.r.IntN(9000) + 1000
	switch g.r.IntN(6) {
	case 0:
		if customer {
			return fmt.Sprintf("The %s on order %d %s since %s.", thing, n, g.pick(verbs), g.pick([]string{"Monday", "Tuesday", "yesterday", "last week", "the weekend", "this morning"}))
		}
		return fmt.Sprintf("%s on reference %d-%d %s.", g.pick(actions), id, n, g.pick(outcomes))
	case 1:
		return fmt.Sprintf("%s %s.", g.pick(feelings), g.pick(reasons))
	case 2:
		return fmt.Sprintf("We have %d users on the %s plan and %d of them see the %s issue.", g.r.IntN(400)+5, g.pick([]string{"team", "business", "starter", "enterprise"}), g.r.IntN(50)+1, thing)
	case 3:
		return g.pick(fillers)
	case 4:
		return fmt.Sprintf("The %s %s when I open it from the %s at around %d:%02d.", thing, g.pick(verbs), g.pick([]string{"laptop", "office network", "phone", "tablet", "home computer"}), g.r.IntN(12)+1, g.r.IntN(60))
	}
	return fmt.Sprintf("I compared the %s with case %d and the %s, and %s.", thing, n, g.pick(things[g.pick(products)]), g.pick(outcomes)[4:])
}

// ticket makes ticket id.
func (g *ticketGen) ticket(id int64, base time.Time) genTicket {
	product := g.pick(products)
	thing := g.pick(things[product])
	first, last := g.pick(firsts), g.pick(lasts)
	t := genTicket{
		id: id, product: product,
		subject: fmt.Sprintf("%s %s (case %d)", strings.ToUpper(thing[:1])+thing[1:], g.pick(verbs), id),
		reqName: first + " " + last, reqEmail: strings.ToLower(first+"."+last) + fmt.Sprintf("%d@example.com", id%97),
		created: base.Add(time.Duration(id) * time.Second),
	}
	msgs := 6 + g.r.IntN(15)
	target := int(float64(g.words) * (0.7 + 0.6*g.r.Float64()))
	agent := g.pick(agents)
	at := t.created
	for i := range msgs {
		customer := i%2 == 0
		role, author := "end_user", t.reqName
		if !customer {
			role, author = "staff", agent
		}
		if i > 2 && g.r.IntN(10) == 0 {
			role, author = "note", agent
		}
		var b strings.Builder
		if customer && i == 0 {
			fmt.Fprintf(&b, "Hello, my name is %s and you can reach me at %s. ", t.reqName, t.reqEmail)
		} else if !customer {
			fmt.Fprintf(&b, "Hi %s, ", first)
		}
		words := target / msgs
		for w := 0; w < words; {
			s := g.sentence(customer, thing, id)
			b.WriteString(s)
			b.WriteByte(' ')
			w += strings.Count(s, " ") + 1
		}
		body := strings.TrimSpace(b.String())
		at = at.Add(time.Duration(g.r.IntN(7200)+60) * time.Second)
		t.messages = append(t.messages, genMessage{role: role, author: author, body: body, at: at})
		t.wordsCount += len(strings.Fields(body))
		t.bytesCount += len(body)
	}
	t.updated = at
	return t
}

// seedTickets writes n generated tickets into the team's tables with COPY
// and returns the median words and bytes per ticket.
func seedTickets(ctx context.Context, conn *pgx.Conn, n, words int, seed uint64) (medianWords, medianBytes int, err error) {
	if _, err := conn.Exec(ctx, teamSchema); err != nil {
		return 0, 0, fmt.Errorf("create team tables: %w", err)
	}
	g := &ticketGen{r: rand.New(rand.NewPCG(seed, 14)), words: words}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var ws, bs []int
	for lo := 1; lo <= n; lo += 1000 {
		hi := min(lo+999, n)
		var trows, mrows [][]any
		for id := lo; id <= hi; id++ {
			t := g.ticket(int64(id), base)
			ws, bs = append(ws, t.wordsCount), append(bs, t.bytesCount)
			trows = append(trows, []any{t.id, t.subject, t.product, t.reqName, t.reqEmail, t.created, t.updated})
			for _, m := range t.messages {
				mrows = append(mrows, []any{t.id, m.role, m.author, m.at, m.body})
			}
		}
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{"public", "tickets"},
			[]string{"id", "subject", "product", "requester_name", "requester_email", "created_at", "updated_at"}, pgx.CopyFromRows(trows)); err != nil {
			return 0, 0, fmt.Errorf("copy tickets: %w", err)
		}
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{"public", "ticket_messages"},
			[]string{"ticket_id", "author_type", "author_name", "created_at", "body"}, pgx.CopyFromRows(mrows)); err != nil {
			return 0, 0, fmt.Errorf("copy messages: %w", err)
		}
	}
	if _, err := conn.Exec(ctx, `ANALYZE public.tickets; ANALYZE public.ticket_messages`); err != nil {
		return 0, 0, err
	}
	return median(ws), median(bs), nil
}

func median(xs []int) int {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
