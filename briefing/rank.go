package briefing

import (
	"sort"
	"strings"
)

// Ranking: every quotation gets a score in [0, 1] from four signs — how much it says (substance,
// not pleasantries), how close it stands to the headline and the lede (relevance), how central its
// speaker is to the story (voice), and how early it comes (news puts what matters first). The
// best few full quotations, no two saying the same thing, are marked key.

const (
	wSubstance = 0.25
	wRelevance = 0.22
	wStance    = 0.23
	wVoice     = 0.15
	wPosition  = 0.15
)

func (e *engine) rank(headline, lede string, maxKey int) {
	live := 0
	maxQuotes := 0
	for i := range e.quotes {
		if q := &e.quotes[i]; !q.drop {
			live++
			if q.ent >= 0 && e.ents[q.ent].quotes > maxQuotes {
				maxQuotes = e.ents[q.ent].quotes
			}
		}
	}
	if live == 0 {
		return
	}
	// The headline is the editor's own summary of the story; the lede its first telling.
	head := stemSet(nil, headline)
	topic := head
	if lede != "" {
		topic = stemSet(append([]uint64(nil), head...), lede)
	}
	pos := 0
	stems := make([][]uint64, len(e.quotes))
	for i := range e.quotes {
		q := &e.quotes[i]
		if q.drop {
			continue
		}
		sp := e.spans[q.span]
		var stanceN, pleasant int
		stems[i], stanceN, pleasant = e.quoteWords(sp)

		substance := min(float64(len(stems[i]))/10, 1)
		if q.words < 5 {
			substance *= 0.5
		}
		if q.words > 45 {
			substance *= 0.8 // a long explanation rather than a pointed remark
		}
		if pleasant > 0 && q.words < 25 {
			substance *= 0.4
		}
		relevance := 0.0
		if len(topic) > 0 && len(stems[i]) > 0 {
			relevance = min((2*float64(countShared(stems[i], head))+float64(countShared(stems[i], topic)))/5, 1)
		}
		// The reporter's verb tells emphasis: "stressed", "warned", "insisted" flag the points
		// the speaker pressed.
		if emphaticCues[strings.ToLower(q.cue)] {
			stanceN++
		}
		stance := min(float64(stanceN)/2, 1)
		voice := 0.2
		if q.ent >= 0 && maxQuotes > 0 {
			voice = 0.4 + 0.6*float64(e.ents[q.ent].quotes)/float64(maxQuotes)
		}
		position := 1 - float64(pos)/float64(live)
		pos++
		score := wSubstance*substance + wRelevance*relevance + wStance*stance + wVoice*voice + wPosition*position
		if q.partial {
			score *= 0.35
		}
		q.score = float64(int(score*1000+0.5)) / 1000
	}
	// Key: the best full quotations, skipping near-duplicates of those already chosen.
	order := make([]int, 0, live)
	for i := range e.quotes {
		if !e.quotes[i].drop {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return e.quotes[order[a]].score > e.quotes[order[b]].score })
	var chosen []int
	for _, i := range order {
		if len(chosen) >= maxKey {
			break
		}
		q := &e.quotes[i]
		if q.partial || q.words < 6 || q.score < 0.25 {
			continue
		}
		dup := false
		for _, c := range chosen {
			if similar(stems[i], stems[c]) {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		q.key = true
		chosen = append(chosen, i)
	}
}

func (e *engine) firstTokStart() int32 {
	if len(e.toks) == 0 {
		return 0
	}
	return e.toks[0].start
}

// stemSet appends the stems of s's content words (a hash of their first five letters, so
// "Korea" and "Korean" meet) to set, without repeats.
func stemSet(set []uint64, s string) []uint64 {
	i := 0
	var buf [16]byte
	for i < len(s) {
		r, w := runeAt(s, i)
		if !isLetterRune(r) {
			i += w
			continue
		}
		j := i
		n := 0
		for j < len(s) {
			r, w := runeAt(s, j)
			if !isLetterRune(r) && r != '\'' && r != '’' {
				break
			}
			if n < len(buf) && r < 128 {
				c := byte(r)
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				buf[n] = c
				n++
			}
			j += w
		}
		word := buf[:n]
		i = j
		if len(word) < 3 || stopWords[string(word)] {
			continue
		}
		if len(word) > 5 {
			word = word[:5]
		}
		var h uint64 = 14695981039346656037
		for _, c := range word {
			h = (h ^ uint64(c)) * 1099511628211
		}
		dup := false
		for _, x := range set {
			if x == h {
				dup = true
				break
			}
		}
		if !dup {
			set = append(set, h)
		}
	}
	return set
}

func countShared(a, b []uint64) int {
	n := 0
	for _, x := range a {
		for _, y := range b {
			if x == y {
				n++
				break
			}
		}
	}
	return n
}

// similar reports near-duplicate quotations: most of the smaller one's content words recur.
func similar(a, b []uint64) bool {
	small := min(len(a), len(b))
	if small == 0 {
		return false
	}
	return float64(countShared(a, b)) >= 0.6*float64(small)
}

// quoteWords reads a quotation's words once: the stems of its content words, and how many words
// take a position (obligation, hope, fear, refusal) or are pleasantries.
func (e *engine) quoteWords(sp span) (stems []uint64, stance, pleasant int) {
	for t := sp.first; t <= sp.last; t++ {
		if e.toks[t].kind != tokWord {
			continue
		}
		lw := e.lw(t)
		if stanceWords[string(lw)] {
			stance++
		}
		if pleasantries[string(lw)] {
			pleasant++
		}
		if len(lw) < 3 || stopWords[string(lw)] {
			continue
		}
		if len(lw) > 5 {
			lw = lw[:5]
		}
		var h uint64 = 14695981039346656037
		for _, c := range lw {
			h = (h ^ uint64(c)) * 1099511628211
		}
		dup := false
		for _, x := range stems {
			if x == h {
				dup = true
				break
			}
		}
		if !dup {
			stems = append(stems, h)
		}
	}
	return stems, stance, pleasant
}
