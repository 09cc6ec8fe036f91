package briefing

import (
	"unicode"
	"unicode/utf8"
)

// Named mentions: runs of capitalised words outside quotations, split into a title ("Russian
// Foreign Minister") and a name ("Sergey Lavrov"), and grouped into entities so that "Lavrov",
// "Mr Lavrov" and "Sergey Lavrov" are one person.

type entKind uint8

const (
	kindUnknown entKind = iota
	kindPerson
	kindOrg
)

type entity struct {
	name string // the fullest form of the name
	// longForm is a form of more than three words seen once, not yet taken for the name.
	longForm string
	parts    []uint64 // the name's words (nameKey)
	title    string
	kind     entKind
	gender   gender
	// evidence counts signs of a person (given name, honorific, role, "who") against signs of a
	// place or organisation ("the", "in").
	person, thing int
	quotes        int
	mentions      int
	first         int // token of the first mention
	// votesMale and votesFemale count the pronouns that refer back to the entity.
	votesMale, votesFemale int
	// lastTok is the token of the entity's last mention; bareTok of its last mention by surname
	// alone, -1 for none.
	lastTok, bareTok int
	nextLast         int32 // the previous entity with the same last name part, -1 for none
	speaker          int   // the entity's place in Article.Speakers, while they are listed
}

func (e *entity) displayName() string { return e.name }

func (e *entity) last() uint64 { return e.parts[len(e.parts)-1] }

// likelyPerson is isPerson with less evidence: anything not known to be an organisation or a
// place that has some sign of a person.
func (e *entity) likelyPerson() bool {
	return e.isPerson() || e.kind != kindOrg && e.person >= 1 && e.thing <= e.person+2
}

// isPerson reports whether the entity may be a person a pronoun refers to.
func (e *entity) isPerson() bool {
	if e.kind == kindOrg {
		return false
	}
	return e.kind == kindPerson || e.person > e.thing
}

type mention struct {
	tok, end   int // tokens of the whole run, [tok, end)
	name       int // first token of the name part
	ent        int
	sent       int  // sentence number
	possessive bool // "Lavrov’s"
	subject    bool // stands where a subject stands: at a sentence start or before a verb
	aside      bool // in parentheses or a heading: a photo credit, a caption, a subhead
}

// findMentions collects the named mentions of the text in order and builds the entities.
func (e *engine) findMentions() {
	toks := e.toks
	parens := 0
	heading, titled := e.isHeading(0) || e.isCaptionAt(0), e.isTitleCase(0)
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case tokBreak:
			parens = 0
			heading, titled = e.isHeading(i+1) || e.isCaptionAt(i+1), e.isTitleCase(i+1)
			continue
		case tokPunct:
			switch e.text[t.start] {
			case '(', '[':
				parens++
			case ')', ']':
				if parens > 0 {
					parens--
				}
			}
			continue
		}
		if t.kind != tokWord || t.flags&fCap == 0 || t.flags&fQuoted != 0 || titled {
			continue
		}
		j := e.runEnd(i)
		if j == i {
			continue
		}
		if e.isDateline(i, j) {
			i = j - 1
			continue
		}
		e.addMention(i, j, parens > 0 || heading)
		i = j - 1
	}
	e.learnGender()
}

// isHeading reports whether the paragraph starting at token i is a heading or a caption line:
// a few words and no sentence's end ("Article Continued Below", "Social media campaign").
func (e *engine) isHeading(i int) bool {
	words := 0
	for ; i < len(e.toks) && e.toks[i].kind != tokBreak && words <= 8; i++ {
		t := e.toks[i]
		if t.kind == tokPunct && t.is(fSentEnd) {
			return false
		}
		if t.kind == tokWord {
			words++
		}
	}
	return words <= 8
}

