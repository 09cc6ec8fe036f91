package briefing_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/briefing"
)

// analyzeText analyses a small article: a headline line, then the body.
func analyzeText(t testing.TB, body string) *briefing.Article {
	t.Helper()
	a, err := briefing.ReadArticle("t.txt", []byte("Test headline for the story\n\n"+body), briefing.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	briefing.Analyze(a, briefing.AnalyzeOptions{})
	checkInvariants(t, a)
	return a
}

type wantQuote struct {
	text, speaker string
	partial       bool
}

func TestQuotePhenomena(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []wantQuote
	}{
		{"straight quotes with the cue after them",
			`"We will rebuild the bridge this year," Anna Berg said.`,
			[]wantQuote{{"We will rebuild the bridge this year,", "Anna Berg", false}}},
		{"curly quotes with an inverted cue",
			"“The budget is balanced at last,” said Paul Okafor, the finance minister.",
			[]wantQuote{{"The budget is balanced at last,", "Paul Okafor", false}}},
		{"guillemets",
			"«Nous allons gagner cette bataille», said Claire Dubois.",
			[]wantQuote{{"Nous allons gagner cette bataille", "Claire Dubois", false}}},
		{"single marks used as quotation marks",
			"‘The players’ fault is not the whole story,’ said coach Dan Miller.",
			[]wantQuote{{"The players’ fault is not the whole story,", "Dan Miller", false}}},
		{"a cue with a colon before the quote",
			`Mayor Lena Vos told reporters: "The water is safe to drink again."`,
			[]wantQuote{{"The water is safe to drink again.", "Lena Vos", false}}},
		{"a quote interrupted by its cue belongs to one speaker",
			`"The first half was poor," Omar Haddad said, "but the second half was our best of the season."`,
			[]wantQuote{{"The first half was poor,", "Omar Haddad", false}, {"but the second half was our best of the season.", "Omar Haddad", false}}},
		{"a pronoun resolves to the most recent named person of its gender",
			"Judge Maria Santos opened the hearing on Monday.\n\n\"This court will not be rushed,\" she said.",
			[]wantQuote{{"This court will not be rushed,", "Maria Santos", false}}},
		{"a description resolves to the person whose title it shares",
			"Health Minister Peter Lund visited the clinic on Friday.\n\n\"Waiting times are falling every month,\" the minister said.",
			[]wantQuote{{"Waiting times are falling every month,", "Peter Lund", false}}},
		{"according to",
			`According to Sara Kim, "the results exceeded every forecast we made."`,
			[]wantQuote{{"the results exceeded every forecast we made.", "Sara Kim", false}}},
		{"a surname alone maps to the full name",
			"Economist Rita Gomez studies housing prices.\n\n\"Rents will keep rising until more homes are built,\" Gomez said.",
			[]wantQuote{{"Rents will keep rising until more homes are built,", "Rita Gomez", false}}},
		{"an organisation can speak",
			"The Ministry of Health published new figures on Monday.\n\n\"Vaccination rates have never been higher,\" the ministry said.",
			[]wantQuote{{"Vaccination rates have never been higher,", "Ministry of Health", false}}},
		{"a quote over two paragraphs",
			"\"The first thing we did was call the neighbours,\" said Jon Reyes. \"Then we went back for the dog.\n\n\"By then the water was up to the windows.\"",
			[]wantQuote{{"The first thing we did was call the neighbours,", "Jon Reyes", false}, {"Then we went back for the dog.", "Jon Reyes", false}, {"By then the water was up to the windows.", "Jon Reyes", false}}},
		{"a nested quote stays inside its quote",
			`"He told me 'never again' and left," said Ella Stone.`,
			[]wantQuote{{"He told me 'never again' and left,", "Ella Stone", false}}},
		{"a fragment inside reported speech is partial",
			`Tom Price said the plan was "a complete disaster" for the town.`,
			[]wantQuote{{"a complete disaster", "Tom Price", true}}},
		{"a scare quote is no quote",
			`The so-called "green deal" was signed on Monday by the two parties.`,
			nil},
		{"a title in quotes is no quote",
			`Her new show "Cooking With Friends" starts on Sunday evening.`,
			nil},
		{"apostrophes are never quotation marks",
			"The ’90s were Washington’s best years, and the US’ allies knew it; the players' union said so.",
			nil},
		{"an unknown speaker stays empty",
			`"Nobody told us anything," a resident said.`,
			[]wantQuote{{"Nobody told us anything,", "", false}}},
		{"an unclosed mark does not swallow the article",
			"He said \"the vote is next week and then left.\n\nThe next paragraph has no marks at all.\n\n\"A later quote,\" said Ana Lima.",
			[]wantQuote{{"A later quote,", "Ana Lima", false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := analyzeText(t, tt.body)
			if len(a.Quotes) != len(tt.want) {
				for _, q := range a.Quotes {
					t.Logf("got %q by %q", q.Text, q.Speaker)
				}
				t.Fatalf("%d quotes, want %d", len(a.Quotes), len(tt.want))
			}
			for i, w := range tt.want {
				q := a.Quotes[i]
				if q.Text != w.text {
					t.Errorf("quote %d = %q, want %q", i, q.Text, w.text)
				}
				if q.Speaker != w.speaker {
					t.Errorf("quote %d %q: speaker %q, want %q", i, w.text, q.Speaker, w.speaker)
				}
				if q.Partial != w.partial {
					t.Errorf("quote %d %q: partial %v, want %v", i, w.text, q.Partial, w.partial)
				}
			}
		})
	}
}

func TestReadArticle(t *testing.T) {
	tests := []struct {
		name, file, data     string
		headline, bodyPrefix string
	}{
		{"text skips site chrome above the headline", "a.txt",
			"All news\n\nMinister opens the new bridge over the river\n\nThe bridge opened on Monday.",
			"Minister opens the new bridge over the river", "The bridge opened"},
		{"markdown takes the heading", "a.md",
			"# Council approves the budget\n\nThe council voted on Monday.",
			"Council approves the budget", "The council voted"},
		{"json takes title and body", "a.json",
			`{"title":"Strike ends after ten days","body":"Workers returned on Monday.","url":"https://example.org/a","source":"wire","published":"2024-05-01T10:00:00Z"}`,
			"Strike ends after ten days", "Workers returned"},
		{"html goes through the readability parser", "a.html",
			`<html><head><title>Floods close the main road</title></head><body><nav>Home | News</nav><article><h1>Floods close the main road</h1><p>The main road into town was closed on Sunday after heavy rain flooded the valley, police said.</p><p>"We expect it to reopen by Wednesday," said Inspector Mark Hale of the county police, who is leading the response to the floods.</p></article></body></html>`,
			"Floods close the main road", "The main road into town"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := briefing.ReadArticle(tt.file, []byte(tt.data), briefing.ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if a.Headline != tt.headline {
				t.Errorf("headline = %q, want %q", a.Headline, tt.headline)
			}
			if !strings.HasPrefix(a.Body(), tt.bodyPrefix) {
				t.Errorf("body = %q, want it to begin %q", a.Body(), tt.bodyPrefix)
			}
			briefing.Analyze(a, briefing.AnalyzeOptions{})
			checkInvariants(t, a)
		})
	}
}

func TestReadArticleRefusesWhatItCannotRead(t *testing.T) {
	big := make([]byte, 2048)
	_, err := briefing.ReadArticle("big.txt", big, briefing.ReadOptions{MaxBytes: 1024})
	if !errors.Is(err, briefing.ErrTooLarge) || !strings.Contains(err.Error(), "2 KB") || !strings.Contains(err.Error(), "1 KB") {
		t.Errorf("too large: err = %v, want ErrTooLarge naming the size and the limit", err)
	}
	if _, err := briefing.ReadArticle("a.pdf", []byte("x"), briefing.ReadOptions{}); !errors.Is(err, briefing.ErrUnsupportedFormat) {
		t.Errorf("pdf: err = %v, want ErrUnsupportedFormat", err)
	}
	if _, err := briefing.ReadArticle("a.json", []byte("{not json"), briefing.ReadOptions{}); err == nil {
		t.Error("broken json: no error")
	}
}

func TestInvalidUTF8KeepsFileOffsets(t *testing.T) {
	data := []byte("Bad bytes \xff\xfe in the headline line\n\n\"Caf\xe9 prices rose again this week,\" said Nora Bell.")
	a, err := briefing.ReadArticle("bad.txt", data, briefing.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	briefing.Analyze(a, briefing.AnalyzeOptions{})
	checkInvariants(t, a)
	if a.Text != string(data) {
		t.Error("the text of a .txt file must be its bytes unchanged")
	}
	if len(a.Quotes) != 1 || a.Quotes[0].Speaker != "Nora Bell" {
		t.Fatalf("quotes = %+v", a.Quotes)
	}
	if !utf8Valid(a.Headline) || !utf8Valid(a.Lede) {
		t.Errorf("headline %q or lede %q is not valid UTF-8", a.Headline, a.Lede)
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "?") == s }

// TestCorpus runs the engine over the BBC corpus: no panic, valid offsets, sane counts.
func TestCorpus(t *testing.T) {
	dir := sharedDir(t, "corpus", "bbc")
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	if testing.Short() && len(files) > 100 {
		files = files[:100]
	}
	total, attributed := 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		a, err := briefing.ReadArticle(f, data, briefing.ReadOptions{})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		briefing.Analyze(a, briefing.AnalyzeOptions{})
		checkInvariants(t, a)
		if len(a.Quotes) > 200 {
			t.Errorf("%s: %d quotes", f, len(a.Quotes))
		}
		if a.Headline == "" {
			t.Errorf("%s: no headline", f)
		}
		for _, q := range a.Quotes {
			total++
			if q.Speaker != "" {
				attributed++
			}
		}
	}
	// Every article kept here has at least five quotation marks.
	if len(files) > 0 && total < len(files) {
		t.Errorf("%d quotes in %d articles: too few", total, len(files))
	}
	if total > 0 && float64(attributed) < 0.6*float64(total) {
		t.Errorf("only %d of %d quotes attributed", attributed, total)
	}
	t.Logf("%d articles, %d quotes, %d attributed", len(files), total, attributed)
}

// FuzzExtract feeds arbitrary text to the engine: no panic, offsets inside the text, quote text
// equal to the file's bytes at its offsets, quotes in order and apart.
func FuzzExtract(f *testing.F) {
	seeds := []string{
		`"A," he said, "B."`,
		"‘Washington’s US’ '90s’ «x» “y” „z“",
		"\"unclosed\n\n\"continued\n\nend\"",
		"Lavrov said: \"x\" \xff\xfe \"",
		"\"\"\"\"''''‘’‘’«»",
		"MOSCOW, February 11. /TASS/. \"Quote,\" the minister said.",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := briefing.ReadArticle("f.txt", []byte(s), briefing.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		briefing.Analyze(a, briefing.AnalyzeOptions{})
		checkInvariants(t, a)
		if !utf8Valid(a.Headline) || !utf8Valid(a.Lede) {
			t.Fatalf("invalid UTF-8 in headline %q or lede %q", a.Headline, a.Lede)
		}
		for _, q := range a.Quotes {
			if s[q.Start:q.End] != q.Text || !utf8Valid(q.Speaker) || !utf8Valid(q.SpeakerTitle) {
				t.Fatalf("bad quote %+v", q)
			}
		}
	})
}
