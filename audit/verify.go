package audit

import (
	"context"
	"fmt"
	"time"
)

// Report statuses.
const (
	// StatusOK: every record is on the chain and under a valid digest,
	// except a short tail appended within the digest interval.
	StatusOK = "ok"
	// StatusFailed: a record or digest was edited, deleted, inserted,
	// reordered or forged, or the signing key was replaced.
	StatusFailed = "failed"
	// StatusUnproven: nothing contradicts the trail, but no valid digest
	// vouches for records that one should cover by now, so their integrity
	// cannot be proven (never reported as OK).
	StatusUnproven = "unproven"
)

// futureSkew is how far ahead of the verifier's clock a record may be
// dated before it counts as forged.
const futureSkew = 5 * time.Minute

// Report is the result of Verify.
type Report struct {
	Status  string `json:"status"`
	Records int    `json:"records"`
	Digests int    `json:"digests"`
	// SignedThrough is the last chain position covered by a valid digest.
	SignedThrough int64 `json:"signed_through"`
	// Unsigned counts records after the last digest: their chain is checked
	// but a digest does not vouch for them yet.
	Unsigned int `json:"unsigned"`
	// OldestUnsigned is the time of the oldest of them.
	OldestUnsigned *time.Time `json:"oldest_unsigned,omitempty"`
	// KeyFingerprint is the key the digests are signed with now; Pinned
	// says whether it was checked against a pinned fingerprint.
	KeyFingerprint string `json:"key_fingerprint,omitempty"`
	Pinned         bool   `json:"pinned"`
	// Anchored counts the digests found in the external anchor; nil
	// without one.
	Anchored *int `json:"anchored,omitempty"`
	// Unproven says why the status is unproven.
	Unproven string    `json:"unproven,omitempty"`
	Problems []Problem `json:"problems,omitempty"`
	// Notes are facts worth knowing that are not failures.
	Notes []string `json:"notes,omitempty"`
}

// OK reports whether the trail is proven untouched: no problem, and not
// unproven.
func (r *Report) OK() bool { return len(r.Problems) == 0 && r.Unproven == "" }

// Verify checks the whole trail: every record's hash, the chain of
// PrevHash links, the storage order against the chain order, every
// digest's signature, key, range, chain and agreement with the records,
// that no record older than DigestInterval is left unsigned, and, with an
// Anchor, that every anchored digest is still in the trail unchanged. It
// returns a Report listing each problem; the error is only for failing to
// read the trail.
func (t *Trail) Verify(ctx context.Context) (*Report, error) {
	evs, err := t.Events(ctx, 0, 0)
	if err != nil {
		return nil, err
	}
	digests, err := t.Digests(ctx)
	if err != nil {
		return nil, err
	}
	a := analyzeChain(evs)
	rep := &Report{Records: len(evs), Digests: len(digests), Problems: a.problems}
	known := make(map[string]bool, len(evs))
	var maxSeq int64
	for _, e := range evs {
		known[e.Hash] = true
		maxSeq = max(maxSeq, e.Seq)
	}
	t.keyMu.RLock()
	trust := t.trust
	t.keyMu.RUnlock()
	dc := digestCheck{pos: a.pos, known: known, maxSeq: maxSeq, trust: trust}
	rep.Problems = append(rep.Problems, dc.run(digests, rep)...)
	rep.Pinned = t.cfg.PinnedKey != ""
	if trust == "" && len(digests) > 0 {
		rep.Notes = append(rep.Notes, "no trusted key: signatures were checked against the keys the digests name; set governance.signing_key_fingerprint to detect a replaced key")
	}
	t.checkTail(evs, a.pos, rep)
	if t.cfg.Anchor != nil {
		t.checkAnchor(ctx, digests, rep)
	}
	sortProblems(rep.Problems)
	switch {
	case len(rep.Problems) > 0:
		rep.Status = StatusFailed
	case rep.Unproven != "":
		rep.Status = StatusUnproven
	default:
		rep.Status = StatusOK
	}
	return rep, nil
}

// checkTail counts the records no digest covers and decides whether their
// age leaves the trail unproven; it also catches records dated in the
// future (a re-hashed tail given fresh times to look recent).
func (t *Trail) checkTail(evs []*Event, pos map[string]int64, rep *Report) {
	now := t.cfg.Clock.Now()
	var oldest *Event
	for _, e := range evs {
		if e.Time.After(now.Add(futureSkew)) {
			rep.Problems = append(rep.Problems, Problem{ProblemEdited, e.Seq,
				fmt.Sprintf("record seq %d is dated %s, in the future: its time was forged", e.Seq, e.Time.Format(time.RFC3339))})
		}
		if p, ok := pos[e.Hash]; ok && p > rep.SignedThrough {
			rep.Unsigned++
			if oldest == nil || e.Time.Before(oldest.Time) {
				oldest = e
			}
		}
	}
	if oldest == nil {
		return
	}
	ts := oldest.Time
	rep.OldestUnsigned = &ts
	interval := t.cfg.DigestInterval
	switch {
	case rep.Digests == 0:
		rep.Unproven = fmt.Sprintf("%s and no digest: nothing vouches for the trail (its digests were deleted, or no process holding the signing key has signed yet: run `ticketsum audit sign`)", count(rep.Records, "record"))
	case now.Sub(oldest.Time) > interval:
		rep.Unproven = fmt.Sprintf("%s after the last valid digest, the oldest (seq %d, %s) older than the digest interval (%s): the last digests were deleted, or the processes that appended them exited without signing (run `ticketsum audit sign`)",
			count(rep.Unsigned, "record"), oldest.Seq, oldest.Time.Format(time.RFC3339), interval)
	default:
		rep.Notes = append(rep.Notes, fmt.Sprintf("records appended within the digest interval (%s) and not under a digest yet: %d; until the next digest only the hash chain vouches for them", interval, rep.Unsigned))
	}
}

