package bedrocktest

import "time"

// quotaEvent is one admitted call in a quota window.
type quotaEvent struct {
	at     time.Time
	tokens int
	w      *window // nil once pruned
}

// window is the sliding-minute record of one quota key; guarded by
// Server.mu.
type window struct {
	events []*quotaEvent
	sum    int // tokens of events
}

func (w *window) prune(now time.Time, minute time.Duration) {
	i := 0
	for i < len(w.events) && now.Sub(w.events[i].at) >= minute {
		w.sum -= w.events[i].tokens
		w.events[i].w = nil
		i++
	}
	w.events = w.events[i:]
}

// quotaFor returns the quota of a model and its key, or false.
func (s *Server) quotaFor(model, base string) (Quota, string, bool) {
	for _, k := range []string{model, base, "*"} {
		if q, ok := s.cfg.Quotas[k]; ok {
			if k == "*" {
				k = "*" + model // every model gets its own window
			}
			if q.OutputBurn == 0 {
				q.OutputBurn = 1
			}
			return q, k, true
		}
	}
	return Quota{}, "", false
}

// admit checks a call against its model's quota and records it. It returns
// the event to settle when the call completes, or nil and false when the
// call is throttled. The caller holds s.mu.
func (s *Server) admit(model, base string, input, maxTokens int, now time.Time) (*quotaEvent, Quota, bool) {
	q, key, ok := s.quotaFor(model, base)
	if !ok {
		return nil, q, true
	}
	w := s.windows[key]
	if w == nil {
		w = &window{}
		s.windows[key] = w
	}
	w.prune(now, s.minute())
	if q.RPM > 0 && len(w.events) >= q.RPM {
		return nil, q, false
	}
	cost := input
	if q.ReserveMaxTokens {
		cost += maxTokens * q.OutputBurn
	}
	if q.TPM > 0 && w.sum+cost > q.TPM {
		return nil, q, false
	}
	e := &quotaEvent{at: now, tokens: cost, w: w}
	w.events = append(w.events, e)
	w.sum += cost
	return e, q, true
}

// settle corrects an admitted call's token count to what it used.
func (s *Server) settle(e *quotaEvent, q Quota, input, output int) {
	if e == nil {
		return
	}
	s.mu.Lock()
	n := input + output*q.OutputBurn
	if e.w != nil {
		e.w.sum += n - e.tokens
	}
	e.tokens = n
	s.mu.Unlock()
}

// minute is the length of the server's quota minute.
func (s *Server) minute() time.Duration {
	return time.Duration(float64(time.Minute) * s.cfg.TimeScale)
}
