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

// maxFuzzInput is the longest input FuzzExtract analyses.
const maxFuzzInput = 4 << 10

// FuzzExtract feeds arbitrary text to the engine: no panic, offsets inside the text, quote text
// equal to the file's bytes at its offsets, quotes in order and apart. Run it with a bounded
// minimizer, or the fuzzer reports 0 execs/sec while it shrinks each new input for up to a minute:
//
//	go test -run '^$' -fuzz '^FuzzExtract$' -fuzztime 2m -fuzzminimizetime 200x ./briefing/
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
		if len(s) > maxFuzzInput {
			// Long inputs cost the fuzzer's minimizer time quadratic in their length;
			// BenchmarkAdversarial covers the engine's time on megabytes of hostile text.
			t.Skip("input longer than maxFuzzInput")
		}
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

// TestSpeakerPhenomena checks how speakers are found in the harder cases: people who share a
// surname, pronouns with several people around, quotations without a cue, and the many shapes of
// a cue.
func TestSpeakerPhenomena(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []wantQuote
	}{
		{"a surname shared by a family goes to the person last called by it alone",
			"Marta Lind runs the bakery on Quay Street. Lind opened it in 1998.\n\nHer son Oskar Lind joined her last year.\n\n\"We bake four hundred loaves a day,\" said Lind.",
			[]wantQuote{{"We bake four hundred loaves a day,", "Marta Lind", false}}},
		{"a surname shared by two people goes to the one mentioned last when neither was called by it alone",
			"Ruth Obi coaches the team. Her brother Daniel Obi, who scored twice on Sunday, leads the league in goals.\n\n\"It was the best game of my life,\" said Obi.",
			[]wantQuote{{"It was the best game of my life,", "Daniel Obi", false}}},
		{"a surname shared by a firm and a person goes to the person",
			"Studio Brenner designed the new library. The architect Clara Brenner founded it in 2001.\n\n\"Every shelf gets daylight,\" says Brenner.",
			[]wantQuote{{"Every shelf gets daylight,", "Clara Brenner", false}}},
		{"a pronoun never refers to someone named as an object in its own sentence",
			"Tomas Berg slept in the shelter for two winters.\n\nAsked what he would tell Mayor Ines Vargas about the shelter, he said: \"Just listen to us.\"",
			[]wantQuote{{"Just listen to us.", "Tomas Berg", false}}},
		{"the listener of told is not the speaker",
			"Nora Hale met Lena Park after the vote.\n\nWithout a smile, she told Park she was \"the best candidate I have ever run against.\"",
			[]wantQuote{{"the best candidate I have ever run against.", "Nora Hale", true}}},
		{"told with a name after it names the listener; the speaker comes from the narration",
			"Paul Reyes called the mayor on Monday.\n\n\"We will not wait another year,\" told Mayor Ana Cruz the council later.",
			[]wantQuote{{"We will not wait another year,", "Paul Reyes", false}}},
		{"a quotation without a cue takes the subject of the sentence before it",
			"\"The hall was full every night,\" says Mark Dunn, the festival director. Irene Sato did not need much persuading to return. \"I am grateful for the invitation.\"",
			[]wantQuote{{"The hall was full every night,", "Mark Dunn", false}, {"I am grateful for the invitation.", "Irene Sato", false}}},
		{"a paragraph of quotation after narration takes the owner in its subject",
			"Wendy Marsh lost her son in 2014.\n\nHer message now is simple: never share prescriptions.\n\n\"You do not know what that person took earlier.\"",
			[]wantQuote{{"You do not know what that person took earlier.", "Wendy Marsh", false}}},
		{"a participle takes the subject of its sentence",
			"Omar Diaz was defensive about the contract, saying, \"Maybe the builder did not do a good job.\"",
			[]wantQuote{{"Maybe the builder did not do a good job.", "Omar Diaz", false}}},
		{"a participle after a cue takes that cue's subject",
			"The two leaders will meet next week, Sean Pike said, adding, \"They need to sit down and talk.\"",
			[]wantQuote{{"They need to sit down and talk.", "Sean Pike", false}}},
		{"a party and state in parentheses between the name and the verb",
			"\"It is a dog whistle to every voter,\" Rep. Gwen Lowe (D-Wis.) said Friday.",
			[]wantQuote{{"It is a dog whistle to every voter,", "Gwen Lowe", false}}},
		{"a long apposition between the name and the verb after a quotation ending in a comma",
			"\"The north is eager to show it has other friends,\" Harry J. Kell, director of studies at the U.S.-based Centre for Policy, said in a statement.",
			[]wantQuote{{"The north is eager to show it has other friends,", "Harry J. Kell", false}}},
		{"a place before a role noun describes the person, it does not speak",
			"Alfredo Ruiz runs the only comic shop in town.\n\n\"You are talking about one genre only,\" points out the laid-back Cambridge resident.",
			[]wantQuote{{"You are talking about one genre only,", "Alfredo Ruiz", false}}},
		{"an organisation and a title before the name",
			"\"Health promotion is hard,\" says Heart and Lung senior manager Erin Cho.",
			[]wantQuote{{"Health promotion is hard,", "Erin Cho", false}}},
		{"the name ends the subject before a clause",
			"Dorie Greenspan has written 13 cookbooks.\n\n\"I cook simple food,\" says Greenspan while visiting our kitchen with her husband Michael Greenspan.",
			[]wantQuote{{"I cook simple food,", "Dorie Greenspan", false}}},
		{"a capitalised word is no speech verb",
			"The Post sent its reporter into \"a living room in western Pennsylvania\" for the night.",
			[]wantQuote{{"a living room in western Pennsylvania", "", true}}},
		{"a role noun before the name gives its gender",
			"Robert Quill owns a barbershop named after his grandmother Mildred.\n\n\"Beards are getting shorter,\" he explains.",
			[]wantQuote{{"Beards are getting shorter,", "Robert Quill", false}}},
		{"a description's role matches a title written as an abbreviation",
			"Florida Sen. Marco Ruiz spoke after Gov. Jeb Stone.\n\n\"It is a difficult issue,\" said the Florida senator.",
			[]wantQuote{{"It is a difficult issue,", "Marco Ruiz", false}}},
		{"a source named after a dash",
			"Readers wrote to us after the debate.\n\n“He is ignorant of our culture.” ― Pamela Ortiz\n“The most unqualified candidate ever.” ― Jorge Falco",
			[]wantQuote{{"He is ignorant of our culture.", "Pamela Ortiz", false}, {"The most unqualified candidate ever.", "Jorge Falco", false}}},
		{"a middle initial A. is no article: the name goes on after it",
			"Readers wrote to us after the debate.\n\n“He never answers a question.” ― Pedro Alva\n“The worst debate I have ever watched.” ― Rosa A. Vidal.",
			[]wantQuote{{"He never answers a question.", "Pedro Alva", false}, {"The worst debate I have ever watched.", "Rosa A. Vidal", false}}},
		{"a weak verb before a colon introduces the next paragraph",
			"Pollster Pat Keane spoke on the radio on Thursday.\n\nKeane continued:\n\n\"The health issue is a partisan issue.\"",
			[]wantQuote{{"The health issue is a partisan issue.", "Pat Keane", false}}},
		{"a new subject after a quotation takes the focus from its speaker",
			"\"We must act now,\" wrote Sandra Wills in an email. Mary Nolan, the director, agreed with Wills's approach.\n\n\"I am sure it is part of your message,\" she wrote.",
			[]wantQuote{{"We must act now,", "Sandra Wills", false}, {"I am sure it is part of your message,", "Mary Nolan", false}}},
		{"a person named in a photo caption takes no pronoun",
			"Cecil Frost wrote the book.\n\n\"These men were brave,\" he says.\n\nBen Lane, a retired porter, looks at photos in 1999. (Toronto Star file photo)\n\n\"They changed the country,\" he says.",
			[]wantQuote{{"These men were brave,", "Cecil Frost", false}, {"They changed the country,", "Cecil Frost", false}}},
		{"they refers to two people named together as a subject",
			"In a statement, the owners Tore Lund and Lehla Amar said they respected the vote.\n\n\"Our staff deserve a safe workplace,\" they said.",
			[]wantQuote{{"Our staff deserve a safe workplace,", "Tore Lund and Lehla Amar", false}}},
		{"a person a relative clause is about is the topic even after a preposition",
			"Ricardo Mont played a host on television. I am talking about Alfonso Reyes, who like Mont was born in Mexico. \"We publish only local artists,\" says the 39-year-old founder of Studio Press.",
			[]wantQuote{{"We publish only local artists,", "Alfonso Reyes", false}}},
		{"say in the sentence wins over a nearer verb that may mean something else",
			"Eric Stone heads the police.\n\nHe said police will maintain a \"scaled down presence that everyone is comfortable with.\"",
			[]wantQuote{{"scaled down presence that everyone is comfortable with.", "Eric Stone", true}}},
		{"a quotation right after another one's cue stays with that speaker, not the next",
			"\"We won the final,\" said Ann Lee. \"It was hard.\" \"Well done to them,\" said Tom Hart, the coach of the losing side.",
			[]wantQuote{{"We won the final,", "Ann Lee", false}, {"It was hard.", "Ann Lee", false}, {"Well done to them,", "Tom Hart", false}}},
		{"a dateline in capitals names a place, not a speaker",
			"CARSON HALE, June 4 (AP) — The ferry strike entered its second week on Monday.\n\n\"We will not go back without a contract.\"",
			[]wantQuote{{"We will not go back without a contract.", "", false}}},
		{"sung words are quoted like spoken ones",
			"Nina Cole closed the concert with an old song.\n\n\"Keep your lantern burning,\" Cole sang to the crowd.",
			[]wantQuote{{"Keep your lantern burning,", "Nina Cole", false}}},
		{"a party before a given name is an affiliation, not part of the name",
			"Republican Laura Stein and Democrat Paul Fisher debated the budget on Tuesday.\n\n\"This budget is a disgrace,\" Stein said.",
			[]wantQuote{{"This budget is a disgrace,", "Laura Stein", false}}},
		{"they refers to no organisation named paragraphs before",
			"Students gathered outside Harlow University on Monday morning.\n\nThe march went on for hours. Police closed two roads. Shops shut early.\n\nAs they walked down the avenue, they chanted \"no more cuts to our schools.\"",
			[]wantQuote{{"no more cuts to our schools.", "", true}}},
		{"a speech verb before a role noun is part of a title",
			"\"We have nothing to add to the report,\" Harbour Board press secretary Dana Whitfield said on Monday.",
			[]wantQuote{{"We have nothing to add to the report,", "Dana Whitfield", false}}},
		{"a run-in heading of many capitalised words names nobody",
			"Ferry Fares Anger Island Families: Keeping \"the cheapest crossing on the coast\" was once a promise of every mayor.",
			[]wantQuote{{"the cheapest crossing on the coast", "", true}}},
		{"a person named before of and an organisation is the subject, not the organisation",
			"The Harbour Mill closed in May.\n\n\"It was the least bad ending,\" Ms. Tilda Rowe of the Coastal Trust said.",
			[]wantQuote{{"It was the least bad ending,", "Tilda Rowe", false}}},
		{"a sentence opening with a possessive and a role is about the person in the role",
			"Owen Hart built three hotels in ten years.\n\nHis former business partner at Seaview, Lara Quinn, called him a master of hard bargains. \"He never gave up on a deal.\"",
			[]wantQuote{{"He never gave up on a deal.", "Lara Quinn", false}}},
		{"a named owner's role before a name: the name is the subject",
			"Maya Rhee leads the polls.\n\nRhee's campaign manager Tom Vance said she would debate twice, adding, \"We are ready for any stage.\"",
			[]wantQuote{{"We are ready for any stage.", "Tom Vance", false}}},
		{"a name after a speech verb and that opens the reported clause, it is no speaker",
			"Nadia Fenn met voters in the north on Monday. She mentioned the report in an interview later, arguing that Mayor Colm Price \"failed every family on this street.\"",
			[]wantQuote{{"failed every family on this street.", "Nadia Fenn", true}}},
		{"a party word is no one's name: the description refers back to a person",
			"Senator Ruth Kell of Utah opened the hearing on Tuesday.\n\n\"The emails were never secured,\" the Utah Republican said.",
			[]wantQuote{{"The emails were never secured,", "Ruth Kell", false}}},
		{"an unnamed source described by party stays unnamed",
			"\"The gap is too wide to close,\" said a Vermont Democrat who asked not to be named.",
			[]wantQuote{{"The gap is too wide to close,", "", false}}},
		{"a fragment that ends its sentence takes no cue from the next sentence",
			"Mayor Ivo Brandt called the plan \"a gift to the developers.\" Councillor Nora Day said she would vote for it.",
			[]wantQuote{{"a gift to the developers.", "Ivo Brandt", true}}},
		{"a participle's subject is the sentence's, never a pronoun after it",
			"Lena Ortiz spoke first on Monday. Paul Grant answered her about the tax, saying she \"got every number wrong.\"",
			[]wantQuote{{"got every number wrong.", "Paul Grant", true}}},
		{"a name in apposition after a title with an organisation is the subject",
			"\"The ban is unacceptable,\" the director of the Coastal Rights League, Petra Holm, warned on Monday.",
			[]wantQuote{{"The ban is unacceptable,", "Petra Holm", false}}},
		{"a name that ends a title in an apposition is not the subject; a speech verb after an article is a noun",
			"\"It is an invasion of the county's rights,\" Tomas Reyes, the attorney general of Westland, one of the states suing the agency, said on Monday.",
			[]wantQuote{{"It is an invasion of the county's rights,", "Tomas Reyes", false}}},
		{"a weak verb some words before a comma is no cue",
			"Amara Osei took the course in May.\n\nLearning how to read food labels, \"was the best part of the course\" Osei says.",
			[]wantQuote{{"was the best part of the course", "Amara Osei", false}}},
		{"a speech verb opening a sentence is no part of the name after it",
			"The small bakery reopened on Monday. Said Mara Quist, who has lived on the street for decades, \"We missed it every day.\"",
			[]wantQuote{{"We missed it every day.", "Mara Quist", false}}},
		{"ranking is a title word: the name after it speaks, not the committee before it",
			"\"The report changes nothing,\" said Budget ranking Democrat Tom Abel.",
			[]wantQuote{{"The report changes nothing,", "Tom Abel", false}}},
		{"a long opening phrase before the subject of a participle",
			"During a long speech at the harbour on Friday afternoon, Mayor Ines Vell attacked Governor Tom Brandt, saying, \"He will ruin the port.\"",
			[]wantQuote{{"He will ruin the port.", "Ines Vell", false}}},
		{"punctuation inside a word of the title before a name",
			"\"We want the whole truth, not a summary,\" said 9/11 widow Rita Kerr.",
			[]wantQuote{{"We want the whole truth, not a summary,", "Rita Kerr", false}}},
		{"Del. is the title of a delegate",
			"\"This is a waste of the committee's time,\" said Del. Nora Quill (D-V.I.).",
			[]wantQuote{{"This is a waste of the committee's time,", "Nora Quill", false}}},
		{"a nickname in marks is part of the name, not a quotation",
			"Juan \"Chico\" Reyes of Oakland carried one of the banners. \"I cried the whole way,\" he said.",
			[]wantQuote{{"I cried the whole way,", "Juan \"Chico\" Reyes", false}}},
		{"a role in the plural opening a sentence is no name",
			"Aides said the campaign raised a record sum in March.\n\n\"This campaign is changing politics.\"",
			[]wantQuote{{"This campaign is changing politics.", "", false}}},
		{"whatever opening a sentence is no part of a name",
			"Nora Lund leads the council.\n\nWhatever Lund decides will shape the vote.\n\n\"The deal is dead,\" Lund said.",
			[]wantQuote{{"The deal is dead,", "Nora Lund", false}}},
		{"neither opening a sentence is no part of a name",
			"Nora Lund and Ivo Berg met on Monday.\n\nNeither Nora Lund nor Ivo Berg would comment.\n\n\"We have nothing to add,\" Lund said later.",
			[]wantQuote{{"We have nothing to add,", "Nora Lund", false}}},
		{"a name before a lower-case title qualifies the title: the person after it is the subject",
			"Former Lund adviser Ivo Marr has doubts about the plan.\n\n\"It will not survive the winter.\"",
			[]wantQuote{{"It will not survive the winter.", "Ivo Marr", false}}},
		{"a speech verb after and shares the sentence's subject",
			"Judge Ada Kerr criticised the candidate on Monday.\n\nTom Hart called on her to resign from the court and said, \"Her mind is gone!\"",
			[]wantQuote{{"Her mind is gone!", "Tom Hart", false}}},
		{"a sentence that opens with a title is about the person it leads to",
			"Democratic front-runner Ada Kerr met Tom Hart in the north on Monday.\n\n\"The crowd was on fire.\"",
			[]wantQuote{{"The crowd was on fire.", "Ada Kerr", false}}},
		{"a title-case heading names nobody",
			"Bush Hits Marco Ruiz On Abortion Rules\n\nMarco Ruiz spoke on Saturday.\n\n\"It is a difficult issue,\" Ruiz said.",
			[]wantQuote{{"It is a difficult issue,", "Marco Ruiz", false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkQuotes(t, analyzeText(t, tt.body), tt.want)
		})
	}
}

