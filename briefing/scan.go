package briefing

import (
	"unicode"
	"unicode/utf8"
)

// The scanner turns an article's text into tokens in one pass over the bytes: words, punctuation,
// quotation-mark candidates and line breaks. Apostrophes inside words (Washington’s, don't, '90s)
// stay part of their word, so they can never be taken for quotation marks.

type tokKind uint8

const (
	tokWord  tokKind = iota // letters and digits, with inner apostrophes and hyphens
	tokPunct                // any other visible character
	tokMark                 // a quotation-mark candidate
	tokBreak                // a line break: paragraphs end here
)

// Token flags.
const (
	fCap       uint16 = 1 << iota // word starts with an upper-case letter
	fUpper                        // word is all upper case, two letters or more
	fDigit                        // word starts with a digit
	fSentEnd                      // punctuation that ends a sentence
	fSentStart                    // first token of a sentence
	fQuoted                       // token lies inside a quotation
	fOpen                         // mark can open a quotation
	fClose                        // mark can close a quotation
	fAmbig                        // mark may be an apostrophe (a plural possessive: players’ )
	fBlank                        // break that ends a paragraph with an empty line
	fPoss                         // word ends in a possessive ’s or 's
)

// Quotation-mark families and directions.
const (
	markNone     uint8 = iota
	markStraight       // "
	markLeft           // “ „
	markRight          // ”
	markGuilL          // «
	markGuilR          // »
	markSingle         // '
	markSLeft          // ‘ ‚ ‹
	markSRight         // ’ ›
)

func isDoubleMark(m uint8) bool { return m >= markStraight && m <= markGuilR }

type token struct {
	start, end int32
	kind       tokKind
	mark       uint8
	flags      uint16
	info       wordInfo // what the lexicon knows about a word
}

func (t token) is(f uint16) bool { return t.flags&f != 0 }

// has reports whether the token is a word of one of the classes c.
func (t token) has(c wordClass) bool { return t.info.cls&c != 0 }

// scanner holds the reusable buffers of one analysis.
type scanner struct {
	text string
	toks []token
	buf  [40]byte
	// pending is scratch space for pairMarks.
	pending []span
	// sents holds the first token of each sentence; breaks the line-break tokens.
	sents  []int32
	breaks []int32
	// curly and straight count the double quotation marks of each style, leftCurly the
	// opening-shaped curly ones (“ „).
	curly, straight, leftCurly int
}

// classify a rune for the scanner.
func isLetterRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func isSpaceRune(r rune) bool {
	switch r {
	case ' ', '\t', '\v', '\f', 0xA0, 0x2009, 0x200A, 0x202F, 0x2007, 0x2002, 0x2003, 0x200B, 0xFEFF:
		return true
	}
	return r > utf8.RuneSelf && unicode.IsSpace(r) && r != 0x2028 && r != 0x2029
}

func markOf(r rune) uint8 {
	switch r {
	case '"':
		return markStraight
	case '“', '„', '‟':
		return markLeft
	case '”':
		return markRight
	case '«':
		return markGuilL
	case '»':
		return markGuilR
	case '\'':
		return markSingle
	case '‘', '‚', '‹', '‛':
		return markSLeft
	case '’', '›':
		return markSRight
	}
	return markNone
}

