package briefing

import "strings"

// Speaker titles, in the article's words. A person's title stands
//
//   - in the run of capitals before the name: "Russian Foreign Minister Sergey Lavrov" (see
//     addMention and titleText), or in lower case just before it: "aviation analyst Mike Powell";
//   - in an apposition after the name: "Rod Eddington, BA's chief executive, said", "Marta
//     Kowalczyk, general secretary of the Valmora Dockworkers' Union, said", "Dr Amara Quist, a
//     hydrologist at the University of Kessel";
//   - in an apposition before it: "The chief executive of the Valmora Port Authority, Daniel Osei,
//     put…", "Its chief executive, Daniel Osei, said" (where "its" is the organisation that opens
//     the sentence or the one before, the title names it);
//   - in a relative clause whose verb is a role: "Tomas Lind, who chairs the Southern Growers'
//     Cooperative" gives "chair of the Southern Growers' Cooperative".
//
// A title phrase is a role noun, the words before it that qualify it ("general", "BA's chief"),
// and after it phrases with of, at, for or to that say where the role is held. It ends at a
// comma or the sentence's end, before a clause (who, which, a verb, a participle), before a date,
// and within maxTitleWords words; a leading article ("the", "a") is left out. A person given
// several titles keeps the one that says the most of those that agree: "chief executive of the
// Valmora Port Authority" replaces "chief executive", while "Russian Foreign Minister" is not
// replaced by "Russia's top diplomat".

// maxTitleWords bounds the words of a title: a longer phrase is a clause, not a title.
const maxTitleWords = 12

// maxCoreWords bounds the words up to and including a title's role noun.
const maxCoreWords = 9

// titleText returns the title words of tokens [i, j), without honorifics such as "Mr".
func (e *engine) titleText(i, j int) string {
	for i < j && e.isHonorific(i) && !e.has(i, wcRole) {
		i++
		for i < j && e.toks[i].kind != tokWord {
			i++
		}
	}
	if i >= j {
		return ""
	}
	end := j - 1
	for end > i && e.toks[end].kind != tokWord {
		end--
	}
	if e.isHonorific(end) && !e.has(end, wcRole) {
		return e.titleText(i, end)
	}
	return validText(e.text[e.toks[i].start:e.toks[end].end])
}

// offerTitle gives the entity the title t when it has none, or when t says what its title says
// and more: "chief executive of the Valmora Port Authority" after "chief executive", "governor of
// the Bank of Arland" after "Governor", but not "deputy governor" after "governor". A lone plain
// person noun ("woman", "son") is no title.
func (e *engine) offerTitle(en *entity, t string) {
	if t == "" || e.isPlainRoleTitle(t) {
		return
	}
	if en.title == "" || titleExtends(t, en.title) {
		en.title = t
	}
}

// isPlainRoleTitle reports a title that is one plain person noun: "woman", "friend", "son".
func (e *engine) isPlainRoleTitle(t string) bool {
	if strings.IndexByte(t, ' ') >= 0 {
		return false
	}
	lw, h, ok := lowerWord(e.buf[:maxLexWord], t)
	return ok && lexicon.lookup(lw, h).cls&wcPlainRole != 0
}

// titleExtends reports whether title long says what title short says, word for word and
// ignoring case, and more, with no word before it that makes it another role ("deputy",
// "former").
func titleExtends(long, short string) bool {
	if len(long) <= len(short) {
		return false
	}
	for i := 0; i+len(short) <= len(long); i++ {
		if i > 0 && long[i-1] != ' ' {
			continue
		}
		if end := i + len(short); (end == len(long) || long[end] == ' ') && equalFold(long[i:end], short) {
			return i == 0 || !hasRoleChanger(strings.ToLower(long[:i]))
		}
	}
	return false
}

