package briefing

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// The fixtures below are articles written for these tests: a ferry strike at Brannock covered by
// three outlets that word it differently (their headlines and ledes share a few words, their
// speakers and one quote), a rate decision that mentions the strike in passing, and the end of
// the strike four days later, which quotes the ferry company's chief again.

const wrenQuote = "Every sailing we cancel strands families who have nowhere else to turn"

func ferryStrikeArticles() []Article {
	gazette := article("Harbour Gazette", "https://gazette.example/brannock-crews-walk-out",
		"Brannock ferry crews walk out over rosters",
		"Ferry crews in Brannock stopped work on Tuesday after talks on new rosters broke down, leaving hundreds of island passengers on the quay.",
		tuesday,
		quote("Our crews have worked sixty-hour weeks all summer and the company answered with a roster that takes away their rest days", "Ines Marlow", "", 0.7, true),
		quote("Nobody on these boats wanted to strike, not one of them", "Ines Marlow", "", 0.5, true),
		quote("We have offered more than any operator on this coast and the door to talks remains open", "Tobias Wren", "chief executive", 0.45, true),
		quote(wrenQuote+",", "Tobias Wren", "chief executive", 0.3, false),
	)
	wire := article("Westmark Wire", "https://wire.example/brannock-sailings-halted",
		"Island passengers stranded as Brannock sailings halted",
		"All sailings from Brannock were cancelled on Tuesday as a walkout left residents of the outer islands without a link to the mainland.",
		tuesday.Add(90*time.Minute),
		quote(wrenQuote+".", "Tobias Wren", "Chief Executive of Brannock Ferries", 0.8, true),
		quote("The islands cannot live on promises of talks next week", "Ruth Calder", "councillor", 0.6, true),
	)
	wire.Speakers = []Speaker{{Name: "Ines Marlow", Title: "general secretary of the Brannock Seafarers' Union"}}
	times := article("Fenwick Times", "https://times.example/island-shops-run-short",
		"Ferry walkout: island shops run short as dispute drags on",
		"Shops on the Brannock islands reported empty shelves on Wednesday as the ferry dispute entered its second day with no talks planned.",
		tuesday.Add(20*time.Hour),
		quote("We will go back to the table the moment the company withdraws the roster", "Ines Marlow", "General Secretary", 0.7, true),
		quote("By Thursday there will be no bread and no milk left on this island", "Morag Innes", "shopkeeper", 0.6, true),
		quote("Families here are rationing what is left in their freezers", "Ruth Calder", "councillor", 0.5, true),
		quote(wrenQuote, "Tobias Wren", "", 0.35, false),
	)
	rates := article("Westmark Wire", "https://wire.example/central-bank-holds",
		"Central bank holds rates as inflation eases",
		"The central bank left its main rate unchanged on Tuesday, saying inflation was easing even as a ferry strike in Brannock pushed up food prices on the islands.",
		tuesday.Add(3*time.Hour),
		quote("Inflation is moving in the right direction but the job is not done yet", "Anton Vell", "Governor", 0.8, true),
		quote("A strike on the ferries changes the price of milk on the islands, not the path of inflation", "Anton Vell", "Governor", 0.5, true),
	)
	deal := article("Harbour Gazette", "https://gazette.example/ferries-sail-again",
		"Brannock ferries sail again after crews accept new roster deal",
		"Ferries left Brannock on Saturday for the first time in five days after crews voted to accept a revised roster with guaranteed rest days.",
		tuesday.Add(4*24*time.Hour),
		quote("This is a deal our members can live with, and it was won on the quay", "Ines Marlow", "", 0.7, true),
		quote(wrenQuote, "Tobias Wren", "chief executive", 0.6, true),
	)
	return []Article{gazette, wire, times, rates, deal}
}

func sourceNames(s Story) []string {
	var names []string
	for _, src := range s.Sources {
		names = append(names, src.Name)
	}
	slices.Sort(names)
	return names
}

