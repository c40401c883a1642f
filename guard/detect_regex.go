package guard

import (
	"regexp"
	"strings"
)

// The patterns are compiled once; a *regexp.Regexp is immutable and safe for
// concurrent use. All of them are RE2: linear in the length of the text.
var (
	reEmail     = regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}\.)+[A-Za-z]{2,24}\b`)
	reURL       = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>"'(){}\[\]]{2,1000}`)
	reIPv6      = regexp.MustCompile(`(?i)(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?:%[0-9a-z]+)?`)
	reMAC       = regexp.MustCompile(`(?i)\b[0-9a-f]{2}(?:[:-][0-9a-f]{2}){5}\b`)
	reCVV       = regexp.MustCompile(`(?i)\b(?:cvv2?|cvc2?|cid|csc|security code|card verification (?:code|value))\s*(?:number|no\.?|code)?\s*(?:(?:is|was)\b|[:#=-])?\s*(\d{3,4})\b`)
	reExpiry    = regexp.MustCompile(`(?i)\b(?:exp(?:iry|iration|ires|\.)?(?:\s+date)?|valid (?:thru|through|until)|good thru)\s*(?:(?:is|on)\b|[:=-])?\s*((?:0?[1-9]|1[0-2])\s?[/-]\s?(?:20)?\d{2})\b`)
	reSWIFT     = regexp.MustCompile(`\b[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?\b`)
	reNine      = regexp.MustCompile(`\b\d{9}\b`)
	reBankAcct  = regexp.MustCompile(`(?i)\b(?:bank |checking |savings )account(?: number| no\.?| #)?\s*(?:is\b|[:=#])?\s*(\d{6,17})\b`)
	reVIN       = regexp.MustCompile(`\b[A-HJ-NPR-Z0-9]{17}\b`)
	reAWSKey    = regexp.MustCompile(`\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b`)
	reAWSSecret = regexp.MustCompile(`(?:^|[^A-Za-z0-9/+])([A-Za-z0-9/+]{40})(?:$|[^A-Za-z0-9/+])`)
	rePassword  = regexp.MustCompile(`(?i)(?:\b|_)(?:password|passwd|pwd|passcode|pass ?phrase)["']?\s*(?:(?:is|was)\b\s*[:=]?|[:=])\s*("[^"\n]{1,64}"|'[^'\n]{1,64}'|[^\s"']{1,64})`)
	rePIN       = regexp.MustCompile(`(?i)\bpin(?:\s*(?:code|number|no\.?))?\s*(?:(?:is|was)\b|[:=#-])?\s*(\d{4,8})\b`)
	reUsername  = regexp.MustCompile(`(?i)\b(?:user ?name|user ?id|login(?: name| id)?|account name|handle)\s*(?:(?:is|was)\b|[:=])\s*[:=]?\s*([A-Za-z0-9._\-@]{3,64})`)
	reDriverID  = regexp.MustCompile(`(?i)\b(?:driver'?s? licen[cs]e|driving licen[cs]e|licen[cs]e (?:number|no\.?|#)|DL)(?:\s*(?:number|no\.?|#|id))?\s*(?:is\b|[:=#])?\s*([A-Z0-9][A-Z0-9-]{4,19})\b`)
	rePlate     = regexp.MustCompile(`(?i:\b(?:licen[cs]e plate|number plate|plate number|plate|registration number|reg(?:istration)?\.? no\.?)\s*(?:number|no\.?|#)?\s*(?:is\b|[:=#])?)\s*([A-Z0-9]{1,4}(?:[ -]?[A-Z0-9]{1,4}){0,2})\b`)
)

// The keywords near which the context patterns run.
var (
	kwEmail    = kw("@")
	kwURL      = kw("http", "www.")
	kwCVV      = kw("cvv", "cvc", "cid", "csc", "security code", "verification")
	kwExpiry   = kw("exp ", "exp.", "exp:", "expir", "valid thru", "valid through", "valid until", "good thru")
	kwRouting  = kw("routing", "aba", "rtn", "transit")
	kwBankAcct = kw("bank account", "checking account", "savings account")
	kwAWSKey   = kw("akia", "asia", "abia", "acca", "agpa", "aida", "aroa", "aipa", "anpa", "anva", "apka")
	kwPassword = kw("password", "passwd", "pwd", "passcode", "pass phrase", "passphrase")
	kwPIN      = kw("pin ", "pin:", "pin#", "pin=", "pin-")
	kwUsername = kw("username", "user name", "user id", "userid", "login", "handle", "account name")
	kwDriverID = kw("licen", "dl")
	kwPlate    = kw("plate", "registration", "reg no", "reg. no", "reg.no")
	kwAge      = kw("year old", "years old", "year-old", "years-old", "yrs", "aged", "age ", "age:", "turn", "i am ", "i'm ", "he was ", "she was ", "i was ")
)

