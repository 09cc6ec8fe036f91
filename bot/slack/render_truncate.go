package slack

import (
	"strings"
	"unicode/utf16"
)

const ellipsis = "…"

// truncate shortens mrkdwn text to at most max UTF-16 code units, ending it with "…". It cuts at
// the last space or line break that fits and never inside a link or token (<…>) or an entity
// (&amp;); only a single word longer than max is cut inside, at a character boundary outside any
// markup. Text that fits is returned unchanged.
func truncate(s string, max int) string { return cut(s, max, true) }

// truncatePlain is truncate for plain_text objects, where '<' and '&' are ordinary characters.
func truncatePlain(s string, max int) string { return cut(s, max, false) }

func cut(s string, max int, markup bool) string {
	if textLen(s) <= max {
		return s
	}
	if max < 1 {
		return ""
	}
	budget := max - textLen(ellipsis)
	n := 0 // the length of s[:i]
	wordCut, hardCut := -1, 0
	inAngle, inEntity := false, false
	for i, r := range s {
		if n > budget {
			break
		}
		if !inAngle && !inEntity {
			hardCut = i
			if r == ' ' || r == '\n' {
				wordCut = i
			}
		}
		if markup {
			switch {
			case r == '<':
				inAngle = true
			case r == '>':
				inAngle = false
			case inEntity && (r == ';' || !isEntityRune(r)):
				inEntity = false
			case r == '&' && !inAngle:
				inEntity = true
			}
		}
		n += utf16.RuneLen(r)
	}
	if wordCut > 0 {
		if kept := strings.TrimRight(s[:wordCut], " \n"); kept != "" {
			return kept + ellipsis
		}
	}
	return s[:hardCut] + ellipsis
}

func isEntityRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '#'
}
