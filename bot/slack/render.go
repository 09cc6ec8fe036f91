package slack

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackutilsx"

	"github.com/briefbot/briefbot/bot/render"
	"github.com/briefbot/briefbot/briefing"
)

// Slack's limits, enforced by Render. Lengths are counted in UTF-16 code units, which is never
// less than the characters Slack counts.
const (
	MaxBlocks          = 50
	MaxSectionText     = 3000
	MaxHeaderText      = 150
	MaxContextElements = 10
	// MaxBlockText is the most text all blocks of one message hold together; past about 12,000
	// characters Slack refuses the message (msg_blocks_too_long).
	MaxBlockText = 12000
	// MaxFallbackText bounds a message's plain-text fallback (Slack advises under 4,000).
	MaxFallbackText = 3000
)

// maxHeadline is the most of a headline a story shows; its lede, quotes and sources line are
// bounded as on every platform (render.MaxLede, render.MaxQuote, render.MaxSourceLinks).
const maxHeadline = 300

// Message is one chat.postMessage request body, as the poster sends it and as
// `briefbot brief --format slack` prints it.
type Message struct {
	Channel string `json:"channel,omitempty"`
	// Text is the plain fallback shown in notifications.
	Text   string        `json:"text"`
	Blocks []slack.Block `json:"blocks"`
	// Metadata is left for the poster, which puts the delivery's idempotency key there.
	Metadata    *slack.SlackMetadata `json:"metadata,omitempty"`
	UnfurlLinks bool                 `json:"unfurl_links"`
	UnfurlMedia bool                 `json:"unfurl_media"`
	// ThreadTS makes the message a reply; in a threaded rendering the poster sets it, for each
	// message with InThread, to the ts of the first message it posted.
	ThreadTS string `json:"thread_ts,omitempty"`
	InThread bool   `json:"-"`
}

