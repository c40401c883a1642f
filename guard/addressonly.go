package guard

// HasAddress reports whether Detect(s, text) would return a finding of type
// ADDRESS, at a fraction of its cost for the text that holds none (almost
// every sentence): only the address detector runs first, and only when it
// finds a candidate that Detect could keep (a non-empty span scoring at
// least MinScore) does the full detection run, because spans of other types
// can still win over it (an address inside a URL, an email of the session).
// s may be nil, as for Detect.
func (g *Guard) HasAddress(s *Session, text string) bool {
	sc := newScan(text, g.lx, &g.scans)
	candidate := false
	for _, sp := range g.addr.detect(sc, sc.toks) {
		if sp.score >= g.cfg.MinScore && sp.end > sp.start {
			candidate = true
			break
		}
	}
	sc.release(&g.scans)
	if !candidate {
		return false
	}
	// The address detector is the only source of ADDRESS spans, so this is
	// exactly Detect's answer.
	for _, f := range g.Detect(s, text) {
		if f.Type == string(Address) {
			return true
		}
	}
	return false
}
