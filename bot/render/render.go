// Package render holds what the renderings of a briefing for chat and the terminal (bot/slack,
// bot/discord, bot/console) have in common: the wording of its parts, how much of a lede or a
// quote one story shows, and cutting text at a word within a length. Each platform's package
// escapes text for its markup and keeps its own limits.
package render

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefing"
)

// What one story shows before any platform limit bites: its lede and each quote are cut at a
// word to these many characters, and a line of its sources links at most MaxSourceLinks outlets.
const (
	MaxLede        = 700
	MaxQuote       = 600
	MaxSourceLinks = 8
)

// TimeLayout writes a time out in text ("Tue 4 Jun 09:00 UTC"), in the reader's time zone.
const TimeLayout = "Mon 2 Jan 15:04 MST"

// Untitled stands for a story's missing headline.
const Untitled = "(untitled)"

// Plural counts n things: "1 story", "3 stories".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// Title is the briefing's name: "Briefing: korea", or "Briefing" without a topic. The topic's
// runs of white space become one space; it is not escaped.
func Title(topic string) string {
	if strings.TrimSpace(topic) == "" {
		return "Briefing"
	}
	return "Briefing: " + strings.Join(strings.Fields(topic), " ")
}

// StoryCount counts a briefing's stories: "5 stories", or "top 3 of 5 stories" when some are
// left out.
func StoryCount(b briefing.Briefing) string {
	count := Plural(len(b.Stories)+b.More, "story", "stories")
	if b.More > 0 {
		count = "top " + strconv.Itoa(len(b.Stories)) + " of " + count
	}
	return count
}

// MoreStories counts the stories left out: "2 more stories".
func MoreStories(n int) string { return Plural(n, "more story", "more stories") }

// NothingNew says that a briefing found nothing: "Nothing new on korea since Tue 4 Jun 00:00
// UTC." topic and since are written as given (escaped and formatted for the platform), the topic
// between two marks (such as "*" for bold); an empty topic or since is left out.
func NothingNew(topic, mark, since string) string {
	text := "Nothing new"
	if topic != "" {
		text += " on " + mark + topic + mark
	}
	if since != "" {
		text += " since " + since
	}
	return text + "."
}

// Late says that a scheduled briefing is delivered after its time: "Scheduled for Tue 4 Jun
// 08:00 KST, delivered late", with due written as given (formatted for the platform), or
// "Delivered late" when due is empty.
func Late(due string) string {
	if due == "" {
		return "Delivered late"
	}
	return "Scheduled for " + due + ", delivered late"
}

// LateNote is Late for a briefing scheduled at scheduled, written by format; a zero scheduled
// leaves the time out.
func LateNote(scheduled time.Time, format func(time.Time) string) string {
	if scheduled.IsZero() {
		return Late("")
	}
	return Late(format(scheduled))
}

// Speaker credits a quote: "Shin Won-sik, South Korean Defence Minister", or "unnamed
// speaker" for a speaker not known. esc escapes the name and the title for the platform.
func Speaker(q briefing.StoryQuote, esc func(string) string) string {
	who := esc(q.Speaker)
	if who == "" {
		who = "unnamed speaker"
	}
	if title := esc(q.SpeakerTitle); title != "" {
		who += ", " + title
	}
	return who
}

// CarriedBy is written after a quote's credit when several outlets carried the quote
// (" · carried by 3 outlets"); it is empty for one outlet.
func CarriedBy(outlets int) string {
	if outlets > 1 {
		return " · carried by " + strconv.Itoa(outlets) + " outlets"
	}
	return ""
}

// SourcesLead opens the line that names the sources of a story: "Source: " for one, "Carried
// by 3 outlets: " for several, nothing for none.
func SourcesLead(sources int) string {
	switch sources {
	case 0:
		return ""
	case 1:
		return "Source: "
	}
	return "Carried by " + strconv.Itoa(sources) + " outlets: "
}

// WebURL returns raw without its surrounding white space when it is an http(s) URL of valid
// UTF-8 with a host and no user name before the host (https://bbc.co.uk@evil.example only ever
// deceives); ok is false for anything else. Each platform escapes what it links.
func WebURL(raw string) (u string, ok bool) {
	raw = strings.TrimSpace(raw)
	lower := strings.ToLower(raw)
	if !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "http://") || !utf8.ValidString(raw) {
		return "", false
	}
	hostStart := strings.Index(raw, "://") + 3
	hostEnd := len(raw)
	if i := strings.IndexAny(raw[hostStart:], "/?#"); i >= 0 {
		hostEnd = hostStart + i
	}
	if hostEnd == hostStart || strings.Contains(raw[hostStart:hostEnd], "@") {
		return "", false
	}
	return raw, true
}

// OneLine is article text made one line of valid UTF-8: invalid bytes become U+FFFD, runs of
// white space (line breaks too) one space. Each platform escapes it next.
func OneLine(s string) string {
	return strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " ")
}

// Precut shortens raw text far longer than the max characters it may show to a few times that
// many bytes, at a space, ending it with "…" so the cut shows: escaping a 20 MB lede to show 700
// characters of it would be waste. Escaping never shortens text by more than its runs of spaces,
// so the final cut (Cut) still happens after escaping.
func Precut(s string, max int) string {
	limit := 4*max + 64
	if len(s) <= limit {
		return s
	}
	if i := strings.LastIndexAny(s[:limit], " \n\t"); i > 0 {
		return s[:i] + " …"
	}
	return strings.ToValidUTF8(s[:limit], "") + "…"
}

// TextLen counts s in UTF-16 code units, which is never less than the characters Slack and
// Discord count.
func TextLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
