package briefing_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/briefing"
)

// sharedDir returns ../shared beside the repository root, or skips the test when it is absent.
func sharedDir(tb testing.TB, parts ...string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("repository root not found")
		}
		dir = parent
	}
	p := filepath.Join(append([]string{dir, "..", "shared"}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("%s is absent: the shared evaluation material is not beside the repository", p)
	}
	return p
}

func analyzeFile(t *testing.T, path string) *briefing.Article {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := briefing.ReadArticle(path, data, briefing.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	briefing.Analyze(a, briefing.AnalyzeOptions{})
	checkInvariants(t, a)
	return a
}

// checkInvariants checks what must hold for every analysed article: offsets inside the text,
// Text == Text[Start:End], document order, no overlap, scores in [0, 1], at most MaxKey keys.
func checkInvariants(t testing.TB, a *briefing.Article) {
	t.Helper()
	prevEnd := -1
	keys := 0
	for i, q := range a.Quotes {
		if q.Start < 0 || q.End > len(a.Text) || q.Start > q.End {
			t.Fatalf("quote %d: offsets [%d,%d) outside the text (%d bytes)", i, q.Start, q.End, len(a.Text))
		}
		if q.Text != a.Text[q.Start:q.End] {
			t.Fatalf("quote %d: Text %q is not Text[%d:%d]", i, q.Text, q.Start, q.End)
		}
		if q.Start < prevEnd {
			t.Fatalf("quote %d starts at %d, before the previous one ends (%d)", i, q.Start, prevEnd)
		}
		prevEnd = q.End
		if q.Score < 0 || q.Score > 1 {
			t.Fatalf("quote %d: score %v outside [0,1]", i, q.Score)
		}
		if q.Key {
			keys++
		}
	}
	if keys > 3 {
		t.Fatalf("%d key quotes, want at most 3", keys)
	}
}

// TestOwnArticle checks every quote of testdata/harbour-minister.txt against
// testdata/harbour-minister.md: speakers through pronouns, descriptions and surnames, titles,
// partial quotes, a scare quote and apostrophes that are no marks.
func TestOwnArticle(t *testing.T) {
	a := analyzeFile(t, filepath.Join("testdata", "harbour-minister.txt"))
	const haldane, minister, vell = "Ingrid Haldane", "Transport Minister", "Tomas Vell"
	want := []struct {
		prefix, speaker, title, cue string
		partial                     bool
	}{
		{"The breakwater is already rebuilt", haldane, minister, "stressed", false},
		{"We will not let one storm", haldane, minister, "stressed", false},
		{"Every ship that uses these docks", haldane, minister, "said", false},
		{"Nobody gets a free berth.", haldane, minister, "said", false},
		{"the worst in forty years", haldane, minister, "called", true},
		{"I have spoken to the dockers", haldane, minister, "said", false},
		{"This is the news the whole town", vell, "mayor", "said", false},
		{"two full years", vell, "mayor", "said", true},
		{"We learned then what waiting costs us", vell, "mayor", "said", false},
		{"This time the rebuilding started", vell, "mayor", "said", false},
		{"the heart of the region’s economy,", haldane, minister, "In her words", true},
	}
	if got := a.Headline; got != "Port of Valmora will reopen within a month, says transport minister Ingrid Haldane" {
		t.Errorf("headline = %q", got)
	}
	if !strings.HasPrefix(a.Lede, "The storm-damaged Port of Valmora will reopen") || !strings.HasSuffix(a.Lede, "eastern docks.") {
		t.Errorf("lede = %q, want the first sentence after the dateline", a.Lede)
	}
	if len(a.Quotes) != len(want) {
		for _, q := range a.Quotes {
			t.Logf("got %q (%s)", q.Text, q.Speaker)
		}
		t.Fatalf("%d quotes, want %d", len(a.Quotes), len(want))
	}
	for i, w := range want {
		q := a.Quotes[i]
		if !strings.HasPrefix(q.Text, w.prefix) {
			t.Errorf("quote %d = %q, want it to begin %q", i+1, q.Text, w.prefix)
			continue
		}
		if q.Speaker != w.speaker || q.SpeakerTitle != w.title {
			t.Errorf("quote %d %q: speaker %q (%q), want %q (%q)", i+1, w.prefix, q.Speaker, q.SpeakerTitle, w.speaker, w.title)
		}
		if q.Cue != w.cue {
			t.Errorf("quote %d %q: cue %q, want %q", i+1, w.prefix, q.Cue, w.cue)
		}
		if q.Partial != w.partial {
			t.Errorf("quote %d %q: partial %v, want %v", i+1, w.prefix, q.Partial, w.partial)
		}
		if q.Partial && q.Key {
			t.Errorf("quote %d %q: a partial quote is marked key", i+1, w.prefix)
		}
		if strings.Contains(q.Text, "harbour tax") {
			t.Errorf("the scare quote %q was taken for a quote", q.Text)
		}
	}
	if len(a.Speakers) != 2 || a.Speakers[0].Name != haldane || a.Speakers[0].Quotes != 7 {
		t.Errorf("speakers = %+v, want Haldane (7 quotes) then Vell", a.Speakers)
	}
}

// goldQuote is a labelled quote of ../shared/examples.
type goldQuote struct {
	Text    string `json:"text"`
	Speaker string `json:"speaker"`
	Key     bool   `json:"key"`
	Partial bool   `json:"partial"`
	Start   int    `json:"start"`
	End     int    `json:"end"`
}

// TestSeedArticle checks the article the project started from against its hand labels: all 14
// full quotes, each Sergey Lavrov's with his title, "double freeze" no quote, and every key quote
// among the labelled key ones.
func TestSeedArticle(t *testing.T) {
	dir := sharedDir(t, "examples")
	a := analyzeFile(t, filepath.Join(dir, "tass-lavrov-korea.txt"))
	raw, err := os.ReadFile(filepath.Join(dir, "tass-lavrov-korea.gold.json"))
	if err != nil {
		t.Fatal(err)
	}
	var gold struct {
		Quotes []goldQuote `json:"quotes"`
	}
	if err := json.Unmarshal(raw, &gold); err != nil {
		t.Fatal(err)
	}
	byStart := map[int]briefing.Quote{}
	for _, q := range a.Quotes {
		byStart[q.Start] = q
		if strings.Contains(q.Text, "double freeze") {
			t.Errorf("%q taken for a quote", q.Text)
		}
	}
	keys := map[int]bool{}
	for _, g := range gold.Quotes {
		if g.Key {
			keys[g.Start] = true
		}
		q, ok := byStart[g.Start]
		if !ok || q.End != g.End {
			if !g.Partial {
				t.Errorf("missed %q", g.Text)
			}
			continue
		}
		if q.Speaker != "Sergey Lavrov" || q.SpeakerTitle != "Russian Foreign Minister" {
			t.Errorf("%q: speaker %q (%q)", g.Text, q.Speaker, q.SpeakerTitle)
		}
	}
	nkeys := 0
	for _, q := range a.Quotes {
		if q.Key {
			nkeys++
			if !keys[q.Start] {
				t.Errorf("key quote %q is not among the labelled key quotes", q.Text)
			}
		}
	}
	if nkeys == 0 {
		t.Error("no key quotes")
	}
	if strings.Contains(a.Lede, "TASS") || !strings.HasPrefix(a.Lede, "Russia still hopes") {
		t.Errorf("lede = %q", a.Lede)
	}
}
