package eval

import "fmt"

// Scores holds ROUGE-1, ROUGE-2 and ROUGE-L F1 scores, each in [0, 1].
type Scores struct {
	R1 float64 `json:"rouge1"`
	R2 float64 `json:"rouge2"`
	RL float64 `json:"rougeL"`
}

// Rouge returns the ROUGE-1, ROUGE-2 and ROUGE-L F1 of candidate against
// references, as the project defines them: text is lowercased and split into
// tokens matching [a-z0-9]+ (no stemming, no stop words); n-gram overlaps are
// clipped counts; ROUGE-L uses the longest common subsequence of tokens. With
// several references the result is the mean over the references of each
// F1 (not the maximum). No references, or an empty candidate or reference,
// score zero for that pair.
func Rouge(candidate string, references []string) Scores {
	if len(references) == 0 {
		return Scores{}
	}
	cand := Tokens(candidate)
	var sum Scores
	for _, ref := range references {
		r := Tokens(ref)
		sum.R1 += ngramF1(cand, r, 1)
		sum.R2 += ngramF1(cand, r, 2)
		sum.RL += lcsF1(cand, r)
	}
	n := float64(len(references))
	return Scores{R1: sum.R1 / n, R2: sum.R2 / n, RL: sum.RL / n}
}

// Mean returns the arithmetic mean of scores, one per dialog, or zero
// Scores for none.
func Mean(scores []Scores) Scores {
	if len(scores) == 0 {
		return Scores{}
	}
	var sum Scores
	for _, s := range scores {
		sum.R1 += s.R1
		sum.R2 += s.R2
		sum.RL += s.RL
	}
	n := float64(len(scores))
	return Scores{R1: sum.R1 / n, R2: sum.R2 / n, RL: sum.RL / n}
}

// Percent returns the scores multiplied by 100, as ROUGE is usually reported.
func (s Scores) Percent() Scores {
	return Scores{R1: s.R1 * 100, R2: s.R2 * 100, RL: s.RL * 100}
}

// Tokens lowercases s and returns its maximal runs of ASCII letters and
// digits ([a-z0-9]+); everything else, including non-ASCII letters,
// separates tokens.
func Tokens(s string) []string {
	var out []string
	start := -1
	buf := []byte(s)
	for i := 0; i <= len(buf); i++ {
		word := false
		if i < len(buf) {
			c := buf[i]
			if 'A' <= c && c <= 'Z' {
				buf[i] = c + 'a' - 'A'
				word = true
			} else {
				word = 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
			}
		}
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			out = append(out, string(buf[start:i]))
			start = -1
		}
	}
	return out
}

func f1(overlap, candLen, refLen int) float64 {
	if overlap == 0 || candLen == 0 || refLen == 0 {
		return 0
	}
	p := float64(overlap) / float64(candLen)
	r := float64(overlap) / float64(refLen)
	return 2 * p * r / (p + r)
}

// ngramF1 returns the F1 of clipped n-gram overlap.
func ngramF1(cand, ref []string, n int) float64 {
	cn, rn := len(cand)-n+1, len(ref)-n+1
	if cn <= 0 || rn <= 0 {
		return 0
	}
	counts := make(map[string]int, rn)
	for i := 0; i < rn; i++ {
		counts[joinGram(ref[i:i+n])]++
	}
	overlap := 0
	for i := 0; i < cn; i++ {
		g := joinGram(cand[i : i+n])
		if counts[g] > 0 {
			counts[g]--
			overlap++
		}
	}
	return f1(overlap, cn, rn)
}

func joinGram(g []string) string {
	if len(g) == 1 {
		return g[0]
	}
	n := len(g) - 1
	for _, w := range g {
		n += len(w)
	}
	b := make([]byte, 0, n)
	for i, w := range g {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, w...)
	}
	return string(b)
}

// lcsF1 returns the F1 of the longest common subsequence, computed in
// O(len(cand)*len(ref)) time and O(len(ref)) memory.
func lcsF1(cand, ref []string) float64 {
	if len(cand) == 0 || len(ref) == 0 {
		return 0
	}
	prev := make([]int, len(ref)+1)
	cur := make([]int, len(ref)+1)
	for i := range cand {
		for j := range ref {
			switch {
			case cand[i] == ref[j]:
				cur[j+1] = prev[j] + 1
			case prev[j+1] >= cur[j]:
				cur[j+1] = prev[j+1]
			default:
				cur[j+1] = cur[j]
			}
		}
		prev, cur = cur, prev
	}
	return f1(prev[len(ref)], len(cand), len(ref))
}

// String formats scores in [0, 1] as percentages with two decimals, as
// reports show them: "ROUGE-1/2/L 41.85 / 18.51 / 34.61".
func (s Scores) String() string {
	p := s.Percent()
	return fmt.Sprintf("ROUGE-1/2/L %.2f / %.2f / %.2f", p.R1, p.R2, p.RL)
}
