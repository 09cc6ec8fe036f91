package discord

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot/render"
	"github.com/briefbot/briefbot/briefing"
)

// Discord's limits, enforced by Render. Lengths are counted in UTF-16 code units, which is never
// less than the characters Discord counts.
const (
	MaxContent     = 2000
	MaxEmbeds      = 10
	MaxTitle       = 256
	MaxDescription = 4096
	MaxFields      = 25
	MaxFieldName   = 256
	MaxFieldValue  = 1024
	MaxFooter      = 2048
	MaxAuthor      = 256
	// MaxEmbedsText is the most characters all embeds of one message hold together: titles,
	// descriptions, field names and values, footers and author names.
	MaxEmbedsText = 6000
	// maxURL is the longest URL an embed field takes.
	maxURL = 2048
)

// What one story's embed may show before any limit bites, besides the lede, quotes and sources
// every platform bounds alike (render.MaxLede, render.MaxQuote, render.MaxSourceLinks).
const (
	maxFooterText  = 300
	maxSourcesText = 1000
	embedColor     = 0x2B6CB0
)

// Message is the body of one create-message request (POST /channels/{id}/messages), as the poster
// sends it and as `briefbot brief --format discord` prints it.
type Message struct {
	Content string                    `json:"content,omitempty"`
	Embeds  []*discordgo.MessageEmbed `json:"embeds,omitempty"`
	// AllowedMentions is always non-nil with an empty Parse list: nothing in a briefing pings.
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	// Nonce and EnforceNonce are Discord's duplicate guard; the poster fills them.
	Nonce        string `json:"nonce,omitempty"`
	EnforceNonce bool   `json:"enforce_nonce,omitempty"`
}

// InteractionResponse returns the message as the answer to a slash command (type 4, "channel
// message with source"), visible only to the caller when ephemeral.
func (m Message) InteractionResponse(ephemeral bool) *discordgo.InteractionResponse {
	data := &discordgo.InteractionResponseData{
		Content:         m.Content,
		Embeds:          m.Embeds,
		AllowedMentions: noMentions(),
	}
	if ephemeral {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: data}
}

// WebhookParams returns the message as a follow-up to a (deferred) slash command, for
// FollowupMessageCreate.
func (m Message) WebhookParams(ephemeral bool) *discordgo.WebhookParams {
	p := &discordgo.WebhookParams{Content: m.Content, Embeds: m.Embeds, AllowedMentions: noMentions()}
	if ephemeral {
		p.Flags = discordgo.MessageFlagsEphemeral
	}
	return p
}

// RenderOptions shape a rendering.
type RenderOptions struct {
	// Location is the time zone of times written out as text (embeds and <t:…> tokens show
	// each reader's own time); nil means UTC.
	Location *time.Location
	// Late marks a scheduled briefing delivered after its time (catch-up after downtime): the
	// first message's content says so on a small line of its own, "Scheduled for <Scheduled>,
	// delivered late". A zero Scheduled leaves the time out.
	Late      bool
	Scheduled time.Time
}

// Render turns a briefing into the messages that carry it, within every Discord limit: a short
// heading as content, and one embed per story — its headline linked to the article, its lede and
// its quotes (credited, each linked to the passage in its article) in the description, its
// outlets in the footer, its time as the timestamp. A briefing too big for one message is split
// at story boundaries; a story too big for one embed loses its lowest-ranked quotes, then has its
// text cut at a word. An empty briefing renders as one "nothing new" message.
func Render(b briefing.Briefing, opts RenderOptions) []Message {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	r := renderer{b: b, opts: opts}
	if b.Empty() {
		return []Message{{Content: r.withLateNote(r.nothingNew()), AllowedMentions: noMentions()}}
	}

	var groups [][]*discordgo.MessageEmbed
	var cur []*discordgo.MessageEmbed
	curText := 0
	for i := range b.Stories {
		e := r.fitStory(i)
		n := embedText(e)
		if len(cur) > 0 && (len(cur) == MaxEmbeds || curText+n > MaxEmbedsText) {
			groups = append(groups, cur)
			cur, curText = nil, 0
		}
		cur = append(cur, e)
		curText += n
	}
	groups = append(groups, cur)

	msgs := make([]Message, len(groups))
	for i, embeds := range groups {
		content := r.heading(i, len(groups))
		if i == len(groups)-1 && b.More > 0 {
			content += "\n-# " + render.MoreStories(b.More) + " not shown"
		}
		if i == 0 {
			content = r.withLateNote(content)
		}
		msgs[i] = Message{Content: truncate(content, MaxContent), Embeds: embeds, AllowedMentions: noMentions()}
	}
	return msgs
}