// TestMarkPhenomena checks the reading of quotation marks that typists and pages get wrong.
func TestMarkPhenomena(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []wantQuote
	}{
		{"an excerpt in straight marks is no quotation, its quotations are",
			"“We will win,” said Ana Reis. “We always do.”\n\nThe paper printed a long excerpt. “That is a lie,” she said. “It never happened.”\n\n\"The first time she saw him, at a rally, she had just called it a “rant,” and a doctor had written “homicidal ideation.”\n\n\"She thought the whole thing was outrageous. She was anxious, sure.\n\n“It never crossed my mind,” she said.",
			[]wantQuote{{"We will win,", "Ana Reis", false}, {"We always do.", "Ana Reis", false}, {"That is a lie,", "Ana Reis", false}, {"It never happened.", "Ana Reis", false}, {"rant,", "Ana Reis", true}, {"homicidal ideation.", "", true}, {"It never crossed my mind,", "Ana Reis", false}}},
		{"two curly single marks typed for a double one",
			"“We publish only local artists,’’ says Alfonso Rey, the shop’s founder.",
			[]wantQuote{{"We publish only local artists,", "Alfonso Rey", false}}},
		{"a closing mark after an ellipsis",
			"“There is science fiction, horror, westerns …” said Alfonso Rey.",
			[]wantQuote{{"There is science fiction, horror, westerns …", "Alfonso Rey", false}}},
		{"a straight closing mark typed after a space",
			"\"I have always disliked the term 'outreach,' \" Bobby Kent told the group.",
			[]wantQuote{{"I have always disliked the term 'outreach,' ", "Bobby Kent", false}}},
		{"a curly closing mark typed after a space",
			"“Readers always tell me, ‘Maybe I can draw comics too!’ ” said Andre Colby.",
			[]wantQuote{{"Readers always tell me, ‘Maybe I can draw comics too!’ ", "Andre Colby", false}}},
		{"a closing-shaped mark does not open where the article opens with “",
			"“The vote is on Monday,” said Ana Reis.\n\nReaders answered. ”Fear is all I feel.” ― Edwin Mora",
			[]wantQuote{{"The vote is on Monday,", "Ana Reis", false}}},
		{"a closing-shaped mark opens where it is the article's convention",
			"”The vote is on Monday,” said Ana Reis.",
			[]wantQuote{{"The vote is on Monday,", "Ana Reis", false}}},
		{"a quotation in a subheading repeats the text",
			"Nadia Jamal leads the study.\n\n'Hard to live in such close quarters'\n\n\"It is hard to live in such close quarters with the same people,\" Jamal says.",
			[]wantQuote{{"It is hard to live in such close quarters with the same people,", "Nadia Jamal", false}}},
		{"a quotation in a photo caption repeats the text",
			"Asked what he would tell the mayor, Dennis Boyd says: 'Just listen to us.' (Mary Dale/CBC)\n\nDennis Boyd found a flat in October.\n\n\"It feels warm,\" he said.",
			[]wantQuote{{"It feels warm,", "Dennis Boyd", false}}},
		{"a pull quote repeats a sentence of the text",
			"Most male characters consist of lightly camouflaged stereotypes of the strong man. Few books show a father at home.\n\n\"Most male characters consist of lightly camouflaged stereotypes of the strong man.\"\n\n\"I want better books,\" said Ola Berg.",
			[]wantQuote{{"I want better books,", "Ola Berg", false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkQuotes(t, analyzeText(t, tt.body), tt.want)
		})
	}
}

