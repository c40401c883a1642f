// Package storetest is the test suite every ticketsum.Store implementation
// must pass, with the fixture factories it uses. The sqlite and postgres
// packages run it against a real database:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) ticketsum.Store { return openTestStore(t) })
//	}
//
// Stores that also upsert a ticket and run a callback in the same
// transaction (the transactional enqueue used by the queue package) run
// RunTx as well.
package storetest
