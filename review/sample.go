package review

import (
	"crypto/sha256"
	"encoding/binary"
	"strconv"
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