func TestAssembleJoinsOutletsThatQuoteTheSamePersonWordForWord(t *testing.T) {
	b := Assemble(ferryStrikeArticles(), AssembleOptions{Topic: "ferries", Stories: 10})
	strike := storyBySource(t, b, "https://gazette.example/brannock-crews-walk-out")
	if got, want := sourceNames(strike), []string{"Fenwick Times", "Harbour Gazette", "Westmark Wire"}; !slices.Equal(got, want) {
		t.Errorf("the strike story is carried by %q, want the three outlets that quote Tobias Wren alike", got)
	}
	if len(b.Stories) != 3 {
		t.Errorf("got stories %q, want the strike, the rate decision and the deal", headlines(b))
	}
}

func TestAssembleKeepsAnArticleThatMentionsAnEventInPassingApart(t *testing.T) {
	b := Assemble(ferryStrikeArticles(), AssembleOptions{Topic: "ferries", Stories: 10})
	rates := storyBySource(t, b, "https://wire.example/central-bank-holds")
	if len(rates.Sources) != 1 {
		t.Errorf("the rate decision was joined with %+v", rates.Sources)
	}
}

func TestAssembleKeepsEventsDaysApartApartThoughTheyShareAQuote(t *testing.T) {
	b := Assemble(ferryStrikeArticles(), AssembleOptions{Topic: "ferries", Stories: 10})
	deal := storyBySource(t, b, "https://gazette.example/ferries-sail-again")
	if len(deal.Sources) != 1 {
		t.Errorf("the deal four days later was joined with %+v", deal.Sources)
	}
}

func TestAssembleNeverShowsAQuoteTwiceInOneBriefing(t *testing.T) {
	b := Assemble(ferryStrikeArticles(), AssembleOptions{Topic: "ferries", Stories: 10})
	var where []string
	for _, s := range b.Stories {
		for _, q := range s.Quotes {
			if strings.Contains(q.Text, "Every sailing we cancel") {
				where = append(where, s.Headline)
			}
		}
	}
	if len(where) != 1 {
		t.Fatalf("Tobias Wren's quote is shown in %d stories %q, want exactly once", len(where), where)
	}
	if where[0] != b.Stories[0].Headline {
		t.Errorf("the quote is shown in %q, want the first story, %q", where[0], b.Stories[0].Headline)
	}
	deal := storyBySource(t, b, "https://gazette.example/ferries-sail-again")
	if len(deal.Quotes) != 1 || deal.Quotes[0].Speaker != "Ines Marlow" {
		t.Errorf("the deal story shows %+v, want only its own quote of Ines Marlow", deal.Quotes)
	}
}

func TestAssembleGivesEachSpeakerTheFullestTitleItsArticlesAgreeOn(t *testing.T) {
	b := Assemble(ferryStrikeArticles(), AssembleOptions{Topic: "ferries", Stories: 10})
	titles := make(map[string]string)
	for _, s := range b.Stories {
		for _, q := range s.Quotes {
			if prev, ok := titles[q.Speaker]; ok && prev != q.SpeakerTitle {
				t.Errorf("%s is titled %q and %q in one briefing", q.Speaker, prev, q.SpeakerTitle)
			}
			titles[q.Speaker] = q.SpeakerTitle
		}
	}
	want := map[string]string{
		// "chief executive" (Harbour Gazette), "Chief Executive of Brannock Ferries" (Westmark
		// Wire), no title (Fenwick Times): the fullest, the role in lower case.
		"Tobias Wren": "chief executive of Brannock Ferries",
		// No title in the quotes of two outlets, "General Secretary" in the third, the full
		// title in Westmark Wire's list of speakers.
		"Ines Marlow": "general secretary of the Brannock Seafarers' Union",
		// "Governor", as a title before a name is written.
		"Anton Vell": "governor",
	}
	for speaker, title := range want {
		if got, ok := titles[speaker]; !ok || got != title {
			t.Errorf("%s is titled %q, want %q", speaker, got, title)
		}
	}
}

