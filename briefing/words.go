package briefing

import (
	"strings"
	"unicode/utf8"
)

// The lexicon: every word of the engine's tables (lexicon.go) in one read-only hash table, looked
// up once per word token while scanning. Each token then carries its word classes as bits, so the
// analysis asks "is this a speech verb?" with a bit test instead of lower-casing and hashing the
// word again.

// wordClass is a set of the lexicon's word lists.
type wordClass uint32

const (
	wcCue        wordClass = 1 << iota // a speech verb: said, told, stressed
	wcWeakCue                          // a speech verb only beside its quotation: went, called
	wcEmphatic                         // a speech verb that marks emphasis: stressed, warned
	wcAux                              // between a subject and its verb: has, would, also
	wcStop                             // a function word
	wcCapStop                          // capitalised, yet never part of a name: The, But, Monday
	wcRole                             // what a person is: minister, coach, spokesman
	wcRolePlural                       // a role in the plural: officials, analysts
	wcFemaleRole                       // a role only women hold: spokeswoman, mother
	wcMaleRole                         // a role only men hold: spokesman, father
	wcTitleMod                         // inside a title: foreign, deputy, chief
	wcOrg                              // ends an organisation's name: ministry, police, bank
	wcHonorific                        // before a name: Mr, Sen, Minister
	wcParticle                         // inside a name: van, de, bin
	wcAbbrev                           // ends with a period that does not end the sentence: Mr., Jan.
	wcPronoun                          // he, she, they, it, I, we
	wcPossessive                       // his, her, their, its, my, our
	wcGiven                            // a common given name
	wcPleasantry                       // thanks, delighted, welcome
	wcStance                           // should, must, fear, never
	wcDeterminer                       // starts a description: the, a, this, his, two
	wcNotSubject                       // a word after which a name is no subject: in, of, the, and
	wcPlacePrep                        // a word before a place rather than a person: in, at, visit
	wcTermCue                          // introduces a quoted term, not speech: so-called, dubbed
	wcAddressee                        // a speech verb whose object is the listener: told, informed
	wcThing                            // ends the name of a place, a time or an event: Street, Day
	wcPlaceStart                       // starts the name of a place: North, New, San, Fort
	wcPastVerb                         // a common verb in an irregular past form: took, made
	wcCoreCue                          // a verb of speech in every sense: say, tell, write, ask
	wcPlainRole                        // a person noun that alone is no title: woman, friend, son
	wcParty                            // a party or political side: Republican, Labour, Tory
)

// wordID names the words the engine tests one by one.
type wordID uint8

const (
	wNone wordID = iota
	wThe
	wA
	wAn
	wThis
	wThat
	wOne
	wAnother
	wHis
	wHer
	wTheir
	wIts
	wOur
	wAccording
	wTo
	wIn
	wWords
	wOut
	wAs
	wKnown
	wCalled
	wFrom
	wWith
	wInto
	wOf
	wFor
	wWho
	wWhose
	wWhich
	wWhere
	wHas
	wHad
	wIs
	wWas
	wWill
	wWould
	wHe
	wHim
	wShe
	wHead
	wChair
	wAnd
	wSome
	wTwo
	wThree
	wSeveral
	wMany
	wMost
	wAt
	wThey
)

// idWords lists the words of the wordIDs, in order (wNone has none).
const idWords = `the a an this that one another his her their its our according to in words out as known
	called from with into of for who whose which where has had is was will would he him she head chair
	and some two three several many most at they`

// Word lists that exist only as classes.
const (
	determinerWords = `the a an this that one another his her their its our some two three several many
	most`
	notSubjectWords = `in at from to into across near of on for with by about against under over between
	than like and or the a an`
	placePrepWords = `in at from into across near toward towards visit visited outside inside on during
	since until`
	// coreCueWords are the speech verbs that mean nothing but speech.
	coreCueWords = `say says said saying tell tells told telling write writes wrote writing ask asks
	asked asking`
	// pastVerbWords are common verbs in irregular past forms, which tell a subject before them.
	pastVerbWords = `took made gave got came went saw knew thought felt found left kept held brought
	began wrote spoke met led ran won lost paid sent built bought sat stood heard meant became grew
	drew fell forgot hid hit let put quit read rose set shut sold sought spent struck swore taught
	threw understood woke wore`
	// placeStartWords start the names of places: "North America", "San Jose", "Fort McMurray".
	placeStartWords = `north south east west northern southern eastern western new san santa los las
	saint st fort port mount lake great upper lower central`
	// thingWords end the names of places, times and events: "Yonge Street", "Christmas Day".
	thingWords = `day eve week year street st avenue ave road rd boulevard lane square park river lake
	sea ocean bay mountain mount island islands valley city county province region district
	village town airport station bridge building tower hall centre center stadium arena mall
	museum hotel church cathedral mosque temple festival games cup championship award awards prize
	act bill law treaty accord war summit conference olympics`
	addresseeWords = `tell tells told telling inform informs informed informing assure assures
	assured assuring remind reminds reminded reminding`
	termCueWords = `so-called dubbed nicknamed titled entitled named term word words phrase slogan hashtag
	label labelled labeled branded billed headlined renamed marked reads read called`
)

