package briefing

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// AnalyzeOptions tune Analyze.
type AnalyzeOptions struct {
	// MaxKey is the most quotes marked Key; 0 means 3.
	MaxKey int
}

func (o AnalyzeOptions) maxKey() int {
	if o.MaxKey <= 0 {
		return 3
	}
	return o.MaxKey
}

// Analyze finds the article's quotations, attributes each to its speaker, ranks them and sets
// a.Lede, a.Quotes (in document order, Text == a.Text[Start:End]) and a.Speakers.
func Analyze(a *Article, opts AnalyzeOptions) {
	e := enginePool.Get().(*engine)
	e.analyze(a, opts)
	e.release()
	enginePool.Put(e)
}

// enginePool keeps engines, with their buffers, for reuse across calls.
var enginePool = sync.Pool{New: func() any { return newEngine() }}

// engine holds the working state of one analysis; its buffers are reused when one engine analyses
// several articles.
type engine struct {
	scanner
	spans    []span
	quotes   []quoteInfo
	mentions []mention
	ents     []entity
	partBuf  []uint64 // the name parts of the entities
	stems    []uint64 // rank's word stems: the headline's, the lede's, the quotations'
	order    []int    // rank's quotations by score
	// caps holds the words capitalised away from a sentence start (exactHash), built on first
	// use.
	caps      map[uint64]struct{}
	capsBuilt bool
	// byLast and byFirst chain the entities by their last and first name parts, newest first
	// (see findEntity).
	byLast     map[uint64]int32
	byFirst    map[uint64]int32
	firstLinks []firstLink
	// searchLeft is the budget of bytes the phrase searches of one analysis may still read.
	searchLeft int
}

func newEngine() *engine {
	return &engine{caps: make(map[uint64]struct{}), byLast: make(map[uint64]int32), byFirst: make(map[uint64]int32)}
}

func (e *engine) reset(text string) {
	e.text = text
	e.spans = e.spans[:0]
	e.quotes = e.quotes[:0]
	e.mentions = e.mentions[:0]
	e.ents = e.ents[:0]
	e.partBuf = e.partBuf[:0]
	clear(e.caps)
	e.capsBuilt = false
	clear(e.byLast)
	clear(e.byFirst)
	e.firstLinks = e.firstLinks[:0]
	e.searchLeft = 32*len(text) + 1<<20
}

// release drops the engine's references to the article, so a pooled engine keeps no text alive.
func (e *engine) release() {
	e.text = ""
	clear(e.ents) // entities hold strings of the text
	e.ents = e.ents[:0]
}

func (e *engine) analyze(a *Article, opts AnalyzeOptions) {
	e.reset(a.Text)
	start := a.BodyStart
	if start < 0 || start > len(a.Text) {
		start = 0
	}
	e.scan(start)
	e.spans = e.pairMarks(e.spans[:0])
	if want := len(e.toks)/8 + 8; cap(e.mentions) < want {
		e.mentions = make([]mention, 0, want)
		e.ents = make([]entity, 0, want/2)
	}
	e.findMentions()
	e.classify()
	e.attribute()
	a.Lede = lede(a.Text, start, a.Headline)
	e.rank(a.Headline, a.Lede, opts.maxKey())

	a.Quotes = a.Quotes[:0]
	for i := range e.quotes {
		q := &e.quotes[i]
		if q.drop {
			continue
		}
		sp := e.spans[q.span]
		out := Quote{
			Text: a.Text[sp.start:sp.end], Start: sp.start, End: sp.end,
			Cue: q.cue, Partial: q.partial, Key: q.key, Score: q.score,
		}
		if q.ent >= 0 {
			out.Speaker = e.ents[q.ent].displayName()
			out.SpeakerTitle = e.ents[q.ent].title
		}
		a.Quotes = append(a.Quotes, out)
	}
	if len(a.Quotes) == 0 {
		a.Quotes = nil
	}
	a.Speakers = e.speakers()
}

// speakers lists the article's named speakers, most quoted first.
func (e *engine) speakers() []Speaker {
	var out []Speaker
	for i := range e.ents {
		e.ents[i].speaker = -1
	}
	for i := range e.quotes {
		q := &e.quotes[i]
		if q.drop || q.ent < 0 {
			continue
		}
		en := &e.ents[q.ent]
		if en.speaker >= 0 {
			out[en.speaker].Quotes++
			continue
		}
		en.speaker = len(out)
		out = append(out, Speaker{Name: en.displayName(), Title: en.title, Quotes: 1})
	}
	slices.SortStableFunc(out, func(a, b Speaker) int { return cmp.Compare(b.Quotes, a.Quotes) })
	return out
}

// validText makes derived display text valid UTF-8 with single spaces. Text that already is
// comes back as it is, without a copy.
func validText(s string) string {
	if isCleanText(s) {
		return s
	}
	return strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " ")
}

// isCleanText reports whether s is valid UTF-8 made of words separated by single ASCII spaces.
func isCleanText(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, w := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && w == 1 || unicode.IsSpace(r) || unicode.IsControl(r) {
				return false
			}
			i += w
			continue
		}
		if c < ' ' || c == ' ' && s[i+1] == ' ' || c == 0x7f {
			return false
		}
		i++
	}
	return true
}