// lowerTitleBefore returns a lower-case title just before a name: "aviation analyst",
// "BA chief executive", "the company’s founder", "Bank of Arland deputy governor".
func (e *engine) lowerTitleBefore(i int) string {
	toks := e.toks
	k := i - 1
	hasRole := false
	for k >= 0 && i-k <= 8 && toks[k].flags&fQuoted == 0 {
		t := toks[k]
		if hasRole && k > 0 && toks[k-1].flags&fCap != 0 && toks[k+1].flags&fCap != 0 && toks[k-1].kind == tokWord &&
			(t.kind == tokWord && (t.info.id == wOf || t.info.id == wFor) || e.isPunct(k, '&')) {
			k-- // inside an organisation's name: "Bank of Arland", "Road & Rail Workers"
			continue
		}
		if t.kind != tokWord {
			break
		}
		if t.has(wcRole) {
			hasRole = true
		} else if !(t.has(wcTitleMod) || hasRole && (t.flags&fCap != 0 || t.is(fPoss)) && !t.has(wcCapStop)) {
			break
		}
		k--
	}
	if !hasRole || k == i-1 {
		return ""
	}
	start := k + 1
	for start < i && !toks[start].has(wcRole|wcTitleMod) && toks[start].flags&fCap == 0 {
		start++ // "city’s" in "the city’s mayor"
	}
	// The title must end on its role noun: "analyst Mike Powell", not "analysts say Powell",
	// nor "Lenk accused Okon".
	if !toks[i-1].has(wcRole) || toks[i-1].has(wcCue) && hasSuffixFold(e.word(i-1), "ed") {
		return ""
	}
	// After a modal the role noun is a verb: "he would counsel Clinton".
	if k >= 0 && k+1 == start && toks[k].kind == tokWord && toks[k].flags&fCap == 0 && isModal(e.word(k)) {
		return ""
	}
	return validText(e.text[toks[start].start:toks[i-1].end])
}

// isModal reports a modal verb: "would", "will", "can".
func isModal(w string) bool {
	for _, m := range [...]string{"will", "would", "can", "could", "shall", "should", "may", "might", "must"} {
		if equalFold(w, m) {
			return true
		}
	}
	return false
}

// appositionTitle returns a title in apposition after a name that ends at token j ("Rod
// Eddington, BA's chief executive, said" gives "BA's chief executive"; "Harold Adams, 76, a
// retired nurse"; "Tomas Lind, who chairs the Southern Growers' Cooperative") and the gender
// its role implies.
func (e *engine) appositionTitle(j int) (string, gender) {
	toks := e.toks
	if j+1 >= len(toks) || !e.isPunct(j, ',') {
		return "", unknownGender
	}
	k := j + 1
	if k+2 < len(toks) && toks[k].is(fDigit) && e.isPunct(k+1, ',') {
		k += 2 // an age first
	}
	if toks[k].kind != tokWord || toks[k].flags&fQuoted != 0 {
		return "", unknownGender
	}
	if toks[k].info.id == wWho {
		return e.relativeTitle(k + 1), unknownGender
	}
	article := false
	switch toks[k].info.id {
	case wThe, wA, wAn, wHis, wHer, wIts, wTheir:
		k++ // "Mr Vell, his transport and housing spokesman,"
		article = true
	}
	from, end, g := e.titlePhrase(k, article)
	if end <= from {
		return "", unknownGender
	}
	return validText(e.text[toks[from].start:toks[end-1].end]), g
}

