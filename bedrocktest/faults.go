package bedrocktest

import (
	"errors"
	"time"
)

func (f Fault) validate() error {
	switch f.Kind {
	case FaultThrottle, FaultUnavailable, FaultInternal, FaultModelNotReady, FaultModelTimeout,
		FaultModelError, FaultQuotaExceeded, FaultAccessDenied, FaultValidation, FaultNotFound, FaultOverloaded:
	case FaultTimeout, FaultMalformed, FaultNoStatus, FaultStall, FaultDropAfterAnswer:
		if f.MidStream {
			return errors.New("MidStream applies to error faults, not " + string(f.Kind))
		}
	default:
		return errors.New("unknown fault kind " + string(f.Kind))
	}
	if f.Every < 0 || f.Rate < 0 || f.Rate > 1 || f.After < 0 || f.For < 0 || f.Limit < 0 || f.Delay < 0 {
		return errors.New("Every, Rate (0..1), After, For, Limit and Delay must not be negative")
	}
	if f.Kind == FaultStall && f.Delay == 0 {
		return errors.New("stall needs a Delay")
	}
	return nil
}

// answers reports whether a fault of kind k still lets the model answer
// (changing or losing the answer) rather than failing the call.
func (k FaultKind) answers() bool {
	switch k {
	case "", FaultMalformed, FaultNoStatus, FaultStall, FaultDropAfterAnswer:
		return true
	}
	return false
}

// faultState is a fault and its counters; guarded by Server.mu.
type faultState struct {
	Fault
	matched int
	fired   int
}

// pickFault returns a copy of the first fault that fires for a call, or
// the zero Fault (Kind ""). The caller holds s.mu.
func (s *Server) pickFault(op, model, base string, now time.Time) Fault {
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
			return f.Fault
		}
	}
	return Fault{}
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

// countFault counts a fault that fired in the stats. The caller holds s.mu.
func (s *Server) countFault(k FaultKind) {
	if k == "" {
		return
	}
	s.stats.Faults++
	if k == FaultThrottle || k == FaultOverloaded {
		s.stats.Throttled++
	}
}
