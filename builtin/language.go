package builtin

import (
	"strings"
	"unicode"
)

// stopWords are frequent words that tell a language apart from English.
// Words that are also common in English ("was", "will", "also", "come",
// "per", "so", "no", "as", "is", "in", "a") are left out.
var stopWords = map[string][]string{
	"Spanish": {"el", "los", "las", "del", "que", "y", "para", "por", "con", "una", "es", "se", "mi", "su",
		"pero", "muy", "está", "tengo", "hola", "gracias", "cuando", "desde", "nos", "le", "lo", "al", "sí", "puede",
		"usted", "cada", "hay", "este", "esta", "favor", "saludos"},
	"German": {"der", "die", "das", "und", "ist", "nicht", "ich", "wir", "sie", "mit", "für", "auf", "dem", "den",
		"ein", "eine", "einen", "zu", "zur", "zum", "von", "bitte", "ihr", "ihre", "ihnen", "haben", "sind", "kein",
		"keine", "noch", "aber", "danke", "bei", "wie", "auch", "nach", "uns", "oder", "wurde", "müssen", "vielen", "dank",
		"guten", "grüße", "freundlichen", "mehr", "schon", "immer"},
	"French": {"le", "la", "les", "des", "et", "est", "je", "nous", "vous", "pas", "pour", "avec", "une", "du",
		"au", "aux", "sur", "qui", "que", "mon", "ma", "mes", "notre", "votre", "il", "elle", "ne", "ce", "cette",
		"sont", "avons", "avez", "merci", "bonjour", "dans", "ou", "mais", "très", "j'ai", "c'est", "n'est", "depuis",
		"cordialement", "été", "lui", "leur"},
	"Italian": {"il", "di", "che", "non", "una", "della", "sono", "ho", "gli", "questo", "con", "grazie",
		"buongiorno", "ciao", "nel", "alla", "del", "mio", "mia", "ma", "anche", "molto", "è", "perché", "sempre",
		"ancora", "saluti", "cordiali"},
	"Portuguese": {"não", "você", "obrigado", "obrigada", "uma", "com", "para", "meu", "minha", "da",
		"em", "olá", "por", "que", "está", "mas", "muito", "ao", "foi", "tenho", "nosso", "nossa"},
	"Indonesian": {"yang", "dan", "ke", "dari", "tidak", "ini", "itu", "saya", "untuk", "dengan", "ada", "aja",
		"ajah", "sudah", "belum", "malah", "lewat", "kak", "mohon", "terima", "kasih", "tolong", "bisa", "gak", "nya"},
	"Dutch": {"het", "een", "niet", "ik", "je", "wij", "jullie", "mijn", "voor", "dat", "dank",
		"bedankt", "en", "wordt", "heb", "ons", "onze", "maar", "ook", "nog", "geen", "werkt", "alvast", "groeten"},
}

// englishWords are frequent English words; a sentence with more of them
// than of any other language's stop words is English.
var englishWords = map[string]bool{"the": true, "and": true, "is": true, "are": true, "to": true, "of": true,
	"my": true, "i": true, "you": true, "it": true, "for": true, "with": true, "this": true, "that": true,
	"have": true, "was": true, "not": true, "on": true, "in": true, "we": true, "our": true, "your": true,
	"can": true, "be": true, "but": true, "they": true, "what": true, "how": true, "why": true, "please": true,
	"thanks": true, "do": true, "does": true, "get": true, "will": true, "would": true, "from": true, "at": true,
	"me": true, "an": true, "has": true, "been": true, "it's": true, "i'm": true, "there": true, "when": true,
	"just": true, "any": true, "all": true, "which": true, "if": true, "or": true, "by": true, "thank": true,
	"now": true, "still": true, "again": true, "after": true, "since": true, "did": true, "could": true,
	"should": true, "their": true, "them": true, "about": true, "into": true, "out": true, "up": true}

// languageOrder lists the languages of stopWords in the order ties are
// broken.
var languageOrder = [...]string{"Spanish", "German", "French", "Italian", "Portuguese", "Dutch", "Indonesian"}

// stopIndex maps a frequent word to what it tells: whether it is one of
// englishWords, and the languages (indexes of languageOrder) whose stop
// word it is; one lookup per word answers both.
type stopIndex map[string]wordClue

// wordClue is what one word tells about a text's language.
type wordClue struct {
	english bool
	langs   []int
}

func newStopIndex() stopIndex {
	idx := stopIndex{}
	for i, lang := range languageOrder {
		for _, w := range stopWords[lang] {
			c := idx[w]
			c.langs = append(c.langs, i)
			idx[w] = c
		}
	}
	for w := range englishWords {
		c := idx[w]
		c.english = true
		idx[w] = c
	}
	return idx
}

// languages tells English from other languages. It is built once per
// Summarizer and read only afterwards.
type languages struct {
	idx    stopIndex
	shapes keyShapes // of idx's keys: most words are in none
}

func newLanguages() *languages {
	l := &languages{idx: newStopIndex()}
	for w := range l.idx {
		l.shapes.add(w)
	}
	return l
}

// classify returns the language of text when it is not English, or "" for
// English and for text too short or too mixed to tell, and the number of
// frequent English words in it. Scripts other than Latin decide first;
// then stop words of the common European languages, then accented letters
// in a text with no English word. Words are runs of letters and
// apostrophes, read in place without allocating them.
func (l *languages) classify(text string) (lang string, english int) {
	if lang := scriptLanguage(text); lang != "" {
		return lang, 0
	}
	return l.classifyLower(text, toLower(text))
}