// titleBeforeComma returns a title in apposition before the name [i, j): "The chief executive of
// the Valmora Port Authority, Daniel Osei, put…", "The city’s mayor, Tomas Vell, welcomed…",
// "Its chief executive, Daniel Osei, said…", "A veteran harbour pilot, Jonas Brekke spent…".
// Unless the title opens the sentence, the name must close the apposition with a comma or the
// sentence's end: in "After meeting the finance minister, Osei said" the minister is another.
func (e *engine) titleBeforeComma(i, j int) string {
	toks := e.toks
	if i < 2 || !e.isPunct(i-1, ',') {
		return ""
	}
	closed := j >= len(toks) || e.isPunct(j, ',') || toks[j].is(fSentEnd)
	// Where the title may start: after a determiner, at the sentence's start or after a comma.
	var starts [8]int
	n := 0
	k := i - 2
	for ; k >= 0 && i-2-k <= maxTitleWords+4 && n < len(starts); k-- {
		t := toks[k]
		if t.kind != tokWord {
			if k >= 3 && e.isPunct(k, ')') && toks[k-1].is(fUpper) && e.isPunct(k-2, '(') {
				k -= 2 // "the Arland Road Safety Council (ARSC)"
				continue
			}
			if !e.titleGlue(k) {
				break
			}
			continue
		}
		if t.flags&fQuoted != 0 {
			break
		}
		if isTitleDeterminer(t.info.id) || t.is(fSentStart) {
			starts[n] = k
			n++
		}
		if t.is(fSentStart) {
			break
		}
	}
	if k >= 0 && n < len(starts) && k+1 < i-1 && toks[k].kind != tokWord && (n == 0 || starts[n-1] != k+1) {
		// After a comma or a line break; but after a name and its comma the words are that
		// name's apposition: "Jan Berg, adviser to the bank's governor, Ilse Brandt".
		if !e.isPunct(k, ',') || k == 0 || e.mentionEnding(k-1) < 0 {
			starts[n] = k + 1
			n++
		}
	}
	// The farthest start that reads as a title ending at the comma.
	for s := n - 1; s >= 0; s-- {
		k := starts[s]
		if !closed && !toks[k].is(fSentStart) {
			continue
		}
		det := isTitleDeterminer(toks[k].info.id)
		if det {
			k++
		}
		from, end, _ := e.titlePhrase(k, det)
		if end != i-1 || end <= from {
			continue
		}
		title := validText(e.text[toks[from].start:toks[end-1].end])
		if toks[starts[s]].info.id == wIts && !e.hasTail(from, end) {
			if org := e.orgOpening(starts[s]); org >= 0 {
				title = e.titleOfOrg(title, org)
			}
		}
		return title
	}
	if !closed {
		return ""
	}
	return e.lowerTitleBefore(i - 1) // "BA chief executive, Rod Eddington,"
}

// isTitleDeterminer reports the words after which an apposition's title starts.
func isTitleDeterminer(id wordID) bool {
	switch id {
	case wThe, wA, wAn, wIts, wHis, wHer, wTheir, wOur:
		return true
	}
	return false
}

