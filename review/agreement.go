package review

import (
	"slices"
)

// Agreement is how much raters agree on one rating method.
type Agreement struct {
	Method Method `json:"method"`
	// Raters is the number of distinct raters; Items the number of rated
	// things (a summary for thumbs and Likert, a pair for choice) that at
	// least two raters rated, which are the ones counted.
	Raters int `json:"raters"`
	Items  int `json:"items"`
	// PercentAgreement is the share of agreeing rater pairs, averaged over
	// items, on 0-100 (for two raters: the share of items they agree on).
	PercentAgreement float64 `json:"percent_agreement"`
	// Statistic is "cohen_kappa" for two raters and "fleiss_kappa" for
	// more; Kappa is nil when it is undefined (every rating in one
	// category, or no item rated twice).
	Statistic string   `json:"statistic,omitempty"`
	Kappa     *float64 `json:"kappa,omitempty"`
}

// CohenKappa returns Cohen's kappa for two raters' categories a[i] and
// b[i] of the same items: (po - pe) / (1 - pe), with po the observed
// agreement and pe the agreement expected from each rater's own category
// frequencies. ok is false when the slices differ in length, are empty, or
// pe is 1.
func CohenKappa(a, b []string) (kappa float64, ok bool) {
	if len(a) != len(b) || len(a) == 0 {
		return 0, false
	}
	n := float64(len(a))
	fa, fb := map[string]float64{}, map[string]float64{}
	agree := 0.0
	for i := range a {
		fa[a[i]]++
		fb[b[i]]++
		if a[i] == b[i] {
			agree++
		}
	}
	po, pe := agree/n, 0.0
	for k, v := range fa {
		pe += v / n * fb[k] / n
	}
	if pe >= 1 {
		return 0, false
	}
	return (po - pe) / (1 - pe), true
}

// FleissKappa returns Fleiss' kappa for counts[i][j], the number of raters
// who put item i in category j. Items may have different numbers of raters
// (at least two each); with equal numbers this is Fleiss' original
// statistic. ok is false without items or when every rating is in one
// category.
func FleissKappa(counts [][]int) (kappa float64, ok bool) {
	pbar, ok := meanPairAgreement(counts)
	if !ok {
		return 0, false
	}
	var totals []float64
	var all float64
	for _, row := range counts {
		for j, c := range row {
			for len(totals) <= j {
				totals = append(totals, 0)
			}
			totals[j] += float64(c)
			all += float64(c)
		}
	}
	pe := 0.0
	for _, t := range totals {
		pe += (t / all) * (t / all)
	}
	if pe >= 1 {
		return 0, false
	}
	return (pbar - pe) / (1 - pe), true
}

// meanPairAgreement returns the mean over items of the share of agreeing
// rater pairs; items with fewer than two raters are skipped.
func meanPairAgreement(counts [][]int) (float64, bool) {
	sum, items := 0.0, 0
	for _, row := range counts {
		n, pairs := 0, 0
		for _, c := range row {
			n += c
			pairs += c * (c - 1)
		}
		if n < 2 {
			continue
		}
		sum += float64(pairs) / float64(n*(n-1))
		items++
	}
	if items == 0 {
		return 0, false
	}
	return sum / float64(items), true
}

// agreement computes the agreement of ratings of one method.
func agreement(method Method, rs []*Rating) Agreement {
	type key struct{ task, label string }
	byItem := map[key]map[string]string{}
	var keys []key
	raters := map[string]bool{}
	for _, r := range rs {
		if r.Method != method {
			continue
		}
		k := key{r.TaskID, r.Label}
		if byItem[k] == nil {
			byItem[k] = map[string]string{}
			keys = append(keys, k)
		}
		cat := r.Chosen
		if method != Choice {
			cat = string(rune('0' + r.Score))
		}
		byItem[k][r.Rater] = cat
		raters[r.Rater] = true
	}
	ag := Agreement{Method: method}
	var cats []string
	counted := map[string]bool{}
	var multi []key
	for _, k := range keys {
		if len(byItem[k]) < 2 {
			continue
		}
		multi = append(multi, k)
		for rater, c := range byItem[k] {
			counted[rater] = true
			if !slices.Contains(cats, c) {
				cats = append(cats, c)
			}
		}
	}
	ag.Raters, ag.Items = len(raters), len(multi)
	if len(multi) == 0 {
		return ag
	}
	counts := make([][]int, len(multi))
	for i, k := range multi {
		counts[i] = make([]int, len(cats))
		for _, c := range byItem[k] {
			counts[i][slices.Index(cats, c)]++
		}
	}
	p, _ := meanPairAgreement(counts)
	ag.PercentAgreement = 100 * p
	if len(counted) == 2 {
		var names []string
		for r := range counted {
			names = append(names, r)
		}
		var a, b []string
		for _, k := range multi {
			a, b = append(a, byItem[k][names[0]]), append(b, byItem[k][names[1]])
		}
		ag.Statistic = "cohen_kappa"
		if k, ok := CohenKappa(a, b); ok {
			ag.Kappa = &k
		}
		return ag
	}
	ag.Statistic = "fleiss_kappa"
	if k, ok := FleissKappa(counts); ok {
		ag.Kappa = &k
	}
	return ag
}
