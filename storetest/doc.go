// Package storetest is the test suite every store must pass (a
// ticketsum.Store that is also a ticketsum.FailureStore), with the fixture
// factories it uses. The sqlite and postgres packages run it against a real
// database:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.Store { return openTestStore(t) })
//	}
//
// Stores that also upsert a ticket and run a callback in the same
// transaction (the transactional enqueue used by the queue package) run
// RunTx as well. Bench measures the common operations and, with List50k,
// listing and searching 50,000 tickets.
package storetest
