package sqlite

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
)

// TestOpenTogetherOnANewFile opens one new database from three stores at
// once, round after round, as serve and workers started together on a new
// ticketsum.db do. The first connection to a new file turns it to WAL, and
// SQLite does not apply its busy timeout to every lock that takes: before
// Connect, about one round in thirty failed with "database is locked".
func TestOpenTogetherOnANewFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for round := range 120 {
		path := filepath.Join(t.TempDir(), "ticketsum.db")
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() {
				s, err := Open(ctx, Config{Path: path})
				if err != nil {
					t.Errorf("round %d: %v", round, err)
					return
				}
				s.Close()
			})
		}
		wg.Wait()
	}
}