func TestAssembleJoinsOutletsThatQuoteTheSameTwoPeopleDifferently(t *testing.T) {
	// No quote in common, few words in common; the same two voices, quoted by no other story.
	arts := []Article{
		article("Harbour Gazette", "https://gazette.example/a", "Brannock crews stop work",
			"Crews on the Brannock ferries stopped work on Tuesday over new rosters.", tuesday,
			quote("Our crews have worked sixty-hour weeks all summer long", "Ines Marlow", "", 0.7, true),
			quote("The door to talks remains open at any hour of the day", "Tobias Wren", "", 0.6, true),
		),
		article("Westmark Wire", "https://wire.example/b", "Island sailings cancelled as walkout begins",
			"All sailings to the outer islands were cancelled on Tuesday as Brannock ferry crews walked out.", tuesday.Add(time.Hour),
			quote("Nobody on these boats wanted to strike, not one of them", "Ines Marlow", "", 0.7, true),
			quote("We have offered more than any operator on this coast", "Tobias Wren", "", 0.6, true),
		),
		article("Fenwick Times", "https://times.example/c", "Coach hails Brannock Rovers win",
			"Brannock Rovers beat Fenwick 2-0 on Tuesday, and their coach praised the crowd.", tuesday.Add(2*time.Hour),
			quote("The crowd carried us through the second half tonight", "Tobias Wren", "", 0.7, true),
		),
	}
	b := Assemble(arts, AssembleOptions{Stories: 10})
	if s := storyBySource(t, b, "https://gazette.example/a"); len(s.Sources) != 2 {
		t.Errorf("the walkout story has sources %+v, want the two outlets quoting Marlow and Wren", s.Sources)
	}
	if s := storyBySource(t, b, "https://times.example/c"); len(s.Sources) != 1 {
		t.Errorf("the match report, which shares one speaker's name, was joined with %+v", s.Sources)
	}
}

func TestAssembleKeepsApartEventsThatShareOneRecurringVoice(t *testing.T) {
	// A coach quoted about a contract, an injury and a match on one day: three events.
	coach := "Arno Weller"
	arts := []Article{
		article("A", "https://a.example/1", "Weller signs new three-year contract at Kessel",
			"Arno Weller has signed a new three-year contract as Kessel United coach, the club said on Tuesday.", tuesday,
			quote("I still have so much to achieve at this club and the players deserve stability", coach, "coach", 0.7, true)),
		article("B", "https://b.example/2", "Kessel keeper Lind out for six weeks with knee injury",
			"Kessel United goalkeeper Tomas Lind will miss six weeks with a knee injury, the club said on Tuesday.", tuesday.Add(2*time.Hour),
			quote("Losing Tomas is a blow but we have trust in the young keepers behind him", coach, "coach", 0.7, true)),
		article("C", "https://c.example/3", "Kessel beat Fenwick to climb to second",
			"Kessel United beat Fenwick 3-1 on Tuesday night to climb to second place in the table.", tuesday.Add(12*time.Hour),
			quote("The second half was the best football we have played this season by a distance", coach, "coach", 0.7, true)),
	}
	if b := Assemble(arts, AssembleOptions{Stories: 10}); len(b.Stories) != 3 {
		t.Errorf("got stories %q, want the contract, the injury and the match apart", headlines(b))
	}
}

