package guard

import "strings"

// spelledNumbers finds numbers written out in words, "four one five, five
// five five, zero one four two", as a customer dictates a phone number or a
// model repeats one it was told not to write in digits: seven or more
// digits in a row, at least three of them words, joined only by spaces,
// commas, hyphens or periods. It runs on input and output alike.
func spelledNumbers(text string, toks []token) []span {
	var out []span
	start, end, digits, spelled := -1, 0, 0, 0
	for i := range toks {
		w := toks[i].folded
		d, s := 0, 0
		if w != "" && (isDigit(w[0]) || digitInitial[w[0]]) { // most words stop here
			d, s = numberWord(w)
		}
		if d > 0 && start >= 0 && numberGap(text[end:toks[i].start]) {
			end, digits, spelled = toks[i].end, digits+d, spelled+s
			continue
		}
		if start >= 0 && digits >= 7 && spelled >= 3 {
			out = append(out, span{start, end, Phone, 0.75})
		}
		start = -1
		if d > 0 {
			start, end, digits, spelled = toks[i].start, toks[i].end, d, s
		}
	}
	if start >= 0 && digits >= 7 && spelled >= 3 {
		out = append(out, span{start, end, Phone, 0.75})
	}
	return out
}

// digitInitial holds the first letters of the digit words.
var digitInitial = func() (t [256]bool) {
	for _, c := range "zotfsend" {
		t[c] = true
	}
	return t
}()

// numberWord returns how many digits a word stands for and how many of
// them are spelled: "five" 1 and 1, "415" 3 and 0, "four-one-five" 3 and 3,
// "double" (as in "double five") 1 and 1; 0 for any other word, and for a
// figure of more than four digits (an id or a date, not a group read out).
func numberWord(w string) (digits, spelled int) {
	if isDigit(w[0]) {
		if len(w) > 4 {
			return 0, 0
		}
		for i := 1; i < len(w); i++ {
			if !isDigit(w[i]) {
				return 0, 0
			}
		}
		return len(w), 0
	}
	if len(w) < 2 || !digitPrefix(w) {
		return 0, 0
	}
	if digitWord(w) {
		return 1, 1
	}
	for part := range strings.SplitSeq(w, "-") {
		if !digitWord(part) {
			return 0, 0
		}
		digits++
	}
	return digits, digits
}

// digitPrefix reports whether w, of at least two letters, starts as a
// digit word does.
func digitPrefix(w string) bool {
	if len(w) == 2 || w[2] == '-' {
		return w[:2] == "oh"
	}
	switch uint32(w[0])<<16 | uint32(w[1])<<8 | uint32(w[2]) {
	case 'z'<<16 | 'e'<<8 | 'r', 'o'<<16 | 'n'<<8 | 'e', 't'<<16 | 'w'<<8 | 'o',
		't'<<16 | 'h'<<8 | 'r', 'f'<<16 | 'o'<<8 | 'u', 'f'<<16 | 'i'<<8 | 'v',
		's'<<16 | 'i'<<8 | 'x', 's'<<16 | 'e'<<8 | 'v', 'e'<<16 | 'i'<<8 | 'g',
		'n'<<16 | 'i'<<8 | 'n', 'd'<<16 | 'o'<<8 | 'u', 't'<<16 | 'r'<<8 | 'i':
		return true
	}
	return false
}

// digitWord reports whether w names one digit (or doubles the next).
func digitWord(w string) bool {
	switch w {
	case "zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "double", "triple":
		return true
	}
	return false
}

// numberGap reports whether g, the text between two words of a number read
// out, only separates them: at most three spaces, commas, hyphens or
// periods.
func numberGap(g string) bool {
	if len(g) > 3 {
		return false
	}
	for i := 0; i < len(g); i++ {
		switch g[i] {
		case ' ', ',', '-', '.':
		default:
			return false
		}
	}
	return true
}
