package review

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"strconv"
	"strings"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/prompt"
)

// Sampled reports whether the summary summaryID of ticketID falls in a
// sample of the given share (0 to 1). It depends only on its arguments, so
// every worker makes the same choice: the first 53 bits of
// SHA-256(ticketID, summaryID) read as a fraction in [0, 1), compared with
// share.
func Sampled(share float64, ticketID string, summaryID int64) bool {
	if share <= 0 {
		return false
	}
	h := sha256.New()
	h.Write([]byte(strconv.Itoa(len(ticketID))))
	h.Write([]byte{':'})
	h.Write([]byte(ticketID))
	h.Write([]byte(strconv.FormatInt(summaryID, 10)))
	sum := h.Sum(nil)
	u := binary.BigEndian.Uint64(sum[:8]) >> 11
	return float64(u)/(1<<53) < share
}

// QualityFlags returns the flags of sum that call for a person's look, in
// their order: the rules the model's answer still broke after its repair
// or that the output guard acted on ("output:not_english",
// "output:preamble", "output:profanity", ...), a repair call that failed
// ("repair_failed:<code>"), and the local fixes that change the words a
// reader sees (ticketsum.FlagTrimmed: chatter taken off;
// ticketsum.FlagTruncated: text cut). Flags that leave the words as the
// model meant them are not among them: input redactions ("input:..."), a
// repair that succeeded ("repaired:..."), joined lines, a structured or
// reused answer, and a missing status ("output:no_status",
// ticketsum.FlagStatusInferred: the status is then the built-in
// classifier's, whose accuracy eval measures, and a model that never
// writes the status line would otherwise send every summary to the queue).
func QualityFlags(sum *ticketsum.Summary) []string {
	var out []string
	for _, f := range sum.Flags {
		switch {
		case f == "output:"+prompt.ProblemNoStatus:
		case strings.HasPrefix(f, "output:"), strings.HasPrefix(f, "repair_failed:"),
			f == ticketsum.FlagTrimmed, f == ticketsum.FlagTruncated:
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}