// titlePhrase reads a title starting at token k (after an article when afterArticle is set): the
// words that qualify a role, the role noun, then phrases with of, at, for or to. It returns the
// tokens to show, [from, end) — without a leading lower-case possessive ("the regulator's
// director of unmanned aircraft" shows "director of unmanned aircraft") — and the gender its role
// nouns imply; end <= from when no title starts at k.
func (e *engine) titlePhrase(k int, afterArticle bool) (from, end int, g gender) {
	toks := e.toks
	head := -1 // the last role noun
	words := 0
	// A title that opens with a plain lower-case word has no name after it: "insurance
	// analyst at Harbour Savings", but not "plays Ana's mother".
	plainStart := !afterArticle && k < len(toks) && toks[k].flags&fCap == 0 && !toks[k].has(wcRole|wcTitleMod) && !e.agentNoun(k)
	i := k
	for i < len(toks) && words < maxCoreWords {
		t := toks[i]
		if t.kind != tokWord {
			if words > 0 && e.titleGlue(i) {
				i++
				continue
			}
			break
		}
		if t.flags&fQuoted != 0 || head >= 0 && e.tailPrep(i) > 0 || plainStart && t.flags&fCap != 0 {
			break
		}
		if t.has(wcRole) || e.agentNoun(i) || words > 0 && e.agentAfterTitle(i) {
			head = i
			if t.has(wcFemaleRole) {
				g = female
			} else if t.has(wcMaleRole) {
				g = male
			}
		} else if t.info.id == wAnd {
			// "president and chief executive", "a QC and international law professor"; not
			// "the company and Arland's secretary of state"
			prev := toks[i-1]
			if words == 0 || i+1 >= len(toks) || toks[i+1].kind != tokWord || !(toks[i+1].has(wcRole|wcTitleMod) || e.coreWord(i+1, false)) ||
				prev.has(wcOrg) && !prev.has(wcRole|wcTitleMod) || prev.flags&fCap == 0 && toks[i+1].is(fPoss) {
				break
			}
		} else if head < 0 && words > 0 && (t.info.id == wOf || t.info.id == wFor) && toks[i-1].flags&fCap != 0 && i+1 < len(toks) && toks[i+1].flags&fCap != 0 {
			// a name before the role: "Friends of Arland’s executive director", "a
			// University of Kessel law professor"
		} else if !e.coreWord(i, words == 0 && !afterArticle) {
			break
		}
		words++
		i++
	}
	if head < 0 || words == maxCoreWords && i < len(toks) && toks[i].kind == tokWord && e.coreWord(i, false) {
		return k, k, unknownGender // no role, or more words than a title has
	}
	end = head + 1
	if i > end {
		// Words after the role noun: a participle or a clause ends the title ("a lawyer
		// representing the families"); a name or a noun means the role was no head ("the team's
		// coach Ann Lee", "the host city").
		if t := toks[end]; t.flags&fCap != 0 || !e.isParticiple(end) {
			return k, k, unknownGender
		}
	} else {
		end = e.titleTail(end, words)
	}
	from = k
	for from < head && toks[from].is(fPoss) && toks[from].flags&fCap == 0 {
		from++
	}
	return from, end, g
}

// coreWord reports whether token i may qualify a role noun inside a title: a capitalised word
// ("BA's", "Foreign"), a title modifier, a number ("39-year-old"), an adjective or a noun, but no
// function word, pronoun, verb or relative. A participle may not open a title unless an article
// stands before it ("a retired porter", not "named after his grandmother").
func (e *engine) coreWord(i int, first bool) bool {
	t := e.toks[i]
	switch t.info.id {
	case wWho, wWhose, wWhich, wWhere, wThat, wAnd, wAs, wKnown:
		return false
	}
	if t.flags&fCap != 0 {
		return !t.has(wcCapStop)
	}
	if t.is(fDigit) || t.has(wcTitleMod) {
		return true
	}
	if t.has(wcDeterminer | wcNotSubject | wcPlacePrep | wcPronoun | wcPossessive | wcAux | wcCue | wcPastVerb) {
		return false
	}
	if t.has(wcStop) && !equalFold(e.word(i), "new") {
		return false
	}
	return !(first && e.isParticiple(i))
}

// isParticiple reports a lower-case word ending in -ing or -ed.
func (e *engine) isParticiple(i int) bool {
	t := e.toks[i]
	if t.kind != tokWord || t.flags&fCap != 0 {
		return false
	}
	w := e.word(i)
	return hasSuffixFold(w, "ing") || hasSuffixFold(w, "ed")
}

// agentNoun reports a lower-case noun for a profession that the lexicon does not list, by its
// ending: hydrologist, pharmacist, technician, librarian, photographer.
func (e *engine) agentNoun(i int) bool {
	t := e.toks[i]
	if t.kind != tokWord || t.flags&(fCap|fDigit) != 0 || t.info.cls != 0 {
		return false
	}
	w := e.word(i)
	if len(w) < 6 {
		return false
	}
	if hasSuffixFold(w, "ist") {
		// Not the verbs insist, persist, consist, nor playlist, checklist, shortlist.
		return !hasSuffixFold(w, "sist") && !hasSuffixFold(w, "ylist") && !hasSuffixFold(w, "klist") && !hasSuffixFold(w, "tlist")
	}
	return hasSuffixFold(w, "ician") || hasSuffixFold(w, "arian") || hasSuffixFold(w, "grapher") || hasSuffixFold(w, "historian")
}

