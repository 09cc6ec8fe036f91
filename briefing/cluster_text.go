package briefing

import (
	"unicode"
	"unicode/utf8"
)

// Text features for clustering and quote matching: words lowercased, stop words dropped, a light
// plural stemming, and 64-bit hashes of word shingles. Everything here is allocation-light: it
// runs over every candidate article of a briefing.

// wordFunc receives one word of a text: lower is the lowercased word (valid only during the
// call), proper tells that the word is capitalised and does not open a sentence (a likely name).
type wordFunc func(lower []byte, proper bool)

// eachTextWord calls fn for each word of s: a run of letters and digits, with inner apostrophes and
// hyphens kept ("Washington's" is one word, "Kim Jong-un" two). buf is scratch space and is
// returned for reuse. ASCII text takes a fast path: this runs over every candidate article.
func eachTextWord(s string, buf []byte, fn wordFunc) []byte {
	sentenceStart := true
	for i := 0; i < len(s); {
		// Between words: skip to the next letter or digit, noting where sentences end.
		c := s[i]
		if c < utf8.RuneSelf {
			if !isASCIIWordByte(c) {
				if c == '.' || c == '!' || c == '?' || c == ':' || c == '\n' || c == '"' {
					sentenceStart = true
				}
				i++
				continue
			}
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				if r == '“' || r == '”' {
					sentenceStart = true
				}
				i += size
				continue
			}
		}

		// A word: lowercase it into buf.
		buf = buf[:0]
		capital := false
	word:
		for first := true; i < len(s); first = false {
			c := s[i]
			if c < utf8.RuneSelf {
				switch {
				case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
					buf = append(buf, c)
				case c >= 'A' && c <= 'Z':
					capital = capital || first
					buf = append(buf, c+'a'-'A')
				case c == '\'' || c == '-':
					buf = append(buf, '\'') // kept inside a word, trimmed at its end
				default:
					break word
				}
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r):
				capital = capital || first && unicode.IsUpper(r)
				buf = utf8.AppendRune(buf, unicode.ToLower(r))
			case r == '’':
				buf = append(buf, '\'')
			default:
				break word
			}
			i += size
		}
		if w := trimJoiners(buf); len(w) > 0 {
			fn(w, capital && !sentenceStart)
			sentenceStart = false
		}
	}
	return buf
}

func isASCIIWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// trimJoiners drops apostrophes and hyphens (folded to '\”) at the end of a word, and a
// possessive "'s".
func trimJoiners(w []byte) []byte {
	for len(w) > 0 && w[len(w)-1] == '\'' {
		w = w[:len(w)-1]
	}
	if n := len(w); n > 2 && w[n-2] == '\'' && w[n-1] == 's' {
		w = w[:n-2]
	}
	return w
}

// stemWord folds the common English inflections so two outlets' wording meets: plurals
// ("missiles", "launches", "talks"), past tenses ("launched", "agreed") and -ing forms
// ("firing"), then a final "e" ("fire", "fired", "fires" and "firing" all become "fir"). It is
// meant to match words, not to be linguistics. It works in place.
func stemWord(w []byte) []byte {
	n := len(w)
	switch {
	case n > 4 && (hasSuffix(w, "ies") || hasSuffix(w, "ied")):
		w = append(w[:n-3], 'y')
	case n > 4 && hasSuffix(w, "sses"):
		w = w[:n-2]
	case n > 4 && hasSuffix(w, "es") && (w[n-3] == 's' || w[n-3] == 'x' || w[n-3] == 'z' || w[n-3] == 'h' && (w[n-4] == 'c' || w[n-4] == 's')):
		w = w[:n-2]
	case n > 3 && w[n-1] == 's' && w[n-2] != 's' && w[n-2] != 'u' && w[n-2] != 'i' && w[n-2] != '\'':
		w = w[:n-1]
	case n > 4 && hasSuffix(w, "eed"):
		w = w[:n-1]
	case n > 4 && hasSuffix(w, "ed"):
		w = undouble(w[:n-2])
	case n > 5 && hasSuffix(w, "ing"):
		w = undouble(w[:n-3])
	}
	if n := len(w); n > 3 && w[n-1] == 'e' {
		w = w[:n-1]
	}
	return w
}

