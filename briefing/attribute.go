package briefing

import "strings"

// Attribution: for each quotation, the speech cue beside it (after it: `," Lavrov said`,
// `," said Lavrov`; before it: `Lavrov said: "`, `According to Lavrov, "`), the subject of that cue
// (a name, a pronoun or a description), and the entity that subject refers to.

// quoteInfo is the analysis of one span.
type quoteInfo struct {
	span    int
	drop    bool // not a quotation: a scare quote, a title, a name
	partial bool
	cue     string
	cueTok  int // the token of the cue verb, -1 when none
	ent     int // the speaker entity, -1 when unknown
	// how the speaker was found: by a cue in the quote's own sentence, or inherited.
	direct bool
	words  int
	key    bool
	score  float64
	stem0  int // where rank's stems of the quotation start in engine.stems
	// prev and next are the neighbouring quotations that are not dropped, -1 for none.
	prev, next int
}

// npKind is what a cue's subject is.
type npKind uint8

const (
	npNone npKind = iota
	npName
	npPronoun
	npDescription
)

// np is the subject of a speech cue.
type np struct {
	kind       npKind
	start, end int // tokens [start, end)
	mention    int // index in e.mentions for npName
	g          gender
}

// classify builds a quoteInfo per span and drops what is not a quotation.
func (e *engine) classify() {
	for si := range e.spans {
		sp := &e.spans[si]
		q := quoteInfo{span: si, cueTok: -1, ent: -1}
		for t := sp.first; t <= sp.last; t++ {
			if e.toks[t].kind == tokWord {
				q.words++
			}
		}
		if q.words == 0 {
			q.drop = true
		}
		e.quotes = append(e.quotes, q)
	}
}

// attribute finds each quotation's cue and speaker, then lets quotations without a cue of their
// own inherit one from their neighbours.
func (e *engine) attribute() {
	for qi := range e.quotes {
		q := &e.quotes[qi]
		if q.drop {
			continue
		}
		sp := &e.spans[q.span]
		pre := e.preContext(qi)
		after := e.afterContext(qi)
		var subj np
		found := false
		// A cue right before the mark (`he said: "`) wins; then one after it; then one further
		// before it.
		subj, q.cueTok, found = e.cueBefore(pre, sp.open, true)
		// A fragment in the narrator's sentence that ends it (`Japan called it an "outlaw
		// nation." Russia said…`) takes no cue from the next sentence.
		if stop := e.endsWithStop(*sp); !found && sp.close >= 0 && !(stop && e.isPartial(qi, pre, false)) {
			subj, q.cueTok, found = e.cueAfter(after, stop)
		}
		if !found {
			subj, q.cueTok, found = e.cueBefore(pre, sp.open, false)
		}
		preWords := e.wordsIn(pre)
		q.partial = e.isPartial(qi, pre, found)
		if e.notSpeech(qi, pre, found) {
			q.drop = true
			continue
		}
		if !found {
			if e.isScare(qi, pre, preWords) {
				q.drop = true
				continue
			}
		} else if q.words <= 4 && e.isTerm(qi, pre) {
			q.drop = true
			continue
		}
		if found {
			q.cue = e.cueText(q.cueTok)
			q.ent = e.resolve(subj, sp.open, e.listener(q.cueTok))
			// A cue without a subject ("And here was the big reveal:") leaves the speaker to
			// the neighbours.
			q.direct = subj.kind != npNone
		}
	}
	e.inherit()
	for i := range e.quotes {
		if q := &e.quotes[i]; !q.drop && q.ent >= 0 {
			e.ents[q.ent].quotes++
		}
	}
}

// preContext returns the tokens [from, open) of the quotation's sentence before its opening mark,
// after any earlier quotation.
func (e *engine) preContext(qi int) [2]int {
	sp := e.spans[e.quotes[qi].span]
	lo := 0
	if qi > 0 {
		prev := e.spans[e.quotes[qi-1].span]
		if prev.close >= 0 {
			lo = prev.close + 1
		} else {
			lo = prev.last + 1
		}
	}
	k := sp.open - 1
	for k >= lo {
		t := e.toks[k]
		if t.kind == tokBreak || t.kind == tokPunct && t.is(fSentEnd) {
			break
		}
		k--
	}
	return [2]int{k + 1, sp.open}
}

// afterContext returns the tokens (close, to) after the closing mark, to the sentence's end or
// the next quotation.
func (e *engine) afterContext(qi int) [2]int {
	sp := e.spans[e.quotes[qi].span]
	if sp.close < 0 {
		return [2]int{0, 0}
	}
	hi := len(e.toks)
	if qi+1 < len(e.quotes) {
		hi = e.spans[e.quotes[qi+1].span].open
	}
	k := sp.close + 1
	for k < hi && k-sp.close < 40 {
		t := e.toks[k]
		if t.kind == tokBreak {
			break
		}
		k++
		if t.kind == tokPunct && t.is(fSentEnd) {
			break
		}
	}
	return [2]int{sp.close + 1, k}
}