// checkQuotes compares an article's quotes with the expected ones.
func checkQuotes(t *testing.T, a *briefing.Article, want []wantQuote) {
	t.Helper()
	if len(a.Quotes) != len(want) {
		for _, q := range a.Quotes {
			t.Logf("got %q by %q (cue %q, partial %v)", q.Text, q.Speaker, q.Cue, q.Partial)
		}
		t.Fatalf("%d quotes, want %d", len(a.Quotes), len(want))
	}
	for i, w := range want {
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
}

// TestQuotationsAreBounded checks that a text of nothing but quotations yields a bounded number of
// them, so its memory stays bounded too.
func TestQuotationsAreBounded(t *testing.T) {
	body := strings.Repeat(`"We will win the vote," said Ana Reis. `, 6000)
	a := analyzeText(t, body)
	if n := len(a.Quotes); n < 1000 || n > 5000 {
		t.Fatalf("%d quotes, want between 1000 and 5000", n)
	}
}

// TestSpeakerTitles checks the title each form of apposition gives a speaker, in the article's
// words: before the name, after it, with a phrase saying where the role is held, and never one
// made up.
func TestSpeakerTitles(t *testing.T) {
	tests := []struct {
		name, body, speaker, title string
	}{
		{"a title with an of phrase after the name",
			`"We will stay out until the offer improves," said Lena Dorsey, general secretary of the Northbay Ferry Workers' Union.`,
			"Lena Dorsey", "general secretary of the Northbay Ferry Workers' Union"},
		{"a title with an of phrase before the name",
			"The chief executive of the Corland Water Board, Piet Amsel, put the cost at two million crowns.\n\n\"Every pipe we fix saves a village,\" he said.",
			"Piet Amsel", "chief executive of the Corland Water Board"},
		{"its before a title names the organisation that opens the sentence before",
			"The Corland Water Board raised its charges on Monday. Its chief executive, Piet Amsel, said the rise could not be avoided.\n\n\"We cannot run the pumps on promises,\" Amsel said.",
			"Piet Amsel", "chief executive of the Corland Water Board"},
		{"its before a title names no organisation the sentence before does not open with",
			"Farmers protested outside the offices of the Corland Water Board on Monday. Its chief executive, Piet Amsel, said the rise could not be avoided.\n\n\"We cannot run the pumps on promises,\" Amsel said.",
			"Piet Amsel", "chief executive"},
		{"the head of an organisation",
			`"Prices will fall by spring," said Ona Vilks, the head of the Baltic Grain Exchange.`,
			"Ona Vilks", "head of the Baltic Grain Exchange"},
		{"a title without an article before the name's verb",
			"Priya Raman, head of the Inland Hauliers' Association, said lorries were queuing.\n\n\"Drivers have slept in their cabs for two nights,\" she said.",
			"Priya Raman", "head of the Inland Hauliers' Association"},
		{"a title that opens the sentence before its name",
			"A veteran harbour pilot, Jonas Brekke spent thirty years on the river.\n\n\"The channel has never been this shallow,\" Brekke said.",
			"Jonas Brekke", "veteran harbour pilot"},
		{"an acronym in parentheses after the organisation",
			`"We will publish the figures in May," said Ana Reis, director of the Harbour Crime Agency (HCA).`,
			"Ana Reis", "director of the Harbour Crime Agency (HCA)"},
		{"a relative clause whose verb is a role",
			`"The harvest is safe for now," said Tomas Brun, who chairs the Eastfield Growers' Cooperative.`,
			"Tomas Brun", "chair of the Eastfield Growers' Cooperative"},
		{"a relative clause about something unnamed gives no title",
			`"The harvest is safe for now," said Tomas Brun, who chairs the local committee.`,
			"Tomas Brun", ""},
		{"a profession the word lists do not hold, at an institution",
			"Dr Selma Roth, a hydrologist at the University of Tarnow, said the river had never been so low.\n\n\"We are measuring it every hour,\" Roth said.",
			"Selma Roth", "hydrologist at the University of Tarnow"},
		{"a possessive description drops its possessor",
			`"We expect answers within a week," said Karl Meeus, the regulator's director of rail safety.`,
			"Karl Meeus", "director of rail safety"},
		{"a named possessor stays",
			`"Safety comes before speed," Lumen's chief executive, Sofia Marchetti, said in a video message.`,
			"Sofia Marchetti", "Lumen's chief executive"},
		{"a capitalised title before the name",
			`"We will publish the plan on Friday," Environment Minister Tomas Riel said.`,
			"Tomas Riel", "Environment Minister"},
		{"a lower-case title in apposition before the name",
			"The finance minister, Rafael Ongo, welcomed the decision.\n\n\"A steady hand is what households need,\" the minister said.",
			"Rafael Ongo", "finance minister"},
		{"an age before the apposition",
			`"We carried sacks of flour up these stairs," said Harold Abbot, 76, a retired nurse.`,
			"Harold Abbot", "retired nurse"},
		{"the title stops before a relative clause",
			`"The count was fair," said Anna Pils, chair of the Harbour Council who was elected last year.`,
			"Anna Pils", "chair of the Harbour Council"},
		{"the title stops before a date",
			`"Rates will stay high," said Jonas Vell, chief economist at Harbour Savings Bank on Tuesday.`,
			"Jonas Vell", "chief economist at Harbour Savings Bank"},
		{"the title stops before a participle",
			`"The families want answers," said Mira Kade, a lawyer representing them.`,
			"Mira Kade", "lawyer"},
		{"a long title stops at a phrase's end within twelve words",
			`"The coast is moving inland," said Ivo Marr, director of the Centre for the Study of Coastal Erosion and Flood Defence at the University of Lenz.`,
			"Ivo Marr", "director of the Centre for the Study"},
		{"a name in the tail is never cut short",
			`"The script changed every day," said Nora Vidal, director of the film About Time.`,
			"Nora Vidal", "director"},
		{"with before a name says where the role is held",
			`"Growth will slow next year," said Jo Marsh, an economist with the Kessel Institute.`,
			"Jo Marsh", "economist with the Kessel Institute"},
		{"an organisation's name with of in a title before the name",
			`"Rates will hold," said Bank of Arland deputy governor Lena Holm.`,
			"Lena Holm", "Bank of Arland deputy governor"},
		{"a fuller title that agrees replaces a shorter one",
			"Governor Ilse Brant opened the meeting.\n\nBrant, governor of the Bank of Arland since 2019, said rates would hold. \"It is too early to cut,\" she said.",
			"Ilse Brant", "governor of the Bank of Arland"},
		{"a title that says something else does not replace the first",
			"Foreign Minister Ada Lenk arrived in the capital on Monday for two days of talks.\n\n\"We came to listen,\" said Lenk, the country's top diplomat.",
			"Ada Lenk", "Foreign Minister"},
		{"a description after a clause belongs to someone else",
			"After meeting the finance minister, Ada Lenk said: \"The talks went well.\"",
			"Ada Lenk", ""},
		{"a plain person noun is no title",
			`"It was terrifying," said Ruth Okon, a woman who lives by the river.`,
			"Ruth Okon", ""},
		{"a speech verb before a name is no title",
			"Lenk met the press on Monday.\n\nLenk accused Ruth Okon of delay. \"We waited a year,\" Okon said.",
			"Ruth Okon", ""},
		{"a name in the apposition after the role means no title",
			`"We lost everything," said Ruth Okon, whose brother Tom farmed the land.`,
			"Ruth Okon", ""},
		{"a party before the name is the title",
			`"We will block the bill," said Conservative Helen Marsh.`,
			"Helen Marsh", "Conservative"},
		{"a title with of before a name with a middle initial",
			`"The talks will resume in May," said Secretary of Trade Peter J. Lund.`,
			"Peter J. Lund", "Secretary of Trade"},
		{"counsel is a role",
			`"The records were handed over in full," said Harbour Trust General Counsel Ana Ruiz.`,
			"Ana Ruiz", "Harbour Trust General Counsel"},
		{"a role noun after a modal is a verb, no title",
			"Asked whether he would counsel Rosa Vidal to run, Lenk said no.\n\n\"I will decide in May,\" Vidal said.",
			"Rosa Vidal", ""},
		{"front-runner is a role",
			`"We will win the state," said Green front-runner Ida Moss.`,
			"Ida Moss", "Green front-runner"},
		{"a verb after an organisation ends the title",
			`"Tablets will outsell laptops," said Adam Noor, analyst at research firm Corvid Data, who believes the trend will last.`,
			"Adam Noor", "analyst at research firm Corvid Data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := analyzeText(t, tt.body)
			found := false
			for _, q := range a.Quotes {
				if q.Speaker != tt.speaker {
					continue
				}
				found = true
				if q.SpeakerTitle != tt.title {
					t.Errorf("quote %q: title %q, want %q", q.Text, q.SpeakerTitle, tt.title)
				}
			}
			if !found {
				for _, q := range a.Quotes {
					t.Logf("got %q by %q (%q)", q.Text, q.Speaker, q.SpeakerTitle)
				}
				t.Fatalf("no quote by %q", tt.speaker)
			}
		})
	}
}
