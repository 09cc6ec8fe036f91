package discord

import (
	"strings"
	"unicode/utf16"
)

const ellipsis = "…"

// truncate shortens Discord markdown to at most max UTF-16 code units, ending it with "…". It
// cuts at the last space or line break that fits, and never inside a masked link ([label](url)),
// a token of ours (<t:…>), an escape (a backslash and the character it escapes), or a defused '<'
// or '@' and the zero-width space after it; only a single
// word longer than max is cut inside, at a character boundary outside any of those. Text that
// fits is returned unchanged.
func truncate(s string, max int) string { return cut(s, max, true) }

// truncatePlain is truncate for plain-text fields (footer, author), where nothing is markup.
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
	var (
		escaped bool // the previous rune must not be parted from this one
		inLabel bool // inside [label]
		inURL   bool // inside (url) of a masked link
		inToken bool // inside <…> of ours
	)
	for i, r := range s {
		if n > budget {
			break
		}
		atomic := escaped || inLabel || inURL || inToken
		if !atomic {
			hardCut = i
			if r == ' ' || r == '\n' {
				wordCut = i
			}
		}
		switch {
		case escaped:
			escaped = false
		case (r == '<' || r == '@') && strings.HasPrefix(s[i+1:], string(zeroWidthSpace)):
			// A defused '<' or '@' stays with its zero-width space, in plain text too.
			escaped = true
		case !markup:
		case r == '\\':
			escaped = true
		case inURL:
			inURL = r != ')'
		case inLabel && r == ']':
			inLabel = false
			inURL = strings.HasPrefix(s[i+1:], "(")
		case inToken:
			inToken = r != '>'
		case r == '[':
			inLabel = true
		case r == '<':
			inToken = true
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
