package briefing

import (
	"cmp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Speaker titles: outlets title the same person differently — "chief executive" in one article,
// "chief executive of the Valmora Port Authority" in another, none in a third. A briefing shows
// each speaker with the best title its articles give: the one that most of them agree with and
// that says the most, in one consistent form.

// maxTitleBytes bounds the titles considered; a longer one is a misreading, not a title.
const maxTitleBytes = 160

// titleVariant is one title articles gave a speaker.
type titleVariant struct {
	speaker uint64 // speakerKey of the speaker's name
	// norm is the title lowercased, spaces squashed, without a leading article or trailing
	// punctuation: what two variants are compared by.
	norm string
	// text is the title as shown; votes counts the articles that gave it.
	text  string
	votes int
}

// titleBook holds the titles a set of articles gives their speakers.
type titleBook struct {
	variants []titleVariant
}

// addArticle adds the titles an article gives its speakers (its quotes' and its speaker list's),
// each once per article.
func (tb *titleBook) addArticle(a *Article) {
	from := len(tb.variants)
	add := func(name, title string) {
		if name == "" || title == "" || len(title) > maxTitleBytes {
			return
		}
		text := cleanTitle(title)
		norm := normTitle(text)
		if norm == "" {
			return
		}
		key := speakerKey(name)
		for i := range tb.variants {
			v := &tb.variants[i]
			if v.speaker != key || v.norm != norm {
				continue
			}
			if i < from {
				// Given by an earlier article: one more vote; of two forms, the one with fewer
				// capitals, the style of a title after a name.
				v.votes++
				if capitals(text) < capitals(v.text) {
					v.text = text
				}
			}
			return
		}
		tb.variants = append(tb.variants, titleVariant{speaker: key, norm: norm, text: text, votes: 1})
	}
	for i := range a.Quotes {
		add(a.Quotes[i].Speaker, a.Quotes[i].SpeakerTitle)
	}
	for i := range a.Speakers {
		add(a.Speakers[i].Name, a.Speakers[i].Title)
	}
}

// best returns the best title of a speaker, or "": the variant that the most articles' titles
// agree with (a title agrees with every title it contains, word for word), then the longest.
func (tb *titleBook) best(speaker uint64) (titleVariant, bool) {
	var best titleVariant
	bestSupport, found := 0, false
	for _, v := range tb.variants {
		if v.speaker != speaker {
			continue
		}
		support := 0
		for _, u := range tb.variants {
			if u.speaker == speaker && titleContains(v.norm, u.norm) {
				support += u.votes
			}
		}
		if !found || support > bestSupport || support == bestSupport && betterTitle(v, best) {
			best, bestSupport, found = v, support, true
		}
	}
	return best, found
}

// extension returns the fullest title of the speaker that contains base ("chief executive of the
// Valmora Port Authority" for "chief executive"), or base itself.
func (tb *titleBook) extension(base titleVariant) titleVariant {
	best := base
	for _, v := range tb.variants {
		if v.speaker == base.speaker && titleContains(v.norm, base.norm) && betterTitle(v, best) {
			best = v
		}
	}
	return best
}

// betterTitle orders two variants of one speaker's title: more words, more votes, then the
// alphabet, so the choice never depends on the articles' order.
func betterTitle(a, b titleVariant) bool {
	if c := cmp.Compare(strings.Count(a.norm, " "), strings.Count(b.norm, " ")); c != 0 {
		return c > 0
	}
	if a.votes != b.votes {
		return a.votes > b.votes
	}
	return a.norm < b.norm
}

// speakerTitle returns the title a story shows for a speaker: the best its own articles give,
// extended by a fuller one the briefing's other stories give; the briefing's best when the
// story's articles give none.
func speakerTitle(story, briefing *titleBook, name string) string {
	key := speakerKey(name)
	if key == 0 {
		return ""
	}
	v, ok := story.best(key)
	if ok {
		v = briefing.extension(v)
	} else if v, ok = briefing.best(key); !ok {
		return ""
	}
	return displayTitle(v.text)
}

// titleContains reports whether title a says what title b says and maybe more: it holds every
// word of b, in order and together, and none of the words before them changes what b means
// ("deputy finance minister" is not a finance minister, "former chief executive" no longer one).
func titleContains(a, b string) bool {
	if len(b) > len(a) {
		return false
	}
	if a == b {
		return true
	}
	for i := strings.Index(a, b); i >= 0; {
		end := i + len(b)
		if (i == 0 || a[i-1] == ' ') && (end == len(a) || a[end] == ' ') {
			return !hasRoleChanger(a[:i])
		}
		next := strings.Index(a[i+1:], b)
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return false
}

// hasRoleChanger reports whether the words of s hold one that changes the role after it.
func hasRoleChanger(s string) bool {
	for w := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == ' ' || r == '-' }) {
		if roleChangers[w] {
			return true
		}
	}
	return false
}

