package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
)

// Report is the result of Verify.
type Report struct {
	Records int `json:"records"`
	Digests int `json:"digests"`
	// SignedThrough is the last seq covered by a valid digest.
	SignedThrough int64 `json:"signed_through"`
	// Unsigned counts records after the last digest: their chain is checked
	// but a digest does not vouch for them yet.
	Unsigned int       `json:"unsigned"`
	Problems []Problem `json:"problems,omitempty"`
}

// OK reports whether no problem was found.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// Verify checks the whole trail: every record's hash, the chain of
// PrevHash links, the storage order against the chain order, and every
// digest's signature, chain and agreement with the records. It returns a
// Report listing each edited, deleted, inserted or reordered record; the
// error is only for failing to read the trail.
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
	var maxSeq int64
	if len(evs) > 0 {
		maxSeq = evs[len(evs)-1].Seq
	}
	known := make(map[string]bool, len(evs))
	for _, e := range evs {
		known[e.Hash] = true
	}
	rep.Problems = append(rep.Problems, verifyDigests(digests, a.pos, known, maxSeq, t.pub, rep)...)
	rep.Unsigned = len(evs) - int(rep.SignedThrough)
	if rep.Unsigned < 0 {
		rep.Unsigned = 0
	}
	return rep, nil
}

// verifyDigests checks signatures, the digest chain and that each digest's
// end record sits where the digest says on the unbroken chain.
// A digest whose end record sits on a segment after a chain break is not
// reported again: the break already is.
func verifyDigests(ds []*Digest, pos map[string]int64, known map[string]bool, maxSeq int64, pub ed25519.PublicKey, rep *Report) []Problem {
	var out []Problem
	prevHash := GenesisHash
	wantKey := hex.EncodeToString(pub)
	for i, d := range ds {
		bad := func(kind, format string, args ...any) {
			out = append(out, Problem{Kind: kind, Seq: d.LastSeq, Message: fmt.Sprintf("digest %d: ", d.N) + fmt.Sprintf(format, args...)})
		}
		sig, err := hex.DecodeString(d.Signature)
		switch {
		case d.PublicKey != wantKey:
			bad(ProblemDigest, "signed by another key (%.16s...), not the trail's key", d.PublicKey)
			prevHash = ""
			continue
		case err != nil || !ed25519.Verify(pub, d.Message(), sig):
			bad(ProblemDigest, "signature is not valid: the digest was altered or forged")
			prevHash = "" // the next digest cannot be checked against it
			continue
		case d.N != int64(i+1):
			bad(ProblemDigest, "digests were deleted or reordered (found digest %d in position %d)", d.N, i+1)
		case prevHash != "" && d.PrevDigestHash != prevHash:
			bad(ProblemDigest, "does not chain to the digest before it: digests were deleted or replaced")
		}
		prevHash = d.Hash()
		p, found := pos[d.LastHash]
		switch {
		case !found && d.LastSeq > maxSeq:
			bad(ProblemDeleted, "it vouches for records up to seq %d, but the trail ends at seq %d: records were deleted from the end", d.LastSeq, maxSeq)
		case !found && known[d.LastHash]:
			// After a chain break, already reported.
		case !found:
			bad(ProblemDeleted, "record seq %d that it vouches for is no longer on the chain: records up to it were deleted or rewritten", d.LastSeq)
		case p != d.Count:
			bad(ProblemInserted, "it counted %d records up to seq %d, the chain now has %d: records were inserted or deleted before it", d.Count, d.LastSeq, p)
		default:
			rep.SignedThrough = max(rep.SignedThrough, p)
		}
	}
	return out
}