// runeAt decodes the rune at i (utf8.RuneError with width 1 for a bad byte).
func runeAt(s string, i int) (rune, int) {
	if i >= len(s) {
		return -1, 0
	}
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

// runeBefore decodes the rune ending at i.
func runeBefore(s string, i int) (rune, int) {
	if i <= 0 {
		return -1, 0
	}
	if c := s[i-1]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeLastRuneInString(s[:i])
}

// scan tokenizes s.text from offset from into s.toks.
func (s *scanner) scan(from int) {
	text := s.text
	if want := (len(text)-from)/5 + 16; cap(s.toks) < want {
		s.toks = make([]token, 0, want) // about one token per five bytes of news text
	}
	s.toks = s.toks[:0]
	s.breaks = s.breaks[:0]
	s.curly, s.straight, s.leftCurly = 0, 0, 0
	i := from
	for i < len(text) {
		// ASCII fast paths: spaces and words.
		if c := text[i]; c == ' ' || c == '\t' {
			i++
			continue
		} else if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			i = s.scanWord(i)
			continue
		}
		r, w := runeAt(text, i)
		switch {
		case r == '\n' || r == '\r' || r == 0x2028 || r == 0x2029:
			j := i
			lines := 0
			for j < len(text) {
				c, cw := runeAt(text, j)
				if c == '\n' || c == 0x2028 || c == 0x2029 {
					lines++
				} else if c != '\r' && !isSpaceRune(c) {
					break
				}
				j += cw
			}
			var f uint16
			if lines > 1 {
				f = fBlank
			}
			s.breaks = append(s.breaks, int32(len(s.toks)))
			s.toks = append(s.toks, token{start: int32(i), end: int32(j), kind: tokBreak, flags: f})
			i = j
		case isSpaceRune(r):
			i += w
		case isLetterRune(r):
			i = s.scanWord(i)
		default:
			if m := markOf(r); m != markNone {
				if (m == markSLeft || m == markSRight) && w == 3 && i+6 <= len(text) && text[i:i+3] == text[i+3:i+6] {
					// Two curly single marks typed for a double one: ‘‘ or ’’.
					dm := markLeft
					if m == markSRight {
						dm = markRight
					}
					s.toks = append(s.toks, s.markToken(i, 6, dm))
					i += 6
					continue
				}
				if m == markSingle && i+1 < len(text) && text[i+1] == '\'' {
					// A doubled apostrophe ('') is typewriter notation, not read as a mark.
					s.toks = append(s.toks, token{start: int32(i), end: int32(i + 2), kind: tokPunct})
					i += 2
					continue
				}
				if (m == markSingle || m == markSLeft) && s.elision(i+w) {
					i = s.scanWord(i)
					continue
				}
				switch m {
				case markStraight:
					s.straight++
				case markLeft:
					s.curly++
					s.leftCurly++
				case markRight:
					s.curly++
				}
				s.toks = append(s.toks, s.markToken(i, w, m))
			} else {
				s.toks = append(s.toks, token{start: int32(i), end: int32(i + w), kind: tokPunct})
			}
			i += w
		}
	}
	s.markSentences()
}

// elision reports whether an apostrophe before offset i starts a shortened word: '90s, 'em,
// 'til, 'n'.
func (s *scanner) elision(i int) bool {
	text := s.text
	if i+1 < len(text) && isDigit(text[i]) && isDigit(text[i+1]) && (i+2 >= len(text) || !isDigit(text[i+2])) {
		return true
	}
	for _, e := range [...]string{"em", "til", "tis", "twas", "n"} {
		if len(text) >= i+len(e) && equalFoldASCII(text[i:i+len(e)], e) {
			r, _ := runeAt(text, i+len(e))
			if !isLetterRune(r) && (e != "n" || markOf(r) == markSingle || markOf(r) == markSRight) {
				return true
			}
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if ca != cb {
			return false
		}
	}
	return true
}

// scanWord reads a word starting at i: letters and digits, joined by inner apostrophes, hyphens,
// periods and commas between digits (3.5, 1,000), and ampersands between capitals (AT&T).
func (s *scanner) scanWord(i int) int {
	text := s.text
	start := i
	first, w := runeAt(text, i)
	if markOf(first) != markNone { // an elided word: '90s
		i += w
	}
	upper, letters := 0, 0
	// While the word is plain ASCII letters and digits, h hashes it in lower case for the
	// lexicon (wordHash), sparing endWord a second pass.
	plain := i == start
	h := uint64(fnvOffset)
	for i < len(text) {
		if c := text[i]; c < utf8.RuneSelf {
			// ASCII fast path.
			if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' {
				h = (h ^ uint64(c)) * fnvPrime
				letters++
				i++
				continue
			}
			if 'A' <= c && c <= 'Z' {
				h = (h ^ uint64(c+'a'-'A')) * fnvPrime
				upper++
				letters++
				i++
				continue
			}
		}
		r, w := runeAt(text, i)
		if isLetterRune(r) {
			plain = false
			if unicode.IsUpper(r) {
				upper++
			}
			letters++
			i += w
			continue
		}
		next, nw := runeAt(text, i+w)
		if !isLetterRune(next) {
			break
		}
		prev, _ := runeBefore(text, i)
		switch {
		case r == '\'' || r == '’':
			// don't, Washington’s, O'Brien, 5'10
		case r == '-' || r == '‐' || r == '‑':
		case (r == '.' || r == ',') && prev <= '9' && prev >= '0' && next <= '9' && next >= '0':
		case r == '&' && unicode.IsUpper(prev) && unicode.IsUpper(next):
		default:
			return s.endWord(start, i, upper, letters, plain, h)
		}
		plain = false
		i += w + nw
		if unicode.IsUpper(next) {
			upper++
		}
		letters++
	}
	return s.endWord(start, i, upper, letters, plain, h)
}