func (e *engine) wordsIn(r [2]int) int {
	n := 0
	for k := r[0]; k < r[1]; k++ {
		if e.toks[k].kind == tokWord {
			n++
		}
	}
	return n
}

func (e *engine) isPunct(k int, c byte) bool {
	t := e.toks[k]
	return t.kind == tokPunct && e.text[t.start] == c
}

func (e *engine) isDash(k int) bool {
	t := e.toks[k]
	if t.kind != tokPunct {
		return false
	}
	r, _ := runeAt(e.text, int(t.start))
	return r == '-' || r == '—' || r == '–' || r == '―'
}

// cueVerb reports whether token k is a speech verb; weak verbs count only when strong is false.
func (e *engine) cueVerb(k int, weakOK bool) bool {
	t := e.toks[k]
	if t.kind != tokWord || t.flags&fQuoted != 0 {
		return false
	}
	if !t.has(wcCue) || t.flags&fCap != 0 && !t.is(fSentStart) {
		return false // "The Post", "Tweets From" are no verbs
	}
	if t.has(wcTitleMod) && k+1 < len(e.toks) && e.toks[k+1].has(wcRole) && e.toks[k+1].flags&fQuoted == 0 {
		return false // "press secretary", "state senator": a title, not a verb
	}
	if k > 0 && e.toks[k-1].kind == tokWord {
		switch e.toks[k-1].info.id {
		case wThe, wA, wAn, wHis, wTheir, wIts, wOur, wAnother:
			return false // "the states", "a call", "his tweets": a noun
		}
	}
	return weakOK || !t.has(wcWeakCue)
}

// cueAfter reads a cue after a closing mark: `, he said`, `, said Lavrov`, `, Lavrov stressed`,
// `, the Russian top diplomat pointed`, `, according to Lavrov`, `, Rod Eddington, BA's chief,
// said`. endsSentence tells that the quotation ended with a full stop: the words after it then
// open a new sentence unless a subject and its verb follow at once (`." he said`).
func (e *engine) cueAfter(r [2]int, endsSentence bool) (np, int, bool) {
	if subj, ok := e.dashSource(r); ok {
		return subj, -1, true
	}
	k := r[0]
	for k < r[1] && (e.toks[k].kind == tokPunct && (e.isPunct(k, ',') || e.isDash(k)) || e.toks[k].kind == tokMark) {
		k++
	}
	if k >= r[1] || e.toks[k].kind != tokWord {
		return np{}, -1, false
	}
	// according to X
	if e.id(k) == wAccording && k+2 < r[1] && e.id(k+1) == wTo {
		subj := e.npAt(k+2, r[1])
		return subj, k, true
	}
	// said X / added the minister
	if e.cueVerb(k, true) {
		if e.has(k, wcAddressee) {
			return np{}, k, true // `," told Smith`: Smith listened; the speaker is another
		}
		return e.npAt(k+1, r[1]), k, true
	}
	// X said: the first speech verb, with the subject just before it.
	limit := 30
	if endsSentence {
		limit = 5
	}
	for v := k + 1; v < r[1] && v-k <= limit; v++ {
		t := e.toks[v]
		if t.kind == tokMark || t.kind == tokPunct && t.is(fSentEnd) {
			break
		}
		if endsSentence && t.kind == tokPunct {
			break
		}
		if !e.cueVerb(v, true) {
			continue
		}
		j := v - 1
		for j >= k && e.has(j, wcAux) {
			j--
		}
		if j < k {
			break
		}
		subj := e.npBefore(j, k)
		if subj.kind == npNone || subj.start != k && !(subj.kind == npName && e.titleLeadsTo(k, subj.start)) {
			break // the verb belongs to another clause
		}
		return subj, v, true
	}
	return np{}, -1, false
}

// dashSource reads a source given after a dash at the end of a paragraph, the way lists of
// reactions and epigraphs name their speakers: `"…" ― Sonya Herridge`.
func (e *engine) dashSource(r [2]int) (np, bool) {
	k := r[0]
	if k < r[1] && e.isPunct(k, ',') {
		k++
	}
	if k >= r[1] || !e.isDash(k) {
		return np{}, false
	}
	mi := e.mentionAt(k + 1)
	if mi < 0 || e.mentions[mi].tok != k+1 {
		return np{}, false
	}
	end := e.mentions[mi].end
	for end < len(e.toks) && e.toks[end].kind == tokPunct && !e.isPunct(end, '(') {
		end++ // a full stop after the name
	}
	if end < len(e.toks) && e.toks[end].kind != tokBreak {
		return np{}, false
	}
	return np{kind: npName, start: k + 1, end: e.mentions[mi].end, mention: mi}, true
}

