package render_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/briefbot/briefbot/bot/render"
	"github.com/briefbot/briefbot/briefing"
)

func TestCut(t *testing.T) {
	// noBrackets refuses to cut inside [...].
	noBrackets := func() func(int, rune) bool {
		in := false
		return func(_ int, r rune) bool {
			free := !in
			switch r {
			case '[':
				in = true
			case ']':
				in = false
			}
			return free
		}
	}
	tests := []struct {
		name  string
		s     string
		max   int
		brack bool
		want  string
	}{
		{"text that fits is returned unchanged", "port strike ends", 16, false, "port strike ends"},
		{"text is cut at the last space that leaves room for the ellipsis", "port strike ends today", 14, false, "port strike…"},
		{"a line break is a place to cut too", "port\nstrike ends", 8, false, "port…"},
		{"a single word longer than max is cut inside it", "Kowalczykowna", 5, false, "Kowa…"},
		{"nothing is left for a max below one", "port", 0, false, ""},
		{"a max of one leaves the ellipsis alone", "port strike", 1, false, "…"},
		{"characters outside the BMP count as two", "😀😀😀 end", 4, false, "😀…"},
		{"markup is not cut inside: the cut falls before it", "see [the full text] now", 12, true, "see…"},
		{"a word in markup is not cut inside either", "[abcdefgh]", 6, true, "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var free func(int, rune) bool
			if tt.brack {
				free = noBrackets()
			}
			if got := render.Cut(tt.s, tt.max, free); got != tt.want {
				t.Errorf("Cut(%q, %d) = %q, want %q", tt.s, tt.max, got, tt.want)
			}
		})
	}
}

func FuzzCut(f *testing.F) {
	f.Add("North Korea fired a short-range ballistic missile", 20)
	f.Add("😀 \xff\xfe long-word-without-spaces", 3)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		limit %= 5000
		got := render.Cut(s, limit, nil)
		if n := render.TextLen(got); n > max(limit, 0) {
			t.Fatalf("Cut(%q, %d) = %q is %d long", s, limit, got, n)
		}
		if got == s {
			return
		}
		kept, ok := strings.CutSuffix(got, render.Ellipsis)
		if limit >= 1 && (!ok || !strings.HasPrefix(s, kept)) {
			t.Fatalf("Cut(%q, %d) = %q is not a prefix of it and an ellipsis", s, limit, got)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Cut(%q, %d) = %q cuts inside a character", s, limit, got)
		}
	})
}

func TestPrecutShortensOnlyTextFarLongerThanItShows(t *testing.T) {
	short := strings.Repeat("word ", 20)
	if got := render.Precut(short, 50); got != short {
		t.Errorf("Precut of %d bytes to 50 characters changed it to %q", len(short), got)
	}
	long := strings.Repeat("word ", 1000)
	got := render.Precut(long, 50)
	if len(got) > 4*50+64+len(" …") || !strings.HasSuffix(got, "word …") {
		t.Errorf("Precut of %d bytes to 50 characters = %q (%d bytes), want a cut at a space ending in …", len(long), got, len(got))
	}
	if got := render.Precut(strings.Repeat("é", 1000), 10); !utf8.ValidString(got) {
		t.Errorf("Precut cut inside a character: %q", got)
	}
}

func TestWebURL(t *testing.T) {
	tests := []struct {
		raw  string
		want string
		ok   bool
	}{
		{" https://news.example/a?b=c ", "https://news.example/a?b=c", true},
		{"HTTP://news.example", "HTTP://news.example", true},
		{"javascript:alert(1)", "", false},
		{"ftp://news.example/a", "", false},
		{"https://bbc.co.uk@evil.example/", "", false},
		{"https:///path", "", false},
		{"https://news.example/\xff", "", false},
		{"https://news.example/a@b", "https://news.example/a@b", true},
	}
	for _, tt := range tests {
		if got, ok := render.WebURL(tt.raw); got != tt.want || ok != tt.ok {
			t.Errorf("WebURL(%q) = %q, %v; want %q, %v", tt.raw, got, ok, tt.want, tt.ok)
		}
	}
}

func TestWording(t *testing.T) {
	stories := func(n int) []briefing.Story { return make([]briefing.Story, n) }
	tests := []struct {
		name, got, want string
	}{
		{"one story is counted in the singular", render.StoryCount(briefing.Briefing{Stories: stories(1)}), "1 story"},
		{"all stories shown are counted alone", render.StoryCount(briefing.Briefing{Stories: stories(5)}), "5 stories"},
		{"stories left out make a top N", render.StoryCount(briefing.Briefing{Stories: stories(3), More: 2}), "top 3 of 5 stories"},
		{"more stories are counted", render.MoreStories(1), "1 more story"},
		{"a title names its topic in one line", render.Title(" north \n korea "), "Briefing: north korea"},
		{"a title without a topic is the word alone", render.Title(" \t"), "Briefing"},
		{"nothing new names the topic between its marks and the time", render.NothingNew("korea", "*", "Tue 4 Jun"), "Nothing new on *korea* since Tue 4 Jun."},
		{"nothing new leaves out what is empty", render.NothingNew("", "*", ""), "Nothing new."},
		{"a late briefing says when it was scheduled", render.Late("Wed 5 Jun 08:00 KST"), "Scheduled for Wed 5 Jun 08:00 KST, delivered late"},
		{"a late briefing without its time says it is late", render.Late(""), "Delivered late"},
		{"a speaker is credited with a title", render.Speaker(briefing.StoryQuote{Speaker: "Ann Lee", SpeakerTitle: "Mayor"}, strings.ToUpper), "ANN LEE, MAYOR"},
		{"a speaker not known is credited as unnamed", render.Speaker(briefing.StoryQuote{SpeakerTitle: "a spokesperson"}, strings.TrimSpace), "unnamed speaker, a spokesperson"},
		{"a quote of one outlet says nothing of outlets", render.CarriedBy(1), ""},
		{"a quote of several outlets counts them", render.CarriedBy(3), " · carried by 3 outlets"},
		{"article text is made one line of valid UTF-8", render.OneLine(" a\n\tb  \xff "), "a b \uFFFD"},
		{"no sources need no lead", render.SourcesLead(0), ""},
		{"one source is a source", render.SourcesLead(1), "Source: "},
		{"several sources are counted", render.SourcesLead(4), "Carried by 4 outlets: "},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}
