package briefing

// Resolving a cue's subject to an entity: a name is its own entity; a pronoun is the most recent
// compatible named person; a description ("the minister", "the ministry") is the most recent
// entity it fits. When nothing fits, the speaker stays unknown (-1): a wrong name is worse than
// none.

// resolve returns the entity a cue's subject refers to, or -1; at is the token the search for
// an antecedent starts before, and exclude an entity the subject cannot be (the listener of
// "she told Tracy"), -1 for none.
func (e *engine) resolve(subj np, at, exclude int) int {
	switch subj.kind {
	case npName:
		return e.mentions[subj.mention].ent
	case npPronoun:
		switch subj.g {
		case male, female:
			return e.recentPerson(at, subj.g, subj, exclude)
		case plural:
			if e.id(subj.start) == wThey {
				if ent := e.recentPair(subj.start); ent >= 0 {
					return ent
				}
			}
			return e.recentOrg(at, 0, pronounOrgSents)
		case neuter:
			return e.recentOrg(at, 0, pronounOrgSents)
		}
	case npDescription:
		return e.resolveDescription(subj, at)
	}
	return -1
}

// listener returns the entity named right after the speech verb at token v (the listener of
// "told Tracy"), or -1.
func (e *engine) listener(v int) int {
	if v < 0 || v+1 >= len(e.toks) {
		return -1
	}
	if subj := e.npAt(v+1, min(v+8, len(e.toks))); subj.kind == npName {
		return e.mentions[subj.mention].ent
	}
	return -1
}

// recentPerson returns the person a pronoun or a description at token at most likely means: of
// the persons mentioned in the sentences before it whose gender does not clash with g, the
// nearest, with a subject preferred to an object, the current speaker to a bystander, and a
// caption or photo credit never taken. When the subject is a description, a person whose title
// shares its words wins. A pronoun never refers to someone named after it, nor to someone named
// in its own sentence other than as a subject ("Asked about Tory, he said"), nor to exclude.
func (e *engine) recentPerson(at int, g gender, desc np, exclude int) int {
	pronSent := -1
	if desc.kind == npPronoun {
		pronSent = e.sentOf(desc.start)
	}
	atSent := e.sentOf(at)
	lastSpeaker, lastQuote := e.lastSpeaker(at)
	// The current speaker stays in focus until another person becomes the subject of the
	// narration after their quotation.
	focus := lastSpeaker
	for mi := e.mentionsBefore(lastQuote); focus >= 0 && mi < len(e.mentions) && e.mentions[mi].tok < at; mi++ {
		if m := e.mentions[mi]; m.subject && !m.possessive && !m.aside && m.ent != lastSpeaker && e.ents[m.ent].isPerson() {
			focus = -1
		}
	}
	best, bestScore := -1, -1e9
	first := e.mentionsBefore(at)
	for mi := first - 1; mi >= 0 && first-mi <= maxLookBack; mi-- {
		m := e.mentions[mi]
		dist := atSent - m.sent
		if dist > 12 && best >= 0 {
			break
		}
		en := &e.ents[m.ent]
		if !en.isPerson() || m.aside || m.ent == exclude {
			continue
		}
		if pronSent >= 0 && (m.tok > desc.start || m.sent == pronSent && !m.subject) {
			continue
		}
		if g != unknownGender && en.gender != unknownGender && en.gender != g {
			continue
		}
		score := -float64(dist)
		if m.subject {
			score += 2.5
		}
		if m.possessive {
			score -= 1.5
		}
		if m.ent == focus {
			score += 1.5
		}
		if g != unknownGender && en.gender == unknownGender {
			score -= 1
		}
		if desc.kind == npDescription {
			score += e.titleMatch(en.title, desc)
		}
		if score > bestScore {
			best, bestScore = m.ent, score
		}
	}
	if best < 0 && lastSpeaker >= 0 {
		if en := &e.ents[lastSpeaker]; en.isPerson() && (g == unknownGender || en.gender == unknownGender || en.gender == g) {
			return lastSpeaker
		}
	}
	return best
}

// maxLookBack bounds how many mentions or quotations a search for an antecedent reads, so that
// resolving costs linear time however long the article.
const maxLookBack = 400