// wordInfo is what the lexicon knows about one lower-case word.
type wordInfo struct {
	cls wordClass
	id  wordID
	// g is the gender an honorific, a pronoun or a possessive implies; given the usual gender of a
	// given name (unknownGender for a name given to both).
	g, given gender
}

type gender uint8

const (
	unknownGender gender = iota
	male
	female
	plural
	neuter
)

// lexEntry is one word of the lexicon.
type lexEntry struct {
	hash uint64 // wordHash of word
	info wordInfo
	word string
}

// lexTable is an open-addressing hash table from lower-case words to what the lexicon knows
// about them. Each slot is 32 bits: the entry's number plus one (0 for a free slot) in the low
// bits, a fingerprint of the word's hash in the high bits; probing reads only these small slots
// until a fingerprint matches, so the table stays in the fastest cache.
type lexTable struct {
	slots   []uint32
	entries []lexEntry
	mask    uint64
}

const (
	lexIndexBits = 12 // at most 4095 words
	lexIndexMask = 1<<lexIndexBits - 1
)

// maxLexWord is the longest word the lexicon holds; longer words are not looked up.
const maxLexWord = 32

// lexicon is built once and only read.
var lexicon = buildLexicon()

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// wordHash hashes a lower-case word (FNV-1a).
func wordHash(w []byte) uint64 {
	h := uint64(fnvOffset)
	for _, c := range w {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

// slot returns the slot of the word with hash h: the one holding it, or the free one where it
// belongs.
func (t *lexTable) slot(w []byte, h uint64) (uint64, bool) {
	fp := uint32(h>>32) &^ lexIndexMask
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i]
		if s == 0 {
			return i, false
		}
		if s&^lexIndexMask == fp {
			if e := &t.entries[s&lexIndexMask-1]; e.hash == h && e.word == string(w) {
				return i, true
			}
		}
	}
}

// lookup returns what the lexicon knows about the lower-case word w with hash h (wordHash).
func (t *lexTable) lookup(w []byte, h uint64) wordInfo {
	if i, ok := t.slot(w, h); ok {
		return t.entries[t.slots[i]&lexIndexMask-1].info
	}
	return wordInfo{}
}

// lookupFold is lookup for a word w of ASCII letters and digits in any case, with h the
// wordHash of its lower case.
func (t *lexTable) lookupFold(w string, h uint64) wordInfo {
	fp := uint32(h>>32) &^ lexIndexMask
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i]
		if s == 0 {
			return wordInfo{}
		}
		if s&^lexIndexMask == fp {
			if e := &t.entries[s&lexIndexMask-1]; e.hash == h && equalFold(e.word, w) {
				return e.info
			}
		}
	}
}

// entry returns the entry for w, creating it.
func (t *lexTable) entry(w string) *wordInfo {
	h := wordHash([]byte(w))
	i, ok := t.slot([]byte(w), h)
	if !ok {
		t.entries = append(t.entries, lexEntry{hash: h, word: w})
		n := len(t.entries)
		if n > lexIndexMask {
			panic("briefing: too many lexicon words")
		}
		t.slots[i] = uint32(h>>32)&^lexIndexMask | uint32(n)
	}
	return &t.entries[t.slots[i]&lexIndexMask-1].info
}

