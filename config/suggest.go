package config

import (
	"strings"
	"unicode/utf8"
)

// closest returns the candidate nearest to word by edit distance (ignoring case, and treating
// - and _ alike), and whether it is near enough to suggest. Ties go to the earlier candidate.
func closest(word string, candidates []string) (string, bool) {
	w := foldKey(word)
	best, bestDist := "", -1
	for _, c := range candidates {
		d := EditDistance(w, foldKey(c))
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	if bestDist < 0 || bestDist > MaxTypos(w) {
		return "", false
	}
	return best, true
}

// MaxTypos is how many edits (EditDistance) a word of this length may be from a suggestion: 1
// up to 3 runes, 2 up to 8, then a third of the length.
func MaxTypos(w string) int {
	n := utf8.RuneCountInString(w)
	switch {
	case n <= 3:
		return 1
	case n <= 8:
		return 2
	}
	return n / 3
}

func foldKey(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), "-", "_")
}

// EditDistance is the optimal string alignment (restricted Damerau–Levenshtein) distance between
// a and b in runes: insertions, deletions, substitutions and transpositions of adjacent runes
// each cost 1 ("koera" is one edit from "korea"). It is case-sensitive. The config's suggestions
// and the /brief commands' topic and time-zone suggestions are all measured with it.
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) == 0 {
		return len(rb)
	}
	if len(rb) == 0 {
		return len(ra)
	}
	// Three rows of the dynamic-programming table: two back, one back, current.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
