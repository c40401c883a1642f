package audit_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/audit"
)

// replyModel stands in for a provider.
type replyModel struct{}

func (replyModel) Name() string { return "bedrock:amazon.nova-lite-v1:0" }
func (replyModel) Generate(context.Context, *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	return &ticketsum.ModelResponse{Text: "The customer could not log in; the agent reset the password. Resolved.",
		Usage: ticketsum.Usage{InputTokens: 900, OutputTokens: 40}, CostUSD: 0.00006}, nil
}

// The main flow: an encrypted file log and a signed trail behind the
// middleware, then reading the log back and verifying the trail.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "audit-example")
	defer os.RemoveAll(dir)
	db, _ := sql.Open("sqlite", "file:"+filepath.Join(dir, "ticketsum.db")+"?_pragma=busy_timeout(5000)")
	defer db.Close()

	wrapper, _ := audit.NewLocalKeyWrapper(filepath.Join(dir, "keys", "log.key"))
	sink, _ := audit.NewFileSink(audit.FileSinkConfig{Dir: filepath.Join(dir, "logs"), Wrapper: wrapper})
	trail, _ := audit.NewTrail(audit.TrailConfig{DB: db, Dialect: audit.SQLite, SigningKeyFile: filepath.Join(dir, "keys", "trail.pem")})
	if err := trail.Migrate(ctx); err != nil {
		fmt.Println(err)
		return
	}
	wrap, _ := audit.Middleware(audit.MiddlewareConfig{Log: sink, Trail: trail})
	model := wrap(replyModel{})
	model.Generate(ctx, &ticketsum.ModelRequest{
		Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: "{NAME_1} cannot log in."}},
		Meta:     ticketsum.CallMeta{RequestID: "r-1", Principal: "ticketsum-worker", TicketID: "T-1", ProductLine: "web"},
	})
	sink.Close(ctx)
	trail.WriteDigest(ctx)

	reader, _ := audit.NewReader(audit.DirSource{Dir: filepath.Join(dir, "logs")}, wrapper)
	reader.Read(ctx, audit.Filter{TicketID: "T-1"}, func(r *audit.InvocationRecord) error {
		fmt.Println(r.RequestID, r.Identity.Principal, r.ModelID, r.Input.InputBodyJSON.Messages[0].Content)
		return nil
	})
	rep, _ := trail.Verify(ctx)
	fmt.Println("trail ok:", rep.OK(), "records:", rep.Records, "signed through:", rep.SignedThrough)
	// Output:
	// r-1 ticketsum-worker bedrock:amazon.nova-lite-v1:0 {NAME_1} cannot log in.
	// trail ok: true records: 1 signed through: 1
}
