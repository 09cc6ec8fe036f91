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
// returned for reuse. ASCII words take a fast path, found by a byte-class table and copied
// whole: this runs over every candidate article.
func eachTextWord(s string, buf []byte, fn wordFunc) []byte {
	sentenceStart := true
	for i := 0; i < len(s); {
		// Between words: skip to the next letter or digit, noting where sentences end.
		k := textClass[s[i]]
		switch {
		case k&classWordStart != 0:
		case k&classNonASCII == 0:
			if k&classSentenceEnd != 0 {
				sentenceStart = true
			}
			i++
			continue
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				if r == '“' || r == '”' {
					sentenceStart = true
				}
				i += size
				continue
			}
		}

		// A word. Pure ASCII: scan it, copy it, lowercase it in place.
		j, seen := i, uint8(0)
		for j < len(s) && textClass[s[j]]&classInWord != 0 {
			seen |= textClass[s[j]]
			j++
		}
		var capital bool
		if k&classNonASCII != 0 || j < len(s) && textClass[s[j]]&classNonASCII != 0 {
			buf, capital, j = appendWordSlow(buf[:0], s, i)
		} else {
			buf = append(buf[:0], s[i:j]...)
			capital = k&classUpper != 0
			if seen&(classUpper|classJoiner) != 0 {
				for n, c := range buf {
					switch {
					case c >= 'A' && c <= 'Z':
						buf[n] = c + 'a' - 'A'
					case c == '-':
						buf[n] = '\''
					}
				}
			}
		}
		i = j
		if w := trimJoiners(buf); len(w) > 0 {
			fn(w, capital && !sentenceStart)
			sentenceStart = false
		}
	}
	return buf
}

// wordScanner reads the words of a text as eachTextWord does, one at a time and without copying
// them: next gives each word's key — a hash of the word as eachTextWord reports it — and lower
// its bytes only when asked, so a caller that has seen the word before skips the copy.
type wordScanner struct {
	s             string
	i             int
	sentenceStart bool
	// The word at hand: s[start:end], or buf when it holds non-ASCII letters (slow).
	start, end int
	slow       bool
	buf        []byte
}

func newWordScanner(s string, buf []byte) wordScanner {
	return wordScanner{s: s, sentenceStart: true, buf: buf}
}

// next advances to the next word and returns its key and whether it is a likely name
// (capitalised, not opening a sentence); ok is false at the end of the text.
func (sc *wordScanner) next() (key uint64, proper, ok bool) {
	s := sc.s
	for i := sc.i; i < len(s); {
		k := textClass[s[i]]
		switch {
		case k&classWordStart != 0:
		case k&classNonASCII == 0:
			if k&classSentenceEnd != 0 {
				sc.sentenceStart = true
			}
			i++
			continue
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				if r == '“' || r == '”' {
					sc.sentenceStart = true
				}
				i += size
				continue
			}
		}
		// Scan the word, hashing it as lower would give it.
		j, h := i, uint64(offsetBasis)
		for _, c := range []byte(s[i:]) {
			if textClass[c]&classInWord == 0 {
				break
			}
			h = (h ^ uint64(lowerJoined[c])) * primeFNV
			j++
		}
		var capital bool
		if k&classNonASCII != 0 || j < len(s) && textClass[s[j]]&classNonASCII != 0 {
			sc.buf, capital, j = appendWordSlow(sc.buf[:0], s, i)
			w := trimJoiners(sc.buf)
			sc.buf, sc.slow, sc.i = w, true, j
			key = wordKey(w)
			if len(w) == 0 {
				i = j
				continue
			}
		} else {
			start, end := i, trimJoinersIn(s, i, j)
			sc.i = j
			if end == start {
				i = j
				continue
			}
			capital = k&classUpper != 0
			sc.start, sc.end, sc.slow = start, end, false
			key = h
			if end < j { // trimmed: hash again what is left
				key = offsetBasis
				for _, c := range []byte(s[start:end]) {
					key = (key ^ uint64(lowerJoined[c])) * primeFNV
				}
			}
		}
		proper = capital && !sc.sentenceStart
		sc.sentenceStart = false
		return key, proper, true
	}
	sc.i = len(s)
	return 0, false, false
}

// lower returns the word at hand, lowercased, with its joiners as apostrophes, as eachTextWord
// reports it; it is valid until the next call of next.
func (sc *wordScanner) lower() []byte {
	if sc.slow {
		return sc.buf
	}
	sc.buf = sc.buf[:0]
	for _, c := range []byte(sc.s[sc.start:sc.end]) {
		sc.buf = append(sc.buf, lowerJoined[c])
	}
	return sc.buf
}

// trimJoinersIn returns the end of the ASCII word s[i:j] once trimJoiners has trimmed it.
func trimJoinersIn(s string, i, j int) int {
	for j > i && textClass[s[j-1]] == classJoiner {
		j--
	}
	if j-i > 2 && textClass[s[j-2]] == classJoiner && (s[j-1] == 's' || s[j-1] == 'S') {
		j -= 2
	}
	return j
}

// lowerJoined maps an ASCII byte as a word of eachTextWord holds it: letters lowercased, a hyphen
// as an apostrophe.
var lowerJoined = func() (t [256]byte) {
	for c := range t {
		t[c] = byte(c)
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = byte(c) + 'a' - 'A'
	}
	t['-'] = '\''
	return t
}()

// wordKey is the key wordScanner gives a word (FNV-1a over its lowercased bytes).
func wordKey(w []byte) uint64 {
	h := uint64(offsetBasis)
	for _, c := range w {
		h = (h ^ uint64(c)) * primeFNV
	}
	return h
}

const offsetBasis, primeFNV = 14695981039346656037, 1099511628211