// agentAfterTitle reports a noun for a job ending in -or or -er after a title word: "chief
// co-ordinator", "senior programmer".
func (e *engine) agentAfterTitle(i int) bool {
	t := e.toks[i]
	if t.kind != tokWord || t.flags&(fCap|fDigit) != 0 || t.info.cls != 0 || i == 0 || !e.toks[i-1].has(wcRole|wcTitleMod) {
		return false
	}
	w := e.word(i)
	return len(w) >= 6 && (hasSuffixFold(w, "or") || hasSuffixFold(w, "er"))
}

// tailPrep returns how many tokens at i introduce a phrase that says where a role is held (1 for
// of, at, for or to, 2 for "responsible for"), or 0.
func (e *engine) tailPrep(i int) int {
	t := e.toks[i]
	if t.kind != tokWord || t.flags&fCap != 0 {
		return 0
	}
	switch t.info.id {
	case wOf, wAt, wFor, wTo:
		return 1
	case wIn, wWith:
		// Only before a name: "leader of the Green group in the Assembly", "economist with
		// the Kessel Institute", not "in a statement", "with experience".
		return e.nameAfter(i + 1)
	}
	if equalFold(e.word(i), "on") {
		return e.nameAfter(i + 1) // "presenter on Coast FM"
	}
	if i+1 < len(e.toks) && e.id(i+1) == wFor && equalFold(e.word(i), "responsible") {
		return 2
	}
	return 0
}

// nameAfter returns 1 when a name starts at token n, after "the" or without it, else 0.
func (e *engine) nameAfter(n int) int {
	if n < len(e.toks) && e.id(n) == wThe {
		n++
	}
	if n < len(e.toks) && e.toks[n].kind == tokWord && e.toks[n].flags&fCap != 0 && !e.toks[n].has(wcCapStop) {
		return 1
	}
	return 0
}

// titleTail extends a title that ends at token k with the phrases that say where the role is
// held ("of the Valmora Dockworkers' Union", "at the University of Kessel"), while the title
// stays within maxTitleWords words (it has words already); it returns the new end.
func (e *engine) titleTail(k, words int) int {
	end := k
	for end < len(e.toks) {
		p := e.tailPrep(end)
		if p == 0 {
			break
		}
		npEnd, n := e.titleNP(end+p, e.id(end+p-1))
		if npEnd < 0 || words+p+n > maxTitleWords {
			break
		}
		words += p + n
		end = npEnd
	}
	return end
}

// hasTail reports whether the title [from, end) holds a phrase after its role ("of …").
func (e *engine) hasTail(from, end int) bool {
	for k := from; k < end; k++ {
		if e.tailPrep(k) > 0 {
			return true
		}
	}
	return false
}

