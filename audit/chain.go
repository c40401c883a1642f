package audit

import (
	"fmt"
	"sort"
)

// Problem kinds reported by Verify.
const (
	ProblemEdited    = "edited"    // content no longer matches its hash
	ProblemDeleted   = "deleted"   // records missing from the chain
	ProblemInserted  = "inserted"  // a record that the chain does not lead to
	ProblemReordered = "reordered" // stored out of chain order
	ProblemDigest    = "digest"    // a digest is unsigned, forged or contradicts the chain
)

// Problem is one integrity failure found by Verify.
type Problem struct {
	Kind    string `json:"kind"`
	Seq     int64  `json:"seq"`
	Message string `json:"message"`
}

// chainAnalysis is the result of walking the hash chain.
type chainAnalysis struct {
	problems []Problem
	// pos maps the hash of each event on the unbroken chain from the
	// genesis to its 1-based position on that chain.
	pos map[string]int64
}

// analyzeChain walks events (sorted by Seq) along their hash links.
// It reports edited events (hash mismatch), forks (inserted events),
// breaks (deleted or re-hashed events) and events whose chain order differs
// from their storage order (reordered).
func analyzeChain(evs []*Event) chainAnalysis {
	a := chainAnalysis{pos: map[string]int64{}}
	byHash := map[string]int{}
	children := map[string][]int{}
	for i, e := range evs {
		if e.ComputeHash() != e.Hash {
			a.problems = append(a.problems, Problem{ProblemEdited, e.Seq, fmt.Sprintf("record seq %d was edited: its content does not match its hash", e.Seq)})
		}
		byHash[e.Hash] = i
		children[e.PrevHash] = append(children[e.PrevHash], i)
	}
	depth := make([]int, len(evs)) // longest chain below each event, memoised
	var depthOf func(i int, guard int) int
	depthOf = func(i int, guard int) int {
		if depth[i] > 0 || guard > len(evs) {
			return depth[i]
		}
		depth[i] = 1 // also breaks cycles
		best := 0
		for _, c := range children[evs[i].Hash] {
			best = max(best, depthOf(c, guard+1))
		}
		depth[i] = 1 + best
		return depth[i]
	}
	visited := make([]bool, len(evs))
	var order [][]int // segments of the chain, each in chain order
	walk := func(start int) []int {
		seg := []int{start}
		visited[start] = true
		cur := evs[start].Hash
		for {
			var kids []int
			for _, c := range children[cur] {
				if !visited[c] {
					kids = append(kids, c)
				}
			}
			if len(kids) == 0 {
				return seg
			}
			sort.Slice(kids, func(x, y int) bool {
				dx, dy := depthOf(kids[x], 0), depthOf(kids[y], 0)
				if dx != dy {
					return dx > dy
				}
				return evs[kids[x]].Seq < evs[kids[y]].Seq
			})
			for _, k := range kids[1:] {
				visited[k] = true
				a.problems = append(a.problems, Problem{ProblemInserted, evs[k].Seq, fmt.Sprintf("record seq %d was inserted: it claims to follow seq %d, which the chain continues from elsewhere", evs[k].Seq, evs[seg[len(seg)-1]].Seq)})
			}
			seg = append(seg, kids[0])
			visited[kids[0]] = true
			cur = evs[kids[0]].Hash
		}
	}
	// The main chain from the genesis.
	var roots []int
	for i, e := range evs {
		if e.PrevHash == GenesisHash {
			roots = append(roots, i)
		}
	}
	if len(roots) > 0 {
		sort.Slice(roots, func(x, y int) bool { return depthOf(roots[x], 0) > depthOf(roots[y], 0) })
		for _, r := range roots[1:] {
			visited[r] = true
			a.problems = append(a.problems, Problem{ProblemInserted, evs[r].Seq, fmt.Sprintf("record seq %d was inserted: it claims to be the first record", evs[r].Seq)})
		}
		main := walk(roots[0])
		for p, i := range main {
			a.pos[evs[i].Hash] = int64(p + 1)
		}
		order = append(order, main)
	} else if len(evs) > 0 {
		a.problems = append(a.problems, Problem{ProblemDeleted, evs[0].Seq, "the first record of the trail is missing"})
	}
	// Segments after a break: events whose predecessor is unknown.
	for i, e := range evs {
		if visited[i] {
			continue
		}
		if _, ok := byHash[e.PrevHash]; ok || e.PrevHash == GenesisHash {
			continue
		}
		if i > 0 && i+1 < len(evs) && evs[i+1].PrevHash == evs[i-1].Hash {
			visited[i] = true
			a.problems = append(a.problems, Problem{ProblemInserted, e.Seq, fmt.Sprintf("record seq %d was inserted: seq %d chains straight to seq %d", e.Seq, evs[i+1].Seq, evs[i-1].Seq)})
			continue
		}
		a.problems = append(a.problems, breakProblem(evs, i))
		order = append(order, walk(i))
	}
	for i, e := range evs { // what is left hangs off inserted records or cycles
		if !visited[i] {
			a.problems = append(a.problems, Problem{ProblemInserted, e.Seq, fmt.Sprintf("record seq %d was inserted: no unbroken chain leads to it", e.Seq)})
		}
	}
	for _, seg := range order {
		for j := 1; j < len(seg); j++ {
			prev, cur := evs[seg[j-1]], evs[seg[j]]
			if cur.Seq < prev.Seq {
				a.problems = append(a.problems, Problem{ProblemReordered, cur.Seq, fmt.Sprintf("records were reordered: seq %d follows seq %d in the chain but is stored before it", cur.Seq, prev.Seq)})
			}
		}
	}
	sortProblems(a.problems)
	return a
}

// sortProblems orders problems by seq, keeping the order of equal ones.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(x, y int) bool { return ps[x].Seq < ps[y].Seq })
}

// breakProblem describes the chain break before evs[i].
func breakProblem(evs []*Event, i int) Problem {
	e := evs[i]
	if i == 0 {
		return Problem{ProblemDeleted, e.Seq, fmt.Sprintf("records before seq %d were deleted", e.Seq)}
	}
	prev := evs[i-1].Seq
	if e.Seq > prev+1 {
		if e.Seq == prev+2 {
			return Problem{ProblemDeleted, prev + 1, fmt.Sprintf("record seq %d was deleted", prev+1)}
		}
		return Problem{ProblemDeleted, prev + 1, fmt.Sprintf("records seq %d to %d were deleted", prev+1, e.Seq-1)}
	}
	return Problem{ProblemDeleted, e.Seq, fmt.Sprintf("the chain breaks before seq %d: the record it follows was deleted (and the rest renumbered) or altered and re-hashed", e.Seq)}
}
