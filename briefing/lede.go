package briefing

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// lede returns the first real sentence of the body that starts at offset start: not a standfirst
// or subheading without a full stop, not the headline again, and without the dateline
// ("MOSCOW, February 11. /TASS/.", "LONDON (Reuters) -").
func lede(text string, start int, headline string) string {
	if start < 0 || start > len(text) {
		start = 0
	}
	body := text[start:]
	for body != "" {
		line := body
		if i := strings.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = ""
		}
		line = strings.TrimSpace(line)
		if countFields(line) < 6 || !strings.ContainsAny(line, ".!?") {
			continue
		}
		line = stripDateline(line)
		s := firstSentence(line)
		if countFields(s) < 5 || !endsWithStop(s) {
			continue
		}
		if strings.EqualFold(strings.TrimRight(s, ".!? "), strings.TrimRight(headline, ".!? ")) {
			continue
		}
		return validText(s)
	}
	return ""
}

func endsWithStop(s string) bool {
	s = strings.TrimRight(s, "\"”’' )")
	return strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?")
}

// stripDateline removes a dateline from the start of a paragraph: an upper-case place, maybe a
// date, then an agency mark or a dash.
func stripDateline(p string) string {
	first := p
	if i := strings.IndexAny(p, " ,("); i > 0 {
		first = p[:i]
	}
	letters, upper := 0, 0
	for _, r := range first {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	if letters < 3 || upper != letters {
		return p
	}
	head := p
	if len(head) > 90 {
		head = head[:90]
	}
	for _, sep := range []string{"/. ", ") - ", ") — ", ") – ", " — ", " – ", " - ", ": "} {
		if i := strings.Index(head, sep); i >= 0 {
			return strings.TrimSpace(p[i+len(sep):])
		}
	}
	return p
}

// firstSentence returns the first sentence of a paragraph.
func firstSentence(p string) string {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		j := i + 1
		for j < len(p) && strings.IndexByte("\"')”’", p[j]) >= 0 {
			j++
		}
		if j < len(p) && (p[j] == 0xE2) { // a closing curly mark: ” or ’
			if r, w := utf8.DecodeRuneInString(p[j:]); r == '”' || r == '’' {
				j += w
			}
		}
		if j >= len(p) {
			return p
		}
		if p[j] != ' ' {
			continue
		}
		if c == '.' && isAbbrevBefore(p, i) {
			continue
		}
		r, _ := utf8.DecodeRuneInString(p[j+1:])
		if unicode.IsUpper(r) || unicode.IsDigit(r) || markOf(r) != markNone {
			return p[:j]
		}
	}
	return p
}

// isAbbrevBefore reports whether the word before the period at i is an abbreviation or an
// initial.
func isAbbrevBefore(p string, i int) bool {
	k := i
	for k > 0 && p[k-1] != ' ' && i-k < maxLexWord {
		k--
	}
	w := strings.TrimLeft(p[k:i], "(\"“‘'")
	if utf8.RuneCountInString(w) == 1 {
		return true
	}
	var buf [maxLexWord]byte
	if lw, h, ok := lowerWord(buf[:], w); ok && lexicon.lookup(lw, h).cls&wcAbbrev != 0 {
		return true
	}
	return strings.Contains(w, ".")
}

// countFields is len(strings.Fields(s)) without building the slice.
func countFields(s string) int {
	n := 0
	inField := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			inField = false
		} else if !inField {
			inField = true
			n++
		}
	}
	return n
}
