package console

import (
	"flag"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rivo/uniseg"

	"github.com/briefbot/briefbot/bot/render/rendertest"
	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/internal/golden"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/")

// terminalAttack is article text that tries to drive the terminal: colours, clearing the
// screen, a carriage return that overwrites the line, a bidirectional override, a bell.
const terminalAttack = "Headline \x1b[31mred\x1b[0m \x1b[2J cleared\rOVERWRITE \u202eesrever\u202c \a\x9b6n end"

func TestRenderGolden(t *testing.T) {
	hostile := rendertest.Briefing(t, "hostile")
	hostile.Stories[0].Headline = terminalAttack
	hostile.Stories[0].Quotes[0].Speaker = terminalAttack
	tests := []struct {
		name string
		b    briefing.Briefing
		opts RenderOptions
	}{
		{"normal", rendertest.Briefing(t, "normal"), RenderOptions{}},
		{"normal-narrow", rendertest.Briefing(t, "normal"), RenderOptions{Width: 40}},
		{"empty", rendertest.Briefing(t, "empty"), RenderOptions{}},
		{"hostile", hostile, RenderOptions{}},
		{"late", rendertest.Briefing(t, "normal"), RenderOptions{Location: seoul(t), Late: true, Scheduled: slot}},
		{"late-empty", rendertest.Briefing(t, "empty"), RenderOptions{Location: seoul(t), Late: true, Scheduled: slot}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Render(tt.b, tt.opts)
			checkWidth(t, got, cmpOr(tt.opts.Width, DefaultWidth))
			golden.Compare(t, filepath.Join("testdata", tt.name+".golden.txt"), []byte(got), *updateGolden)
		})
	}
}

// slot is the time the late test briefings were scheduled for: 08:00 in Seoul.
var slot = time.Date(2024, 6, 4, 23, 0, 0, 0, time.UTC)

func seoul(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	return loc
}

// A late briefing says under its heading when it was scheduled; an on-time one says nothing.
func TestRenderSaysALateBriefingIsLate(t *testing.T) {
	got := Render(rendertest.Briefing(t, "normal"), RenderOptions{Location: seoul(t), Late: true, Scheduled: slot})
	lines := strings.Split(got, "\n")
	if want := "Scheduled for Wed 5 Jun 08:00 KST, delivered late."; len(lines) < 2 || lines[1] != want {
		t.Errorf("second line %q, want %q", lines[min(1, len(lines)-1)], want)
	}
	got = Render(rendertest.Briefing(t, "empty"), RenderOptions{Late: true})
	if want := "Nothing new on korea since Tue 4 Jun 00:00 UTC.\nDelivered late.\n"; got != want {
		t.Errorf("without the slot's time: %q, want %q", got, want)
	}
	if onTime := Render(rendertest.Briefing(t, "normal"), RenderOptions{Scheduled: slot}); onTime != Render(rendertest.Briefing(t, "normal"), RenderOptions{}) {
		t.Errorf("an on-time briefing differs with its slot's time:\n%s", onTime)
	}
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// checkWidth checks that no line is wider than width, unless it is a single word (a URL) after
// its indentation, and that no control character reaches the terminal.
func checkWidth(t *testing.T, text string, width int) {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if uniseg.StringWidth(line) > width && len(strings.Fields(line)) > 1 {
			t.Errorf("line wider than %d: %q", width, line)
		}
		for _, r := range line {
			if r < 0x20 || r >= 0x7f && r < 0xa0 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
				t.Errorf("control character %U in %q", r, line)
			}
		}
	}
}

func TestRenderShowsEveryStoryAndQuote(t *testing.T) {
	b := rendertest.Briefing(t, "normal")
	got := Render(b, RenderOptions{Width: 60})
	for i, s := range b.Stories {
		if !strings.Contains(strings.Join(strings.Fields(got), " "), strconv.Itoa(i+1)+". "+s.Headline) {
			t.Errorf("story %d %q missing", i+1, s.Headline)
		}
		for _, q := range s.Quotes {
			if !strings.Contains(got, q.URL) {
				t.Errorf("quote link %q missing", q.URL)
			}
		}
	}
	if !strings.Contains(got, "2 more stories not shown.") {
		t.Error("the more-stories line is missing")
	}
}

func TestRenderWrapsWideCharactersByTheirWidth(t *testing.T) {
	b := briefing.Briefing{Topic: "아시아", Stories: []briefing.Story{{
		Headline: strings.Repeat("北朝鮮 ミサイル 発射 ", 10), Lede: strings.Repeat("😀 emoji ", 20), Published: time.Unix(0, 0),
	}}}
	checkWidth(t, Render(b, RenderOptions{Width: 40}), 40)
}

func TestRenderEmptySaysNothingNew(t *testing.T) {
	got := Render(rendertest.Briefing(t, "empty"), RenderOptions{})
	if got != "Nothing new on korea since Tue 4 Jun 00:00 UTC.\n" {
		t.Errorf("got %q", got)
	}
}

// BenchmarkRender renders the three-story test briefing.
func BenchmarkRender(b *testing.B) {
	br := rendertest.Briefing(b, "normal")
	b.ReportAllocs()
	for b.Loop() {
		if Render(br, RenderOptions{}) == "" {
			b.Fatal("empty rendering")
		}
	}
}

func TestShorten(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"text that fits is unchanged", "a few words", 11, "a few words"},
		{"text is cut at the last word that fits", "the quick brown fox", 12, "the quick…"},
		{"a single long word is cut inside", "abcdefghij", 5, "abcd…"},
		{"characters are counted, not bytes", "éééé éééé", 6, "éééé…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := shorten(tt.in, tt.max); got != tt.want {
				t.Errorf("shorten(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}
