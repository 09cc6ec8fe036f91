package briefing

import (
	"cmp"
	"slices"
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
	// The headline is the editor's own summary of the story; the lede its first telling. Their
	// stems and the quotations' share one buffer: the headline's, the lede's, then each quote's.
	e.stems = stemSet(e.stems[:0], headline, 0)
	nhead := len(e.stems)
	if lede != "" {
		e.stems = stemSet(e.stems, lede, 0)
	}
	ntopic := len(e.stems)
	pos := 0
	for i := range e.quotes {
		q := &e.quotes[i]
		if q.drop {
			continue
		}
		var stanceN, pleasant int
		q.stem0 = len(e.stems)
		e.stems, stanceN, pleasant = e.quoteWords(e.stems, e.spans[q.span])
		head, topic, stems := e.stems[:nhead], e.stems[:ntopic], e.stems[q.stem0:]

		substance := min(float64(len(stems))/10, 1)
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
		if len(topic) > 0 && len(stems) > 0 {
			relevance = min((2*float64(countShared(stems, head))+float64(countShared(stems, topic)))/5, 1)
		}
		// The reporter's verb tells emphasis: "stressed", "warned", "insisted" flag the points
		// the speaker pressed.
		if q.cueTok >= 0 && e.has(q.cueTok, wcEmphatic) {
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
	order := e.order[:0]
	for i := range e.quotes {
		if !e.quotes[i].drop {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(e.quotes[b].score, e.quotes[a].score) })
	e.order = order
	var chosen [8]int
	nchosen := 0
	for _, i := range order {
		if nchosen >= maxKey {
			break
		}
		q := &e.quotes[i]
		if q.partial || q.words < 6 || q.score < 0.25 {
			continue
		}
		dup := false
		for _, c := range chosen[:min(nchosen, len(chosen))] {
			if similar(e.quoteStems(i), e.quoteStems(c)) {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		q.key = true
		if nchosen < len(chosen) {
			chosen[nchosen] = i
		}
		nchosen++
	}
}

// quoteStems returns the stems of quotation i, as rank found them.
func (e *engine) quoteStems(i int) []uint64 {
	q := &e.quotes[i]
	end := len(e.stems)
	for n := i + 1; n < len(e.quotes); n++ {
		if !e.quotes[n].drop {
			end = e.quotes[n].stem0
			break
		}
	}
	return e.stems[q.stem0:end]
}

// maxStems bounds the distinct stems kept of one text, so a huge quotation costs linear time.
const maxStems = 128

// stemSet appends the stems of s's content words (a hash of their first five letters, so
// "Korea" and "Korean" meet) to set, without repeating one of set[from:].
func stemSet(set []uint64, s string, from int) []uint64 {
	i := 0
	var buf [16]byte
	for i < len(s) && len(set)-from < maxStems {
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
		if len(word) < 3 || lexicon.lookup(word, wordHash(word)).cls&wcStop != 0 {
			continue
		}
		set = addStem(set, from, stemOf(word))
	}
	return set
}

// stemOf hashes the first five bytes of a lower-case word.
func stemOf(w []byte) uint64 {
	return wordHash(w[:min(len(w), 5)])
}

// addStem appends h to set unless set[from:] holds it.
func addStem(set []uint64, from int, h uint64) []uint64 {
	for _, x := range set[from:] {
		if x == h {
			return set
		}
	}
	return append(set, h)
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

// quoteWords reads a quotation's words once: it appends the stems of its content words to stems,
// and counts the words that take a position (obligation, hope, fear, refusal) or are
// pleasantries.
func (e *engine) quoteWords(stems []uint64, sp span) (_ []uint64, stance, pleasant int) {
	from := len(stems)
	var buf [5]byte
	for t := sp.first; t <= sp.last; t++ {
		tk := e.toks[t]
		if tk.kind != tokWord {
			continue
		}
		if tk.has(wcStance) {
			stance++
		}
		if tk.has(wcPleasantry) {
			pleasant++
		}
		if tk.end-tk.start < 3 || tk.has(wcStop) || len(stems)-from >= maxStems {
			continue
		}
		n := copy(buf[:], e.text[tk.start:tk.end])
		for k := range n {
			if c := buf[k]; 'A' <= c && c <= 'Z' {
				buf[k] = c + 'a' - 'A'
			}
		}
		stems = addStem(stems, from, stemOf(buf[:n]))
	}
	return stems, stance, pleasant
}
