package store

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"golang.org/x/text/unicode/norm"
)

// SQLite's full-text index holds each article's search terms rather than its text: the words
// of the headline and of the first maxIndexedChars characters of the text, folded (lower case,
// accents removed) and stemmed by the Snowball English stemmer, separated by spaces. Query words
// go through the same function, so a word and its other forms ("rates", "rate") meet in one
// term. PostgreSQL's english configuration stems with Snowball English too.
//
// Stemming in Go lets the preparation of a batch's articles do it on every core, ahead of the
// single SQLite writer, which then indexes the terms with FTS5's cheapest tokenizer (ascii:
// split at spaces).

// maxIndexedChars is how much of an article's text the full-text indexes cover.
const maxIndexedChars = 100_000

// stemCacheSize bounds a termMaker's memory of stemmed words.
const stemCacheSize = 1 << 16

// termMaker turns text into search terms. It remembers the stems of the words it met (news
// reuses its vocabulary, and the stemmer allocates); it is not safe for concurrent use.
type termMaker struct {
	stems map[string]string
	buf   []byte
}

func newTermMaker() *termMaker { return &termMaker{stems: make(map[string]string, 1024)} }

// termMakers keeps the store's term makers between batches, so that their memory of stems
// lasts: one per core at most.
type termMakers struct{ free chan *termMaker }

func newTermMakers(n int) termMakers { return termMakers{free: make(chan *termMaker, n)} }

// get returns a free term maker, or a new one.
func (p termMakers) get() *termMaker {
	select {
	case tm := <-p.free:
		return tm
	default:
		return newTermMaker()
	}
}

// put returns a term maker for another batch; beyond the pool's size it is dropped.
func (p termMakers) put(tm *termMaker) {
	select {
	case p.free <- tm:
	default:
	}
}

// indexTerms returns the search terms of an article: its headline's and its text's words, the
// text cut at maxIndexedChars characters. The headline and the text are one run of words, as
// PostgreSQL's vector of the two joined by a space.
func (tm *termMaker) indexTerms(headline, text string) string {
	text = firstChars(text, maxIndexedChars)
	tm.buf = tm.buf[:0]
	tm.appendTerms(headline)
	tm.appendTerms(text)
	return string(tm.buf)
}

// appendTerms appends the terms of s's words to tm.buf, each preceded by a space when tm.buf is
// not empty.
func (tm *termMaker) appendTerms(s string) {
	for i := 0; i < len(s); {
		// Skip to the next word.
		c := s[i]
		if c < utf8.RuneSelf {
			if !isASCIIWordByte(c) {
				i++
				continue
			}
		} else if r, size := utf8.DecodeRuneInString(s[i:]); !isQueryWordRune(r) {
			i += size
			continue
		}
		// The word runs to the next byte that is not a word character.
		j, ascii := i, true
		for j < len(s) {
			c := s[j]
			if c < utf8.RuneSelf {
				if !isASCIIWordByte(c) {
					break
				}
				j++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[j:])
			if !isQueryWordRune(r) {
				break
			}
			ascii = false
			j += size
		}
		if len(tm.buf) > 0 {
			tm.buf = append(tm.buf, ' ')
		}
		tm.buf = append(tm.buf, tm.term(s[i:j], ascii)...)
		i = j
	}
}

// term returns the search term of one word (a run of letters, digits and combining marks).
func (tm *termMaker) term(word string, ascii bool) string {
	if st, ok := tm.stems[word]; ok {
		return st
	}
	word = strings.Clone(word) // not a part of the text, which the cache must not hold
	st := stemTerm(foldWord(word, ascii))
	if len(tm.stems) >= stemCacheSize {
		clear(tm.stems)
	}
	tm.stems[word] = st
	return st
}

// searchTerm returns the search term of a query word, as indexTerms makes it of a text's.
func searchTerm(word string) string {
	return stemTerm(foldWord(word, isASCII(word)))
}

// foldWord lower-cases a word and removes its accents ("Zürich" -> "zurich").
func foldWord(word string, ascii bool) string {
	if ascii {
		for i := 0; i < len(word); i++ {
			if 'A' <= word[i] && word[i] <= 'Z' {
				return strings.ToLower(word)
			}
		}
		return word
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(word) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// stemTerm stems a folded word. Words with digits are kept as they are ("g7", "2025"), as
// PostgreSQL's parser keeps them; so are the very common words, which queries leave out.
func stemTerm(w string) string {
	if w == "" || stopWords[w] || strings.ContainsFunc(w, unicode.IsDigit) {
		return w
	}
	return english.Stem(w, true)
}

func isASCIIWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// firstChars returns s cut after n characters.
func firstChars(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
