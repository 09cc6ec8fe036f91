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

// recentPerson returns the person mentioned last before token at whose gender does not clash
// with g; when words is given, a person whose title shares one of them wins over recency.
func (e *engine) recentPerson(at int, g gender, words []string) int {
	best := -1
	seen := 0
	for mi := len(e.mentions) - 1; mi >= 0; mi-- {
		m := e.mentions[mi]
		if m.tok >= at {
			continue
		}
		en := &e.ents[m.ent]
		if !en.isPerson() {
			continue
		}
		if g != unknownGender && en.gender != unknownGender && en.gender != g {
			continue
		}
		if g != unknownGender && en.gender == unknownGender && e.hasGenderedPerson(g, at) && !e.onlyCandidate(m.ent, at) {
			// Another person of the right gender is known: prefer them over a guess.
			continue
		}
		if m.possessive && seen == 0 && best < 0 {
			// "North Korea’s leaders": a possessive is a weaker antecedent; keep looking once.
			best = m.ent
			seen++
			continue
		}
		if len(words) > 0 && !titleShares(en.title, words) {
			if best < 0 {
				best = m.ent
			}
			continue
		}
		return m.ent
	}
	// Also a speaker already quoted, though mentioned only by pronoun since.
	return best
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
	if !roleNouns[head] && !roleNouns[strings.TrimSuffix(head, "s")] {
		return -1
	}
	if strings.HasSuffix(head, "s") && !roleNouns[head] {
		return -1 // "officials", "analysts": several people
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
	}
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