func hasSuffix(w []byte, suffix string) bool {
	return len(w) >= len(suffix) && string(w[len(w)-len(suffix):]) == suffix
}

// undouble drops the doubled consonant a suffix left ("stopp" → "stop"), except l, s and z.
func undouble(w []byte) []byte {
	n := len(w)
	if n > 2 && w[n-1] == w[n-2] && !isVowel(w[n-1]) && w[n-1] != 'l' && w[n-1] != 's' && w[n-1] != 'z' {
		return w[:n-1]
	}
	return w
}

func isVowel(c byte) bool { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' }

// isClusterStopWord reports words that say nothing about which event an article reports.
func isClusterStopWord(w []byte) bool {
	if len(w) < 3 {
		// Short numbers ("35 killed") still tell events apart.
		return !(len(w) == 2 && w[0] >= '0' && w[0] <= '9')
	}
	_, ok := clusterStopWords[string(w)]
	return ok
}

var clusterStopWords = func() map[string]struct{} {
	words := []string{
		"the", "and", "for", "are", "but", "not", "you", "all", "any", "can", "had", "her", "was",
		"one", "our", "out", "has", "him", "his", "how", "its", "may", "new", "now", "old", "see",
		"two", "way", "who", "did", "get", "let", "put", "say", "she", "too", "use", "that",
		"with", "have", "this", "will", "your", "from", "they", "been", "were", "said", "each",
		"which", "their", "there", "would", "about", "could", "other", "into", "than", "then",
		"them", "these", "some", "what", "when", "where", "while", "also", "after", "before",
		"over", "under", "such", "only", "more", "most", "very", "just", "like", "being", "those",
		"because", "should", "since", "during", "through", "between", "against", "again",
		"says", "told", "according", "added", "year", "years", "week", "day", "days", "time",
		"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today",
		"yesterday", "tomorrow", "mr", "mrs", "ms", "news", "reported", "report", "reports",
		"people", "make", "made", "many", "much", "well", "back", "even", "still", "here",
		"does", "done", "going", "take", "took", "want", "wanted", "need", "first", "last",
		"three", "four", "five", "per", "cent", "percent", "yet", "both", "own", "off", "why",
		"whose", "whom", "into", "onto", "upon", "within", "without", "among", "around", "via",
		"it's", "don't", "can't", "won't", "didn't", "isn't", "wasn't", "doesn't", "i'm",
		"we're", "they're", "that's", "there's", "he's", "she's", "we", "us",
	}
	m := make(map[string]struct{}, len(words))
	for _, w := range words {
		m[w] = struct{}{}
	}
	return m
}()

// FNV-1a over a word, the basis of shingle hashes.
func fnvWord(w []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range w {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// shingleWidth is the number of consecutive words hashed together to compare quotes.
const shingleWidth = 3

// quoteShingles appends to out the hashes of the word 3-shingles of a quote (all words kept, no
// stop word removal: quotes are compared as wording), deduplicated, and returns them with its
// word count. A quote shorter than a shingle yields one hash of its whole text. buf and words
// are scratch space, returned for reuse.
func quoteShingles(text string, buf []byte, words []uint64, out []uint64) (shingles []uint64, nwords int, _ []byte, _ []uint64) {
	words = words[:0]
	buf = eachTextWord(text, buf, func(w []byte, _ bool) {
		words = append(words, fnvWord(w))
	})
	if len(words) == 0 {
		return out, 0, buf, words
	}
	if len(words) < shingleWidth {
		h := uint64(0)
		for _, w := range words {
			h = h*31 + w
		}
		return append(out, h), len(words), buf, words
	}
	for i := 0; i+shingleWidth <= len(words); i++ {
		h := words[i]
		for j := 1; j < shingleWidth; j++ {
			h = h*1099511628211 ^ words[i+j]
		}
		out = appendUnique(out, h)
	}
	return out, len(words), buf, words
}

// appendUnique appends h unless the last few entries hold it already (repeated phrases); exact
// uniqueness is not needed by the overlap measures that use these lists.
func appendUnique(s []uint64, h uint64) []uint64 {
	for i := len(s) - 1; i >= 0 && i >= len(s)-8; i-- {
		if s[i] == h {
			return s
		}
	}
	return append(s, h)
}