// titleLeadsTo reports whether tokens [k, name) are a title before the name that starts at
// token name, next to it ("Oilers head coach Ken Hitchcock") or in apposition ("Lumen's chief
// executive, Sofia Marchetti", "the company's founder, Ann Lee").
func (e *engine) titleLeadsTo(k, name int) bool {
	if name-1 > k && e.isPunct(name-1, ',') {
		det := isTitleDeterminer(e.id(k))
		if det {
			k++
		}
		if k >= name-1 {
			return false
		}
		if e.titleWordsBetween(k, name-1) {
			return true
		}
		_, end, _ := e.titlePhrase(k, det) // "the director of the Coastal Rights League, Petra Holm"
		return end == name-1
	}
	return e.titleWordsBetween(k, name)
}

// titleWordsBetween reports whether tokens [k, end) are only title words before a name:
// "Oilers head coach", "Cambridge cartoonist", "UFCW Local 832 president".
func (e *engine) titleWordsBetween(k, end int) bool {
	for ; k < end; k++ {
		t := e.toks[k]
		if t.kind == tokPunct && e.text[t.start] != '-' {
			return false
		}
		if t.kind != tokWord {
			continue
		}
		if t.flags&(fCap|fDigit) == 0 && t.has(wcStop|wcCue) && !t.has(wcRole|wcTitleMod) {
			return false
		}
	}
	return true
}

// npAt reads a subject starting at token k: a pronoun, a name (with a title before it: "Oilers
// head coach Ken Hitchcock", "Heart and Stroke senior manager Erin Kim", "Campbell’s partner,
// Jason Louth"), or a description ("the Russian top diplomat", "officials", "the laid-back
// Cambridge resident", "the founder of Studiocomix Press"). A name is the subject only when no role
// noun follows it and no role noun leads to it through a preposition: then the name only tells
// where the person lives or works.
func (e *engine) npAt(k, hi int) np {
	if k >= hi || e.toks[k].kind != tokWord {
		return np{}
	}
	if t := e.toks[k]; t.has(wcPronoun) {
		return np{kind: npPronoun, start: k, end: k + 1, g: t.info.g}
	}
	j := k
	if e.has(k, wcDeterminer) {
		j++
	}
	start := j
	last := -1   // the last name read
	role := -1   // the last role noun read
	ofRole := -1 // a role noun followed by a preposition: "founder of"
	for j < hi && j-start < 12 {
		t := e.toks[j]
		if t.kind == tokPunct && e.text[t.start] == ',' && j+1 < hi && last >= 0 && e.mentions[last].possessive {
			// "Campbell’s partner, Jason Louth"
			if mi := e.mentionAt(j + 1); mi >= 0 {
				return np{kind: npName, start: k, end: e.mentions[mi].end, mention: mi}
			}
		}
		if t.kind == tokPunct && j > start && j+1 < hi && t.start == e.toks[j-1].end && e.toks[j+1].start == t.end &&
			e.toks[j-1].kind == tokWord && e.toks[j+1].kind == tokWord && strings.IndexByte("/-.&", e.text[t.start]) >= 0 {
			j++ // punctuation inside a word: "9/11 widow", "U.S.-born"
			continue
		}
		if t.kind != tokWord || t.flags&fQuoted != 0 {
			break
		}
		if last >= 0 && e.mentions[last].end == j && t.flags&fCap == 0 && !t.has(wcRole|wcTitleMod) && t.info.id != wAnd && t.info.id != wOf &&
			(t.has(wcStop|wcAux|wcCue) || hasSuffixFold(e.word(j), "ing") || hasSuffixFold(e.word(j), "ed")) {
			break // "said Greenspan while visiting…": the name ends the subject
		}
		if mi := e.mentionAt(j); mi >= 0 {
			last = mi
			j = e.mentions[mi].end
			continue
		}
		if t.flags&fCap == 0 && t.has(wcRole) {
			role = j
			j++
			continue
		}
		switch id := t.info.id; {
		case (id == wOf || id == wFor || id == wAt || id == wWith || id == wFrom) && role >= 0 && role == j-1:
			ofRole = role
			j++
			continue
		case id == wAnd && last >= 0 && e.mentions[last].end == j && j+1 < hi && e.toks[j+1].flags&fCap != 0:
			j++ // "Heart and Stroke"
			continue
		case (id == wThe) && ofRole >= 0:
			j++
			continue
		}
		if e.cueVerb(j, false) || t.has(wcAux) || t.flags&fCap == 0 && t.has(wcStop) {
			break
		}
		j++
	}
	if last >= 0 {
		m := e.mentions[last]
		described := role > m.tok || ofRole >= 0 && ofRole < m.tok
		if !described && (m.end == j || !m.possessive && m.end >= j-1) {
			return np{kind: npName, start: k, end: m.end, mention: last}
		}
		if described && role > m.tok {
			j = role + 1 // "the laid-back Cambridge resident"
		}
	}
	if j == start {
		return np{}
	}
	return np{kind: npDescription, start: k, end: j}
}