// noMentions allows no mention at all; it serialises as {"parse":[]}.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

type renderer struct {
	b    briefing.Briefing
	opts RenderOptions
}

// heading is the content of message i of n: the briefing's title, and on the first the count of
// stories and the window.
func (r *renderer) heading(i, n int) string {
	title := "**" + escapeMarkdown(r.title()) + "**"
	if i > 0 {
		return title + " (" + strconv.Itoa(i+1) + "/" + strconv.Itoa(n) + ")"
	}
	text := title + " · " + render.StoryCount(r.b)
	if !r.b.From.IsZero() {
		text += " since " + timestamp(r.b.From)
	}
	return text
}

func (r *renderer) title() string { return render.Title(r.b.Topic) }

// withLateNote is content cut to fit a message, followed for a late briefing by the subtext line
// "-# Scheduled for <t:…:f>, delivered late", which no cut removes.
func (r *renderer) withLateNote(content string) string {
	if !r.opts.Late {
		return truncate(content, MaxContent)
	}
	note := "\n-# " + render.LateNote(r.opts.Scheduled, timestamp)
	return truncate(content, MaxContent-render.TextLen(note)) + note
}

func (r *renderer) nothingNew() string {
	since := ""
	if !r.b.From.IsZero() {
		since = timestamp(r.b.From)
	}
	return render.NothingNew(escapeMarkdown(r.b.Topic), "**", since)
}

// fitStory renders story i as an embed within the embed limits: with all its quotes if they fit,
// else without its lowest-ranked ones, then with a shorter lede.
func (r *renderer) fitStory(i int) *discordgo.MessageEmbed {
	s := &r.b.Stories[i]
	p := storyParts{
		title:   truncate(escapeMarkdown(s.Headline), MaxTitle),
		lede:    escapeMarkdown(render.Precut(s.Lede, render.MaxLede)),
		sources: sourcesLine(s),
		footer:  footer(s),
	}
	if p.title == "" {
		p.title = render.Untitled
	}
	for _, q := range s.Quotes {
		text := quoteText(q)
		p.quotes = append(p.quotes, text)
		p.quoteLens = append(p.quoteLens, render.TextLen(text))
	}
	// Everything but the description counts towards the embed's total.
	fixed := render.TextLen(p.title) + render.TextLen(p.footer)
	for lede := render.MaxLede; ; lede /= 2 {
		// The description without quotes, then as many of the best quotes as fit; each part
		// of the description is joined to the next by a blank line (2 characters).
		e := r.embed(s, &p, 0, lede)
		n := render.TextLen(e.Description)
		q := 0
		for q < len(p.quotes) {
			add := p.quoteLens[q]
			if n > 0 {
				add += 2
			}
			if n+add > MaxDescription || fixed+n+add > MaxEmbedsText {
				break
			}
			n += add
			q++
		}
		if n <= MaxDescription && fixed+n <= MaxEmbedsText {
			return r.embed(s, &p, q, lede)
		}
		if lede == 0 {
			// Unreachable with the limits above; keep the limits whatever happens.
			e.Description = truncate(e.Description, MaxDescription)
			return e
		}
	}
}

// storyParts are the pieces of a story's embed, escaped once however often it is re-rendered.
type storyParts struct {
	title, lede, sources, footer string
	quotes                       []string
	quoteLens                    []int // the length of each quote's text
}

// embed assembles a story's embed with its first nquotes quotes and its lede cut to ledeMax.
func (r *renderer) embed(s *briefing.Story, p *storyParts, nquotes, ledeMax int) *discordgo.MessageEmbed {
	var parts []string
	if p.lede != "" && ledeMax > 0 {
		parts = append(parts, truncate(p.lede, ledeMax))
	}
	parts = append(parts, p.quotes[:nquotes]...)
	if p.sources != "" {
		parts = append(parts, p.sources)
	}
	e := &discordgo.MessageEmbed{
		Type:        discordgo.EmbedTypeRich,
		Title:       p.title,
		URL:         embedURL(s.URL),
		Description: strings.Join(parts, "\n\n"),
		Color:       embedColor,
	}
	if p.footer != "" {
		e.Footer = &discordgo.MessageEmbedFooter{Text: p.footer}
	}
	if !s.Published.IsZero() {
		e.Timestamp = s.Published.UTC().Format(time.RFC3339)
	}
	return e
}