// add appends a span for the submatch g of m (g=0 is the whole match).
func addGroup(out []span, m []int, g int, t EntityType, score float64) []span {
	if 2*g+1 >= len(m) || m[2*g] < 0 {
		return out
	}
	return append(out, span{m[2*g], m[2*g+1], t, score})
}

// detectPatterns runs every regular-expression detector over text.
func detectPatterns(sc *scan, ph *phoneDetector) []span {
	text := sc.text
	var out []span
	for _, m := range sc.in(reEmail, sc.tokenWindows(kwEmail, &emailByte, &emailByte)) {
		out = append(out, span{m[0], m[1], Email, 0.99})
	}
	for _, m := range sc.in(reURL, sc.tokenWindows(kwURL, nil, &urlByte)) {
		s, e := trimSpan(text, m[0], m[1])
		out = append(out, span{s, e, URL, 0.95})
	}
	out = detectIPs(sc, out)
	for _, m := range sc.in(reMAC, sc.around(macCandidates(text, sc.runs), 2, 2)) {
		v := text[m[0]:m[1]]
		if strings.Count(v, ":") == 5 || strings.Count(v, "-") == 5 {
			out = append(out, span{m[0], m[1], MACAddress, 0.95})
		}
	}
	out = detectCards(sc, out)
	for _, m := range sc.whenDigits(reCVV, 24, 40, kwCVV) {
		out = addGroup(out, m, 1, CardCVV, 0.9)
	}
	for _, m := range sc.whenDigits(reExpiry, 16, 40, kwExpiry) {
		out = addGroup(out, m, 1, CardExpiry, 0.85)
	}
	for _, m := range sc.inShape(ibanShape, sc.around(ibanCandidates(text, sc.runs), 2, 64)) {
		// the match may run into the next words: shorten it word by word
		for e := m[1]; e-m[0] >= 15; {
			v := text[m[0]:e]
			if (v == strings.ToUpper(v) || v == strings.ToLower(v)) && ibanValid(strings.ToUpper(strings.ReplaceAll(v, " ", ""))) {
				out = append(out, span{m[0], e, IBAN, 0.99})
				break
			}
			k := strings.LastIndexByte(text[m[0]:e], ' ')
			if k < 0 {
				break
			}
			e = m[0] + k
		}
	}
	out = detectSWIFT(sc, out)
	out = detectSSN(sc, out)
	for _, m := range sc.whenDigits(reNine, 8, 56, kwRouting) {
		if abaValid(text[m[0]:m[1]]) && hasAny(before(text, m[0], 40), kwRouting.words...) {
			out = append(out, span{m[0], m[1], USBankRouting, 0.9})
		}
	}
	for _, m := range sc.whenDigits(reBankAcct, 16, 50, kwBankAcct) {
		out = addGroup(out, m, 1, USBankAccount, 0.8)
	}
	for _, m := range sc.inClusters(ukniShape, 4, 4, 6, 0, sc.mayUKNI) {
		switch strings.ToUpper(text[m[2]:m[3]]) {
		case "BG", "GB", "NK", "KN", "TN", "NT", "ZZ":
			continue
		}
		score := 0.6
		if hasAny(before(text, m[0], 40), "national insurance", "ni number", "nino", "ni no") {
			score = 0.95
		}
		out = append(out, span{m[0], m[1], UKNationalInsurance, score})
	}
	for _, m := range sc.numWhere(reVIN, func(a, b int) bool { return sc.hasRun(a, b, 17, &upperOrDigitBytes) }) {
		v := text[m[0]:m[1]]
		if strings.ContainsAny(v, "0123456789") && strings.ContainsAny(v, "ABCDEFGHJKLMNPRSTUVWXYZ") &&
			(vinValid(v) || hasAny(before(text, m[0], 30), "vin", "vehicle identification", "chassis")) {
			out = append(out, span{m[0], m[1], VIN, 0.9})
		}
	}
	for _, m := range sc.when(reAWSKey, kwAWSKey) {
		out = append(out, span{m[0], m[1], AWSAccessKey, 0.99})
	}
	out = detectAWSSecrets(sc, out)
	out = detectSecrets(sc, out)
	for _, m := range sc.whenNear(rePassword, 16, 100, kwPassword) {
		s, e := m[2], m[3]
		if q := text[s]; (q == '"' || q == '\'') && e-s >= 2 && text[e-1] == q {
			s, e = s+1, e-1 // a quoted value: the quotes are not the password
		} else {
			s, e = trimSpan(text, s, e)
		}
		if e > s && !commonWord(strings.ToLower(text[s:e])) && !(afterVerb(text[m[0]:m[2]]) && proseWord(text[s:e])) && !placeholderValue(text[s:e]) {
			out = append(out, span{s, e, Password, 0.9})
		}
	}
	for _, m := range sc.whenDigits(rePIN, 8, 40, kwPIN) {
		out = addGroup(out, m, 1, PIN, 0.85)
	}
	for _, m := range sc.whenNear(reUsername, 16, 100, kwUsername) {
		s, e := trimSpan(text, m[2], m[3])
		if e > s && !commonWord(strings.ToLower(text[s:e])) {
			out = append(out, span{s, e, Username, 0.85})
		}
	}
	for _, m := range sc.whenDigits(reDriverID, 24, 60, kwDriverID) {
		if strings.ContainsAny(text[m[2]:m[3]], "0123456789") {
			out = addGroup(out, m, 1, DriverID, 0.85)
		}
	}
	for _, m := range sc.whenDigits(rePlate, 24, 50, kwPlate) {
		v := text[m[2]:m[3]]
		if strings.ContainsAny(v, "0123456789") && strings.ContainsAny(strings.ToUpper(v), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			s, e := trimSpan(text, m[2], m[3])
			out = append(out, span{s, e, LicensePlate, 0.8})
		}
	}
	for _, m := range sc.inShape(ageShape, sc.digitWindows(32, 48, kwAge)) {
		for g := 1; g <= 3; g++ {
			if m[2*g] >= 0 {
				out = append(out, span{m[2*g], m[2*g+1], Age, 0.8})
			}
		}
	}
	out = append(out, ph.detect(sc)...)
	return out
}