// endWord records the word [start, end); plain tells that it is only ASCII letters and digits,
// with h its wordHash in lower case.
func (s *scanner) endWord(start, end, upper, letters int, plain bool, h uint64) int {
	r, _ := runeAt(s.text, start)
	if markOf(r) != markNone {
		r, _ = runeAt(s.text, start+1)
	}
	var f uint16
	switch {
	case 'A' <= r && r <= 'Z' || r >= utf8.RuneSelf && unicode.IsUpper(r):
		f |= fCap
		if upper == letters && letters > 1 {
			f |= fUpper
		}
	case r >= '0' && r <= '9':
		f |= fDigit
	}
	w := s.text[start:end]
	var info wordInfo
	if plain {
		if len(w) <= maxLexWord {
			info = lexicon.lookupFold(w, h)
		}
	} else if lw, h, ok := lowerWord(s.buf[:maxLexWord], w); ok {
		info = lexicon.lookup(lw, h)
	}
	if c := w[len(w)-1]; (c == 's' || c == 'S') && len(trimPossessive(w)) < len(w) {
		f |= fPoss
	}
	s.toks = append(s.toks, token{start: int32(start), end: int32(end), kind: tokWord, flags: f, info: info})
	return end
}

// markToken classifies a quotation-mark candidate at i by what stands either side of it, the way
// typesetters read marks: a mark with space (or an opening bracket or dash) before it and a letter
// after it opens; a mark after a letter or punctuation with space or punctuation after it closes.
func (s *scanner) markToken(i, w int, m uint8) token {
	text := s.text
	prev, _ := runeBefore(text, i)
	next, _ := runeAt(text, i+w)
	prevBlank := prev < 0 || prev == '\n' || prev == '\r' || isSpaceRune(prev)
	prevMark := markOf(prev) != markNone
	nextSpace := next < 0 || next == '\n' || next == '\r' || isSpaceRune(next)
	nextPunct := next >= 0 && !nextSpace && !isLetterRune(next)
	var f uint16
	// Opening: something follows, and space, an opening bracket, a dash, a colon or another
	// mark stands before.
	if !nextSpace && (prevBlank || prevMark || isOpenPunct(prev) || prev == ':') && !(nextPunct && isClosePunct(next)) {
		f |= fOpen
	}
	// Closing: a letter, punctuation or another mark before; space, punctuation or the end after.
	if !prevBlank && (!isOpenPunct(prev) || prev == '…') && (nextSpace || nextPunct) {
		f |= fClose
	}
	if f == 0 && !prevBlank && !nextSpace {
		// A mark between two letters or digits: "word"word. Either, by context.
		f = fOpen | fClose
	}
	if f == 0 && (m == markStraight || m == markRight) && prevBlank && nextSpace {
		// A straight mark typed with a space before it, after the end of a quoted sentence or
		// a nested quotation: `…outreach,' " he told`.
		j := i
		for j > 0 && text[j-1] == ' ' {
			j--
		}
		if p, _ := runeBefore(text, j); p == ',' || p == '.' || p == '!' || p == '?' || p == '\'' || p == '’' || p == '…' {
			f = fClose
		}
	}
	switch m {
	case markSRight, markSingle:
		// A plural possessive (players’ fault) may be a closing mark or an apostrophe.
		if f&fClose != 0 && (prev == 's' || prev == 'S' || prev == 'z') && nextSpace {
			if n2, _ := runeAt(text, i+w+1); n2 >= 'a' && n2 <= 'z' {
				f |= fAmbig
			}
		}
	}
	return token{start: int32(i), end: int32(i + w), kind: tokMark, mark: m, flags: f}
}