// titleNP reads the noun phrase of a title's tail starting at token k, after the preposition
// prep: an optional determiner, then nouns, adjectives and names ("the Valmora Dockworkers'
// Union", "unmanned aircraft", "three", "group marketing", "the Harbour Crime Agency (HCA)").
// It returns the phrase's end and its words, or -1 when none starts at k or it is cut short: at
// the edge of a word ("the U.S.-" of "the U.S.-based"), or before a name that does not read as
// one ("the film About Time").
func (e *engine) titleNP(k int, prep wordID) (int, int) {
	toks := e.toks
	i, n, content := k, 0, 0
	if i < len(toks) && toks[i].kind == tokWord && toks[i].flags&fQuoted == 0 && isTitleDeterminer(toks[i].info.id) {
		i++
		n++
	}
	lastCap := false // the last word read is part of a name: capitalised, no possessive or adjective
	for i < len(toks) && n < maxTitleWords {
		t := toks[i]
		if t.kind != tokWord {
			if content > 0 && e.titleGlue(i) {
				i++
				continue
			}
			break
		}
		if t.flags&fQuoted != 0 || e.tailPrep(i) > 0 {
			break
		}
		if t.flags&fCap != 0 {
			if t.has(wcCapStop) {
				if content > 0 && !isDateWord(e.word(i)) {
					return -1, 0 // a name cut short: "the film About Time", "the National First Aid Society"
				}
				break // a date: "Monday"
			}
		} else if !e.npWord(i, content, prep) {
			if lastCap && i+1 < len(toks) && toks[i+1].flags&fCap != 0 && t.has(wcDeterminer) {
				return -1, 0 // a name with a function word in it: "Save the Harbour"
			}
			break
		} else if lastCap && t.info.id != wAnd && e.verbLike(i) {
			break // "research firm Corvid Data believes…"
		}
		if t.is(fDigit) && content == 0 && prep != wOf {
			return -1, 0 // "for 20 years", "at 10"
		}
		if prep == wTo && content == 0 && t.flags&fCap == 0 && (i == k || toks[i-1].info.id != wThe) {
			return -1, 0 // "to win": an infinitive
		}
		lastCap = t.flags&fCap != 0 && !t.is(fPoss|fUpper) && !e.endsLowerPart(i) && !e.isDemonym(i)
		content++
		n++
		i++
	}
	for i > k && toks[i-1].kind == tokWord && toks[i-1].info.id == wAnd {
		i--
		n--
		content--
	}
	if content == 0 {
		return -1, 0
	}
	// An acronym in parentheses after a name: "the Harbour Crime Agency (HCA)".
	if i+2 < len(toks) && lastCap && e.isPunct(i, '(') && toks[i+1].is(fUpper) && e.isPunct(i+2, ')') {
		i += 3
	}
	if i < len(toks) && toks[i-1].is(fPoss) && !(toks[i].kind == tokPunct && strings.IndexByte(",;:.!?)", e.text[toks[i].start]) >= 0) {
		return -1, 0 // cut after a possessive: "Arland Telecom's" of "Arland Telecom's fixed…"
	}
	// The phrase must end at a word's edge: a space or punctuation that closes a phrase.
	if i < len(toks) && toks[i].start == toks[i-1].end {
		switch e.text[toks[i].start] {
		case ',', ';', ':', '!', '?', ')':
		case '.':
			if i+1 < len(toks) && toks[i+1].start == toks[i].end && toks[i+1].kind == tokWord {
				return -1, 0 // "Valmora.com"
			}
		default:
			return -1, 0
		}
	}
	return i, n
}

// npWord reports whether the lower-case word at token i continues a title's noun phrase that
// has content words already, after the preposition prep: a noun or an adjective, a number after
// "of" ("mother of three"), a joining "and"; no function word, pronoun, verb or relative.
func (e *engine) npWord(i, content int, prep wordID) bool {
	t := e.toks[i]
	switch id := t.info.id; {
	case id == wAnd:
		return e.titleAnd(i, content)
	case id == wTwo || id == wThree || id == wSeveral:
		return prep == wOf
	case id == wWho || id == wWhich || id == wWhose || id == wWhere || id == wThat || id == wAs:
		return false
	}
	if t.has(wcRole | wcTitleMod | wcOrg) {
		return true // "state" in "secretary of state" is no verb
	}
	if t.has(wcNotSubject|wcPlacePrep|wcPronoun|wcPossessive|wcAux|wcDeterminer|wcPastVerb) || e.cueVerb(i, false) {
		return false
	}
	if t.has(wcStop) && !equalFold(e.word(i), "new") {
		return false // "such", "than"
	}
	return content == 0 || !e.isParticiple(i) || e.participleInName(i)
}

// isDateWord reports a weekday or a month: "Monday", "January".
func isDateWord(w string) bool {
	for _, d := range [...]string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
		"sunday", "january", "february", "march", "april", "may", "june", "july", "august",
		"september", "october", "november", "december", "today", "tonight", "yesterday", "tomorrow"} {
		if equalFold(w, d) {
			return true
		}
	}
	return false
}

