// Package console delivers briefings to a terminal: a readable plain-text layout, and a Poster
// that writes it to any io.Writer. It is the chat of the embedded default.
package console

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/briefbot/briefbot/bot/render"
	"github.com/briefbot/briefbot/briefing"
)

// DefaultWidth is the line width when none is given.
const DefaultWidth = 80

// minWidth keeps the layout readable in very narrow terminals.
const minWidth = 30

// RenderOptions shape a rendering.
type RenderOptions struct {
	// Width is the terminal's width in columns; 0 means DefaultWidth.
	Width int
	// Location is the time zone of the times shown; nil means UTC.
	Location *time.Location
	// Late marks a scheduled briefing delivered after its time (catch-up after downtime): a line
	// under the heading says so, "Scheduled for <Scheduled>, delivered late." A zero Scheduled
	// leaves the time out.
	Late      bool
	Scheduled time.Time
}

// Render lays a briefing out for a terminal:
//
//	Briefing: korea · top 3 of 5 stories since Tue 4 Jun 00:00 UTC
//
//	1. North Korea fires ballistic missile into East Sea
//	   North Korea fired a short-range ballistic missile into the East Sea early on
//	   Tuesday, South Korea's Joint Chiefs of Staff said.
//
//	     “The launch is a clear provocation that threatens peace on the Korean
//	     peninsula,”
//	       — Shin Won-sik, South Korean Defence Minister · carried by 2 outlets
//	       https://en.yna.example/view/AEN1#:~:text=The%20launch…
//
//	   Carried by 3 outlets: Yonhap, Reuters, Kyodo · Tue 4 Jun 09:00 UTC
//	   https://en.yna.example/view/AEN1
//
//	2 more stories not shown.
//
// Text is wrapped at words to the width (a word longer than a line, such as a URL, gets a line
// of its own), and control characters in article text are dropped so no article can send escape
// sequences to the terminal.
func Render(b briefing.Briefing, opts RenderOptions) string {
	if opts.Width <= 0 {
		opts.Width = DefaultWidth
	}
	opts.Width = max(opts.Width, minWidth)
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	w := writer{width: opts.Width}
	when := func(t time.Time) string { return t.In(opts.Location).Format(render.TimeLayout) }

	if b.Empty() {
		since := ""
		if !b.From.IsZero() {
			since = when(b.From)
		}
		w.para("", "", render.NothingNew(clean(b.Topic), "", since))
		lateNote(&w, opts, when)
		return w.String()
	}

	head := render.Title(clean(b.Topic)) + " · " + render.StoryCount(b)
	if !b.From.IsZero() {
		head += " since " + when(b.From)
	}
	w.para("", "", head)
	lateNote(&w, opts, when)

	for i, s := range b.Stories {
		w.blank()
		num := strconv.Itoa(i+1) + ". "
		indent := strings.Repeat(" ", len(num))
		headline := clean(s.Headline)
		if headline == "" {
			headline = render.Untitled
		}
		w.para(num, indent, headline)
		if lede := shorten(clean(s.Lede), render.MaxLede); lede != "" {
			w.para(indent, indent, lede)
		}
		for _, q := range s.Quotes {
			w.blank()
			w.para(indent+"  “", indent+"   ", shorten(clean(q.Text), render.MaxQuote)+"”")
			w.para(indent+"    — ", indent+"      ", credit(q))
			if q.URL != "" {
				w.para(indent+"    ", indent+"    ", clean(q.URL))
			}
		}
		w.blank()
		w.para(indent, indent, sources(s, when))
		if s.URL != "" {
			w.para(indent, indent, clean(s.URL))
		}
	}
	if b.More > 0 {
		w.blank()
		w.para("", "", render.MoreStories(b.More)+" not shown.")
	}
	return w.String()
}

// lateNote writes, for a late briefing, when it was scheduled.
func lateNote(w *writer, opts RenderOptions, when func(time.Time) string) {
	if !opts.Late {
		return
	}
	w.para("", "", render.LateNote(opts.Scheduled, when)+".")
}

// credit names who said a quote, and how many outlets carried it.
func credit(q briefing.StoryQuote) string {
	return render.Speaker(q, clean) + render.CarriedBy(q.Outlets)
}

// sources says who carried a story, and when.
func sources(s briefing.Story, when func(time.Time) string) string {
	var names []string
	for _, src := range s.Sources {
		if n := clean(src.Name); n != "" {
			names = append(names, n)
		}
	}
	line := render.SourcesLead(len(s.Sources)) + strings.Join(names, ", ")
	if !s.Published.IsZero() {
		if line != "" {
			line += " · "
		}
		line += when(s.Published)
	}
	return line
}

// clean makes article text safe and tidy for a terminal: one line, without control characters
// (escape sequences, carriage returns, bidirectional overrides).
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r):
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// shorten cuts text longer than max characters at the last space that leaves room for "…"
// (inside the word only when a single word is longer than max).
func shorten(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	n, cut, hard := 0, -1, 0
	for i, r := range s {
		if n == max-1 {
			break
		}
		if r == ' ' {
			cut = i
		}
		hard = i + utf8.RuneLen(r)
		n++
	}
	if cut > 0 {
		return strings.TrimRight(s[:cut], " ") + "…"
	}
	return s[:hard] + "…"
}

// writer wraps paragraphs to a width.
type writer struct {
	b     strings.Builder
	width int
}

// para writes text wrapped at words: its first line after first, the others after rest.
func (w *writer) para(first, rest, text string) {
	prefix := first
	line := prefix
	col := uniseg.StringWidth(prefix)
	empty := true
	for _, word := range strings.Fields(text) {
		ww := uniseg.StringWidth(word)
		if !empty && col+1+ww > w.width {
			w.b.WriteString(strings.TrimRight(line, " ") + "\n")
			prefix = rest
			line, col, empty = prefix, uniseg.StringWidth(prefix), true
		}
		if !empty {
			line += " "
			col++
		}
		line += word
		col += ww
		empty = false
	}
	w.b.WriteString(strings.TrimRight(line, " ") + "\n")
}

func (w *writer) blank() { w.b.WriteString("\n") }

func (w *writer) String() string { return w.b.String() }