func isOpenPunct(r rune) bool {
	switch r {
	case '(', '[', '{', '—', '–', '/', '-', '…':
		return true
	}
	return false
}

func isClosePunct(r rune) bool {
	switch r {
	case ')', ']', '}', ',', ';', '.', '!', '?':
		return true
	}
	return false
}

// markSentences sets fSentEnd on the punctuation that ends a sentence and fSentStart on the
// first token after it (and after every line break).
func (s *scanner) markSentences() {
	toks := s.toks
	s.sents = s.sents[:0]
	start := true
	for i := range toks {
		t := &toks[i]
		if t.kind == tokBreak {
			start = true
			continue
		}
		if start && t.kind != tokMark {
			t.flags |= fSentStart
			s.sents = append(s.sents, int32(i))
			start = false
		}
		if t.kind != tokPunct {
			continue
		}
		c := s.text[t.start]
		r, _ := runeAt(s.text, int(t.start))
		if c != '.' && c != '!' && c != '?' && r != '…' {
			continue
		}
		if c == '.' && i > 0 && toks[i-1].kind == tokWord && toks[i-1].end == t.start && s.isAbbrev(toks[i-1]) {
			continue
		}
		// The sentence ends unless a lower-case word follows (an abbreviation we do not know,
		// or "?" inside a clause).
		j := i + 1
		for j < len(toks) && (toks[j].kind == tokMark || toks[j].kind == tokPunct && s.text[toks[j].start] == ')') {
			j++
		}
		if j < len(toks) && toks[j].kind == tokWord && toks[j].flags&(fCap|fDigit) == 0 {
			continue
		}
		if j < len(toks) && toks[j].kind == tokPunct && (s.text[toks[j].start] == ',' || s.text[toks[j].start] == '.') {
			continue
		}
		t.flags |= fSentEnd
		start = true
	}
}

// sentOf returns the number of the sentence that token i belongs to.
func (s *scanner) sentOf(i int) int {
	lo, hi := 0, len(s.sents)
	for lo < hi {
		m := (lo + hi) / 2
		if int(s.sents[m]) <= i {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1
}

// paraFirst returns the first token of the paragraph (line) holding token k.
func (s *scanner) paraFirst(k int) int {
	lo, hi := 0, len(s.breaks)
	for lo < hi { // the first break at or after k
		m := (lo + hi) / 2
		if int(s.breaks[m]) < k {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return 0
	}
	return int(s.breaks[lo-1]) + 1
}

// paraEnd returns the end of the paragraph (line) holding token k: its break, or len(toks).
func (s *scanner) paraEnd(k int) int {
	lo, hi := 0, len(s.breaks)
	for lo < hi { // the first break at or after k
		m := (lo + hi) / 2
		if int(s.breaks[m]) < k {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == len(s.breaks) {
		return len(s.toks)
	}
	return int(s.breaks[lo])
}

// isAbbrev reports whether a word before a period is an abbreviation or an initial, so the period
// does not end the sentence.
func (s *scanner) isAbbrev(t token) bool {
	w := s.text[t.start:t.end]
	if n := utf8.RuneCountInString(w); n == 1 {
		r, _ := runeAt(w, 0)
		return unicode.IsUpper(r)
	}
	return t.has(wcAbbrev)
}

// word returns the text of token i.
func (s *scanner) word(i int) string { return s.text[s.toks[i].start:s.toks[i].end] }

// has reports whether token i is a word of one of the classes c.
func (s *scanner) has(i int, c wordClass) bool { return s.toks[i].info.cls&c != 0 }

// id returns the wordID of token i (wNone for any other word and for non-words).
func (s *scanner) id(i int) wordID { return s.toks[i].info.id }
