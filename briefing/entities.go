package briefing

import (
	"strings"
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
	name   string   // the fullest form of the name
	parts  []string // the name's words, lower case
	title  string
	kind   entKind
	gender gender
	// evidence counts signs of a person (given name, honorific, role, "who") against signs of a
	// place or organisation ("the", "in").
	person, thing int
	quotes        int
	mentions      int
	first         int // token of the first mention
}

func (e *entity) displayName() string { return e.name }

func (e *entity) last() string { return e.parts[len(e.parts)-1] }

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
	heading := e.isHeading(0)
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case tokBreak:
			parens = 0
			heading = e.isHeading(i + 1)
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
		if t.kind != tokWord || t.flags&fCap == 0 || t.flags&fQuoted != 0 {
			continue
		}
		j := e.runEnd(i)
		if j == i {
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
	for ; i < len(e.toks) && e.toks[i].kind != tokBreak; i++ {
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

// runEnd returns the end of the capitalised run starting at token i (i itself when none starts).
func (e *engine) runEnd(i int) int {
	toks := e.toks
	// Leading function words are not names: "The", "But", "According".
	for i < len(toks) && toks[i].kind == tokWord && toks[i].flags&fCap != 0 && capStopWords[string(e.lw(i))] && !e.isHonorific(i) {
		return i
	}
	j := i
	words := 0
	for j < len(toks) {
		t := toks[j]
		if t.kind == tokWord && t.flags&fQuoted == 0 {
			lw := e.lw(j)
			if t.flags&fCap != 0 {
				if words > 0 && (capStopWords[string(lw)] && !e.isHonorific(j)) {
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
				if nameParticles[string(lw)] {
					j++
					continue
				}
				if (string(lw) == "of" || string(lw) == "for") && e.orgOrRole(j-1) {
					j++
					continue
				}
			}
			break
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

func (e *engine) isHonorific(i int) bool {
	_, ok := honorifics[string(e.lw(i))]
	return ok && utf8.RuneCountInString(e.word(i)) <= 4 // Mr, Mrs, Dr, Sen, Gov
}

// possessiveWord reports a word ending in ’s or 's (or s’).
func (e *engine) possessiveWord(i int) bool {
	w := e.word(i)
	return strings.HasSuffix(w, "’s") || strings.HasSuffix(w, "'s") || strings.HasSuffix(w, "’S") || strings.HasSuffix(w, "'S")
}

func (e *engine) orgOrRole(i int) bool {
	lw := string(e.lw(i))
	return orgNouns[lw] || roleNouns[lw]
}

// nameWord returns token i's word without a possessive ending, lower-cased.
func (e *engine) nameWord(i int) string {
	w := e.word(i)
	for _, suf := range [...]string{"’s", "'s", "’S", "'S", "’", "'"} {
		if strings.HasSuffix(w, suf) && len(w) > len(suf) {
			w = w[:len(w)-len(suf)]
			break
		}
	}
	return strings.ToLower(w)
}

// addMention records the run [i, j): its title part, its name part and its entity.
func (e *engine) addMention(i, j int, aside bool) {
	toks := e.toks
	// Split: the name follows the last title word of the run.
	name := i
	var g gender
	honor := false
	for k := i; k < j; k++ {
		if toks[k].kind != tokWord {
			continue
		}
		lw := string(e.lw(k))
		if hg, ok := honorifics[lw]; ok && k+1 < j {
			name = k + 1
			honor = true
			if hg != unknownGender {
				g = hg
			}
			continue
		}
		if (roleNouns[lw] || titleModifiers[lw] || e.isDemonym(k)) && k+1 < j && roleNouns[e.lastRoleWord(k, j)] {
			name = k + 1
			honor = true
			continue
		}
		if lw == "of" || lw == "for" {
			if k+1 < j && e.hasRoleBefore(i, k) {
				// "Minister of Crown Relations Carolyn Bennett": the name is the last two words.
				name = e.lastWords(k+1, j, 2)
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
	// The parts of the name.
	var parts []string
	for k := name; k < j; k++ {
		if toks[k].kind == tokWord {
			parts = append(parts, e.nameWord(k))
		}
	}
	if len(parts) == 0 {
		return
	}
	title := ""
	if name > i {
		title = e.titleText(i, name)
	}
	pre := e.lowerTitleBefore(i)
	if pre == "" && i >= 2 && e.isPunct(i-1, ',') {
		pre = e.lowerTitleBefore(i - 1) // "The city’s mayor, Tomas Vell,"
	}
	if pre != "" {
		honor = true
		if title == "" {
			title = pre
		} else {
			title = pre + " " + title
		}
	}
	m := mention{tok: i, end: j, name: name, possessive: e.possessiveWord(j - 1), aside: aside, sent: e.sentOf(i)}
	m.subject = e.isSubject(i, j)
	// Initials alone ("D.C.") and sentence adverbs ("Perhaps") are no names.
	initials := true
	for _, p := range parts {
		if utf8.RuneCountInString(p) > 1 {
			initials = false
		}
	}
	if initials || toks[name].is(fSentStart) && strings.HasSuffix(parts[0], "ly") && len(parts) > 1 {
		if initials {
			return
		}
		name++
		for name < j && toks[name].kind != tokWord {
			name++
		}
		parts = parts[1:]
	}

	// A lone sentence-initial word that is no known name is an ordinary word ("Building up").
	single := len(parts) == 1
	if single && toks[name].is(fSentStart) && !honor && !e.verbAfter(j) {
		if e.findEntity(parts) < 0 && !e.capitalisedElsewhere(name) {
			return
		}
	}
	ent := e.findEntity(parts)
	if ent < 0 {
		e.ents = append(e.ents, entity{name: e.nameText(name, j), parts: parts, first: i})
		ent = len(e.ents) - 1
	} else if len(parts) > len(e.ents[ent].parts) {
		e.ents[ent].name = e.nameText(name, j)
		e.ents[ent].parts = parts
	}
	en := &e.ents[ent]
	m.ent = ent
	if title != "" && en.title == "" {
		en.title = title
	}
	if app := e.appositionTitle(j); app != "" {
		if en.title == "" {
			en.title = app
		}
		en.person += 2
	}
	if g != unknownGender && en.gender == unknownGender {
		en.gender = g
	}
	e.weighEvidence(en, i, j, name, parts, honor)
	en.mentions++
	e.mentions = append(e.mentions, m)
}

// weighEvidence adds the signs of a person or a thing that one mention gives.
func (e *engine) weighEvidence(en *entity, i, j, name int, parts []string, honor bool) {
	toks := e.toks
	if honor {
		en.person += 2
	}
	if g, ok := givenNames[parts[0]]; ok && len(parts) > 1 {
		en.person += 2
		if en.gender == unknownGender && g != unknownGender {
			en.gender = g
		}
	}
	last := parts[len(parts)-1]
	if orgNouns[last] || toks[j-1].is(fUpper) && len(parts) == 1 {
		en.kind = kindOrg
	}
	if len(parts) >= 2 && !orgNouns[last] {
		en.person++
	}
	for _, p := range parts {
		if orgNouns[p] {
			en.thing += 2
			if !honor && en.person < 2 {
				en.kind = kindOrg // "Ministry of Health", "Bank of England"
			}
		}
	}
	if i > 0 && toks[i-1].kind == tokWord {
		switch string(e.lw(i - 1)) {
		case "the":
			en.thing += 2
		case "in", "at", "from", "to", "into", "across", "near", "toward", "towards", "of", "on", "for", "with", "by", "visit", "visited", "outside", "inside":
			en.thing++
		}
	}
	if j+1 < len(toks) && toks[j].kind == tokPunct && e.text[toks[j].start] == ',' && toks[j+1].kind == tokWord {
		switch string(e.lw(j + 1)) {
		case "who", "whose":
			en.person += 2
		case "which", "where":
			en.thing += 2
		}
		if toks[j+1].is(fDigit) { // "Smith, 54, said"
			en.person += 2
		}
	}
}

// capitalisedElsewhere reports whether the word at token i appears capitalised away from a
// sentence start somewhere else in the text.
func (e *engine) capitalisedElsewhere(i int) bool {
	w := e.word(i)
	for k := range e.toks {
		t := e.toks[k]
		if k == i || t.kind != tokWord || t.flags&fCap == 0 || t.is(fSentStart) || t.flags&fQuoted != 0 {
			continue
		}
		if e.text[t.start:t.end] == w {
			return true
		}
	}
	return false
}

// findEntity returns the entity a name refers to, or -1: the same full name, a name that ends
// the other ("Paz Akin", "Lorena Paz Akin"), the same surname (with no clashing first name; the
// most mentioned such person when several share it), or a lone first name of a known person.
func (e *engine) findEntity(parts []string) int {
	best, bestN := -1, -1
	for k := len(e.ents) - 1; k >= 0; k-- {
		en := &e.ents[k]
		if equalParts(en.parts, parts) {
			return k
		}
		match := false
		if en.last() == parts[len(parts)-1] {
			match = len(parts) == 1 || len(en.parts) == 1 || en.parts[0] == parts[0] || suffixParts(en.parts, parts) || suffixParts(parts, en.parts)
		} else if len(parts) == 1 && len(en.parts) > 1 && en.parts[0] == parts[0] && en.isPerson() {
			match = true
		}
		if match && e.mentionCount(k) > bestN {
			best, bestN = k, e.mentionCount(k)
		}
	}
	return best
}

// suffixParts reports whether short is the end of long: "paz akin" of "lorena paz akin".
func suffixParts(long, short []string) bool {
	if len(short) >= len(long) {
		return false
	}
	return equalParts(long[len(long)-len(short):], short)
}

func (e *engine) mentionCount(ent int) int { return e.ents[ent].mentions }

func equalParts(a, b []string) bool {
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
	s := e.text[e.toks[i].start:e.toks[j-1].end]
	for _, suf := range [...]string{"’s", "'s", "’S", "'S"} {
		if strings.HasSuffix(s, suf) {
			s = s[:len(s)-len(suf)]
			break
		}
	}
	return validText(s)
}

// titleText returns the title words of tokens [i, j), without honorifics such as "Mr".
func (e *engine) titleText(i, j int) string {
	for i < j && e.isHonorific(i) && !roleNouns[string(e.lw(i))] {
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
	if e.isHonorific(end) && !roleNouns[string(e.lw(end))] {
		return e.titleText(i, end)
	}
	return validText(e.text[e.toks[i].start:e.toks[end].end])
}

// lastRoleWord returns the lower-cased last word of a run of title words starting at k.
func (e *engine) lastRoleWord(k, j int) string {
	last := ""
	for ; k < j && e.toks[k].kind == tokWord; k++ {
		lw := string(e.lw(k))
		if roleNouns[lw] {
			last = lw
		} else if !titleModifiers[lw] && !e.isDemonym(k) {
			break
		}
	}
	return last
}

func (e *engine) hasRoleBefore(i, k int) bool {
	for ; i < k; i++ {
		if e.toks[i].kind == tokWord && roleNouns[string(e.lw(i))] {
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
	lw := e.lw(i)
	if len(lw) < 5 {
		return false
	}
	for _, end := range demonymEndings {
		if strings.HasSuffix(string(lw), end) && !orgNouns[string(lw)] && !roleNouns[string(lw)] {
			if _, given := givenNames[string(lw)]; !given {
				return true
			}
		}
	}
	return false
}

// lowerTitleBefore returns a lower-case title just before a name: "aviation analyst",
// "BA chief executive", "the company’s founder".
func (e *engine) lowerTitleBefore(i int) string {
	toks := e.toks
	k := i - 1
	hasRole := false
	for k >= 0 && i-k <= 6 && toks[k].kind == tokWord && toks[k].flags&fQuoted == 0 {
		lw := string(e.lw(k))
		if roleNouns[lw] {
			hasRole = true
		} else if !(titleModifiers[lw] || hasRole && (toks[k].flags&fCap != 0 || e.possessiveWord(k)) && !capStopWords[lw]) {
			break
		}
		k--
	}
	if !hasRole || k == i-1 {
		return ""
	}
	start := k + 1
	for start < i && !roleNouns[string(e.lw(start))] && !titleModifiers[string(e.lw(start))] && toks[start].flags&fCap == 0 {
		start++ // "city’s" in "the city’s mayor"
	}
	// The title must end on its role noun: "analyst Mike Powell", not "analysts say Powell".
	if !roleNouns[string(e.lw(i-1))] {
		return ""
	}
	return validText(e.text[toks[start].start:toks[i-1].end])
}

// appositionTitle returns a title in apposition after a name: "Rod Eddington, BA's chief
// executive, said" gives "BA's chief executive".
func (e *engine) appositionTitle(j int) string {
	toks := e.toks
	if j >= len(toks) || toks[j].kind != tokPunct || e.text[toks[j].start] != ',' {
		return ""
	}
	k := j + 1
	if k < len(toks) && toks[k].kind == tokWord {
		switch string(e.lw(k)) {
		case "the", "a", "an":
			k++
		}
	}
	start := k
	hasRole := false
	for ; k < len(toks) && k-start < 10; k++ {
		t := toks[k]
		if t.kind == tokPunct && (e.text[t.start] == ',' || t.is(fSentEnd)) {
			break
		}
		if t.kind != tokWord || t.flags&fQuoted != 0 {
			return ""
		}
		lw := string(e.lw(k))
		if roleNouns[lw] {
			hasRole = true
		}
		if cueVerbs[lw] != "" && !roleNouns[lw] && lw != "head" && lw != "chair" {
			return ""
		}
		if lw == "who" || lw == "which" {
			return ""
		}
	}
	if !hasRole || k == start || k >= len(toks) || toks[k].kind != tokPunct {
		return ""
	}
	return validText(e.text[toks[start].start:toks[k-1].end])
}

// isSubject reports whether the run [i, j) stands where a sentence's subject stands: at the
// start of a sentence or clause, or before a verb, and not after a preposition.
func (e *engine) isSubject(i, j int) bool {
	toks := e.toks
	if i > 0 && toks[i-1].kind == tokWord {
		switch string(e.lw(i - 1)) {
		case "in", "at", "from", "to", "into", "across", "near", "of", "on", "for", "with", "by", "about", "against", "under", "over", "between", "than", "like", "and", "or", "the", "a", "an":
			return false
		}
	}
	if e.verbAfter(j) {
		return true
	}
	if j < len(toks) && toks[j].kind == tokWord && toks[j].flags&fCap == 0 {
		// "Durning did not", "Foster aims": a lower-case word that reads as a verb.
		lw := string(e.lw(j))
		if strings.HasSuffix(lw, "ed") || strings.HasSuffix(lw, "s") && !strings.HasSuffix(lw, "ss") || auxiliaries[lw] {
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

// verbAfter reports whether a speech verb (or an auxiliary) follows token j: a subject stands
// before it.
func (e *engine) verbAfter(j int) bool {
	if j >= len(e.toks) || e.toks[j].kind != tokWord {
		return false
	}
	lw := string(e.lw(j))
	return cueVerbs[lw] != "" && !weakCueVerbs[lw] || lw == "has" || lw == "had" || lw == "is" || lw == "was" || lw == "will" || lw == "would"
}

// learnGender gives an entity of unknown gender the gender of a he/she that follows its mention
// with no other person between.
func (e *engine) learnGender() {
	mi := 0
	last := -1 // the last person mention
	lastTok := -1
	for i, t := range e.toks {
		for mi < len(e.mentions) && e.mentions[mi].tok <= i {
			m := e.mentions[mi]
			if e.ents[m.ent].isPerson() {
				last, lastTok = m.ent, m.tok
			}
			mi++
		}
		if t.kind != tokWord || t.flags&fQuoted != 0 || last < 0 || i-lastTok > 40 || t.end-t.start > 3 {
			continue
		}
		if c := e.text[t.start] | 0x20; c != 'h' && c != 's' {
			continue
		}
		var g gender
		switch string(e.lw(i)) {
		case "he", "his", "him":
			g = male
		case "she", "her":
			g = female
		default:
			continue
		}
		if en := &e.ents[last]; en.gender == unknownGender {
			en.gender = g
		}
	}
}

// isUpperRune is unicode.IsUpper for the first rune of s.
func isUpperStart(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}