// roleChangers are the words that make a title before which they stand another role.
var roleChangers = wordSet(`former ex deputy vice acting interim assistant associate shadow junior
	outgoing incoming retired late co under sub honorary prospective would designate`)

// cleanTitle squashes a title's spaces and trims the punctuation around it and a leading
// article ("the chief executive").
func cleanTitle(title string) string {
	title = strings.TrimFunc(squashSpace(title), func(r rune) bool {
		return unicode.IsSpace(r) || r == ',' || r == ';' || r == ':' || r == '.' || r == '-' || r == '—' || r == '–'
	})
	for _, article := range []string{"the ", "a ", "an "} {
		if len(title) > len(article) && strings.EqualFold(title[:len(article)], article) {
			return title[len(article):]
		}
	}
	return title
}

// normTitle is the form titles are compared in: lowercase, typographic apostrophes straight.
func normTitle(text string) string {
	return strings.ToLower(strings.ReplaceAll(text, "’", "'"))
}

// capitals counts the upper-case letters of s.
func capitals(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsUpper(r) {
			n++
		}
	}
	return n
}

// displayTitle gives a title the form a title takes after a name: its role words in lower case
// ("Governor" → "governor", "Prime Minister" → "prime minister", "Chief Executive of the Valmora
// Port Authority" → "chief executive of the Valmora Port Authority", "Minister of Finance" →
// "minister of finance"), as "Ilse Brandt, governor" reads in a news story. Only the role is
// touched: a title whose role is not made of role words ("Foreign Ministry spokeswoman", "US
// Secretary of State") or holds an acronym is shown as the articles gave it, and so is the
// organisation or place after "of", "at" or "for" when it names one.
func displayTitle(text string) string {
	if capitals(text) == 0 {
		return text
	}
	words := strings.Fields(text)
	head := len(words) // the role: the words before the first "of", "at" or "for"
	for i, w := range words {
		if lw := strings.ToLower(w); i > 0 && (lw == "of" || lw == "at" || lw == "for") {
			head = i
			break
		}
	}
	if !roleOnly(words[:head], true) {
		return text
	}
	n := head
	if roleOnly(words[head:], false) {
		n = len(words)
	}
	for i := range words[:n] {
		words[i] = strings.ToLower(words[i])
	}
	return strings.Join(words, " ")
}

// roleOnly reports whether words are all role words, title modifiers and connectors, and hold no
// acronym; with needRole, at least one must be a role word.
func roleOnly(words []string, needRole bool) bool {
	role := false
	for _, w := range words {
		lw := strings.ToLower(strings.Trim(w, ",.;:()'’"))
		switch {
		case roleTitleWords[lw]:
			role = true
		case titleModifierTitleWords[lw] || titleConnectors[lw]:
		default:
			return false
		}
		if r, _ := utf8.DecodeRuneInString(w); len(w) > 1 && unicode.IsUpper(r) && strings.ToUpper(w) == w {
			return false // an acronym ("CEO", "MP")
		}
	}
	return role || !needRole
}

// The words of role-only titles, from the quote engine's lexicon.
var (
	roleTitleWords          = wordSet(roleWords)
	titleModifierTitleWords = wordSet(titleModifierWords)
	titleConnectors         = wordSet("of for at and the to")
)

func wordSet(words string) map[string]bool {
	set := make(map[string]bool)
	for w := range strings.FieldsSeq(words) {
		set[w] = true
	}
	return set
}