// macCandidates returns where a MAC address written with digits can be:
// six pairs of hex digits joined by one separator, : or -, around a digit.
func macCandidates(text string, runs [][2]int) [][2]int {
	var out [][2]int
	last := -1
	for k := 0; k < len(runs); k++ {
		r := runs[k]
		if r[1]-r[0] == 4 && logStampAt(text, r) { // most runs fail the length without the call
			k += 5 // the next five runs are its pairs, in none
		}
		if !macMayHold(text, r) {
			continue
		}
		// where the address can start: any of the 15 bytes before a lone
		// digit, a multiple of three bytes before a pair (the first of
		// a pair), 15 before a longer run (its last pair)
		step, first := 1, r[0]-15
		switch r[1] - r[0] {
		case 1:
		case 2:
			step = 3
		default:
			step = 16
		}
		if first <= last { // after the last address found
			first += ((last-first)/step + 1) * step
		}
		for st := first; st <= r[0] && st+17 <= len(text); st += step {
			if sep := text[st+2]; (sep == ':' || sep == '-') && macShape(text[st:st+17]) {
				out = append(out, [2]int{st, st + 17})
				last = st
			}
		}
	}
	return out
}

// logStampAt reports whether a log timestamp's date and time,
// "2026-03-01T08:00:07", start at the digit run r and no : or - follows
// them. Its next five runs, the month, day, hour, minute and second, are
// then pairs in chains of three that nothing extends: "26-03-01" (the
// year's first two digits are no pair after a separator; T is no
// separator) and "08:00:07" (after the T, before a byte that is neither),
// so macMayHold is false for each of them.
func logStampAt(text string, r [2]int) bool {
	p := r[0]
	if !isoDateAt(text, p, r[1]) || p+19 > len(text) || p+19 < len(text) && (text[p+19] == ':' || text[p+19] == '-') {
		return false
	}
	return isDigit(text[p+11]) && isDigit(text[p+12]) && text[p+13] == ':' && isDigit(text[p+14]) && isDigit(text[p+15]) &&
		text[p+16] == ':' && isDigit(text[p+17]) && isDigit(text[p+18])
}