// MsgOptions returns the message as slack-go options for PostMessageContext, replying in the
// thread threadTS when it is not empty.
func (m Message) MsgOptions(threadTS string) []slack.MsgOption {
	opts := []slack.MsgOption{
		slack.MsgOptionText(m.Text, false),
		slack.MsgOptionBlocks(m.Blocks...),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
	if m.Metadata != nil {
		opts = append(opts, slack.MsgOptionMetadata(*m.Metadata))
	}
	if threadTS == "" {
		threadTS = m.ThreadTS
	}
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	return opts
}

// RenderOptions shape a rendering.
type RenderOptions struct {
	// Channel is copied into every message.
	Channel string
	// Location is the time zone of the times in the plain-text fallbacks (the blocks show each
	// reader's own time); nil means UTC.
	Location *time.Location
	// Threaded posts the headlines as one message and each story's quotes as a reply in its
	// thread (see RenderThreaded).
	Threaded bool
	// Late marks a scheduled briefing delivered after its time (catch-up after downtime): the
	// first message says so in a context line, "Scheduled for <Scheduled>, delivered late", and
	// its fallback text too. A zero Scheduled leaves the time out.
	Late      bool
	Scheduled time.Time
}

// Render turns a briefing into the messages that carry it, within every Slack limit: a header,
// then per story its linked headline and lede, its quotes as block quotes credited and linked to
// the passage in the article, and a line with its sources and time; "N more stories" at the end.
// A briefing too big for one message is split at story boundaries; a story too big for one
// message loses its lowest-ranked quotes, then has its text cut at a word. An empty briefing
// renders as one "nothing new" message.
func Render(b briefing.Briefing, opts RenderOptions) []Message {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	r := renderer{b: b, opts: opts, parts: make([]storyParts, len(b.Stories))}
	if b.Empty() {
		return r.empty()
	}
	if opts.Threaded {
		return r.threaded()
	}
	units := make([][]slack.Block, 0, len(b.Stories)+1)
	for i := range b.Stories {
		units = append(units, r.fitStory(i, true))
	}
	return r.pack(units, r.fallback())
}

// RenderThreaded renders the headline layout for channels that enable threading: a first message
// with the header and each story's headline, lede and sources, then one reply per story with its
// quotes (InThread set).
func RenderThreaded(b briefing.Briefing, opts RenderOptions) []Message {
	opts.Threaded = true
	return Render(b, opts)
}

type renderer struct {
	b     briefing.Briefing
	opts  RenderOptions
	parts []storyParts // by story, filled on first use
}

// storyParts are the pieces of a story, escaped and formatted once however often the story is
// re-rendered to fit.
type storyParts struct {
	done      bool
	headline  string // bold and linked
	lede      string // escaped, not yet cut
	quotes    []slack.Block
	quoteLens []int // the text length of each quote block
	sources   string
}

func (r *renderer) story(i int) *storyParts {
	p := &r.parts[i]
	if p.done {
		return p
	}
	s := &r.b.Stories[i]
	p.done = true
	p.headline = r.headlineLink(s)
	p.lede = escapeText(render.Precut(s.Lede, render.MaxLede))
	for _, q := range s.Quotes {
		b := quoteBlock(q)
		p.quotes = append(p.quotes, b)
		p.quoteLens = append(p.quoteLens, blockText([]slack.Block{b}))
	}
	p.sources = r.sourcesLine(s)
	return p
}

func (r *renderer) empty() []Message {
	since := ""
	if !r.b.From.IsZero() {
		since = r.date(r.b.From)
	}
	text := truncate(render.NothingNew(escapeText(r.b.Topic), "*", since), MaxSectionText)
	blocks := []slack.Block{
		r.header(),
		slack.NewSectionBlock(mrkdwn(text), nil, nil),
	}
	fallback := r.plainNothingNew()
	if r.opts.Late {
		blocks = append(blocks, r.lateLine())
		fallback += " " + r.plainLateNote() + "."
	}
	return []Message{r.message(blocks, truncate(fallback, MaxFallbackText))}
}

func (r *renderer) threaded() []Message {
	units := make([][]slack.Block, 0, len(r.b.Stories))
	for i := range r.b.Stories {
		units = append(units, r.fitStory(i, false))
	}
	msgs := r.pack(units, r.fallback())
	for i := range r.b.Stories {
		if len(r.b.Stories[i].Quotes) == 0 {
			continue
		}
		reply := r.fitReply(i)
		m := r.message(reply, truncate("Quotes: "+escapeText(r.b.Stories[i].Headline), MaxFallbackText))
		m.InThread = true
		msgs = append(msgs, m)
	}
	return msgs
}

// pack puts the header and the story units into as few messages as the limits allow, in order,
// and ends with the "N more stories" line.
func (r *renderer) pack(units [][]slack.Block, fallback string) []Message {
	var msgs []Message
	cur := r.opening()
	curText := blockText(cur)
	flush := func() {
		text := fallback
		if len(msgs) > 0 {
			text = truncate(escapeText(r.title())+" (continued)", MaxFallbackText)
		}
		msgs = append(msgs, r.message(cur, text))
		cur, curText = nil, 0
	}
	add := func(unit []slack.Block) {
		n := blockText(unit)
		if len(cur) > 0 && (len(cur)+len(unit) > MaxBlocks || curText+n > MaxBlockText) {
			flush()
		}
		cur = append(cur, unit...)
		curText += n
	}
	for _, u := range units {
		add(u)
	}
	if r.b.More > 0 {
		add([]slack.Block{r.moreLine()})
	}
	flush()
	return msgs
}

// fits reports whether blocks make one valid message.
func fits(blocks []slack.Block) bool {
	return len(blocks) <= MaxBlocks && blockText(blocks) <= MaxBlockText
}

// fitStory renders story i small enough to share a message with the header: dropping its
// lowest-ranked quotes first, then shortening its lede.
func (r *renderer) fitStory(i int, withQuotes bool) []slack.Block {
	opening := r.opening()
	budget := MaxBlockText - blockText(opening)
	blockBudget := MaxBlocks - len(opening)
	quotes := 0
	if withQuotes {
		quotes = len(r.b.Stories[i].Quotes)
	}
	p := r.story(i)
	for lede := render.MaxLede; ; lede /= 2 {
		// The story without quotes, then as many of its best quotes as fit.
		n := blockText(r.storyBlocks(i, 0, lede))
		q := 0
		for q < quotes && 3+q+1 <= blockBudget && n+p.quoteLens[q] <= budget {
			n += p.quoteLens[q]
			q++
		}
		if n <= budget {
			return r.storyBlocks(i, q, lede)
		}
		if lede == 0 {
			// Unreachable with the limits above: a story without quotes or lede is a few
			// hundred characters. Keep the headline alone rather than fail.
			return r.storyBlocks(i, 0, 0)[:2]
		}
	}
}

// fitReply renders the quotes of story i for a threaded reply, dropping the lowest-ranked ones
// until they fit one message.
func (r *renderer) fitReply(i int) []slack.Block {
	p := r.story(i)
	head := slack.NewSectionBlock(mrkdwn(p.headline), nil, nil)
	for q := len(p.quotes); q > 0; q-- {
		blocks := append([]slack.Block{head}, p.quotes[:q]...)
		if fits(blocks) {
			return blocks
		}
	}
	return []slack.Block{head}
}

// storyBlocks renders story i with its first nquotes quotes and its lede cut to ledeMax.
func (r *renderer) storyBlocks(i, nquotes, ledeMax int) []slack.Block {
	p := r.story(i)
	text := p.headline
	if p.lede != "" && ledeMax > 0 {
		room := MaxSectionText - render.TextLen(text) - 1
		text += "\n" + truncate(p.lede, min(ledeMax, room))
	}
	blocks := make([]slack.Block, 0, 3+nquotes)
	blocks = append(blocks, slack.NewDividerBlock(), slack.NewSectionBlock(mrkdwn(text), nil, nil))
	blocks = append(blocks, p.quotes[:nquotes]...)
	return append(blocks, slack.NewContextBlock("", mrkdwn(p.sources)))
}

// headlineLink is the story's headline in bold, linked to its best article.
func (r *renderer) headlineLink(s *briefing.Story) string {
	headline := truncate(escapeText(s.Headline), maxHeadline)
	if headline == "" {
		headline = render.Untitled
	}
	return "*" + link(s.URL, headline) + "*"
}

// quoteBlock renders a quote as a block quote: the words, then who said them, linked to the
// passage in the article.
func quoteBlock(q briefing.StoryQuote) slack.Block {
	who := truncate(render.Speaker(q, escapeText), 300)
	credit := ">— " + link(q.URL, who) + render.CarriedBy(q.Outlets)
	room := MaxSectionText - render.TextLen(credit) - 4
	text := ">“" + truncate(escapeText(render.Precut(q.Text, render.MaxQuote)), min(render.MaxQuote, room)) + "”\n" + credit
	return slack.NewSectionBlock(mrkdwn(text), nil, nil)
}

// sourcesLine says who carried the story, linked, and when.
func (r *renderer) sourcesLine(s *briefing.Story) string {
	var b strings.Builder
	b.WriteString(render.SourcesLead(len(s.Sources)))
	for i, src := range s.Sources {
		if i == render.MaxSourceLinks {
			fmt.Fprintf(&b, " and %d more", len(s.Sources)-render.MaxSourceLinks)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(link(src.URL, truncate(escapeText(src.Name), 80)))
	}
	if !s.Published.IsZero() {
		if b.Len() > 0 {
			b.WriteString(" · ")
		}
		b.WriteString(r.date(s.Published))
	}
	return truncate(b.String(), MaxSectionText)
}

func (r *renderer) header() slack.Block {
	text := truncatePlain(plainText(r.title()), MaxHeaderText)
	return slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, text, false, false))
}