// mentionsBefore returns the number of mentions that start before token at.
func (e *engine) mentionsBefore(at int) int {
	lo, hi := 0, len(e.mentions)
	for lo < hi {
		m := (lo + hi) / 2
		if e.mentions[m].tok < at {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// lastSpeaker returns the speaker of the last attributed quotation before token at and the token
// where that quotation opens, or -1, -1.
func (e *engine) lastSpeaker(at int) (int, int) {
	lo, hi := 0, len(e.quotes)
	for lo < hi { // the quotations opening before at
		m := (lo + hi) / 2
		if e.spans[e.quotes[m].span].open < at {
			lo = m + 1
		} else {
			hi = m
		}
	}
	for qi := lo - 1; qi >= 0 && lo-qi <= maxLookBack; qi-- {
		if q := &e.quotes[qi]; !q.drop && q.ent >= 0 {
			return q.ent, e.spans[q.span].open
		}
	}
	return -1, -1
}

// titleMatch scores how well a person's title fits a description: its role noun ("senator" in
// "the Florida senator", also written "Sen.") counts most, each other word a little.
func (e *engine) titleMatch(title string, desc np) float64 {
	if title == "" {
		return 0
	}
	score := 0.0
	for k := desc.start; k < desc.end; k++ {
		t := e.toks[k]
		if t.kind != tokWord || t.has(wcStop) || t.end-t.start <= 2 {
			continue
		}
		w := e.word(k)
		if !containsFold(title, w) && !(t.has(wcRole) && containsAbbrev(title, w)) {
			continue
		}
		if t.has(wcRole) {
			score += 3
		} else {
			score += 1
		}
	}
	return min(score, 5)
}

// roleAbbrevs pairs role nouns with the abbreviations titles use for them.
var roleAbbrevs = [...][2]string{{"senator", "sen"}, {"governor", "gov"}, {"representative", "rep"},
	{"general", "gen"}, {"lieutenant", "lt"}, {"colonel", "col"}, {"captain", "capt"},
	{"sergeant", "sgt"}, {"detective", "det"}, {"professor", "prof"}, {"president", "pres"},
	{"superintendent", "supt"}, {"inspector", "insp"}, {"commander", "cmdr"}, {"admiral", "adm"},
	{"attorney", "atty"}, {"delegate", "del"}}

// containsAbbrev reports whether title holds the abbreviation of the role noun w, as a word.
func containsAbbrev(title, w string) bool {
	for _, p := range roleAbbrevs {
		if !equalFold(w, p[0]) {
			continue
		}
		for i := 0; i+len(p[1]) <= len(title); i++ {
			if equalFold(title[i:i+len(p[1])], p[1]) && (i == 0 || title[i-1] == ' ') {
				if j := i + len(p[1]); j == len(title) || title[j] == '.' || title[j] == ' ' {
					return true
				}
			}
		}
	}
	return false
}

// recentPair returns an entity for two people named together as a subject in the sentence of
// the pronoun at token k or the one before ("Owners Tore Sohlberg and Lehla Abreder said they
// respected the vote"), for "they" to refer to, or -1.
func (e *engine) recentPair(k int) int {
	sent := e.sentOf(k)
	first := e.mentionsBefore(k)
	for mi := first - 1; mi > 0 && first-mi <= 12; mi-- {
		b, a := e.mentions[mi], e.mentions[mi-1]
		if sent-b.sent > 1 {
			break
		}
		if b.tok-a.end != 1 || e.id(a.end) != wAnd || !(a.subject || e.verbAfter(b.end)) || b.aside || a.ent == b.ent ||
			!e.ents[a.ent].likelyPerson() || !e.ents[b.ent].likelyPerson() {
			continue
		}
		e.ents = append(e.ents, entity{
			name:  validText(e.text[e.toks[a.name].start:e.toks[b.end-1].end]),
			parts: []uint64{0}, kind: kindPerson, gender: plural, first: a.tok, bareTok: -1, nextLast: -1,
		})
		return len(e.ents) - 1
	}
	return -1
}

// pronounOrgSents bounds how many sentences back "it" or "they" finds an organisation: a pronoun
// refers to one the narration has just named, not to one named paragraphs before.
const pronounOrgSents = 2

// recentOrg returns the organisation mentioned last before token at, whose name holds the word
// noun (a nameKey) when noun is not 0, and named at most maxSents sentences before at's when
// maxSents >= 0.
func (e *engine) recentOrg(at int, noun uint64, maxSents int) int {
	first := e.mentionsBefore(at)
	atSent := e.sentOf(at)
	for mi := first - 1; mi >= 0 && first-mi <= maxLookBack; mi-- {
		m := e.mentions[mi]
		if maxSents >= 0 && atSent-m.sent > maxSents {
			break
		}
		en := &e.ents[m.ent]
		if en.kind != kindOrg {
			continue
		}
		if noun == 0 {
			return m.ent
		}
		for _, p := range en.parts {
			if p == noun {
				return m.ent
			}
		}
	}
	return -1
}

// resolveDescription resolves "the minister", "the Russian top diplomat", "the ministry".
func (e *engine) resolveDescription(subj np, at int) int {
	first := e.id(subj.start)
	switch first {
	case wA, wAn, wOne, wAnother, wSome, wTwo, wThree, wSeveral, wMany, wMost:
		return -1 // someone not named
	}
	// The head noun decides, an organisation or a person: the last noun before a preposition
	// ("the founder of Studiocomix Press" is a person).
	end := subj.end
	for k := subj.start + 1; k < subj.end; k++ {
		if id := e.id(k); (id == wOf || id == wFor || id == wAt || id == wWith || id == wFrom) && e.has(k-1, wcRole) {
			end = k
			break
		}
	}
	head := end - 1
	for k := end - 1; k >= subj.start; k-- {
		t := e.toks[k]
		if t.has(wcOrg) && !t.has(wcRole) {
			return e.recentOrg(at, nameKey(e.word(k)), -1)
		}
		if t.has(wcRole) {
			head = k
			break
		}
	}
	if w := e.word(head); hasSuffixFold(w, "s") && !hasSuffixFold(w, "ss") && !e.has(head, wcRole) {
		return -1 // "officials", "analysts": several people
	}
	if first != wThe && first != wThis && first != wThat {
		return -1 // "officials", "police": nobody named
	}
	g := unknownGender
	if e.has(head, wcFemaleRole) {
		g = female
	} else if e.has(head, wcMaleRole) {
		g = male
	}
	return e.recentPerson(at, g, subj, -1)
}

// inherit gives a quotation without a cue of its own the speaker of its context, in this order:
// the next quotation of the same sentence when only that one's cue separates them
// (`"A." "B," he said.`); a person the sentence right before it is about (`Durning did not need
// coaxing. "I'm thankful…"`); the quotation it goes on from, in its paragraph or the one before;
// a speech cue in the narration leading into it.
func (e *engine) inherit() {
	e.linkQuotes()
	for qi := range e.quotes {
		q := &e.quotes[qi]
		if q.drop || q.direct {
			continue
		}
		sp := e.spans[q.span]
		if n := e.nextQuote(qi); n >= 0 && !e.continuesSentence(qi) {
			next := &e.quotes[n]
			nsp := e.spans[next.span]
			if next.direct && e.paraFirst(nsp.open) == e.paraFirst(sp.open) && e.wordsIn([2]int{max(sp.close, sp.last) + 1, nsp.open}) == 0 {
				q.ent, q.cue, q.cueTok = next.ent, next.cue, next.cueTok
				continue
			}
		}
		prevEnt := -1
		p := e.prevQuote(qi)
		continues := false
		if p >= 0 {
			prev := &e.quotes[p]
			psp := e.spans[prev.span]
			prevEnt = prev.ent
			samePara := e.paraFirst(psp.open) == e.paraFirst(sp.open)
			continues = samePara || sp.contd || e.adjacentParas(psp, sp) && (psp.cont || sp.open == e.paraFirst(sp.open) && e.endsParagraph(psp))
		}
		// A new person the narration just before the quotation is about.
		if ent := e.narrationSubject(qi); ent >= 0 && (ent != prevEnt || !continues) {
			q.ent, q.cue, q.cueTok = ent, "", -1
			if ent == prevEnt && p >= 0 {
				q.cue, q.cueTok = e.quotes[p].cue, e.quotes[p].cueTok
			}
			continue
		}
		if continues && p >= 0 {
			prev := &e.quotes[p]
			q.ent, q.cue, q.cueTok = prev.ent, prev.cue, prev.cueTok
			continue
		}
		// The narration just before it: a speech cue in the sentences leading to it.
		if ent, cue := e.leadIn(qi); ent >= 0 {
			q.ent, q.cueTok = ent, cue
			q.cue = e.cueText(cue)
		}
	}
}

// continuesSentence reports whether quotation qi follows, with no narration between, a quotation
// of its paragraph that has a speaker: `"A," he said. "B." "C," she said.` gives B to him.
func (e *engine) continuesSentence(qi int) bool {
	p := e.prevQuote(qi)
	if p < 0 || e.quotes[p].ent < 0 {
		return false
	}
	psp, sp := e.spans[e.quotes[p].span], e.spans[e.quotes[qi].span]
	return e.paraFirst(psp.open) == e.paraFirst(sp.open)
}

// narrationSubject returns the person the sentence right before quotation qi is about, when that
// sentence is narration (no quotation in it): its subject when that is a person or a he or she
// ("Durning did not need much coaxing.", "But early on, he did…", "Her message now is simple:"),
// else the one person it names ("…positive results for accountant Babatunji Farinloye, 50."). A
// quotation that opens its paragraph looks at the last sentence of the paragraph before.
func (e *engine) narrationSubject(qi int) int {
	sp := e.spans[e.quotes[qi].span]
	end := sp.open // the sentence ends before the quotation
	para := e.paraFirst(sp.open)
	if sp.open == para {
		if para == 0 {
			return -1
		}
		end = para - 1 // the break before
	}
	if end <= 0 {
		return -1
	}
	s0 := e.sentStart(end-1, 0)
	for s0 < end && e.toks[s0].kind == tokMark && !e.toks[s0].is(fOpen) {
		s0++ // the closing mark of the quotation before
	}
	if end-s0 < 2 || e.toks[s0].kind == tokMark || e.toks[s0].flags&fQuoted != 0 {
		return -1 // a sentence that opens with a quotation: its cue was read already
	}
	if subj := e.sentenceSubject(s0, end); subj.kind != npNone {
		return e.resolve(subj, s0+1, -1)
	}
	only := -1
	for mi := e.mentionsBefore(s0); mi < len(e.mentions) && e.mentions[mi].tok < end; mi++ {
		m := e.mentions[mi]
		if en := &e.ents[m.ent]; m.aside || m.possessive || !en.isPerson() || en.person < 3 {
			continue
		}
		if only >= 0 && only != m.ent {
			return -1
		}
		only = m.ent
	}
	return only
}

// sentenceSubject reads the subject of the sentence [s0, end): after a conjunction or an opening
// phrase ending in a comma, a person's name or he or she, or the owner in "Her message", "Golden's
// view".
func (e *engine) sentenceSubject(s0, end int) np {
	k := s0
	if k < end && e.toks[k].has(wcCapStop) && e.toks[k].flags&fCap != 0 && !e.toks[k].has(wcPronoun|wcPossessive) && e.mentionAt(k) < 0 {
		// "But", "Later", "At the party," …: an opening word or phrase.
		c := k
		for c < end && c-k < 12 && !e.isPunct(c, ',') && e.toks[c].kind == tokWord {
			c++
		}
		switch {
		case c < end && e.isPunct(c, ','):
			k = c + 1
		case e.toks[k].is(fSentStart) && k+1 < end:
			k++ // "But he said"
		}
	}
	if k >= end || e.toks[k].kind != tokWord {
		return np{}
	}
	t := e.toks[k]
	if (t.has(wcPronoun) || t.has(wcPossessive)) && (t.info.g == male || t.info.g == female) {
		if t.has(wcPossessive) {
			if subj, role := e.possessedPerson(k+1, end); role {
				return subj
			}
		}
		return np{kind: npPronoun, start: k, end: k + 1, g: t.info.g}
	}
	if mi := e.mentionAt(k); mi < 0 || e.mentions[mi].tok != k {
		if n := e.titledNameAfter(k, end); n >= 0 {
			// "Democratic front-runner Hillary Clinton said…"
			return np{kind: npName, start: e.mentions[n].tok, end: e.mentions[n].end, mention: n}
		}
	}
	if mi := e.mentionAt(k); mi >= 0 && e.mentions[mi].tok == k {
		m := e.mentions[mi]
		if n := e.titledNameAfter(m.end, end); n >= 0 && !m.possessive {
			// "Former Obama adviser David Axelrod said": the run qualifies the title.
			return np{kind: npName, start: e.mentions[n].tok, end: e.mentions[n].end, mention: n}
		}
		if m.possessive {
			if subj, role := e.possessedPerson(m.end, end); role {
				return subj
			}
		}
		if (m.possessive || m.subject) && e.ents[m.ent].likelyPerson() {
			return np{kind: npName, start: k, end: m.end, mention: mi}
		}
	}
	return np{}
}

// titledNameAfter returns the mention of a name that a title starting at token k leads to
// ("adviser David Axelrod", "press secretary Josh Earnest", "Democratic front-runner Hillary
// Clinton"), or -1.
func (e *engine) titledNameAfter(k, end int) int {
	j := k
	for j < end && j-k < 4 && e.toks[j].kind == tokWord && e.toks[j].flags&fQuoted == 0 &&
		(e.toks[j].flags&fCap == 0 && e.has(j, wcRole|wcTitleMod) || e.toks[j].flags&fCap != 0 && e.has(j, wcParty|wcTitleMod)) {
		j++
	}
	if j == k || j >= end || !e.has(j-1, wcRole) {
		return -1
	}
	if mi := e.mentionAt(j); mi >= 0 && e.mentions[mi].tok == j && !e.mentions[mi].possessive {
		return mi
	}
	return -1
}

// possessedPerson reads what a possessive owns at the start of a sentence, from token k: when
// that is a person ("His former business partner at Lenox, Lawrence Cummings, called…",
// "Clinton's campaign manager Robby Mook said…", "Her lawyer said…") the sentence is about that
// person, not the owner. It returns the person's name when the sentence gives it, and role true
// when the possessive owns a person at all.
func (e *engine) possessedPerson(k, end int) (np, bool) {
	role := false
	for j := k; j < end && j-k < 10; j++ {
		t := e.toks[j]
		if t.kind != tokWord {
			if role && e.isPunct(j, ',') && j+1 < end {
				// An apposition names the person: "His business partner, Lawrence Cummings,".
				if mi := e.mentionAt(j + 1); mi >= 0 && e.mentions[mi].tok == j+1 && !e.mentions[mi].possessive {
					return np{kind: npName, start: j + 1, end: e.mentions[mi].end, mention: mi}, true
				}
			}
			break
		}
		if t.flags&fQuoted != 0 {
			break
		}
		if mi := e.mentionAt(j); mi >= 0 && e.mentions[mi].tok == j {
			m := e.mentions[mi]
			if !m.possessive && (role && e.has(j-1, wcRole) || m.name > m.tok && e.hasRoleBefore(m.tok, m.name)) {
				return np{kind: npName, start: j, end: m.end, mention: mi}, true // "campaign manager Robby Mook"
			}
			if !role || e.id(j-1) != wAt && e.id(j-1) != wOf && e.id(j-1) != wFor && e.id(j-1) != wThe {
				break
			}
			j = m.end - 1 // "at Lenox": where the person works
			continue
		}
		switch {
		case t.has(wcRole) && t.flags&fCap == 0:
			role = true
		case role && (t.info.id == wAt || t.info.id == wOf || t.info.id == wFor || t.info.id == wThe):
		case t.has(wcTitleMod) || t.flags&fCap == 0 && !t.has(wcStop|wcAux|wcCue|wcPastVerb|wcPronoun|wcDeterminer) && !e.isParticiple(j):
		default:
			return np{}, role
		}
	}
	return np{}, role
}

// leadIn finds the speaker a quotation without a cue takes from a speech cue in the narration
// before it: this paragraph's, or the previous paragraph's when the quotation opens its own
// (`Caddell continued:`).
func (e *engine) leadIn(qi int) (int, int) {
	sp := e.spans[e.quotes[qi].span]
	para := e.paraFirst(sp.open)
	lo := para
	if sp.open == para && para > 0 {
		lo = e.paraFirst(para - 1) // the previous paragraph
	}
	if p := e.prevQuote(qi); p >= 0 {
		psp := e.spans[e.quotes[p].span]
		end := psp.close
		if end < 0 {
			end = psp.last
		}
		if end >= lo {
			lo = end + 1
		}
	}
	// A colon right before the quotation (or ending the paragraph before) lets a weak verb
	// count: "Caddell continued:".
	colon := false
	for k := sp.open - 1; k >= lo && k >= sp.open-2; k-- {
		if e.isPunct(k, ':') {
			colon = true
		}
	}
	// The last speech verb of the narration, with a subject that resolves.
	for k := sp.open - 1; k >= lo; k-- {
		if e.toks[k].flags&fQuoted != 0 || !e.cueVerb(k, colon && sp.open-k <= 4) {
			continue
		}
		s0 := e.sentStart(k, lo)
		subj, v, _ := e.subjectOf(k, s0, sp.open)
		if subj.kind == npNone {
			continue
		}
		if ent := e.resolve(subj, v, e.listener(v)); ent >= 0 {
			return ent, v
		}
		return -1, -1
	}
	// The subject of the quotation's own sentence: `Weaver didn’t seem impressed, telling
	// reporters, "…"`.
	if s0 := e.sentStart(sp.open-1, lo); s0 < sp.open-1 {
		if subj := e.sentenceSubject(s0, sp.open); subj.kind != npNone {
			return e.resolve(subj, s0+1, -1), -1
		}
	}
	return -1, -1
}

// sentStart returns the first token of the sentence holding token k, not before lo.
func (e *engine) sentStart(k, lo int) int {
	for k > lo {
		t := e.toks[k-1]
		if t.kind == tokBreak || t.kind == tokPunct && t.is(fSentEnd) {
			break
		}
		k--
	}
	return k
}

// linkQuotes records each quotation's neighbours that are not dropped.
func (e *engine) linkQuotes() {
	last := -1
	for qi := range e.quotes {
		e.quotes[qi].prev = last
		if !e.quotes[qi].drop {
			last = qi
		}
	}
	next := -1
	for qi := len(e.quotes) - 1; qi >= 0; qi-- {
		e.quotes[qi].next = next
		if !e.quotes[qi].drop {
			next = qi
		}
	}
}

// prevQuote returns the quotation before qi that is not dropped, or -1 (after linkQuotes).
func (e *engine) prevQuote(qi int) int { return e.quotes[qi].prev }

// nextQuote returns the quotation after qi that is not dropped, or -1 (after linkQuotes).
func (e *engine) nextQuote(qi int) int { return e.quotes[qi].next }

// adjacentParas reports whether b's paragraph directly follows a's.
func (e *engine) adjacentParas(a, b span) bool {
	end := a.close
	if end < 0 {
		end = a.last
	}
	breaks := 0
	for k := end + 1; k < b.open; k++ {
		if e.toks[k].kind == tokBreak {
			breaks++
			if breaks > 1 {
				return false
			}
		}
	}
	return breaks == 1
}

// endsParagraph reports whether the quotation ends its paragraph, but for its cue.
func (e *engine) endsParagraph(sp span) bool {
	if sp.close < 0 {
		return true
	}
	for k := sp.close + 1; k < len(e.toks); k++ {
		t := e.toks[k]
		if t.kind == tokBreak {
			return true
		}
		if k-sp.close > 80 {
			return false // a long paragraph of narration goes on
		}
		if t.kind == tokPunct && t.is(fSentEnd) {
			// after the cue sentence, more narration follows?
			for j := k + 1; j < len(e.toks); j++ {
				if e.toks[j].kind == tokBreak {
					return true
				}
				if e.toks[j].kind == tokWord {
					return false
				}
			}
			return true
		}
	}
	return true
}
