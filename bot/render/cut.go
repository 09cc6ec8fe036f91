package render

import (
	"strings"
	"unicode/utf16"
)

// Ellipsis ends text that Cut shortened.
const Ellipsis = "…"

// Cut shortens s to at most max UTF-16 code units (TextLen), ending it with "…". It cuts at the
// last space or line break that fits; only a single word longer than max is cut inside, at a
// character boundary. Text that fits is returned unchanged.
//
// free keeps markup whole: Cut calls it with each rune of s in order, with its byte offset, up
// to where the cut falls, and cuts only before a rune for which it returned true. A platform's
// free tracks its own markup (a link, an entity, an escape) and returns false inside it. A nil
// free may cut anywhere.
func Cut(s string, max int, free func(i int, r rune) bool) string {
	if TextLen(s) <= max {
		return s
	}
	if max < 1 {
		return ""
	}
	budget := max - TextLen(Ellipsis)
	n := 0 // the length of s[:i]
	wordCut, hardCut := -1, 0
	for i, r := range s {
		if n > budget {
			break
		}
		if free == nil || free(i, r) {
			hardCut = i
			if r == ' ' || r == '\n' {
				wordCut = i
			}
		}
		n += utf16.RuneLen(r)
	}
	if wordCut > 0 {
		if kept := strings.TrimRight(s[:wordCut], " \n"); kept != "" {
			return kept + Ellipsis
		}
	}
	return s[:hardCut] + Ellipsis
}
