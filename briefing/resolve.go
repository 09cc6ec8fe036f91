package briefing

import "strings"

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
			return e.recentPerson(at, subj.g, nil)
		case plural, neuter:
			return e.recentOrg(at, "")
		}
	case npDescription:
		return e.resolveDescription(subj, at)
	}
	return -1
}

// recentPerson returns the person a pronoun or a description at token at most likely means: of
// the persons mentioned in the sentences before it whose gender does not clash with g, the
// nearest, with a subject preferred to an object, the current speaker to a bystander, and a
// caption or photo credit never taken. When words is given, a person whose title shares one of
// them wins.
func (e *engine) recentPerson(at int, g gender, words []string) int {
	atSent := e.sentOf(at)
	lastSpeaker := e.lastSpeaker(at)
	best, bestScore := -1, -1e9
	for mi := len(e.mentions) - 1; mi >= 0; mi-- {
		m := e.mentions[mi]
		if m.tok >= at {
			continue
		}
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
		if len(words) > 0 && titleShares(en.title, words) {
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

// lastSpeaker returns the speaker of the last attributed quotation before token at, or -1.
func (e *engine) lastSpeaker(at int) int {
	for qi := len(e.quotes) - 1; qi >= 0; qi-- {
		q := &e.quotes[qi]
		if q.drop || q.ent < 0 || e.spans[q.span].open >= at {
			continue
		}
		return q.ent
	}
	return -1
}

// hasGenderedPerson reports whether a person of gender g is mentioned before token at.
func (e *engine) hasGenderedPerson(g gender, at int) bool {
	for mi := range e.mentions {
		m := e.mentions[mi]
		if m.tok >= at {
			break
		}
		if en := &e.ents[m.ent]; en.isPerson() && en.gender == g {
			return true
		}
	}
	return false
}

// onlyCandidate reports whether ent is the only person mentioned before token at.
func (e *engine) onlyCandidate(ent, at int) bool {
	for mi := range e.mentions {
		m := e.mentions[mi]
		if m.tok >= at {
			break
		}
		if m.ent != ent && e.ents[m.ent].isPerson() {
			return false
		}
	}
	return true
}

func titleShares(title string, words []string) bool {
	if title == "" {
		return false
	}
	t := strings.ToLower(title)
	for _, w := range words {
		if len(w) > 2 && strings.Contains(t, w) {
			return true
		}
	}
	return false
}

// recentOrg returns the organisation mentioned last before token at, whose name holds noun when
// noun is given.
func (e *engine) recentOrg(at int, noun string) int {
	for mi := len(e.mentions) - 1; mi >= 0; mi-- {
		m := e.mentions[mi]
		if m.tok >= at {
			continue
		}
		en := &e.ents[m.ent]
		if en.kind != kindOrg {
			continue
		}
		if noun == "" {
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
	first := string(e.lw(subj.start))
	switch first {
	case "a", "an", "one", "another", "some", "two", "three", "several", "many", "most":
		return -1 // someone not named
	}
	head := strings.ToLower(e.word(subj.end - 1))
	words := make([]string, 0, 6)
	for k := subj.start; k < subj.end; k++ {
		if w := string(e.lw(k)); !stopWords[w] {
			words = append(words, strings.ToLower(e.word(k)))
		}
	}
	// The head noun decides: an organisation or a person.
	for k := subj.end - 1; k >= subj.start; k-- {
		lw := string(e.lw(k))
		if orgNouns[lw] && !roleNouns[lw] {
			return e.recentOrg(at, lw)
		}
		if roleNouns[lw] {
			head = lw
			break
		}
	}
	if strings.HasSuffix(head, "s") && !strings.HasSuffix(head, "ss") && !roleNouns[head] {
		return -1 // "officials", "analysts": several people
	}
	if first != "the" && first != "this" && first != "that" {
		return -1 // "officials", "police": nobody named
	}
	g := unknownGender
	if femaleRoles[head] {
		g = female
	} else if maleRoles[head] {
		g = male
	}
	if first == "his" || first == "her" || first == "their" || first == "its" {
		return -1 // "his spokesman": another person, not named
	}
	return e.recentPerson(at, g, words)
}

// inherit gives a quotation without a cue of its own the speaker of its neighbours: the next
// quotation of the same sentence (`"A." "B," he said.`), the one before it in the paragraph, the
// quotation it continues from the paragraph before, or a cue sentence leading into it.
func (e *engine) inherit() {
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
	for mi := range e.mentions {
		m := e.mentions[mi]
		if m.tok < s0 {
			continue
		}
		if m.tok >= sp.open {
			break
		}
		if m.tok == s0 && m.subject && e.ents[m.ent].isPerson() {
			return m.ent, -1
		}
	}
	if e.toks[s0].kind == tokWord {
		if g, ok := pronounGender[string(e.lw(s0))]; ok && (g == male || g == female) {
			return e.recentPerson(s0, g, nil), -1
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

func (e *engine) prevQuote(qi int) int {
	for p := qi - 1; p >= 0; p-- {
		if !e.quotes[p].drop {
			return p
		}
	}
	return -1
}

func (e *engine) nextQuote(qi int) int {
	for n := qi + 1; n < len(e.quotes); n++ {
		if !e.quotes[n].drop {
			return n
		}
	}
	return -1
}

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
	for mi := range e.mentions {
		m := e.mentions[mi]
		if m.tok <= end {
			continue
		}
		if m.tok >= b.open {
			break
		}
		if m.subject && m.ent != ent && e.ents[m.ent].isPerson() {
			return true
		}
	}
	return false
}
