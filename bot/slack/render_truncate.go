package slack

import "github.com/briefbot/briefbot/bot/render"

// truncate shortens mrkdwn text to at most max UTF-16 code units, ending it with "…". It cuts at
// the last space or line break that fits and never inside a link or token (<…>) or an entity
// (&amp;); only a single word longer than max is cut inside, at a character boundary outside any
// markup. Text that fits is returned unchanged.
func truncate(s string, max int) string {
	inAngle, inEntity := false, false
	return render.Cut(s, max, func(_ int, r rune) bool {
		free := !inAngle && !inEntity
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
		return free
	})
}

// truncatePlain is truncate for plain_text objects, where '<' and '&' are ordinary characters.
func truncatePlain(s string, max int) string { return render.Cut(s, max, nil) }

func isEntityRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '#'
}