// macMayHold reports whether the digit run r can lie in a MAC address,
// by the chain of hex pairs joined by one separator (: or -) through it:
// an address is six such pairs, so a chain of fewer holds none. Log
// timestamps ("10:22:33", "2024-05-12") are chains of three. A lone digit
// is the first or the second byte of its pair; a pair is one; a longer
// run can only start the address's last pair, after a separator.
func macMayHold(text string, r [2]int) bool {
	i := r[0]
	switch r[1] - i {
	case 1:
		return macChain(text, i-1) || macChain(text, i)
	case 2:
		return macChain(text, i)
	}
	return i > 0 && (text[i-1] == ':' || text[i-1] == '-')
}

// macChain reports whether text[p:p+2] is a hex pair in a chain of at
// least six pairs joined by the same separator, : or -, which is then next
// to the pair.
func macChain(text string, p int) bool {
	if p < 0 || p+2 > len(text) || !isHex(text[p]|0x20) || !isHex(text[p+1]|0x20) {
		return false
	}
	before, after := byte(0), byte(0)
	if p > 0 {
		before = text[p-1]
	}
	if p+2 < len(text) {
		after = text[p+2]
	}
	for _, sep := range [2]byte{':', '-'} {
		if before != sep && after != sep {
			continue
		}
		n := 1
		for q := p; n < 6 && q >= 3 && text[q-1] == sep && isHex(text[q-3]|0x20) && isHex(text[q-2]|0x20); q -= 3 {
			n++
		}
		for q := p; n < 6 && q+5 <= len(text) && text[q+2] == sep && isHex(text[q+3]|0x20) && isHex(text[q+4]|0x20); q += 3 {
			n++
		}
		if n >= 6 {
			return true
		}
	}
	return false
}

// macShape reports whether s (17 bytes) is hh:hh:hh:hh:hh:hh or with -.
func macShape(s string) bool {
	sep := s[2]
	if sep != ':' && sep != '-' {
		return false
	}
	for i := 0; i < 6; i++ {
		if !isHex(s[3*i]|0x20) || !isHex(s[3*i+1]|0x20) || i < 5 && s[3*i+2] != sep {
			return false
		}
	}
	return true
}

// emailByte holds the bytes of an email address's local part and domain.
var emailByte = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = byteClass[c] == bLetter || byteClass[c] == bDigit || strings.IndexByte("._%+-", byte(c)) >= 0
	}
	return t
}()

// urlByte holds the bytes a URL runs over (reURL stops at the others).
var urlByte = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c > ' ' && strings.IndexByte("<>\"'(){}[]", byte(c)) < 0
	}
	return t
}()

// ibanCandidates returns where an IBAN can start: two letters (the
// country) just before a run of digits (the check digits).
func ibanCandidates(text string, runs [][2]int) [][2]int {
	var out [][2]int
	for _, r := range runs {
		if i := r[0]; i >= 2 && isLetterASCII(text[i-1]) && isLetterASCII(text[i-2]) {
			out = append(out, [2]int{i - 2, r[1]})
		}
	}
	return out
}

func isLetterASCII(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// placeholderValue reports whether a value after "password:" stands for a
// password rather than being one: a link, a mask ("********", "xxxx"), a
// template ("{{ .Values.pw }}", "${DB_PASSWORD}", "<password>") or an aside
// in parentheses.
func placeholderValue(v string) bool {
	if strings.Contains(v, "://") || strings.IndexAny(v[:1], "{$<([") == 0 {
		return true
	}
	return allSame(strings.ToLower(v)) && (v[0] == '*' || v[0] == 'x' || v[0] == 'X' || v[0] == '.' || v[0] == '#')
}

// afterVerb reports whether a "password ... value" match joins its parts
// with "is" or "was" rather than ":" or "=", as prose does ("the password
// was rejected") more often than a pasted secret.
func afterVerb(lead string) bool {
	lead = strings.TrimRight(strings.ToLower(lead), " \t")
	return strings.HasSuffix(lead, " is") || strings.HasSuffix(lead, " was")
}

// proseWord reports whether v reads as an ordinary word of a sentence rather
// than a secret: lower-case letters only, and an inflected form (rejected,
// expiring, quickly) or a word that describes a password (weak, too, case).
func proseWord(v string) bool {
	for _, r := range v {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	for _, suffix := range []string{"ed", "ing", "ly", "able", "ible", "ful", "less"} {
		if strings.HasSuffix(v, suffix) {
			return true
		}
	}
	switch v {
	case "too", "very", "being", "sent", "just", "fine", "ok", "okay", "right", "good", "bad", "weak", "strong",
		"long", "short", "case", "sensitive", "simple", "wrong", "different", "new", "old", "temporary", "correct":
		return true
	}
	return false
}