func TestAssembleShowsAThirdQuoteOfOneSpeakerOnlyWhenNoOtherVoiceRemains(t *testing.T) {
	tests := []struct {
		name   string
		quotes []Quote
		want   []string // speakers, in order
	}{
		{
			name: "another voice's complete quote comes before a third quote of the first",
			quotes: []Quote{
				quote("Inflation is moving in the right direction but the job is not done", "Anton Vell", "Governor", 0.8, true),
				quote("We will not be rushed into cutting rates before the spring", "Anton Vell", "Governor", 0.7, true),
				quote("A strike changes the price of milk, not the path of inflation", "Anton Vell", "Governor", 0.6, true),
				quote("Borrowers hoping for relief before the spring will be disappointed", "Jonas Feld", "economist", 0.3, false),
			},
			want: []string{"Anton Vell", "Anton Vell", "Jonas Feld"},
		},
		{
			name: "with no other voice, the third quote is the speaker's",
			quotes: []Quote{
				quote("Inflation is moving in the right direction but the job is not done", "Anton Vell", "Governor", 0.8, true),
				quote("We will not be rushed into cutting rates before the spring", "Anton Vell", "Governor", 0.7, true),
				quote("A strike changes the price of milk, not the path of inflation", "Anton Vell", "Governor", 0.6, true),
			},
			want: []string{"Anton Vell", "Anton Vell", "Anton Vell"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := article("wire", "https://wire.example/1", "Headline", "Lede.", tuesday, tt.quotes...)
			b := Assemble([]Article{a}, AssembleOptions{})
			var got []string
			for _, q := range b.Stories[0].Quotes {
				got = append(got, q.Speaker)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("speakers %q, want %q", got, tt.want)
			}
		})
	}
}

func TestQuoteDisplayTextEndsEveryQuoteAlike(t *testing.T) {
	tests := []struct{ in, want string }{
		{"The door remains open,", "The door remains open"},
		{"We will tighten again.", "We will tighten again"},
		{"  Two sentences. On two\nlines.  ", "Two sentences. On two lines"},
		{"Prices rose 4.5%.", "Prices rose 4.5%"},
		{"Is this the end?", "Is this the end?"},
		{"Not yet!", "Not yet!"},
		{"And then...", "And then..."},
		{"We will talk to the U.S.", "We will talk to the U.S."},
		{".", "."},
	}
	for _, tt := range tests {
		if got := quoteDisplayText(tt.in); got != tt.want {
			t.Errorf("quoteDisplayText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTitleBookChoosesTheTitleMostArticlesAgreeWith(t *testing.T) {
	tests := []struct {
		name   string
		titles [][]string // by article: the titles it gives the speaker
		want   string
	}{
		{"the fullest title that contains the others", [][]string{{"chief executive"}, {"Chief Executive of the Valmora Port Authority"}, {}}, "chief executive of the Valmora Port Authority"},
		{"a role with a modifier is another role", [][]string{{"finance minister"}, {"finance minister"}, {"Deputy Finance Minister"}}, "finance minister"},
		{"a former holder is not the holder", [][]string{{"chief executive"}, {"former chief executive"}, {"chief executive"}}, "chief executive"},
		{"conflicting titles: the one more articles give", [][]string{{"coach"}, {"striker"}, {"coach"}}, "coach"},
		{"case and a leading article do not make another title", [][]string{{"The Governor"}, {"governor"}}, "governor"},
		{"a title given twice in one article counts once", [][]string{{"pundit", "pundit", "pundit"}, {"coach"}, {"coach"}}, "coach"},
		{"a misreading too long to be a title is ignored", [][]string{{"coach"}, {strings.Repeat("coach of the year ", 12)}}, "coach"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var book titleBook
			for _, titles := range tt.titles {
				a := Article{}
				for _, title := range titles {
					a.Quotes = append(a.Quotes, Quote{Text: "words", Speaker: "Ada Lind", SpeakerTitle: title})
				}
				book.addArticle(&a)
			}
			if got := speakerTitle(&book, &book, "Ada Lind"); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDisplayTitleLowercasesTheRoleOnly(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Governor", "governor"},
		{"Prime Minister", "prime minister"},
		{"Minister of Finance", "minister of finance"},
		{"Chief Executive of the Valmora Port Authority", "chief executive of the Valmora Port Authority"},
		{"general secretary", "general secretary"},
		{"South Korean Defence Minister", "South Korean Defence Minister"},
		{"Foreign Ministry spokeswoman", "Foreign Ministry spokeswoman"},
		{"US Secretary of State", "US Secretary of State"},
		{"CEO", "CEO"},
		{"Labour MP", "Labour MP"},
	}
	for _, tt := range tests {
		if got := displayTitle(tt.in); got != tt.want {
			t.Errorf("displayTitle(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