// isDateline reports whether the run [i, j) is a dateline: words in capitals that open a
// paragraph, with a comma, a parenthesis or a dash after them ("LOS ANGELES (AP) —", "NEW YORK,
// Dec. 5 —", "ST. LOUIS —"). It names the place a story was filed from, never a speaker.
func (e *engine) isDateline(i, j int) bool {
	if j >= len(e.toks) || i > 0 && e.toks[i-1].kind != tokBreak {
		return false
	}
	for k := i; k < j; k++ {
		if e.toks[k].kind == tokWord && !e.toks[k].is(fUpper) {
			return false
		}
	}
	return e.isPunct(j, ',') || e.isPunct(j, '(') || e.isDash(j)
}

// maxRun bounds the words of one capitalised run: no title and name are longer, and a heading in
// capitals then costs linear time.
const maxRun = 16

// isCaptionAt reports whether the paragraph starting at token i is a photo caption.
func (e *engine) isCaptionAt(i int) bool {
	return i < len(e.toks) && e.isCaption(i, e.paraEnd(i))
}

// isTitleCase reports whether the paragraph starting at token i is a heading in title case
// ("Bush Hits Marco Rubio On Abortion"): its capitals tell no names apart, so it yields none.
func (e *engine) isTitleCase(i int) bool {
	words, caps := 0, 0
	for ; i < len(e.toks) && e.toks[i].kind != tokBreak && words <= 20; i++ {
		t := e.toks[i]
		if t.kind == tokPunct && t.is(fSentEnd) && i+1 < len(e.toks) && e.toks[i+1].kind != tokBreak {
			return false
		}
		if t.kind != tokWord || t.end-t.start <= 3 {
			continue
		}
		words++
		if t.flags&fCap != 0 {
			caps++
		}
	}
	return words >= 3 && words <= 20 && caps*10 >= words*8
}

// runEnd returns the end of the capitalised run starting at token i (i itself when none starts).
func (e *engine) runEnd(i int) int {
	toks := e.toks
	// Leading function words are not names: "The", "But", "According".
	for i < len(toks) && toks[i].kind == tokWord && toks[i].flags&fCap != 0 && toks[i].has(wcCapStop) && !e.isHonorific(i) {
		return i
	}
	j := i
	words := 0
	for j < len(toks) && words < maxRun {
		t := toks[j]
		if t.kind == tokWord && t.flags&fQuoted == 0 {
			if t.flags&fCap != 0 {
				if words > 0 && (t.has(wcCapStop) && !e.isHonorific(j) && !e.isInitial(j)) {
					break
				}
				words++
				j++
				if e.possessiveWord(j - 1) {
					break
				}
				continue
			}
			if words > 0 && j+1 < len(toks) && toks[j+1].kind == tokWord && toks[j+1].flags&fCap != 0 {
				if t.has(wcParticle) {
					j++
					continue
				}
				if (t.info.id == wOf || t.info.id == wFor) && e.orgOrRole(j-1) {
					j++
					continue
				}
			}
			break
		}
		// A nickname in marks stays in the run: Marcia "Cia" Price.
		if t.kind == tokMark && words > 0 {
			if n := e.nicknameEnd(j); n > 0 {
				j = n
				continue
			}
		}
		// A period after an initial or an honorific stays in the run: "Mary J. Blige", "Mr. Obama".
		if t.kind == tokPunct && e.text[t.start] == '.' && words > 0 && j+1 < len(toks) && toks[j+1].kind == tokWord && toks[j+1].flags&fCap != 0 && toks[j].start == toks[j-1].end && e.isAbbrev(toks[j-1]) && toks[j-1].flags&fSentEnd == 0 && !toks[j].is(fSentEnd) {
			j++
			continue
		}
		break
	}
	// Do not end on a particle.
	for j > i && toks[j-1].kind == tokWord && toks[j-1].flags&fCap == 0 {
		j--
	}
	return j
}

