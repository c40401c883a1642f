package bedrocktest

// Stats counts what the server did, for assertions.
type Stats struct {
	// Calls counts calls per model ID as called (or SageMaker endpoint, or
	// guardrail ID), answered or not.
	Calls map[string]int
	// Ops counts calls per operation (OpConverse ...).
	Ops map[string]int
	// Throttled counts ThrottlingException answers, from quotas or faults.
	Throttled int
	// Faults counts injected faults of every kind.
	Faults int
	// Succeeded counts calls answered with a model's output: the calls a
	// client is charged for, Dropped included.
	Succeeded int
	// Dropped counts answers lost to FaultDropAfterAnswer: generated and
	// charged, but never sent.
	Dropped int
	// Token totals over successful calls.
	InputTokens, OutputTokens, CacheReadTokens, CacheWriteTokens int
	// PeakInFlight is the most model calls the server held at once.
	PeakInFlight int
}

func newStats() Stats {
	return Stats{Calls: map[string]int{}, Ops: map[string]int{}}
}

// Stats returns a copy of the server's counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.stats
	c.Calls = make(map[string]int, len(s.stats.Calls))
	for k, v := range s.stats.Calls {
		c.Calls[k] = v
	}
	c.Ops = make(map[string]int, len(s.stats.Ops))
	for k, v := range s.stats.Ops {
		c.Ops[k] = v
	}
	return c
}

// ResetStats zeroes the counters.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats = newStats()
}
