package bedrocktest

import (
	"errors"
	"time"
)

func (f Fault) validate() error {
	switch f.Kind {
	case FaultThrottle, FaultUnavailable, FaultInternal, FaultModelNotReady, FaultModelTimeout,
		FaultModelError, FaultQuotaExceeded, FaultTimeout, FaultMalformed:
	default:
		return errors.New("unknown fault kind " + string(f.Kind))
	}
	if f.MidStream && (f.Kind == FaultTimeout || f.Kind == FaultMalformed) {
		return errors.New("MidStream applies to error faults, not " + string(f.Kind))
	}
	if f.Every < 0 || f.Rate < 0 || f.Rate > 1 || f.After < 0 || f.For < 0 || f.Limit < 0 {
		return errors.New("Every, Rate (0..1), After, For and Limit must not be negative")
	}
	return nil
}

// faultState is a fault and its counters; guarded by Server.mu.
type faultState struct {
	Fault
	matched int
	fired   int
}

// pickFault returns the first fault that fires for a call, or "". The
// caller holds s.mu.
func (s *Server) pickFault(op, model, base string, now time.Time) FaultKind {
	k, _ := s.pickFaultMid(op, model, base, now)
	return k
}

// pickFaultMid is pickFault that also tells whether the fault is to be
// sent mid-stream.
func (s *Server) pickFaultMid(op, model, base string, now time.Time) (FaultKind, bool) {
	elapsed := now.Sub(s.start)
	for _, f := range s.faults {
		if f.Model != "" && f.Model != model && f.Model != base {
			continue
		}
		if f.Op != "" && f.Op != op {
			continue
		}
		if elapsed < f.After || (f.For > 0 && elapsed >= f.After+f.For) {
			continue
		}
		if f.Limit > 0 && f.fired >= f.Limit {
			continue
		}
		f.matched++
		fire := true
		switch {
		case f.Every > 0:
			fire = f.matched%f.Every == 0
		case f.Rate > 0:
			fire = s.rng.Float64() < f.Rate
		}
		if fire {
			f.fired++
			return f.Kind, f.MidStream
		}
	}
	return "", false
}

// streamExceptionType is the :exception-type a fault is sent as mid-stream.
func streamExceptionType(kind FaultKind) string {
	switch kind {
	case FaultThrottle:
		return "throttlingException"
	case FaultUnavailable:
		return "serviceUnavailableException"
	case FaultModelTimeout:
		return "modelTimeoutException"
	case FaultModelError, FaultModelNotReady:
		return "modelStreamErrorException"
	case FaultQuotaExceeded:
		return "serviceQuotaExceededException"
	}
	return "internalServerException"
}