// nicknameEnd reads a nickname in marks between the parts of a name, from the opening mark at
// token j: Marcia "Cia" Price, Dwayne "The Rock" Johnson. It returns the token of the name part
// after it, or 0 when none is there.
func (e *engine) nicknameEnd(j int) int {
	toks := e.toks
	if j == 0 || toks[j-1].kind != tokWord || toks[j-1].flags&fCap == 0 || toks[j-1].flags&fQuoted != 0 {
		return 0
	}
	k := j + 1
	for k < len(toks) && k-j <= 3 && toks[k].kind == tokWord && toks[k].flags&(fCap|fQuoted) == fCap|fQuoted {
		k++
	}
	if k == j+1 || k+1 >= len(toks) || toks[k].kind != tokMark || toks[k+1].kind != tokWord ||
		toks[k+1].flags&(fCap|fQuoted) != fCap || toks[k+1].has(wcCapStop) {
		return 0
	}
	return k + 1
}

// isInitial reports a single capital letter with a period, before another capitalised word: the
// "A." of "Julie A. Diaz", which is no article.
func (e *engine) isInitial(i int) bool {
	toks := e.toks
	return i+2 < len(toks) && toks[i].end-toks[i].start == 1 && toks[i].flags&fCap != 0 &&
		toks[i+1].kind == tokPunct && toks[i+1].start == toks[i].end && e.text[toks[i+1].start] == '.' &&
		toks[i+2].kind == tokWord && toks[i+2].flags&fCap != 0
}

func (e *engine) isHonorific(i int) bool {
	return e.has(i, wcHonorific) && utf8.RuneCountInString(e.word(i)) <= 4 // Mr, Mrs, Dr, Sen, Gov
}

// possessiveWord reports a word ending in ’s or 's (or s’).
func (e *engine) possessiveWord(i int) bool {
	return e.toks[i].is(fPoss)
}

func (e *engine) orgOrRole(i int) bool {
	return e.has(i, wcOrg|wcRole)
}

// namesOrg reports whether the run [i, j) holds a word that names an organisation.
func (e *engine) namesOrg(i, j int) bool {
	for k := i; k < j; k++ {
		if e.toks[k].kind == tokWord && e.nameInfo(k).cls&wcOrg != 0 {
			return true
		}
	}
	return false
}

// nameInfo returns what the lexicon knows about token i's word without a possessive ending.
func (e *engine) nameInfo(i int) wordInfo {
	t := e.toks[i]
	if !t.is(fPoss) {
		return t.info
	}
	lw, h, ok := lowerWord(e.buf[:maxLexWord], trimPossessive(e.word(i)))
	if !ok {
		return wordInfo{}
	}
	return lexicon.lookup(lw, h)
}