// titleAnd reports whether the "and" at token i joins two words of a title's noun phrase:
// "health and social care", "the Texas Parks and Wildlife Department", but not "… and a former
// minister", "son of the singer Ian Kerr and Luke Dunn" (a given name starts another person).
func (e *engine) titleAnd(i, content int) bool {
	toks := e.toks
	if content == 0 || i+1 >= len(toks) || toks[i+1].kind != tokWord {
		return false
	}
	prev, next := toks[i-1], toks[i+1]
	if next.has(wcDeterminer|wcPronoun|wcPossessive|wcCue|wcAux|wcGiven|wcCapStop) || prev.kind != tokWord {
		return false
	}
	return prev.flags&fCap == next.flags&fCap
}

// participleInName reports whether the -ing or -ed word at token i, inside a title's noun
// phrase, is a word of the phrase rather than a verb after it: an adjective before a noun
// ("fixed line division") or a noun that ends the phrase ("corporate marketing at Lumen").
func (e *engine) participleInName(i int) bool {
	toks := e.toks
	ing := hasSuffixFold(e.word(i), "ing")
	if i+1 >= len(toks) || toks[i+1].kind != tokWord {
		return ing
	}
	next := toks[i+1]
	if next.flags&fCap == 0 && !next.has(wcDeterminer|wcNotSubject|wcPlacePrep|wcPronoun|wcPossessive|wcAux|wcCue|wcStop) && !e.isParticiple(i+1) {
		// An adjective before a noun: "fixed line division"; an -ing word, which may as well
		// be a verb before its object ("lobbying governments"), only before the phrase's last
		// noun ("emerging markets for Harbour Capital", "operating officer").
		return !ing || next.has(wcRole|wcTitleMod|wcOrg) || e.phraseEndsAfter(i+1)
	}
	return ing && (next.info.id == wAnd || next.info.id != wTo && e.tailPrep(i+1) > 0)
}

// phraseEndsAfter reports whether a noun phrase ends after token i: punctuation, a line break, the
// text's end or a phrase with of, at or for follows.
func (e *engine) phraseEndsAfter(i int) bool {
	if i+1 >= len(e.toks) || e.toks[i+1].kind != tokWord {
		return true
	}
	switch e.id(i + 1) {
	case wOf, wAt, wFor:
		return true
	}
	return false
}

// endsLowerPart reports a hyphenated word whose last part is in lower case: "Cup-winning",
// "Kessel-based" — adjectives, not names.
func (e *engine) endsLowerPart(i int) bool {
	w := e.word(i)
	h := strings.LastIndexByte(w, '-')
	return h >= 0 && h+1 < len(w) && w[h+1] >= 'a' && w[h+1] <= 'z'
}

// verbLike reports a lower-case word that reads as a verb after a name: "believes", "added",
// "took".
func (e *engine) verbLike(i int) bool {
	t := e.toks[i]
	if t.flags&fCap != 0 || t.kind != tokWord {
		return false
	}
	w := e.word(i)
	return t.has(wcPastVerb|wcAux) || e.cueVerb(i, false) || hasSuffixFold(w, "ed") || hasSuffixFold(w, "s") && !hasSuffixFold(w, "ss")
}

