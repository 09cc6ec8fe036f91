package daemon

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/config"
)

// consoleWidth is the column plain-text briefings are wrapped at.
const consoleWidth = 92

// consolePoster is the console platform: briefings and notices written to a terminal as plain
// text. It satisfies bot.Poster and bot.Notifier.
type consolePoster struct {
	mu sync.Mutex
	w  io.Writer
	n  int
}

var (
	_ bot.Poster   = (*consolePoster)(nil)
	_ bot.Notifier = (*consolePoster)(nil)
)

func newConsolePoster(w io.Writer) *consolePoster { return &consolePoster{w: w} }

func (p *consolePoster) Platform() string { return config.PlatformConsole }

// Post writes the briefing; the message id is its sequence number in this process.
func (p *consolePoster) Post(ctx context.Context, d bot.Delivery) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", &bot.PostError{Temporary: true, Err: err}
	}
	text := RenderText(d.Briefing)
	if d.Late {
		text = "(delivered late, after downtime)\n" + text
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.n > 0 {
		text = "\n" + text // a blank line between briefings
	}
	if _, err := io.WriteString(p.w, text); err != nil {
		return "", &bot.PostError{Err: fmt.Errorf("console: write: %w", err)}
	}
	p.n++
	return "console-" + strconv.Itoa(p.n), nil
}

// Notify writes a notice for the admin channel.
func (p *consolePoster) Notify(_ context.Context, _ string, text string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, err := fmt.Fprintf(p.w, "[briefbot notice] %s\n", safeLine(text))
	return err
}

// RenderText renders a briefing as plain text for a terminal: a title line, then each story
// with its lede, its quotes and their speakers, and its sources; long lines are wrapped, and
// control characters in article text (terminal escape sequences) are dropped.
func RenderText(b briefing.Briefing) string {
	var sb strings.Builder
	title := b.Topic
	if title == "" {
		title = "Briefing"
	}
	span := ""
	if !b.From.IsZero() && !b.To.IsZero() {
		span = " · " + b.From.UTC().Format("2 Jan 15:04") + " – " + b.To.UTC().Format("2 Jan 15:04 MST")
	}
	fmt.Fprintf(&sb, "━━ %s%s\n", safeLine(title), span)
	if b.Query != "" {
		fmt.Fprintf(&sb, "   query: %s\n", safeLine(b.Query))
	}
	if b.Empty() {
		since := ""
		if !b.From.IsZero() {
			since = " since " + b.From.UTC().Format("2 Jan 15:04 MST")
		}
		fmt.Fprintf(&sb, "\n   Nothing new on %s%s.\n", safeLine(title), since)
		return sb.String()
	}
	for i, s := range b.Stories {
		sb.WriteString("\n")
		head := fmt.Sprintf("%d. ", i+1)
		wrap(&sb, head, strings.Repeat(" ", len(head)), safeLine(s.Headline))
		indent := strings.Repeat(" ", len(head))
		if s.Lede != "" {
			wrap(&sb, indent, indent, safeLine(s.Lede))
		}
		for _, q := range s.Quotes {
			// A quote's trailing comma led into its attribution ("…," she said), which is on
			// a line of its own here.
			wrap(&sb, indent+"“", indent+" ", strings.TrimSuffix(safeLine(q.Text), ",")+"”")
			who := q.Speaker
			if who == "" {
				who = "unattributed"
			}
			if q.SpeakerTitle != "" {
				who += ", " + q.SpeakerTitle
			}
			wrap(&sb, indent+"    — ", indent+"      ", safeLine(who))
		}
		if src := sourcesLine(s); src != "" {
			wrap(&sb, indent, indent, src)
		}
		if url := storyURL(s); url != "" {
			wrap(&sb, indent, indent, url)
		}
	}
	if b.More > 0 {
		noun := "stories"
		if b.More == 1 {
			noun = "story"
		}
		fmt.Fprintf(&sb, "\n   … and %d more %s.\n", b.More, noun)
	}
	return sb.String()
}

// sourcesLine names a story's outlets and when it was published.
func sourcesLine(s briefing.Story) string {
	var names []string
	for _, src := range s.Sources {
		if src.Name != "" {
			names = append(names, safeLine(src.Name))
		}
	}
	line := strings.Join(names, ", ")
	if !s.Published.IsZero() {
		if line != "" {
			line += " · "
		}
		line += s.Published.UTC().Format("2 Jan 15:04 MST")
	}
	return line
}

// storyURL is the link a story shows: its own, else its first source's.
func storyURL(s briefing.Story) string {
	if s.URL != "" {
		return safeLine(s.URL)
	}
	if len(s.Sources) > 0 {
		return safeLine(s.Sources[0].URL)
	}
	return ""
}

// wrap writes text word-wrapped at consoleWidth: the first line led by first, the others by
// rest.
func wrap(sb *strings.Builder, first, rest, text string) {
	lead := first
	width := 0
	line := func() { width = len([]rune(lead)); sb.WriteString(lead) }
	line()
	words := strings.Fields(text)
	for i, w := range words {
		n := len([]rune(w))
		if i > 0 && width+1+n > consoleWidth {
			sb.WriteString("\n")
			lead = rest
			line()
		} else if i > 0 {
			sb.WriteString(" ")
			width++
		}
		sb.WriteString(w)
		width += n
	}
	sb.WriteString("\n")
}

// safeLine makes article text safe to print on a terminal: one line, valid UTF-8, no control
// characters (an escape sequence in an article must not drive the terminal).
func safeLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