// mentionAt returns the mention starting at token k, or -1.
func (e *engine) mentionAt(k int) int {
	lo, hi := 0, len(e.mentions)
	for lo < hi {
		m := (lo + hi) / 2
		if e.mentions[m].tok < k {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(e.mentions) && e.mentions[lo].tok == k {
		return lo
	}
	// A run may start with a title: "Russian Foreign Minister Sergey Lavrov".
	if lo > 0 && e.mentions[lo-1].tok <= k && k < e.mentions[lo-1].end {
		return lo - 1
	}
	return -1
}

// mentionEnding returns the mention whose run ends at token k (exclusive end k+1), or -1.
func (e *engine) mentionEnding(k int) int {
	for mi := len(e.mentions) - 1; mi >= 0; mi-- {
		m := e.mentions[mi]
		if m.tok <= k && k < m.end {
			return mi
		}
		if m.end <= k {
			break
		}
	}
	return -1
}

// cueBefore reads a cue before an opening mark: `Lavrov said: "`, `He told reporters, "`,
// `said Lavrov: "`, `According to Lavrov, "`, `In his words, "`, `Lavrov: "`. With adjacent set,
// only a cue that ends right at the mark counts (`he said: "`, `said Lavrov, "`).
func (e *engine) cueBefore(r [2]int, open int, adjacent bool) (np, int, bool) {
	lo, hi := r[0], r[1]
	if hi <= lo {
		return np{}, -1, false
	}
	// "According to X, ..." and "In his words, ..." at the start of the sentence.
	if e.toks[lo].kind == tokWord && !adjacent {
		switch e.id(lo) {
		case wAccording:
			if lo+2 < hi && e.id(lo+1) == wTo {
				return e.npAt(lo+2, hi), lo, true
			}
		case wIn:
			if lo+2 < hi && e.id(lo+2) == wWords && e.has(lo+1, wcPossessive) {
				return np{kind: npPronoun, start: lo + 1, end: lo + 2, g: e.toks[lo+1].info.g}, lo, true
			}
		}
	}
	if adjacent {
		// The mark must follow a colon or comma (or "that") right after the cue.
		k := hi - 1
		comma := k >= lo && e.isPunct(k, ',')
		if k >= lo && (e.isPunct(k, ':') || comma) {
			k--
		} else if !(k >= lo && e.id(k) == wThat) {
			if !(k >= lo && e.cueVerb(k, true)) {
				return np{}, -1, false
			}
		}
		// `said Lavrov: "` / `Lavrov said: "` / `he told reporters: "`
		for j := k; j >= lo && k-j < 8; j-- {
			// Before a comma, a weak verb counts only right at it: `he went on, "`, not
			// `the Senate goes on recess, "`.
			if e.cueVerb(j, !comma || k-j <= 1) {
				return e.subjectOrParticiple(j, lo, hi)
			}
			if e.toks[j].kind != tokWord {
				break
			}
		}
		return np{}, -1, false
	}
	// The nearest speech verb before the mark; but say, tell, write or ask, when the sentence
	// has one, over a verb some words away that may mean something else ("He said police will
	// maintain a presence and move to a \"scaled down presence\"").
	nearest := -1
	for k := hi - 1; k >= lo && hi-k <= 30; k-- {
		if !e.cueVerb(k, hi-k <= 3) {
			continue
		}
		if nearest < 0 {
			nearest = k
		}
		if e.has(k, wcCoreCue) || hi-nearest <= 4 {
			return e.subjectOrParticiple(k, lo, hi)
		}
	}
	if nearest >= 0 {
		return e.subjectOrParticiple(nearest, lo, hi)
	}
	// A speaker label (`Lavrov: "…"`) or a sentence leading in with a colon (`Martell, the
	// addictions doctor, is more blunt: "…"`): its subject.
	if hi-1 >= lo && e.isPunct(hi-1, ':') {
		for mi := e.mentionsBefore(hi) - 1; mi >= 0; mi-- {
			m := e.mentions[mi]
			if m.tok < lo {
				break
			}
			if m.subject && !m.possessive && e.ents[m.ent].kind != kindUnknown || m.tok == lo {
				return np{kind: npName, start: m.tok, end: m.end, mention: mi}, -1, true
			}
		}
		if t := e.toks[lo]; t.has(wcPronoun) && (t.info.g == male || t.info.g == female) {
			return np{kind: npPronoun, start: lo, end: lo + 1, g: t.info.g}, -1, true
		}
	}
	return np{}, -1, false
}

// subjectOrParticiple is subjectOf for the speech verb at j, but a verb after "and" takes the
// subject of the sentence, and a participle without a subject of its own (`Trump was defensive,
// saying, "`, `…, Spicer said, adding, "`) that of the sentence or of the cue before it.
func (e *engine) subjectOrParticiple(j, lo, hi int) (np, int, bool) {
	if j-1 >= lo && e.id(j-1) == wAnd {
		// A second verb joined by "and" shares the first one's subject: `Ann Lee said the
		// plan was late and accused him of "…"`, `he laughed and said, "`.
		if s2 := e.sentenceSubject(lo, j); s2.kind != npNone {
			return s2, j, true
		}
	}
	subj, v, ok := e.subjectOf(j, lo, hi)
	if subj.kind != npNone || !hasSuffixFold(e.word(j), "ing") {
		return subj, v, ok
	}
	if c := j - 2; c >= lo && e.isPunct(j-1, ',') && e.cueVerb(c, true) {
		if s2, v2, _ := e.subjectOf(c, lo, j); s2.kind != npNone {
			return s2, v2, true // "Spicer said, adding,"
		}
	}
	if s2 := e.sentenceSubject(lo, j); s2.kind != npNone {
		return s2, j, true
	}
	if s2, v2, ok2 := e.cueBefore([2]int{lo, j}, j, false); ok2 && s2.kind != npNone {
		return s2, v2, true
	}
	return subj, v, ok
}

// subjectOf returns the subject of the speech verb at k: before it past auxiliaries ("Lavrov has
// also said"), or after it ("said Lavrov").
func (e *engine) subjectOf(k, lo, hi int) (np, int, bool) {
	j := k - 1
	for j >= lo && e.has(j, wcAux) {
		j--
	}
	if j >= lo {
		if subj := e.npBefore(j, lo); subj.kind != npNone {
			return subj, k, true
		}
	}
	if k+1 < hi && e.id(k+1) == wThat || hasSuffixFold(e.word(k), "ing") {
		// "arguing that Trump…", "saying she would…": the name opens the reported clause; a
		// participle's subject never follows it.
		return np{}, k, true
	}
	if subj := e.npAt(k+1, hi); (subj.kind == npName || subj.kind == npPronoun) && !e.has(k, wcAddressee) {
		return subj, k, true // "said Lavrov", but not "told Lavrov"
	}
	return np{}, k, true
}

// npBefore reads a subject ending at token j: a pronoun, a name, a name with an apposition
// ("Rod Eddington, BA's chief executive,"), or a description.
func (e *engine) npBefore(j, lo int) np { return e.npBeforeHops(j, lo, 2) }

// npBeforeHops is npBefore reading back through at most hops appositions.
func (e *engine) npBeforeHops(j, lo, hops int) np {
	if e.isPunct(j, ')') {
		// A parenthesis after the name: "Rep. Gwen Moore (D-Wis.) said".
		k := j - 1
		for k > lo && j-k < 12 && !e.isPunct(k, '(') {
			k--
		}
		if k <= lo || !e.isPunct(k, '(') {
			return np{}
		}
		j = k - 1
	}
	t := e.toks[j]
	if t.kind == tokPunct && e.text[t.start] == ',' {
		// Apposition: find the comma before it.
		k := j - 1
		for k >= lo && j-k < 30 && !e.isPunct(k, ',') {
			k--
		}
		if k > lo && hops > 0 {
			// The apposition may be a name itself: "The leader of the league, Jo Hart, said".
			inner := e.mentionAt(k + 1)
			if inner >= 0 && (e.mentions[inner].tok != k+1 || e.mentions[inner].end != j || e.mentions[inner].possessive) {
				inner = -1
			}
			if subj := e.npBeforeHops(k-1, lo, hops-1); subj.kind == npName {
				m := e.mentions[subj.mention]
				if m.tok-1 > lo && e.toks[m.tok-1].flags&fCap == 0 && e.has(m.tok-1, wcNotSubject) {
					// The name ends a title of an apposition before: "Scott Pruitt, the
					// attorney general of Oklahoma, one of the states suing, said".
					if s2 := e.npBeforeHops(k, lo, hops-1); s2.kind == npName {
						return s2
					}
				}
				if inner >= 0 {
					if in := &e.ents[e.mentions[inner].ent]; in.isPerson() && len(in.parts) > 1 && !e.ents[m.ent].likelyPerson() {
						// "The leader of the Anti-Defamation League, Jonathan Greenblatt, warned"
						return np{kind: npName, start: k + 1, end: j, mention: inner}
					}
				}
				return subj
			}
			// A title before the name: "Lumen's chief executive, Sofia Marchetti, said".
			if inner >= 0 && e.has(k-1, wcRole) {
				return np{kind: npName, start: k + 1, end: j, mention: inner}
			}
			// A second apposition: "Tomas Reyes, the attorney general, one of the states
			// suing, said".
			if s2 := e.npBeforeHops(k, lo, hops-1); s2.kind == npName {
				return s2
			}
		}
		return np{}
	}
	if t.kind != tokWord {
		return np{}
	}
	if t.has(wcPronoun) {
		return np{kind: npPronoun, start: j, end: j + 1, g: t.info.g}
	}
	if mi := e.mentionEnding(j); mi >= 0 && !e.mentions[mi].possessive {
		if p := e.personBeforeOf(mi, lo); p >= 0 {
			return np{kind: npName, start: e.mentions[p].tok, end: e.mentions[p].end, mention: p}
		}
		return np{kind: npName, start: e.mentions[mi].tok, end: j + 1, mention: mi}
	}
	// Description: back to a determiner.
	k := j
	for k >= lo && j-k < 6 && e.toks[k].kind == tokWord {
		switch e.id(k) {
		case wThe, wA, wAn, wThis, wThat, wHis, wHer, wTheir, wIts, wOur, wOne, wAnother:
			return np{kind: npDescription, start: k, end: j + 1}
		}
		if e.cueVerb(k, false) && k != j {
			break
		}
		k--
	}
	if t.flags&fCap == 0 && hasSuffixFold(e.word(j), "s") && t.has(wcRolePlural|wcOrg|wcRole) {
		return np{kind: npDescription, start: j, end: j + 1} // "officials said", "police said"
	}
	return np{}
}

// personBeforeOf returns the mention of a person that the mention mi, an organisation or a
// place, follows through of, at or from ("Mr. Morgan of the Sierra Club said", "Ann Lee at
// Harbour Bank said"): the person is the subject, the rest says where they work. It returns -1
// when there is none at or after token lo.
func (e *engine) personBeforeOf(mi, lo int) int {
	s := e.mentions[mi].tok
	if s-1 >= lo && e.id(s-1) == wThe {
		s--
	}
	if s-2 < lo {
		return -1
	}
	switch e.id(s - 1) {
	case wOf, wAt, wFrom:
	default:
		return -1
	}
	p := e.mentionEnding(s - 2)
	if p < 0 || e.mentions[p].end != s-1 || e.mentions[p].possessive || e.mentions[p].tok < lo || !e.ents[e.mentions[p].ent].likelyPerson() {
		return -1
	}
	return p
}

// cueText returns the cue as the quote shows it: the verb (with "out" for "pointed out"), or
// "according to", "in his words".
func (e *engine) cueText(k int) string {
	if k < 0 {
		return ""
	}
	switch e.id(k) {
	case wAccording:
		return "according to"
	case wIn:
		return validText(e.text[e.toks[k].start:e.toks[min(k+2, len(e.toks)-1)].end])
	}
	if k+1 < len(e.toks) && e.id(k+1) == wOut {
		return validText(e.text[e.toks[k].start:e.toks[k+1].end])
	}
	return validText(e.word(k))
}

// isPartial reports a fragment of speech inside the narrator's sentence: words of the sentence
// stand before the opening mark that are not a cue introducing the quotation.
func (e *engine) isPartial(qi int, pre [2]int, cued bool) bool {
	sp := e.spans[e.quotes[qi].span]
	if sp.contd {
		return false
	}
	if e.wordsIn(pre) == 0 {
		return false // only punctuation, such as the parenthesis closing the sentence before
	}
	last := pre[1] - 1
	t := e.toks[last]
	if t.kind == tokPunct && (e.text[t.start] == ':' || e.text[t.start] == ',' || e.isDash(last)) {
		return false
	}
	if t.kind == tokWord && e.cueVerb(last, true) {
		// `he said "…` with the quotation starting as a sentence.
		return !isUpperStart(e.text[sp.start:sp.end])
	}
	if t.kind == tokMark {
		return false
	}
	return true
}

// isScare reports a quotation without a cue that is a scare quote, a title, a name or a heading,
// not speech.
func (e *engine) isScare(qi int, pre [2]int, preWords int) bool {
	q := &e.quotes[qi]
	sp := e.spans[q.span]
	if e.isTerm(qi, pre) {
		return true
	}
	if e.titleCase(sp) {
		return true
	}
	if q.words <= 3 && preWords > 0 {
		return true // a word or two in the narrator's sentence: scare quotes
	}
	// A heading in marks: a short paragraph of its own without a sentence's end.
	if sp.open == e.paraFirst(sp.open) && sp.close >= 0 && sp.close+1 < len(e.toks) && e.toks[sp.close+1].kind == tokBreak && q.words <= 10 && !e.endsSentence(sp) {
		return true
	}
	return false
}

// notSpeech reports quotations that are no speech whatever cue stands near: titles and
// nicknames in capitals ("Morning Joe", "Lyin' Ted"), transcript lines that open with a speaker
// label ("WALLACE: …") and the continuations of those, and markup values (author="…", numbers).
func (e *engine) notSpeech(qi int, pre [2]int, cued bool) bool {
	q := &e.quotes[qi]
	sp := e.spans[q.span]
	if sp.contd && qi > 0 && e.quotes[qi-1].drop && e.spans[e.quotes[qi-1].span].cont {
		return true // the continuation of a dropped quotation
	}
	if e.inHeadingOrCaption(sp.open) {
		return true
	}
	if !cued && q.words >= 6 && e.isPullQuote(sp) {
		return true
	}
	if cued && q.words >= 2 && q.words <= 6 && e.titleCase(sp) && !e.endsSentenceInside(sp) {
		return true
	}
	if cued && q.words >= 2 && q.words <= 4 && e.titleCase(sp) && e.toks[sp.first].flags&fCap != 0 && pre[1] > pre[0] && !e.isPunct(pre[1]-1, ':') && !e.isPunct(pre[1]-1, ',') {
		return true // a title within a sentence: on CBS’ “Face the Nation.”
	}
	// A nickname between the parts of a name: Marcia "Cia" Price.
	if q.words <= 3 && sp.close >= 0 && e.nicknameEnd(sp.open) == sp.close+1 {
		return true
	}
	// A transcript line: "NAME: …".
	if f := sp.first; f+1 <= sp.last && e.toks[f].is(fUpper) && e.isPunct(f+1, ':') {
		return true
	}
	// Markup and numbers.
	if k := sp.open - 1; k >= 0 && e.isPunct(k, '=') {
		return true
	}
	letters := false
	for t := sp.first; t <= sp.last; t++ {
		if e.toks[t].kind == tokWord && e.toks[t].flags&fDigit == 0 {
			letters = true
			break
		}
	}
	return !letters
}

// inHeadingOrCaption reports whether token k lies in a subheading (a short paragraph without
// any sentence punctuation: "'Hard to be in such close quarters' ") or in a photo caption (a
// paragraph that ends with the photographer's credit in parentheses: "(Jane Doe/CBC)"). Both
// repeat what the article says elsewhere.
func (e *engine) inHeadingOrCaption(k int) bool {
	p := e.paraFirst(k)
	words, stops := 0, false
	for i := p; i < len(e.toks) && e.toks[i].kind != tokBreak && words <= 12 && !stops; i++ {
		switch t := e.toks[i]; t.kind {
		case tokWord:
			words++
		case tokPunct:
			switch e.text[t.start] {
			case '.', '?', '!', ':', ';':
				stops = true
			}
			if r, _ := runeAt(e.text, int(t.start)); r == '…' {
				stops = true
			}
		}
	}
	return !stops && words <= 12 || e.isCaption(p, e.paraEnd(k))
}

// isCaption reports whether the paragraph of tokens [p, end) is a photo caption: it ends with the
// credit in parentheses, "(Steve Lawrence/CBC)", "( Toronto Star file photo )".
func (e *engine) isCaption(p, end int) bool {
	last := end - 1
	if last <= p || !e.isPunct(last, ')') {
		return false
	}
	credit := false
	for j := last - 1; j > p && last-j <= 16; j-- {
		if e.isPunct(j, '(') {
			return credit
		}
		if e.isPunct(j, '/') || e.toks[j].kind == tokWord && equalFold(e.word(j), "photo") {
			credit = true
		}
	}
	return false
}

// isPullQuote reports whether a quotation that is a paragraph of its own repeats words the article
// prints without marks: a pull quote set in marks beside the text, not a second quotation.
func (e *engine) isPullQuote(sp span) bool {
	if sp.open != e.paraFirst(sp.open) || sp.close < 0 || sp.close+1 < len(e.toks) && e.toks[sp.close+1].kind != tokBreak {
		return false
	}
	text := e.text[sp.start:sp.end]
	if len(text) > 80 {
		cut := 80
		for cut > 40 && text[cut] != ' ' {
			cut--
		}
		text = text[:cut]
	}
	text = strings.TrimRight(text, ",.;:!? ")
	return len(text) >= 30 && e.occursOutside(text, sp.start)
}

// endsSentenceInside reports a quotation ending in "!" or "?" or with a full stop after a
// lower-case word: a sentence, not a title.
func (e *engine) endsSentenceInside(sp span) bool {
	s := strings.TrimRight(e.text[sp.start:sp.end], " ")
	return strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?")
}

// isTerm reports a quoted term: after "so-called", "dubbed", "known as", "the word", or quoted
// words that the article also uses without marks.
func (e *engine) isTerm(qi int, pre [2]int) bool {
	sp := e.spans[e.quotes[qi].span]
	if k := pre[1] - 1; k >= pre[0] && e.toks[k].kind == tokWord {
		if e.has(k, wcTermCue) {
			return e.id(k) != wCalled || e.quotes[qi].words <= 4
		}
		if e.id(k) == wAs && k-1 >= pre[0] && e.id(k-1) == wKnown {
			return true
		}
	}
	if e.quotes[qi].words > 4 {
		return false
	}
	// The same words elsewhere in the article, outside quotation marks: a term, not speech.
	phrase := strings.TrimRight(e.text[sp.start:sp.end], ",.;:!? ")
	if len(phrase) < 6 || e.quotes[qi].words < 2 && len(phrase) < 8 {
		return false
	}
	return e.occursOutside(phrase, sp.start)
}

// occursOutside reports whether phrase occurs in the body, as whole words and ignoring case,
// outside every quotation and at another offset than self. The searches of one analysis share a
// budget of bytes, so that an article of many short quotes costs linear time; when it is spent the
// answer is no.
func (e *engine) occursOutside(phrase string, self int) bool {
	if e.searchLeft <= 0 {
		return false
	}
	body := 0
	if len(e.toks) > 0 {
		body = int(e.toks[0].start)
	}
	for off := body; ; {
		i := e.indexFold(e.text[off:], phrase)
		if i < 0 {
			return false
		}
		i += off
		end := i + len(phrase)
		before, _ := runeBefore(e.text, i)
		after, _ := runeAt(e.text, end)
		if i != self && !e.insideSpan(i) && !isLetterRune(before) && !isLetterRune(after) && before != '\'' && markOf(before) == markNone {
			return true
		}
		off = i + 1
	}
}

// indexFold is strings.Index ignoring ASCII case, charged to the engine's search budget.
func (e *engine) indexFold(s, sub string) int {
	if len(sub) == 0 {
		return 0
	}
	lo, up := sub[0], sub[0]
	if 'a' <= lo && lo <= 'z' {
		up = lo - ('a' - 'A')
	} else if 'A' <= lo && lo <= 'Z' {
		lo = up + ('a' - 'A')
	}
	// The next candidate of each case not yet looked at; len(s) when there is none.
	nextLo, nextUp := -1, -1
	for i := 0; i+len(sub) <= len(s) && e.searchLeft > 0; {
		if nextLo < i {
			nextLo = e.indexByte(s, i, lo)
		}
		if nextUp < i {
			nextUp = e.indexByte(s, i, up)
		}
		j := min(nextLo, nextUp)
		if j+len(sub) > len(s) || e.searchLeft <= 0 {
			return -1
		}
		e.searchLeft -= len(sub)
		if equalFold(s[j:j+len(sub)], sub) {
			return j
		}
		i = j + 1
	}
	return -1
}

// indexByte returns the first c in s at or after from, or len(s), charged to the search budget.
func (e *engine) indexByte(s string, from int, c byte) int {
	j := strings.IndexByte(s[from:], c)
	if j < 0 {
		e.searchLeft -= len(s) - from
		return len(s)
	}
	e.searchLeft -= j + 1
	return from + j
}

// insideSpan reports whether offset off lies inside a quotation.
func (e *engine) insideSpan(off int) bool {
	lo, hi := 0, len(e.spans)
	for lo < hi { // the first span starting after off
		m := (lo + hi) / 2
		if e.spans[m].start > off {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo > 0 && off < e.spans[lo-1].end
}

// titleCase reports a short quotation whose words are all capitalised: a title or a name
// ("Face the Nation", "Shark Tank").
func (e *engine) titleCase(sp span) bool {
	words, caps := 0, 0
	for t := sp.first; t <= sp.last; t++ {
		tk := e.toks[t]
		if tk.kind != tokWord {
			continue
		}
		words++
		if tk.flags&(fCap|fDigit) != 0 {
			caps++
		} else if id := e.id(t); !(tk.end-tk.start <= 3 || id == wFrom || id == wWith || id == wInto) {
			return false
		}
	}
	return words > 0 && words <= 8 && caps > 0 && (caps > 1 || words == 1)
}

// endsWithStop reports whether the quotation ends with a full stop, a question or an
// exclamation mark: the words after it then open a new sentence.
func (e *engine) endsWithStop(sp span) bool {
	s := strings.TrimRight(e.text[sp.start:sp.end], " ")
	return strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "…")
}

// endsSentence reports whether the quotation ends with sentence punctuation or a comma.
func (e *engine) endsSentence(sp span) bool {
	s := strings.TrimRight(e.text[sp.start:sp.end], " ")
	return strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, ",") || strings.HasSuffix(s, "…")
}