// appendWordSlow appends to buf the word of s starting at i, lowercased, rune by rune, and
// returns it with whether it starts with a capital and the index after it.
func appendWordSlow(buf []byte, s string, i int) (_ []byte, capital bool, end int) {
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
				return buf, capital, i
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
			return buf, capital, i
		}
		i += size
	}
	return buf, capital, i
}

// Byte classes of textClass.
const (
	classLower       = 1 << iota // a-z, 0-9
	classUpper                   // A-Z
	classJoiner                  // ' and -: inside a word, not at its start
	classSentenceEnd             // . ! ? : newline " (between words)
	classNonASCII                // a byte of a multi-byte character

	classWordStart = classLower | classUpper
	classInWord    = classLower | classUpper | classJoiner
)

// textClass gives each byte its class.
var textClass = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = classLower
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = classLower, classUpper
	}
	t['\''], t['-'] = classJoiner, classJoiner
	for _, c := range ".!?:\n\"" {
		t[c] = classSentenceEnd
	}
	for c := utf8.RuneSelf; c < 256; c++ {
		t[c] = classNonASCII
	}
	return t
}()

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
// word count. A quote shorter than a shingle yields one hash of its whole text. words is scratch
// space, returned for reuse.
func quoteShingles(text string, words []uint64, out []uint64) (shingles []uint64, nwords int, _ []uint64) {
	words = appendWordHashes(words[:0], text)
	if len(words) == 0 {
		return out, 0, words
	}
	if len(words) < shingleWidth {
		h := uint64(0)
		for _, w := range words {
			h = h*31 + w
		}
		return append(out, h), len(words), words
	}
	for i := 0; i+shingleWidth <= len(words); i++ {
		out = appendUnique(out, shingleHash(words[i], words[i+1], words[i+2]))
	}
	return out, len(words), words
}

// appendWordHashes appends to dst the FNV-1a hash of each word of s, lowercased, and returns
// dst. A word is a run of letters and digits: apostrophes, hyphens and every other mark separate
// words, so two outlets' typography ("open-ended", "open ended"; ’ and ') hashes alike. It hashes
// as it reads, with no buffer: quotes are compared by these hashes only.
func appendWordHashes(dst []uint64, s string) []uint64 {
	for i := 0; ; {
		h, next, ok := nextWordHash(s, i)
		if !ok {
			return dst
		}
		dst, i = append(dst, h), next
	}
}

const shingleOffset, shinglePrime = 14695981039346656037, 1099511628211

// lowerWordByte maps an ASCII letter or digit to its lower case, and every other byte to 0.
var lowerWordByte = func() (t [256]byte) {
	for c := byte('0'); c <= '9'; c++ {
		t[c] = c
	}
	for c := byte('a'); c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = c, c
	}
	return t
}()

// nextWordHash returns the hash of the first word of s at or after i (see appendWordHashes) and
// the index after it; ok is false when no word is left.
func nextWordHash(s string, i int) (uint64, int, bool) {
	h, in := uint64(shingleOffset), false
	for i < len(s) {
		// A run of ASCII letters and digits: the common case, in a loop of its own.
		run := 0
		for _, c := range []byte(s[i:]) {
			lc := lowerWordByte[c]
			if lc == 0 {
				break
			}
			h = (h ^ uint64(lc)) * shinglePrime
			run++
		}
		in = in || run > 0
		if i += run; i == len(s) {
			break
		}
		if s[i] < utf8.RuneSelf {
			if in {
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			h = (h ^ uint64(unicode.ToLower(r))) * shinglePrime
			in = true
		} else if in {
			break
		}
		i += size
	}
	return h, i, in
}

// shingleHash combines the hashes of shingleWidth consecutive words.
func shingleHash(w0, w1, w2 uint64) uint64 {
	return (w0*shinglePrime^w1)*shinglePrime ^ w2
}

// maxSketchWords bounds the words of a quote that its sketch covers: the opening of a long quote
// tells it from others as well as the whole.
const maxSketchWords = 12

// appendQuoteSketch appends to dst the bottom-k sketch of a quote — the quoteSketchSize smallest
// distinct hashes of the word shingles of its first maxSketchWords words, as quoteShingles and
// sketch would give for them — in one pass, with no buffer, and returns it with the number of
// words covered.
func appendQuoteSketch(dst []uint64, text string) ([]uint64, int) {
	var kept [quoteSketchSize]uint64 // the smallest so far, in increasing order
	nk := 0
	var w0, w1 uint64
	n := 0
	for i := 0; n < maxSketchWords; n++ {
		h, next, ok := nextWordHash(text, i)
		if !ok {
			break
		}
		i = next
		if n < shingleWidth-1 {
			w0, w1 = w1, h
			continue
		}
		sh := shingleHash(w0, w1, h)
		w0, w1 = w1, h
		if nk == len(kept) && sh >= kept[nk-1] {
			continue // the common case once the sketch is full
		}
		nk = insertSorted(&kept, nk, sh)
	}
	switch n {
	case 1:
		return append(dst, w1), n
	case 2:
		return append(dst, w0*31+w1), n
	}
	return append(dst, kept[:nk]...), n
}

// insertSorted inserts h into kept[:n], increasing, unless it is there already, dropping the
// largest when kept is full; it returns the new count.
func insertSorted(kept *[quoteSketchSize]uint64, n int, h uint64) int {
	j := n
	for j > 0 && kept[j-1] > h {
		j--
	}
	if j > 0 && kept[j-1] == h {
		return n
	}
	if n < len(kept) {
		n++
	}
	for m := n - 1; m > j; m-- {
		kept[m] = kept[m-1]
	}
	kept[j] = h
	return n
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