// lexFields splits a word list at spaces and at the dots that group cue verbs.
func lexFields(list string) []string {
	return strings.FieldsFunc(list, func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' || r == '·' })
}

func buildLexicon() *lexTable {
	const size = 1 << lexIndexBits
	t := &lexTable{slots: make([]uint32, size), mask: size - 1}
	add := func(list string, c wordClass) {
		for _, w := range lexFields(list) {
			t.entry(w).cls |= c
		}
	}
	add(cueVerbWords, wcCue)
	add(weakCueWords, wcWeakCue)
	add(emphaticCueWords, wcEmphatic)
	add(auxiliaryWords, wcAux)
	add(stopWords, wcStop)
	add(capStopWords, wcCapStop)
	add(roleWords, wcRole)
	add(femaleRoleWords, wcFemaleRole)
	add(maleRoleWords, wcMaleRole)
	add(titleModifierWords, wcTitleMod)
	add(orgWords, wcOrg)
	add(particleWords, wcParticle)
	add(abbreviationWords, wcAbbrev)
	add(pleasantryWords, wcPleasantry)
	add(stanceWords, wcStance)
	add(determinerWords, wcDeterminer)
	add(notSubjectWords, wcNotSubject)
	add(placePrepWords, wcPlacePrep)
	add(termCueWords, wcTermCue)
	add(addresseeWords, wcAddressee)
	add(thingWords, wcThing)
	add(placeStartWords, wcPlaceStart)
	add(pastVerbWords, wcPastVerb)
	add(coreCueWords, wcCoreCue)
	add(plainRoleWords, wcPlainRole)
	add(partyWords, wcParty)
	for _, w := range lexFields(roleWords) {
		t.entry(w + "s").cls |= wcRolePlural
	}
	gendered := func(list string, c wordClass, g gender) {
		for _, w := range lexFields(list) {
			in := t.entry(w)
			in.cls |= c
			in.g = g
		}
	}
	gendered(maleHonorifics, wcHonorific, male)
	gendered(femaleHonorifics, wcHonorific, female)
	gendered(neutralHonorifics, wcHonorific, unknownGender)
	gendered("he", wcPronoun, male)
	gendered("she", wcPronoun, female)
	gendered("they we", wcPronoun, plural)
	gendered("it", wcPronoun, neuter)
	gendered("i", wcPronoun, unknownGender)
	gendered("his", wcPossessive, male)
	gendered("her", wcPossessive, female)
	gendered("their our", wcPossessive, plural)
	gendered("its", wcPossessive, neuter)
	gendered("my", wcPossessive, unknownGender)
	for _, w := range lexFields(maleNames) {
		in := t.entry(w)
		in.cls |= wcGiven
		in.given = male
	}
	for _, w := range lexFields(femaleNames) {
		in := t.entry(w)
		if in.cls&wcGiven != 0 && in.given == male {
			in.given = unknownGender // given to both
			continue
		}
		in.cls |= wcGiven
		in.given = female
	}
	for i, w := range lexFields(idWords) {
		t.entry(w).id = wordID(i + 1)
	}
	for _, e := range t.entries {
		if len(e.word) > maxLexWord {
			panic("briefing: lexicon word longer than maxLexWord: " + e.word)
		}
	}
	if 4*len(t.entries) > 3*size {
		panic("briefing: lexicon table too full")
	}
	return t
}

// lowerWord writes the ASCII lower case of w into buf, with a curly apostrophe (’) read as a
// straight one, and returns it with its hash; ok is false when w does not fit in buf.
func lowerWord(buf []byte, w string) (lw []byte, h uint64, ok bool) {
	n := 0
	h = fnvOffset
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c == 0xE2 && i+2 < len(w) && w[i+1] == 0x80 && w[i+2] == 0x99 {
			c = '\''
			i += 2
		} else if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if n == len(buf) {
			return nil, 0, false
		}
		buf[n] = c
		n++
		h = (h ^ uint64(c)) * fnvPrime
	}
	return buf[:n], h, true
}

// nameKey hashes a name word for comparing names: lower case, without a possessive ending, and
// with non-ASCII letters kept as they are.
func nameKey(w string) uint64 {
	w = trimPossessive(w)
	h := uint64(fnvOffset)
	for i := 0; i < len(w); i++ {
		c := w[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

// trimPossessive drops a possessive ending: Lavrov’s, Lavrov's.
func trimPossessive(w string) string {
	for _, suf := range [...]string{"’s", "'s", "’S", "'S"} {
		if len(w) > len(suf) && strings.HasSuffix(w, suf) {
			return w[:len(w)-len(suf)]
		}
	}
	return w
}

// hasSuffixFold reports whether w ends with the lower-case ASCII suffix suf, ignoring case.
func hasSuffixFold(w, suf string) bool {
	return len(w) >= len(suf) && equalFoldASCII(w[len(w)-len(suf):], suf)
}

// containsFold reports whether s holds sub, ignoring ASCII case.
func containsFold(s, sub string) bool {
	if len(sub) == 0 {
		return true
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// equalFold compares two strings ignoring ASCII case.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if ca == cb {
			continue
		}
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return false
		}
	}
	return true
}

// runeCount is utf8.RuneCountInString.
func runeCount(s string) int { return utf8.RuneCountInString(s) }
