package discord

import (
	"strings"

	"github.com/briefbot/briefbot/bot/render"
)

// truncate shortens Discord markdown to at most max UTF-16 code units, ending it with "…". It
// cuts at the last space or line break that fits, and never inside a masked link ([label](url)),
// a token of ours (<t:…>), an escape (a backslash and the character it escapes), or a defused '<'
// or '@' and the zero-width space after it; only a single word longer than max is cut inside, at
// a character boundary outside any of those. Text that fits is returned unchanged.
func truncate(s string, max int) string { return cut(s, max, true) }

// truncatePlain is truncate for plain-text fields (footer, author), where nothing is markup.
func truncatePlain(s string, max int) string { return cut(s, max, false) }

func cut(s string, max int, markup bool) string {
	var (
		escaped bool // the previous rune must not be parted from this one
		inLabel bool // inside [label]
		inURL   bool // inside (url) of a masked link
		inToken bool // inside <…> of ours
	)
	return render.Cut(s, max, func(i int, r rune) bool {
		free := !escaped && !inLabel && !inURL && !inToken
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
		return free
	})
}