// addMention records the run [i, j): its title part, its name part and its entity.
func (e *engine) addMention(i, j int, aside bool) {
	toks := e.toks
	// Split: the name follows the last title word of the run.
	name := i
	var g gender
	honor := false
	for k := i; k < j; k++ {
		t := toks[k]
		if t.kind != tokWord {
			continue
		}
		if t.has(wcHonorific) && k+1 < j && (!t.has(wcParticle) || t.flags&fCap != 0 && e.isPunct(k+1, '.')) {
			// (A particle is an honorific only as an abbreviation: "Del. Stacey Plaskett"
			// is a delegate, "Guillermo del Toro" no one's title.)
			name = k + 1
			honor = true
			if t.info.g != unknownGender {
				g = t.info.g
			}
			continue
		}
		if t.has(wcParty) && k+2 < j && toks[k+1].kind == tokWord && e.nameInfo(k+1).cls&wcGiven != 0 {
			// A party before a given name is an affiliation: "Republican Ann Lee".
			name = k + 1
			honor = true
			continue
		}
		if (t.has(wcRole|wcTitleMod) || e.isDemonym(k)) && k+1 < j && e.lastRoleWord(k, j) >= 0 {
			name = k + 1
			honor = true
			continue
		}
		if t.info.id == wOf || t.info.id == wFor {
			if k+1 < j && e.hasRoleBefore(i, k) {
				// "Minister of Crown Relations Carolyn Bennett": the name is the last two words,
				// or three with an initial ("Secretary of Homeland Security Jeh C. Johnson"), or
				// from a given name on ("Secretary of State John F. Kerry").
				name = e.lastWords(k+1, j, 2)
				if name > k+2 && runeCount(e.word(name)) == 1 {
					name = e.lastWords(k+1, name, 1)
				}
				for g := k + 2; g < name; g++ {
					if toks[g].kind == tokWord && e.nameInfo(g).cls&wcGiven != 0 {
						name = g
						break
					}
				}
				honor = true
				break
			}
		}
	}
	for name < j && toks[name].kind != tokWord {
		name++
	}
	if name >= j {
		// A title alone ("the President"): no name to record.
		return
	}
	title := ""
	if name > i {
		title = e.titleText(i, name)
	}
	pre := e.lowerTitleBefore(i)
	// before is a title in apposition before the name: "The city’s mayor, Tomas Vell,".
	before := ""
	if pre == "" {
		before = e.titleBeforeComma(i, j)
	}
	if pre != "" || before != "" {
		honor = true
	}
	if pre != "" {
		if title == "" {
			title = pre
		} else {
			title = pre + " " + title
		}
	}
	m := mention{tok: i, end: j, name: name, possessive: e.possessiveWord(j - 1), aside: aside, sent: e.sentOf(i)}
	m.subject = e.isSubject(i, j)
	// Initials alone ("D.C.") and sentence adverbs ("Perhaps") are no names.
	initials, words := true, 0
	for k := name; k < j; k++ {
		if toks[k].kind == tokWord {
			words++
			if runeCount(trimPossessive(e.word(k))) > 1 {
				initials = false
			}
		}
	}
	if initials {
		return
	}
	// A party is no one's name: "Republican", "the Iowa Republican".
	if toks[j-1].kind == tokWord && e.nameInfo(j-1).cls&wcParty != 0 {
		return
	}
	// A sentence adverb, a participle or a speech verb opening the sentence is no part of the
	// name: "Perhaps", "Finally", "Telling Jeb Bush…", "Having Billy Eichner…", "Said Dorothy
	// Poynter, who…".
	if w := e.word(name); toks[name].is(fSentStart) && words > 1 && (hasSuffixFold(w, "ly") || (hasSuffixFold(w, "ing") || toks[name].has(wcCoreCue)) && !toks[name].has(wcGiven)) {
		name++
		for name < j && toks[name].kind != tokWord {
			name++
		}
	}
	// The parts of the name, without a nickname in marks.
	p0 := len(e.partBuf)
	for k := name; k < j; k++ {
		if toks[k].kind == tokWord && toks[k].flags&fQuoted == 0 {
			e.partBuf = append(e.partBuf, nameKey(e.word(k)))
		}
	}
	parts := e.partBuf[p0:len(e.partBuf):len(e.partBuf)]

	// A lone sentence-initial word that is no known name is an ordinary word ("Building up"); a
	// lone role in the plural is never a name ("Aides said").
	single := len(parts) == 1
	if single && name+1 == j && e.nameInfo(name).cls&wcRolePlural != 0 {
		e.partBuf = e.partBuf[:p0]
		return
	}
	if single && toks[name].is(fSentStart) && !honor && !e.verbAfter(j) {
		if e.findEntity(parts) < 0 && !e.capitalisedElsewhere(name) {
			e.partBuf = e.partBuf[:p0]
			return
		}
	}
	ent := e.findEntity(parts)
	if ent < 0 {
		ent = len(e.ents)
		last := parts[len(parts)-1]
		next, ok := e.byLast[last]
		if !ok {
			next = -1
		}
		e.byLast[last] = int32(ent)
		e.ents = append(e.ents, entity{name: e.nameText(name, j), parts: parts, first: i, nextLast: next, bareTok: -1})
		e.indexFirst(ent)
	} else if len(parts) > len(e.ents[ent].parts) {
		// A fuller form of the name. More than three words is rather a heading run together
		// ("Bush Hits Marco Rubio") unless the article uses it again or it names an
		// organisation ("American Civil Liberties Union of Ohio").
		en := &e.ents[ent]
		if form := e.nameText(name, j); len(parts) <= 3 || form == en.longForm || e.namesOrg(name, j) {
			en.name = form
			en.parts = parts
			e.indexFirst(ent)
		} else {
			en.longForm = form
			e.partBuf = e.partBuf[:p0]
		}
	} else {
		e.partBuf = e.partBuf[:p0]
	}
	en := &e.ents[ent]
	m.ent = ent
	en.lastTok = i
	if len(parts) == 1 && len(en.parts) > 1 && parts[0] == en.last() {
		en.bareTok = i
	}
	e.offerTitle(en, before)
	e.offerTitle(en, title)
	if app, g := e.appositionTitle(j); app != "" {
		e.offerTitle(en, app)
		if en.gender == unknownGender {
			en.gender = g // "Hamdy, a mother of three,"
		}
		en.person += 2
	}
	if g != unknownGender && en.gender == unknownGender {
		en.gender = g
	}
	e.weighEvidence(en, i, j, name, len(parts), honor)
	en.mentions++
	e.mentions = append(e.mentions, m)
}