// checkAnchor compares the trail's digests with the anchored copies.
func (t *Trail) checkAnchor(ctx context.Context, local []*Digest, rep *Report) {
	anchored, err := t.cfg.Anchor.Digests(ctx)
	if err != nil {
		rep.Unproven = fmt.Sprintf("the external anchor cannot be read, so deleted digests cannot be ruled out: %v", err)
		return
	}
	n := len(anchored)
	rep.Anchored = &n
	byN := make(map[int64]*Digest, len(local))
	for _, d := range local {
		byN[d.N] = d
	}
	inAnchor := make(map[int64]bool, len(anchored))
	for _, a := range anchored {
		inAnchor[a.N] = true
		l := byN[a.N]
		switch {
		case a.checkSignatures() != "":
			rep.Problems = append(rep.Problems, Problem{ProblemDigest, a.LastSeq, fmt.Sprintf("anchored digest %d: %s", a.N, a.checkSignatures())})
		case l == nil:
			rep.Problems = append(rep.Problems, Problem{ProblemDigest, a.LastSeq, fmt.Sprintf(
				"digest %d (records seq %d to %d, signed %s) is in the external anchor but not in the trail: digests were deleted, and with them maybe the records they covered",
				a.N, a.FirstSeq, a.LastSeq, a.Time.Format(time.RFC3339))})
		case l.Hash() != a.Hash():
			rep.Problems = append(rep.Problems, Problem{ProblemDigest, a.LastSeq, fmt.Sprintf("digest %d differs from its copy in the external anchor: it was replaced", a.N)})
		}
	}
	var missing int
	for _, d := range local {
		if !inAnchor[d.N] {
			missing++
		}
	}
	if missing > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%d digests are not in the external anchor yet (copied at the next digest and at Close)", missing))
	}
}

// digestCheck checks the digests against the chain.
type digestCheck struct {
	pos    map[string]int64 // chain position of each hash on the unbroken chain
	known  map[string]bool  // every stored hash
	maxSeq int64
	trust  string // fingerprint of the trusted key, "" for none
}

// run checks signatures, keys and rotations, the digest chain and ranges,
// and that each digest's end record sits where the digest says on the
// unbroken chain. A digest whose end record sits on a segment after a
// chain break is not reported again: the break already is.
func (c *digestCheck) run(ds []*Digest, rep *Report) []Problem {
	var out []Problem
	prevHash := GenesisHash
	var inForce string
	var prev *Digest
	for i, d := range ds {
		bad := func(kind, format string, args ...any) {
			out = append(out, Problem{Kind: kind, Seq: d.LastSeq, Message: fmt.Sprintf("digest %d: ", d.N) + fmt.Sprintf(format, args...)})
		}
		if msg := d.checkSignatures(); msg != "" {
			bad(ProblemDigest, "%s", msg)
			prevHash = "" // the next digest cannot be checked against it
			continue
		}
		if inForce != "" && d.PublicKey != inForce {
			bad(ProblemDigest, "signed by key %s, but the key in force was %s: the signing key changed without a signed rotation record",
				shortFP(hexKeyFingerprint(d.PublicKey)), shortFP(hexKeyFingerprint(inForce)))
		}
		inForce = d.KeyAfter()
		switch {
		case d.N != int64(i+1):
			bad(ProblemDigest, "digests were deleted or reordered (found digest %d in position %d)", d.N, i+1)
		case prevHash != "" && d.PrevDigestHash != prevHash:
			bad(ProblemDigest, "does not chain to the digest before it: digests were deleted or replaced")
		case prev != nil && d.Version >= 2 && d.FirstSeq != prev.LastSeq+1:
			bad(ProblemDigest, "covers records from seq %d, but the digest before it ended at seq %d", d.FirstSeq, prev.LastSeq)
		}
		prevHash, prev = d.Hash(), d
		c.checkCoverage(d, rep, bad)
	}
	if inForce != "" {
		rep.KeyFingerprint = hexKeyFingerprint(inForce)
		if c.trust != "" && rep.KeyFingerprint != c.trust {
			out = append(out, Problem{ProblemDigest, prev.LastSeq, fmt.Sprintf(
				"the digests are signed by key %s, but the trusted key is %s (governance.signing_key_fingerprint, else the signing key file): the signing key was replaced and the digests re-signed",
				shortFP(rep.KeyFingerprint), shortFP(c.trust))})
		}
	}
	return out
}

// checkCoverage checks that d's end record is where d says.
func (c *digestCheck) checkCoverage(d *Digest, rep *Report, bad func(kind, format string, args ...any)) {
	if d.LastSeq == 0 && d.Count == 0 && d.LastHash == GenesisHash {
		return // a rotation of an empty trail
	}
	p, found := c.pos[d.LastHash]
	switch {
	case !found && d.LastSeq > c.maxSeq:
		bad(ProblemDeleted, "it vouches for records up to seq %d, but the trail ends at seq %d: records were deleted from the end", d.LastSeq, c.maxSeq)
	case !found && c.known[d.LastHash]:
		// After a chain break, already reported.
	case !found:
		bad(ProblemDeleted, "record seq %d that it vouches for is no longer on the chain: records up to it were deleted or rewritten", d.LastSeq)
	case p != d.Count:
		bad(ProblemInserted, "it counted %d records up to seq %d, the chain now has %d: records were inserted or deleted before it", d.Count, d.LastSeq, p)
	default:
		rep.SignedThrough = max(rep.SignedThrough, p)
	}
}
