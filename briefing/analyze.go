package briefing

import "strings"

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
	var e engine
	e.analyze(a, opts)
}

// engine holds the working state of one analysis; its buffers are reused when one engine analyses
// several articles.
type engine struct {
	scanner
	spans    []span
	quotes   []quoteInfo
	mentions []mention
	ents     []entity
}

func (e *engine) reset(text string) {
	e.text = text
	e.spans = e.spans[:0]
	e.quotes = e.quotes[:0]
	e.mentions = e.mentions[:0]
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
	for i := range e.quotes {
		q := &e.quotes[i]
		if q.drop || q.ent < 0 {
			continue
		}
		name := e.ents[q.ent].displayName()
		found := false
		for k := range out {
			if out[k].Name == name {
				out[k].Quotes++
				found = true
			}
		}
		if !found {
			out = append(out, Speaker{Name: name, Title: e.ents[q.ent].title, Quotes: 1})
		}
	}
	for i := 1; i < len(out); i++ { // insertion sort: few speakers, stable
		for j := i; j > 0 && out[j].Quotes > out[j-1].Quotes; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// validText makes derived display text valid UTF-8 with single spaces.
func validText(s string) string {
	return strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " ")
}