// quoteText renders a quote as a block quote: the words, then who said them, linked to the
// passage in the article.
func quoteText(q briefing.StoryQuote) string {
	credit := "> — " + link(q.URL, truncate(render.Speaker(q, escapeMarkdown), 300)) + render.CarriedBy(q.Outlets)
	return "> “" + truncate(escapeMarkdown(render.Precut(q.Text, render.MaxQuote)), render.MaxQuote) + "”\n" + credit
}

// sourcesLine links the outlets of a story carried by more than one (the title links the first).
func sourcesLine(s *briefing.Story) string {
	if len(s.Sources) < 2 {
		return ""
	}
	var links []string
	for i, src := range s.Sources {
		if i == render.MaxSourceLinks {
			links = append(links, "and "+strconv.Itoa(len(s.Sources)-render.MaxSourceLinks)+" more")
			break
		}
		links = append(links, link(src.URL, truncate(escapeMarkdown(src.Name), 80)))
	}
	return truncate("**Sources:** "+strings.Join(links, " · "), maxSourcesText)
}

// footer names the outlets in plain text (footers show no markdown and ping nobody).
func footer(s *briefing.Story) string {
	var names []string
	for _, src := range s.Sources {
		if n := plainText(src.Name); n != "" {
			names = append(names, n)
		}
	}
	if len(s.Sources) == 0 {
		return ""
	}
	return truncatePlain(render.SourcesLead(len(s.Sources))+strings.Join(names, ", "), maxFooterText)
}

// timestamp renders t as a Discord timestamp token: each reader sees it in their own time zone.
func timestamp(t time.Time) string {
	return "<t:" + strconv.FormatInt(t.Unix(), 10) + ":f>"
}

// maxLinkURL is the longest URL linked; a longer one (no real article's) would crowd out text.
const maxLinkURL = 1000

// link formats a masked link with an escaped label; a missing or unsafe URL gives the label alone.
func link(rawURL, label string) string {
	u := safeURL(rawURL)
	if u == "" || len(u) > maxLinkURL {
		return label
	}
	return "[" + label + "](" + u + ")"
}

// embedURL is a URL for an embed's url field, "" when unsafe or too long.
func embedURL(raw string) string {
	u := safeURL(raw)
	if len(u) > maxURL {
		return ""
	}
	return u
}

// safeURL returns an http(s) URL with the characters that could end a markdown link, break a
// URI or read as a mention percent-encoded, or "" for anything else — including URLs with a user
// name before the host (render.WebURL).
func safeURL(raw string) string {
	raw, ok := render.WebURL(raw)
	if !ok {
		return ""
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c <= ' ', c == 0x7f, c >= 0x80, strings.IndexByte(`()<>"\[]{}|^@`+"`", c) >= 0:
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// escapeMarkdown makes article text inert in Discord markdown: whitespace runs become one space
// (no line of it can start a heading, list or block quote), markdown characters are
// backslash-escaped (\* \_ \~ \` \| \> \# \[ \] \\, and a leading - + or "1." list marker), and
// a zero-width space after every '<' and '@' defuses mentions (<@…>, <@&…>, <#…>, @everyone,
// @here), timestamps and custom emoji.
func escapeMarkdown(s string) string {
	s = render.OneLine(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i, r := range s {
		switch r {
		case '\\', '*', '_', '~', '`', '|', '>', '#', '[', ']':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '-', '+':
			if i == 0 {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		case '.':
			if isDigits(s[:i]) && i > 0 {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		case '<', '@':
			b.WriteRune(r)
			b.WriteRune(zeroWidthSpace)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

const zeroWidthSpace = '\u200b'

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// plainText is article text for fields that show no markdown (footer, author): one line, with
// '<' and '@' defused as in escapeMarkdown for good measure.
func plainText(s string) string {
	return defuse.Replace(render.OneLine(s))
}

var defuse = strings.NewReplacer("<", "<\u200b", "@", "@\u200b")

// embedText counts the characters of an embed that Discord's 6,000 total counts.
func embedText(e *discordgo.MessageEmbed) int {
	n := render.TextLen(e.Title) + render.TextLen(e.Description)
	if e.Footer != nil {
		n += render.TextLen(e.Footer.Text)
	}
	if e.Author != nil {
		n += render.TextLen(e.Author.Name)
	}
	for _, f := range e.Fields {
		n += render.TextLen(f.Name) + render.TextLen(f.Value)
	}
	return n
}
