package daemon_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/internal/daemon"
)

func TestRenderTextShowsStoriesQuotesSpeakersAndSources(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	out := daemon.RenderText(briefing.Briefing{
		Topic: "ports", Query: "port OR harbour", From: at.Add(-24 * time.Hour), To: at,
		Stories: []briefing.Story{{
			Headline: "Valmora dockworkers walk out", Lede: "Dockworkers walked off the job on Thursday.",
			URL: "https://coastalherald.example/strike", Published: at.Add(-time.Hour),
			Sources: []briefing.SourceRef{{Name: "Coastal Herald"}, {Name: "Daily Ledger"}},
			Quotes: []briefing.StoryQuote{
				{Text: "Nobody walks out lightly,", Speaker: "Marta Kowalczyk", SpeakerTitle: "union leader"},
				{Text: "It is compost."},
			},
		}},
		More: 2,
	})
	for _, want := range []string{
		"━━ ports · 25 Nov 09:00 – 26 Nov 09:00 UTC", "query: port OR harbour",
		"1. Valmora dockworkers walk out", "“Nobody walks out lightly”", "— Marta Kowalczyk, union leader",
		"— unattributed", "Coastal Herald, Daily Ledger · 26 Nov 08:00 UTC\n   https://coastalherald.example/strike\n",
		"… and 2 more stories.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("RenderText lacks %q:\n%s", want, out)
		}
	}
}

func TestRenderTextSaysWhenThereIsNothingNew(t *testing.T) {
	out := daemon.RenderText(briefing.Briefing{Topic: "korea", From: time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)})
	if !strings.Contains(out, "Nothing new on korea since 25 Nov 08:00 UTC.") {
		t.Errorf("an empty briefing renders as:\n%s", out)
	}
}

func TestRenderTextDefusesTerminalEscapesAndWrapsLongLines(t *testing.T) {
	hostile := "Headline \x1b]0;pwned\x07 with \x1b[2J escapes\r\nand a break"
	out := daemon.RenderText(briefing.Briefing{Topic: "t\x1b[31m", Stories: []briefing.Story{{
		Headline: hostile, Lede: strings.Repeat("word ", 100) + "\xff",
		Quotes: []briefing.StoryQuote{{Text: "a\x00b", Speaker: "X\x1b[0m"}},
	}}})
	if strings.ContainsAny(out, "\x1b\x07\r\x00") {
		t.Errorf("control characters reach the terminal: %q", out)
	}
	if !utf8.ValidString(out) {
		t.Errorf("invalid UTF-8 reaches the terminal: %q", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(line); n > 92 {
			t.Errorf("a line of %d characters, over the width of 92: %q", n, line)
		}
	}
}

func FuzzRenderText(f *testing.F) {
	f.Add("Headline", "lede", "quote", "Speaker")
	f.Add("\x1b[2J", "\xff\xfe", "\u2028", "")
	f.Fuzz(func(t *testing.T, headline, lede, quote, speaker string) {
		out := daemon.RenderText(briefing.Briefing{Topic: headline, Query: quote, Stories: []briefing.Story{{
			Headline: headline, Lede: lede, URL: lede,
			Sources: []briefing.SourceRef{{Name: speaker, URL: quote}},
			Quotes:  []briefing.StoryQuote{{Text: quote, Speaker: speaker, SpeakerTitle: lede}},
		}}})
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 in %q", out)
		}
		for _, r := range out {
			if r != '\n' && (r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0)) {
				t.Fatalf("control character %U in %q", r, out)
			}
		}
	})
}