// plainText makes text safe for a plain_text object: one line, and '<', '>', '&' replaced by
// look-alikes (‹ › ＆) so nothing in it can read as a mention or an entity.
func plainText(s string) string {
	s = render.OneLine(s)
	return plainLookalikes.Replace(s)
}

var plainLookalikes = strings.NewReplacer("<", "‹", ">", "›", "&", "＆")

// title is the briefing's name, plain text.
func (r *renderer) title() string { return render.Title(r.b.Topic) }

// opening is how the first message starts: the header, the summary, and for a late briefing
// the line that says so.
func (r *renderer) opening() []slack.Block {
	if r.opts.Late {
		return []slack.Block{r.header(), r.summary(), r.lateLine()}
	}
	return []slack.Block{r.header(), r.summary()}
}

// summary counts the stories and gives the window.
func (r *renderer) summary() slack.Block {
	text := render.StoryCount(r.b)
	text = strings.ToUpper(text[:1]) + text[1:] // "Top 3 of 5 stories"
	if !r.b.From.IsZero() {
		text += " since " + r.date(r.b.From)
	}
	return slack.NewContextBlock("", mrkdwn(text))
}

// lateLine says that the briefing is late: "Scheduled for <date token>, delivered late".
func (r *renderer) lateLine() slack.Block {
	return slack.NewContextBlock("", mrkdwn(render.LateNote(r.opts.Scheduled, r.date)))
}

