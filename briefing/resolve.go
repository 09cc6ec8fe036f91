package briefing

// Resolving a cue's subject to an entity: a name is its own entity; a pronoun is the most recent
// compatible named person; a description ("the minister", "the ministry") is the most recent
// entity it fits. When nothing fits, the speaker stays unknown (-1): a wrong name is worse than
// none.

func (e *engine) resolve(subj np, at int) int {
	switch subj.kind {
	case npName:
		return e.mentions[subj.mention].ent
	case npPronoun:
		switch subj.g {
		case male, female:
			return e.recentPerson(at, subj.g, np{})
		case plural, neuter:
			return e.recentOrg(at, 0)
		}
	case npDescription:
		return e.resolveDescription(subj, at)
	}
	return -1
}

// recentPerson returns the person a pronoun or a description at token at most likely means: of
// the persons mentioned in the sentences before it whose gender does not clash with g, the
// nearest, with a subject preferred to an object, the current speaker to a bystander, and a
// caption or photo credit never taken. When a description is given, a person whose title shares
// one of its words wins.
func (e *engine) recentPerson(at int, g gender, desc np) int {
	atSent := e.sentOf(at)
	lastSpeaker := e.lastSpeaker(at)
	best, bestScore := -1, -1e9
	first := e.mentionsBefore(at)
	for mi := first - 1; mi >= 0 && first-mi <= maxLookBack; mi-- {
		m := e.mentions[mi]
		dist := atSent - m.sent
		if dist > 12 && best >= 0 {
			break
		}
		en := &e.ents[m.ent]
		if !en.isPerson() || m.aside {
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
		if m.ent == lastSpeaker {
			score += 1.5
		}
		if g != unknownGender && en.gender == unknownGender {
			score -= 1
		}
		if desc.kind == npDescription && e.titleShares(en.title, desc) {
			score += 4
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

// lastSpeaker returns the speaker of the last attributed quotation before token at, or -1.
func (e *engine) lastSpeaker(at int) int {
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
			return q.ent
		}
	}
	return -1
}

// titleShares reports whether a title holds one of the content words of a description.
func (e *engine) titleShares(title string, desc np) bool {
	if title == "" {
		return false
	}
	for k := desc.start; k < desc.end; k++ {
		if t := e.toks[k]; t.kind == tokWord && !t.has(wcStop) && t.end-t.start > 2 && containsFold(title, e.word(k)) {
			return true
		}
	}
	return false
}

// recentOrg returns the organisation mentioned last before token at, whose name holds the word
// noun (a nameKey) when noun is not 0.
func (e *engine) recentOrg(at int, noun uint64) int {
	first := e.mentionsBefore(at)
	for mi := first - 1; mi >= 0 && first-mi <= maxLookBack; mi-- {
		m := e.mentions[mi]
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
	head := subj.end - 1
	// The head noun decides: an organisation or a person.
	for k := subj.end - 1; k >= subj.start; k-- {
		t := e.toks[k]
		if t.has(wcOrg) && !t.has(wcRole) {
			return e.recentOrg(at, nameKey(e.word(k)))
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
	return e.recentPerson(at, g, subj)
}

// inherit gives a quotation without a cue of its own the speaker of its neighbours: the next
// quotation of the same sentence (`"A." "B," he said.`), the one before it in the paragraph, the
// quotation it continues from the paragraph before, or a cue sentence leading into it.
func (e *engine) inherit() {
	e.linkQuotes()
	for qi := range e.quotes {
		q := &e.quotes[qi]
		if q.drop || q.direct {
			continue
		}
		sp := e.spans[q.span]
		// The quotation before it, in the same paragraph or continued from the previous one.
		if p := e.prevQuote(qi); p >= 0 {
			prev := &e.quotes[p]
			psp := e.spans[prev.span]
			samePara := e.paraFirst(psp.open) == e.paraFirst(sp.open)
			if (samePara || sp.contd || psp.cont && e.adjacentParas(psp, sp)) && !e.newSubjectBetween(psp, sp, prev.ent) {
				q.ent, q.cue, q.cueTok = prev.ent, prev.cue, prev.cueTok
				continue
			}
		}
		// The next quotation of the paragraph, when only its cue separates them.
		if n := e.nextQuote(qi); n >= 0 {
			next := &e.quotes[n]
			nsp := e.spans[next.span]
			if next.direct && e.paraFirst(nsp.open) == e.paraFirst(sp.open) && e.wordsIn([2]int{max(sp.close, sp.last) + 1, nsp.open}) == 0 {
				q.ent, q.cue, q.cueTok = next.ent, next.cue, next.cueTok
				continue
			}
		}
		// A paragraph that is a quotation of its own, after one that ended on a quotation or
		// introduced it with a colon.
		if sp.open == e.paraFirst(sp.open) {
			if p := e.prevQuote(qi); p >= 0 {
				prev := &e.quotes[p]
				psp := e.spans[prev.span]
				if e.adjacentParas(psp, sp) && e.endsParagraph(psp) {
					q.ent, q.cue, q.cueTok = prev.ent, prev.cue, prev.cueTok
					continue
				}
			}
		}
		// The narration just before it: a speech cue in the sentences leading to it (this
		// paragraph's, or the previous paragraph's when the quotation opens its own), or the
		// subject of the sentence right before it.
		if ent, cue := e.leadIn(qi); ent >= 0 {
			q.ent, q.cueTok = ent, cue
			q.cue = e.cueText(cue)
		}
	}
}

// leadIn finds the speaker a quotation without a cue takes from the narration before it.
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
	// The last speech verb of the narration, with a subject that resolves.
	for k := sp.open - 1; k >= lo; k-- {
		if e.toks[k].flags&fQuoted != 0 || !e.cueVerb(k, false) {
			continue
		}
		s0 := e.sentStart(k, lo)
		subj, v, _ := e.subjectOf(k, s0, sp.open)
		if subj.kind == npNone {
			continue
		}
		if ent := e.resolve(subj, v); ent >= 0 {
			return ent, v
		}
		return -1, -1
	}
	// The subject of the sentence right before, in the same paragraph.
	if sp.open == para {
		return -1, -1
	}
	s0 := e.sentStart(sp.open-1, para)
	for mi := e.mentionsBefore(s0); mi < len(e.mentions); mi++ {
		m := e.mentions[mi]
		if m.tok >= sp.open {
			break
		}
		if m.tok == s0 && m.subject && e.ents[m.ent].isPerson() {
			return m.ent, -1
		}
	}
	if e.toks[s0].kind == tokWord {
		if t := e.toks[s0]; t.has(wcPronoun) && (t.info.g == male || t.info.g == female) {
			return e.recentPerson(s0, t.info.g, np{}), -1
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

// newSubjectBetween reports whether a named person other than the first quotation's speaker
// stands as a subject between two quotations.
func (e *engine) newSubjectBetween(a, b span, ent int) bool {
	end := a.close
	if end < 0 {
		end = a.last
	}
	for mi := e.mentionsBefore(end + 1); mi < len(e.mentions); mi++ {
		m := e.mentions[mi]
		if m.tok >= b.open {
			break
		}
		if m.subject && m.ent != ent && e.ents[m.ent].isPerson() {
			return true
		}
	}
	return false
}