// titleGlue reports whether the punctuation or mark token i joins the words of a title: "&" in
// "Hale & Sons", the apostrophe of "Dockworkers' Union", the periods and hyphen of
// "U.S.-based".
func (e *engine) titleGlue(i int) bool {
	toks := e.toks
	if i == 0 || i+1 >= len(toks) || toks[i-1].kind != tokWord || toks[i+1].kind == tokBreak {
		return false
	}
	t := toks[i]
	glued := t.start == toks[i-1].end
	switch {
	case t.kind == tokMark && (t.mark == markSingle || t.mark == markSRight):
		// A plural possessive: "Dockworkers' Union".
		c := e.text[toks[i-1].end-1]
		return glued && (c == 's' || c == 'S') && toks[i+1].kind == tokWord && toks[i+1].start > t.end
	case t.kind != tokPunct || t.is(fSentEnd):
		return false
	}
	switch e.text[t.start] {
	case '&':
		return toks[i-1].flags&fCap != 0 && toks[i+1].flags&fCap != 0
	case '.':
		return glued && e.isAbbrev(toks[i-1])
	case '-':
		return glued && toks[i+1].start == t.end
	}
	return false
}

// relativeRoles turn a relative clause into a title: "who chairs the Southern Growers'
// Cooperative" means "chair of the Southern Growers' Cooperative". Only verbs of a role held now
// (and of founding, which stays true) count.
var relativeRoles = [...][2]string{
	{"chairs", "chair"}, {"leads", "leader"}, {"heads", "head"}, {"directs", "director"},
	{"manages", "manager"}, {"owns", "owner"}, {"edits", "editor"}, {"coaches", "coach"},
	{"captains", "captain"}, {"founded", "founder"}, {"co-founded", "co-founder"},
}

// relativeTitle returns the title a relative clause starting with its verb at token k gives
// ("who chairs the Southern Growers' Cooperative,"), or "": the verb must be one of
// relativeRoles, its object a name, and the clause must end after it.
func (e *engine) relativeTitle(k int) string {
	toks := e.toks
	if k+1 >= len(toks) || toks[k].kind != tokWord || toks[k].flags&(fCap|fQuoted) != 0 {
		return ""
	}
	role := ""
	for _, r := range relativeRoles {
		if equalFold(e.word(k), r[0]) {
			role = r[1]
			break
		}
	}
	obj := k + 1
	first := obj
	if e.id(first) == wThe {
		first++
	}
	if role == "" || first >= len(toks) || toks[first].kind != tokWord || toks[first].flags&fCap == 0 {
		return ""
	}
	end, n := e.titleNP(obj, wOf)
	if end < 0 {
		return ""
	}
	end = e.titleTail(end, n+1)
	if end < len(toks) && toks[end].kind != tokBreak && !(toks[end].kind == tokPunct && (toks[end].is(fSentEnd) || e.isPunct(end, ',') || e.isPunct(end, ';') || e.isDash(end))) {
		return "" // the clause goes on: "who leads Smith in the polls"
	}
	return role + " of " + validText(e.text[toks[obj].start:toks[end-1].end])
}

// orgOpening returns the mention of the organisation that opens the sentence holding token k,
// or the sentence before when none opens it ("The Valmora Port Authority called the walkout
// premature. Its chief executive…"), or -1. It reads at most 32 mentions back.
func (e *engine) orgOpening(k int) int {
	sent := e.sentOf(k)
	first := e.mentionsBefore(k)
	for mi := first - 1; mi >= 0 && first-mi <= 32; mi-- { // bounded: a sentence may be a megabyte
		m := e.mentions[mi]
		if m.sent < sent-1 || m.sent < 0 {
			break
		}
		open := int(e.sents[m.sent]) // the sentence's first token
		s := m.tok
		if s == open+1 && e.id(open) == wThe {
			s = open
		}
		if s != open {
			continue
		}
		if en := &e.ents[m.ent]; en.kind == kindOrg && !m.aside {
			return mi
		}
		return -1
	}
	return -1
}

// titleOfOrg returns the title followed by "of" and the organisation of mention mi, with "the"
// when the article puts one before its name: "chief executive of the Valmora Port Authority".
func (e *engine) titleOfOrg(title string, mi int) string {
	m := e.mentions[mi]
	name := e.ents[m.ent].name
	if m.tok > 0 && e.id(m.tok-1) == wThe {
		return title + " of the " + name
	}
	return title + " of " + name
}