// maxNameWords is the most capitalised words a person's name has ("Julie A. Diaz Martinez").
const maxNameWords = 4

// weighEvidence adds the signs of a person or a thing that one mention gives: the run [i, j) with
// its name of nparts words starting at token name.
func (e *engine) weighEvidence(en *entity, i, j, name, nparts int, honor bool) {
	toks := e.toks
	if honor {
		en.person += 2
	}
	if first := e.nameInfo(name); first.cls&wcGiven != 0 {
		if nparts > 1 {
			en.person += 2
		}
		if en.gender == unknownGender && first.given != unknownGender {
			en.gender = first.given
		}
	}
	// A role that only men or only women hold, right before the name: "her son Kody", "his
	// grandmother Mildred", "Spokeswoman Ann Lee".
	for k := max(i-1, 0); k < name; k++ {
		if t := toks[k]; t.kind == tokWord && (k >= i || t.flags&fQuoted == 0) {
			if t.has(wcFemaleRole) && en.gender == unknownGender {
				en.gender = female
			} else if t.has(wcMaleRole) && en.gender == unknownGender {
				en.gender = male
			}
		}
	}
	lastInfo := e.nameInfo(j - 1)
	lastOrg := lastInfo.cls&wcOrg != 0
	if nparts > 1 && (lastInfo.cls&wcThing != 0 || e.nameInfo(name).cls&wcPlaceStart != 0) {
		en.thing += 3 // "Yonge Street", "Christmas Day"
	}
	if j < len(toks) && toks[j].has(wcCue) && !toks[j].has(wcWeakCue) && toks[j].flags&fCap == 0 {
		en.person++ // "Durning says"
	}
	if lastOrg || toks[j-1].is(fUpper) && nparts == 1 {
		en.kind = kindOrg
	}
	if nparts >= 2 && !lastOrg && en.mentions == 0 {
		en.person++ // a first and a last name, perhaps: once, as places repeat their names too
	}
	caps, upper, given, org := 0, 0, false, false
	for k := name; k < j; k++ {
		if toks[k].kind != tokWord {
			continue
		}
		if toks[k].flags&fCap != 0 {
			caps++
		}
		if toks[k].is(fUpper) {
			upper++
		}
		if e.nameInfo(k).cls&wcGiven != 0 {
			given = true
		}
		if e.nameInfo(k).cls&wcOrg != 0 {
			org = true
			en.thing += 2
			if !honor && en.person < 2 {
				en.kind = kindOrg // "Ministry of Health", "Bank of England"
			}
		}
	}
	if caps > maxNameWords && !org && (!given || upper == caps) {
		// "Veto Power Impedes Peace Efforts", "TURNS OUT EDGAR ALLAN POE WAS": a heading or
		// a title, no one's name. A given name in it may be a person's after a title word
		// the lexicon does not know ("County Recorder Helen Purcell").
		en.thing += 6
	}
	if i > 0 && toks[i-1].kind == tokWord {
		if toks[i-1].info.id == wThe {
			en.thing += 2
		} else if toks[i-1].has(wcPlacePrep) {
			en.thing++
		}
	}
	if j+1 < len(toks) && toks[j].kind == tokPunct && e.text[toks[j].start] == ',' && toks[j+1].kind == tokWord {
		switch toks[j+1].info.id {
		case wWho, wWhose:
			en.person += 2
		case wWhich, wWhere:
			en.thing += 2
		}
		if toks[j+1].is(fDigit) { // "Smith, 54, said"
			en.person += 2
		}
	}
}