// classifyLower is classify for text whose script is Latin and whose
// lowered form is lower.
func (l *languages) classifyLower(text, lower string) (lang string, english int) {
	var counts [len(languageOrder)]int
	accented := 0
	word := func(w string) {
		if c := w[0]; c == '\'' || c >= 0x80 || w[len(w)-1] == '\'' || w[len(w)-1] >= 0x80 {
			w = strings.Trim(w, "'’")
		}
		if strings.IndexByte(w, "’"[0]) >= 0 && strings.Contains(w, "’") {
			w = strings.ReplaceAll(w, "’", "'")
		}
		// w is lowered: a key of idx is w only if the shapes allow it
		if l.shapes.may(w) {
			clue := l.idx[w]
			if clue.english {
				english++
			}
			for _, i := range clue.langs {
				counts[i]++
			}
		}
		if hasAccent(w) {
			accented++
		}
	}
	start := -1
	for i, r := range lower {
		if unicode.IsLetter(r) || r == '\'' || r == '’' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			word(lower[start:i])
			start = -1
		}
	}
	if start >= 0 {
		word(lower[start:])
	}
	best, bestN := "", 0
	for i, lang := range languageOrder {
		if counts[i] > bestN {
			best, bestN = lang, counts[i]
		}
	}
	switch {
	case bestN >= 2 && bestN > english:
		return best, english
	case bestN == 1 && english == 0:
		return best, english
	case english == 0 && accented > 0:
		return accentLanguage(text), english
	}
	return "", english
}

// hasAccent reports whether w holds a letter outside ASCII.
func hasAccent(w string) bool {
	for _, r := range w {
		if r >= 0x80 && unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// accentLanguage guesses the language of a text by its accented letters.
func accentLanguage(text string) string {
	switch {
	case strings.ContainsAny(text, "ßäöüÄÖÜ"):
		return "German"
	case strings.ContainsAny(text, "ñ¿¡"):
		return "Spanish"
	case strings.ContainsAny(text, "ãõ"):
		return "Portuguese"
	case strings.ContainsAny(text, "çèêëàâîïôûœ"):
		return "French"
	case strings.ContainsAny(text, "ìòù"):
		return "Italian"
	}
	return "a language other than English"
}

// scriptLanguage names the language of a text written mostly (a third of
// its letters or more) in a script other than Latin, or returns "".
func scriptLanguage(text string) string {
	if isPlainASCII(text) {
		return "" // no letter of another script
	}
	var latin, han, kana, hangul, cyrillic, ukrainian, arabic, greek, hebrew, thai, devanagari int
	for _, r := range text {
		if r < 0x80 {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
				latin++
			}
			continue
		}
		if r < 0x250 {
			// Latin-1 Supplement and Latin Extended-A and -B: the letters
			// are Latin, the signs (×, ÷, «) of no script counted here.
			if r >= 0xC0 && r != 0xD7 && r != 0xF7 || r == 0xAA || r == 0xBA {
				latin++
			}
			continue
		}
		if r >= 0x2000 && r <= 0x206F {
			continue // General Punctuation: dashes, quotes, spaces
		}
		switch {
		case unicode.Is(unicode.Latin, r):
			latin++
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
			kana++
		case unicode.Is(unicode.Hangul, r):
			hangul++
		case unicode.Is(unicode.Cyrillic, r):
			cyrillic++
			if strings.ContainsRune("іїєґІЇЄҐ", r) {
				ukrainian++
			}
		case unicode.Is(unicode.Arabic, r):
			arabic++
		case unicode.Is(unicode.Greek, r):
			greek++
		case unicode.Is(unicode.Hebrew, r):
			hebrew++
		case unicode.Is(unicode.Thai, r):
			thai++
		case unicode.Is(unicode.Devanagari, r):
			devanagari++
		}
	}
	other := han + kana + hangul + cyrillic + arabic + greek + hebrew + thai + devanagari
	if other == 0 || other*2 < latin {
		return ""
	}
	switch max(han+kana, hangul, cyrillic, arabic, greek, hebrew, thai, devanagari) {
	case han + kana:
		if kana > 0 {
			return "Japanese"
		}
		return "Chinese"
	case hangul:
		return "Korean"
	case cyrillic:
		if ukrainian > 0 {
			return "Ukrainian"
		}
		return "Russian"
	case arabic:
		return "Arabic"
	case greek:
		return "Greek"
	case hebrew:
		return "Hebrew"
	case thai:
		return "Thai"
	}
	return "Hindi"
}

// productPhrase turns a product line such as "integrations-api" into
// words ("integrations API"), or "" when it is not plain ASCII words.
func productPhrase(pl string) string {
	pl = strings.TrimSpace(pl)
	if pl == "" || len(pl) > 40 {
		return ""
	}
	words := strings.FieldsFunc(pl, func(r rune) bool { return r == '-' || r == '_' || r == ' ' || r == '/' })
	for i, w := range words {
		for _, r := range w {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return ""
			}
		}
		switch strings.ToLower(w) {
		case "api", "pos", "sdk", "kds", "ios":
			words[i] = strings.ToUpper(w)
		default:
			words[i] = strings.ToLower(w)
		}
	}
	return strings.Join(words, " ")
}

// withArticle puts "a" or "an" before a phrase.
func withArticle(p string) string {
	if p != "" && strings.ContainsRune("aeioAEIO", rune(p[0])) {
		return "an " + p
	}
	return "a " + p
}