// plainLateNote is what lateLine says, in plain text, the time in the rendering's time zone.
func (r *renderer) plainLateNote() string {
	return render.LateNote(r.opts.Scheduled, func(t time.Time) string {
		return t.In(r.opts.Location).Format(render.TimeLayout)
	})
}

func (r *renderer) moreLine() slack.Block {
	return slack.NewContextBlock("", mrkdwn(render.MoreStories(r.b.More)+" not shown"))
}

// fallback is the plain text of the first message: the title and the headlines.
func (r *renderer) fallback() string {
	var b strings.Builder
	b.WriteString(escapeText(r.title()))
	if r.opts.Late {
		b.WriteString(" (delivered late)")
	}
	b.WriteString(": ")
	for i, s := range r.b.Stories {
		if i > 0 {
			b.WriteString(" · ")
		}
		b.WriteString(escapeText(s.Headline))
	}
	if r.b.More > 0 {
		b.WriteString(" · " + render.MoreStories(r.b.More))
	}
	return truncate(b.String(), MaxFallbackText)
}

func (r *renderer) plainNothingNew() string {
	since := ""
	if !r.b.From.IsZero() {
		since = r.b.From.In(r.opts.Location).Format(render.TimeLayout)
	}
	return render.NothingNew(escapeText(r.b.Topic), "", since)
}

func (r *renderer) message(blocks []slack.Block, text string) Message {
	return Message{Channel: r.opts.Channel, Text: text, Blocks: blocks}
}

// date renders t as a Slack date token (each reader sees their own time zone) with a fallback
// in the rendering's time zone.
func (r *renderer) date(t time.Time) string {
	fallback := t.In(r.opts.Location).Format(render.TimeLayout)
	return "<!date^" + strconv.FormatInt(t.Unix(), 10) + "^{date_short_pretty} {time}|" + escapeText(fallback) + ">"
}

// mrkdwn is a text object for text we formatted ourselves; verbatim keeps Slack from turning
// words of the articles into links or mentions on its own.
func mrkdwn(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, text, false, true)
}

// maxLinkURL is the longest URL linked; a longer one (no real article's) would crowd out text.
const maxLinkURL = 1000

// link formats a link with an escaped label; a missing or unsafe URL gives the label alone.
func link(rawURL, label string) string {
	u := safeURL(rawURL)
	if u == "" || len(u) > maxLinkURL {
		return label
	}
	return "<" + u + "|" + label + ">"
}

// safeURL returns an http(s) URL escaped for a mrkdwn link, or "" for anything else —
// including URLs with a user name before the host (render.WebURL).
func safeURL(raw string) string {
	raw, ok := render.WebURL(raw)
	if !ok {
		return ""
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '&':
			b.WriteString("&amp;")
		case c == '<', c == '>', c == '|', c == ' ', c == '"', c < 0x20, c == 0x7f:
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// escapeText makes article text safe for mrkdwn: whitespace runs become one space (no line can
// start a block quote or a code block), '&', '<' and '>' are escaped so no mention (<!channel>,
// <!here>, <@U…>) or link can be formed, and the formatting characters * _ ~ ` are replaced by
// look-alikes (∗ ˍ ∼ ˋ) because mrkdwn has no escape for them.
func escapeText(s string) string {
	s = render.OneLine(s)
	return formatting.Replace(slackutilsx.EscapeMessage(s))
}

var formatting = strings.NewReplacer("*", "∗", "_", "ˍ", "~", "∼", "`", "ˋ")

// blockText counts the text of blocks the way Slack's size limit does: every text object.
func blockText(blocks []slack.Block) int {
	n := 0
	for _, b := range blocks {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			n += render.TextLen(b.Text.Text)
		case *slack.SectionBlock:
			if b.Text != nil {
				n += render.TextLen(b.Text.Text)
			}
			for _, f := range b.Fields {
				n += render.TextLen(f.Text)
			}
		case *slack.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				if t, ok := e.(*slack.TextBlockObject); ok {
					n += render.TextLen(t.Text)
				}
			}
		}
	}
	return n
}