// capitalisedElsewhere reports whether the word at token i appears capitalised away from a
// sentence start somewhere else in the text. The set of such words is built on first use.
func (e *engine) capitalisedElsewhere(i int) bool {
	if !e.capsBuilt {
		e.capsBuilt = true
		for k, t := range e.toks {
			if t.kind == tokWord && t.flags&fCap != 0 && !t.is(fSentStart) && t.flags&fQuoted == 0 {
				e.caps[exactHash(e.word(k))] = struct{}{}
			}
		}
	}
	_, ok := e.caps[exactHash(e.word(i))] // i, at a sentence start, is not in the set itself
	return ok
}

// exactHash hashes s as it is (FNV-1a).
func exactHash(s string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

// findEntity returns the entity a name refers to, or -1: the same full name, a name that ends
// the other ("Paz Akin", "Lorena Paz Akin"), the same surname (with no clashing first name; the
// most mentioned such person when several share it), or a lone first name of a known person.
func (e *engine) findEntity(parts []uint64) int {
	best, bestN := -1, -1
	var bestRank int64
	// The candidates, newest first: the entities with the same last name part and, for a lone
	// word, those whose first name it may be.
	lastChain, firstChain := int32(-1), int32(-1)
	if h, ok := e.byLast[parts[len(parts)-1]]; ok {
		lastChain = h
	}
	if len(parts) == 1 {
		if h, ok := e.byFirst[parts[0]]; ok {
			firstChain = h
		}
	}
	for lastChain >= 0 || firstChain >= 0 {
		var k int
		fromFirst := e.firstLinks
		switch {
		case firstChain < 0 || lastChain >= 0 && int32(lastChain) > fromFirst[firstChain].ent:
			k = int(lastChain)
			lastChain = e.ents[k].nextLast
		case lastChain >= 0 && int32(lastChain) == fromFirst[firstChain].ent:
			k = int(lastChain)
			lastChain = e.ents[k].nextLast
			firstChain = fromFirst[firstChain].next
		default:
			k = int(fromFirst[firstChain].ent)
			firstChain = fromFirst[firstChain].next
		}
		en := &e.ents[k]
		if equalParts(en.parts, parts) {
			return k
		}
		if len(parts) == 1 {
			// A lone word: a surname, or the first name of a known person.
			if r := e.loneWordRank(k, parts[0]); r > bestRank {
				best, bestRank = k, r
			}
			continue
		}
		if en.last() == parts[len(parts)-1] && (len(en.parts) == 1 || en.parts[0] == parts[0] || suffixParts(en.parts, parts) || suffixParts(parts, en.parts)) && e.mentionCount(k) > bestN {
			best, bestN = k, e.mentionCount(k)
		}
	}
	return best
}

// loneWordRank ranks entity k as the referent of a lone name word w (a nameKey), higher better,
// 0 for no match. Several people may share a surname (a family, two players): a surname goes to
// a person rather than an organisation named after them ("Studio Schicketanz"), then to whoever
// the article last called by that surname alone, else to whoever it last mentioned. A first name
// ("Michael") matches a person only when no one has it as a surname.
func (e *engine) loneWordRank(k int, w uint64) int64 {
	en := &e.ents[k]
	var r int64
	switch {
	case en.last() == w:
		r = 1 << 60
	case len(en.parts) > 1 && en.parts[0] == w && en.isPerson():
		r = 1
	default:
		return 0
	}
	if en.isPerson() {
		r += 1 << 58
	}
	if en.bareTok >= 0 {
		r += 1<<40 + int64(en.bareTok)<<20
	}
	return r + int64(en.lastTok)
}

// indexFirst files an entity of several name parts under its first part, for findEntity.
func (e *engine) indexFirst(ent int) {
	parts := e.ents[ent].parts
	if len(parts) < 2 {
		return
	}
	next, ok := e.byFirst[parts[0]]
	if !ok {
		next = -1
	}
	e.byFirst[parts[0]] = int32(len(e.firstLinks))
	e.firstLinks = append(e.firstLinks, firstLink{ent: int32(ent), next: next})
}

// firstLink is one entry of the chains of entities by first name part.
type firstLink struct{ ent, next int32 }

// suffixParts reports whether short is the end of long: "paz akin" of "lorena paz akin".
func suffixParts(long, short []uint64) bool {
	if len(short) >= len(long) {
		return false
	}
	return equalParts(long[len(long)-len(short):], short)
}

func (e *engine) mentionCount(ent int) int { return e.ents[ent].mentions }

func equalParts(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// nameText returns the name of tokens [i, j) as display text, without a possessive ending.
func (e *engine) nameText(i, j int) string {
	return validText(trimPossessive(e.text[e.toks[i].start:e.toks[j-1].end]))
}

// lastRoleWord returns the last role noun of a run of title words starting at k, or -1.
func (e *engine) lastRoleWord(k, j int) int {
	last := -1
	for ; k < j && e.toks[k].kind == tokWord; k++ {
		if e.has(k, wcRole) {
			last = k
		} else if !e.has(k, wcTitleMod) && !e.isDemonym(k) {
			break
		}
	}
	return last
}

func (e *engine) hasRoleBefore(i, k int) bool {
	for ; i < k; i++ {
		if e.has(i, wcRole) {
			return true
		}
	}
	return false
}

// lastWords returns the start of the last n words of [i, j).
func (e *engine) lastWords(i, j, n int) int {
	k := j
	for k > i && n > 0 {
		k--
		if e.toks[k].kind == tokWord {
			n--
		}
	}
	return k
}

// isDemonym reports a capitalised word that names a people or a country's bloc: Russian, US, EU.
func (e *engine) isDemonym(i int) bool {
	t := e.toks[i]
	if t.flags&fCap == 0 {
		return false
	}
	if t.is(fUpper) && t.end-t.start <= 3 {
		return true // US, UK, EU, UN
	}
	w := e.word(i)
	if len(w) < 5 || t.has(wcOrg|wcRole|wcGiven) {
		return false
	}
	for _, end := range [...]string{"ian", "an", "ese", "ish", "i", "ic", "ch"} {
		if hasSuffixFold(w, end) {
			return true
		}
	}
	return false
}

// isSubject reports whether the run [i, j) stands where a sentence's subject stands: at the
// start of a sentence or clause, or before a verb, and not after a preposition.
func (e *engine) isSubject(i, j int) bool {
	toks := e.toks
	if j+1 < len(toks) && e.isPunct(j, ',') && toks[j+1].info.id == wWho {
		return true // "Robert McMillen, who works with…": the person the sentence is about
	}
	if i > 0 && toks[i-1].kind == tokWord {
		if toks[i-1].has(wcNotSubject) {
			return false
		}
	}
	// Past an apposition ("Harold Adams, 76, recalls", "Smith, the chief executive, said") and
	// adverbs ("Musk again took"), a verb.
	k := e.skipApposition(j)
	if e.verbAfter(k) {
		return true
	}
	for n := 0; n < 2 && k < len(toks) && toks[k].has(wcAux) && toks[k].flags&fCap == 0; n++ {
		k++
	}
	if k < len(toks) && toks[k].kind == tokWord && toks[k].flags&fCap == 0 {
		// "Durning did not", "Foster aims", "Musk took": a lower-case word that reads as a verb.
		w := e.word(k)
		if hasSuffixFold(w, "ed") || hasSuffixFold(w, "s") && !hasSuffixFold(w, "ss") || toks[k].has(wcAux|wcPastVerb|wcCue) {
			return true
		}
	}
	if toks[i].is(fSentStart) {
		return true
	}
	if i > 0 && toks[i-1].kind == tokPunct && e.text[toks[i-1].start] == ',' {
		return j < len(toks) && toks[j].kind == tokPunct && e.text[toks[j].start] == ','
	}
	return false
}

// skipApposition returns the token after an apposition that starts at token j ("…, 76,",
// "…, the chief executive,"), or j when none does.
func (e *engine) skipApposition(j int) int {
	if j >= len(e.toks) || !e.isPunct(j, ',') {
		return j
	}
	for k := j + 1; k < len(e.toks) && k-j <= 12; k++ {
		t := e.toks[k]
		if t.kind == tokBreak || t.kind == tokMark || t.kind == tokPunct && t.is(fSentEnd) {
			return j
		}
		if e.isPunct(k, ',') {
			if k == j+1 {
				return j
			}
			return k + 1
		}
	}
	return j
}

// verbAfter reports whether a speech verb (or an auxiliary) follows token j: a subject stands
// before it.
func (e *engine) verbAfter(j int) bool {
	if j >= len(e.toks) || e.toks[j].kind != tokWord {
		return false
	}
	t := e.toks[j]
	if t.has(wcCue) && !t.has(wcWeakCue) {
		return true
	}
	switch t.info.id {
	case wHas, wHad, wIs, wWas, wWill, wWould:
		return true
	}
	return false
}

// learnGender gives each person of unknown gender the gender of the pronouns that refer back to
// them: every he, she, his, him or her outside quotations votes for the person it most likely
// follows (the last subject of its sentence or the sentence before, else the last person named
// within a few words), he and she counting twice; the majority wins. A person who is referred to
// as he or she is a person, not a place.
func (e *engine) learnGender() {
	for i, t := range e.toks {
		if t.kind != tokWord || t.flags&fQuoted != 0 {
			continue
		}
		var g gender
		weight := 1
		switch t.info.id {
		case wHe:
			g, weight = male, 2
		case wHis, wHim:
			g = male
		case wShe:
			g, weight = female, 2
		case wHer:
			g = female
		default:
			continue
		}
		ent := e.pronounAntecedent(i, g)
		if ent < 0 {
			continue
		}
		if en := &e.ents[ent]; g == male {
			en.votesMale += weight
		} else {
			en.votesFemale += weight
		}
	}
	for k := range e.ents {
		en := &e.ents[k]
		if en.votesMale+en.votesFemale == 0 {
			continue
		}
		en.person += 2
		if en.gender != unknownGender {
			continue
		}
		switch {
		case en.votesMale > en.votesFemale:
			en.gender = male
		case en.votesFemale > en.votesMale:
			en.gender = female
		}
	}
}

// pronounAntecedent returns the person a pronoun of gender g at token i most likely refers to
// while the article's genders are still being learnt, or -1: of the persons named in its sentence
// and the one before (and within 40 words), one whose gender is known to match before one whose
// gender is unknown, a subject before others, the nearer before the farther.
func (e *engine) pronounAntecedent(i int, g gender) int {
	sent := e.sentOf(i)
	first := e.mentionsBefore(i)
	best, bestScore := -1, -1.0
	for mi := first - 1; mi >= 0 && first-mi <= 12; mi-- {
		m := e.mentions[mi]
		if sent-m.sent > 1 {
			break
		}
		en := &e.ents[m.ent]
		if !en.likelyPerson() || m.aside || en.gender != unknownGender && en.gender != g {
			continue
		}
		subject := m.subject && !m.possessive
		if !subject && i-m.tok > 40 {
			continue
		}
		score := 10 - 0.5*float64(first-1-mi)
		if subject {
			score += 4
		}
		if en.gender == g {
			score += 6
		}
		if score > bestScore {
			best, bestScore = m.ent, score
		}
	}
	return best
}

// isUpperRune is unicode.IsUpper for the first rune of s.
func isUpperStart(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}
