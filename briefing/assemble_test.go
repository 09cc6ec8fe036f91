package briefing

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// The fixtures below are articles written for these tests. Four events on one topic (Korea):
//
//	A  Tuesday:  North Korea fires a ballistic missile (Yonhap, Reuters, Kyodo): one story, three
//	             outlets; Yonhap and Reuters carry the same quote of the defence minister.
//	B  Wednesday: the two Koreas restore their military hotline (Yonhap, TASS): one story.
//	C  Wednesday: Lavrov criticises new sanctions (TASS): its own story, though it is TASS again
//	             and on the same topic.
//	D  Thursday: North Korea tests a solid-fuel engine (Reuters): a missile story again, but a
//	             different event from A; it must stay apart.
var (
	tuesday   = time.Date(2024, 6, 4, 7, 30, 0, 0, time.UTC)
	wednesday = tuesday.Add(24 * time.Hour)
	thursday  = tuesday.Add(48 * time.Hour)
)

func quote(text, speaker, title string, score float64, key bool) Quote {
	return Quote{Text: text, Speaker: speaker, SpeakerTitle: title, Score: score, Key: key, Cue: "said"}
}

func article(source, url, headline, lede string, at time.Time, quotes ...Quote) Article {
	return Article{
		Source: source, URL: url, Headline: headline, Lede: lede, Published: at, FirstSeen: at,
		Text: headline + "\n\n" + lede, BodyStart: len(headline) + 2, Quotes: quotes,
	}
}

const shinQuote = "The launch is a clear provocation that threatens peace on the Korean peninsula"

func koreaArticles() []Article {
	return []Article{
		article("Yonhap", "https://en.yna.example/view/AEN1", "North Korea fires ballistic missile into East Sea",
			"North Korea fired a short-range ballistic missile into the East Sea early on Tuesday, South Korea's Joint Chiefs of Staff said, the third launch this month.",
			tuesday,
			quote(shinQuote+",", "Shin Won-sik", "Defence Minister", 0.92, true),
			quote("We are closely monitoring the situation in coordination with the United States", "", "", 0.55, false),
		),
		article("Reuters", "https://www.reuters.example/world/asia/nk-missile", "North Korea launches ballistic missile toward sea, Seoul says",
			"North Korea launched a ballistic missile off its east coast on Tuesday, South Korea's military said, the latest in a series of weapons launches this month.",
			tuesday.Add(40*time.Minute),
			quote(shinQuote+".", "Shin Won-sik", "South Korean Defence Minister", 0.88, true),
			quote("The missile flew about 600 km before falling into the sea outside Japan's waters", "Hamada Yasukazu", "", 0.61, true),
		),
		article("Kyodo", "https://english.kyodo.example/news/missile", "Japan protests North Korean ballistic missile launch",
			"Japan lodged a protest after North Korea fired a ballistic missile that fell into the sea outside Japan's exclusive economic zone on Tuesday, the third launch this month.",
			tuesday.Add(2*time.Hour),
			quote("Repeated ballistic missile launches threaten the peace and security of Japan and the region", "Fumio Kishida", "Prime Minister", 0.9, true),
		),
		article("Yonhap", "https://en.yna.example/view/AEN2", "Two Koreas agree to restore military hotline",
			"North and South Korea agreed on Wednesday to restore the military communication hotline that Pyongyang cut off last year, the Unification Ministry said.",
			wednesday,
			quote("Restoring the hotline is the first step to rebuilding trust between the two Koreas", "Kim Yung-ho", "Unification Minister", 0.9, true),
			quote("first step", "Kim Yung-ho", "Unification Minister", 0.3, false),
		),
		article("TASS", "https://tass.example/world/100", "Pyongyang and Seoul reopen military hotline",
			"Pyongyang and Seoul have reopened their military communication hotline, cut off last year, a step the Russian Foreign Ministry welcomed on Wednesday.",
			wednesday.Add(90*time.Minute),
			quote("We welcome the restoration of the hotline and hope dialogue continues", "Maria Zakharova", "Foreign Ministry spokeswoman", 0.8, true),
		),
		article("TASS", "https://tass.example/world/101", "Lavrov says new sanctions on Pyongyang are counterproductive",
			"Russian Foreign Minister Sergey Lavrov said on Wednesday that new Western sanctions against Pyongyang would only deepen the crisis and called for talks without preconditions.",
			wednesday.Add(3*time.Hour),
			quote("Sanctions have never solved anything and only push the region toward confrontation", "Sergey Lavrov", "Russian Foreign Minister", 0.93, true),
			quote("Talks must resume without preconditions", "Sergey Lavrov", "Russian Foreign Minister", 0.7, true),
		),
		article("Reuters", "https://www.reuters.example/world/asia/nk-engine", "North Korea tests solid-fuel engine for new rocket",
			"North Korea said on Thursday it had tested a high-thrust solid-fuel engine for a new type of rocket at its Sohae satellite station, state media KCNA reported.",
			thursday,
			quote("The test marks a historic turning point in our strategic capability", "", "", 0.75, true),
		),
	}
}

func headlines(b Briefing) []string {
	var out []string
	for _, s := range b.Stories {
		out = append(out, s.Headline)
	}
	return out
}

func storyBySource(t *testing.T, b Briefing, url string) Story {
	t.Helper()
	for _, s := range b.Stories {
		for _, src := range s.Sources {
			if src.URL == url {
				return s
			}
		}
	}
	t.Fatalf("no story carries %s; stories: %q", url, headlines(b))
	return Story{}
}

func TestAssembleGroupsOneEventAndKeepsEventsApart(t *testing.T) {
	b := Assemble(koreaArticles(), AssembleOptions{Topic: "korea", Stories: 10, Now: thursday.Add(time.Hour)})
	if len(b.Stories) != 4 {
		t.Fatalf("got %d stories %q, want 4 (missile launch, hotline, sanctions, engine test)", len(b.Stories), headlines(b))
	}
	want := map[string][]string{
		"https://en.yna.example/view/AEN1":                 {"Yonhap", "Reuters", "Kyodo"},
		"https://en.yna.example/view/AEN2":                 {"Yonhap", "TASS"},
		"https://tass.example/world/101":                   {"TASS"},
		"https://www.reuters.example/world/asia/nk-engine": {"Reuters"},
	}
	for url, outlets := range want {
		s := storyBySource(t, b, url)
		var got []string
		for _, src := range s.Sources {
			got = append(got, src.Name)
		}
		slices.Sort(got)
		slices.Sort(outlets)
		if !slices.Equal(got, outlets) {
			t.Errorf("story %q is carried by %q, want %q", s.Headline, got, outlets)
		}
	}
}

func TestAssembleRanksTheWidelyCarriedStoryFirst(t *testing.T) {
	b := Assemble(koreaArticles(), AssembleOptions{Topic: "korea", Stories: 10, Now: thursday.Add(time.Hour)})
	if n := len(b.Stories[0].Sources); n != 3 {
		t.Fatalf("first story %q has %d sources, want the missile launch with 3", b.Stories[0].Headline, n)
	}
	for i := 1; i < len(b.Stories); i++ {
		if b.Stories[i].Score > b.Stories[i-1].Score {
			t.Errorf("story %d (%q, %.3f) outranks story %d (%.3f)", i, b.Stories[i].Headline, b.Stories[i].Score, i-1, b.Stories[i-1].Score)
		}
	}
}

func TestAssembleMergesTheSameQuoteFromSeveralOutlets(t *testing.T) {
	b := Assemble(koreaArticles(), AssembleOptions{Topic: "korea", Now: thursday})
	s := storyBySource(t, b, "https://en.yna.example/view/AEN1")
	var shin []StoryQuote
	for _, q := range s.Quotes {
		if strings.Contains(q.Text, "clear provocation") {
			shin = append(shin, q)
		}
	}
	if len(shin) != 1 {
		t.Fatalf("the defence minister's quote appears %d times in %+v, want once", len(shin), s.Quotes)
	}
	q := shin[0]
	if q.Speaker != "Shin Won-sik" || q.Outlets != 2 {
		t.Errorf("quote credited to %q carried by %d outlets, want Shin Won-sik and 2", q.Speaker, q.Outlets)
	}
	if q.SpeakerTitle != "South Korean Defence Minister" {
		t.Errorf("title %q, want the fuller title one outlet gave", q.SpeakerTitle)
	}
	if !strings.HasPrefix(q.URL, "https://en.yna.example/view/AEN1#:~:text=") {
		t.Errorf("quote URL %q does not link into the story's best article with a text fragment", q.URL)
	}
	if s.Quotes[0].Text != q.Text {
		t.Errorf("first quote is %q, want the key quote carried by two outlets", s.Quotes[0].Text)
	}
}

func TestAssembleBudgetCountsTheStoriesLeftOut(t *testing.T) {
	b := Assemble(koreaArticles(), AssembleOptions{Topic: "korea", Stories: 2, QuotesPerStory: 1, Now: thursday})
	if len(b.Stories) != 2 || b.More != 2 {
		t.Fatalf("got %d stories and More=%d, want 2 and 2", len(b.Stories), b.More)
	}
	for _, s := range b.Stories {
		if len(s.Quotes) > 1 {
			t.Errorf("story %q has %d quotes, budget is 1", s.Headline, len(s.Quotes))
		}
	}
}

func TestAssembleDefaultsToFiveStoriesOfThreeQuotes(t *testing.T) {
	arts := generateArticles(rand.New(rand.NewPCG(1, 2)), 200, time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC))
	b := Assemble(arts, AssembleOptions{Topic: "topic"})
	if len(b.Stories) != DefaultStories || b.More == 0 {
		t.Fatalf("got %d stories, More=%d; want %d and some left out", len(b.Stories), b.More, DefaultStories)
	}
	for _, s := range b.Stories {
		if len(s.Quotes) == 0 || len(s.Quotes) > DefaultQuotesPerStory {
			t.Errorf("story %q has %d quotes, want 1..%d", s.Headline, len(s.Quotes), DefaultQuotesPerStory)
		}
	}
}

func TestAssembleOfAnEmptyWindowHasNoStories(t *testing.T) {
	from := thursday.Add(24 * time.Hour)
	b := Assemble(koreaArticles(), AssembleOptions{Topic: "korea", From: from, To: from.Add(24 * time.Hour)})
	if !b.Empty() || b.More != 0 || b.Stories == nil {
		t.Fatalf("got %+v, want an empty, non-nil story list", b)
	}
	if b.Topic != "korea" || !b.From.Equal(from) {
		t.Errorf("briefing lost its topic or window: %+v", b)
	}
}

func TestAssembleKeepsOnlyTheWindow(t *testing.T) {
	b := Assemble(koreaArticles(), AssembleOptions{Topic: "korea", From: wednesday, To: wednesday.Add(12 * time.Hour), Stories: 10})
	if len(b.Stories) != 2 {
		t.Fatalf("got %q, want the hotline and the sanctions stories of Wednesday", headlines(b))
	}
	for _, s := range b.Stories {
		if s.Published.Before(wednesday) || s.Published.After(wednesday.Add(12*time.Hour)) {
			t.Errorf("story %q published %v is outside the window", s.Headline, s.Published)
		}
	}
}

func TestAssembleLinksWireCopiesByStoryID(t *testing.T) {
	arts := koreaArticles()
	// A copy of the engine test whose headline the outlet rewrote beyond recognition: only the
	// store's StoryID links it.
	cp := article("NK News", "https://nknews.example/engine", "Pyongyang touts 'historic turning point'",
		"State media carried a photograph of leader Kim Jong Un watching the ground trial.", thursday.Add(time.Hour))
	cp.StoryID = 7
	arts[6].StoryID = 7
	arts = append(arts, cp)
	b := Assemble(arts, AssembleOptions{Topic: "korea", Stories: 10, Now: thursday})
	s := storyBySource(t, b, "https://nknews.example/engine")
	if len(s.Sources) != 2 {
		t.Errorf("story %q has sources %+v, want the Reuters article and its copy", s.Headline, s.Sources)
	}
}

func TestAssembleDoesNotDependOnInputOrder(t *testing.T) {
	arts := koreaArticles()
	want := Assemble(arts, AssembleOptions{Topic: "korea", Now: thursday})
	rng := rand.New(rand.NewPCG(3, 4))
	for range 10 {
		shuffled := slices.Clone(arts)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got := Assemble(shuffled, AssembleOptions{Topic: "korea", Now: thursday})
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("briefing changed with the input order:\n got %q\nwant %q", headlines(got), headlines(want))
		}
	}
}

func TestAssembleDoesNotModifyArticles(t *testing.T) {
	arts := koreaArticles()
	before := koreaArticles()
	Assemble(arts, AssembleOptions{Topic: "korea"})
	if !reflect.DeepEqual(arts, before) {
		t.Fatal("Assemble modified its input")
	}
}

func TestAssembleDerivesALedeAndHeadlineWhenMissing(t *testing.T) {
	a := Article{Source: "wire", Text: "   \n\nFirst paragraph of the body.\nSecond paragraph.", Published: tuesday}
	b := Assemble([]Article{a}, AssembleOptions{})
	if len(b.Stories) != 1 {
		t.Fatalf("got %d stories, want 1", len(b.Stories))
	}
	s := b.Stories[0]
	if s.Lede != "First paragraph of the body." || s.Headline != s.Lede {
		t.Errorf("lede %q headline %q, want both from the first paragraph", s.Lede, s.Headline)
	}
}

func TestAssembleChoosesQuotes(t *testing.T) {
	at := tuesday
	tests := []struct {
		name   string
		quotes []Quote
		want   []string // texts, in order
	}{
		{
			name: "key quotes come first, then the engine's score",
			quotes: []Quote{
				quote("The budget will be balanced by the end of next year", "Ann Lee", "Finance Minister", 0.95, false),
				quote("We will cut the deficit in half within two years", "Ann Lee", "Finance Minister", 0.6, true),
				quote("Taxes on small firms will not rise this year", "Bo Chan", "Treasury Secretary", 0.7, true),
			},
			want: []string{"Taxes on small firms will not rise this year", "We will cut the deficit in half within two years", "The budget will be balanced by the end of next year"},
		},
		{
			name: "attributed, complete quotes come before anonymous ones and fragments",
			quotes: []Quote{
				quote("This is a dark day for the whole industry and its workers", "", "", 0.8, false),
				{Text: "dark day", Speaker: "Ann Lee", Score: 0.85, Partial: true},
				quote("Hundreds of jobs depend on a quick decision from the ministry", "Ann Lee", "", 0.7, false),
			},
			want: []string{"Hundreds of jobs depend on a quick decision from the ministry", "This is a dark day for the whole industry and its workers", "dark day"},
		},
		{
			name: "two quotes that say the same thing are shown once",
			quotes: []Quote{
				quote("Russia will never accept these sanctions", "Sergey Lavrov", "", 0.9, true),
				quote("These sanctions Russia will never accept", "Sergey Lavrov", "", 0.8, true),
				quote("Dialogue remains the only way forward", "Sergey Lavrov", "", 0.5, false),
			},
			want: []string{"Russia will never accept these sanctions", "Dialogue remains the only way forward"},
		},
		{
			name: "a different speaker wins when scores are close",
			quotes: []Quote{
				quote("Our forces are ready to respond to any provocation", "Shin Won-sik", "Defence Minister", 0.90, true),
				quote("We will strengthen joint exercises with our allies", "Shin Won-sik", "Defence Minister", 0.88, true),
				quote("The launch violates several Security Council resolutions", "Antony Blinken", "Secretary of State", 0.85, true),
			},
			want: []string{"Our forces are ready to respond to any provocation", "The launch violates several Security Council resolutions", "We will strengthen joint exercises with our allies"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := article("wire", "https://wire.example/1", "Headline", "Lede.", at, tt.quotes...)
			b := Assemble([]Article{a}, AssembleOptions{})
			var got []string
			for _, q := range b.Stories[0].Quotes {
				got = append(got, q.Text)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("quotes\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestAssemblePrefersStoriesOnTopic(t *testing.T) {
	arts := []Article{
		article("A", "https://a.example/1", "Markets rally as inflation cools", "Stocks rose across Asia.", tuesday),
		article("B", "https://b.example/1", "Korea exports surge in May", "Shipments of chips led the rise.", tuesday),
	}
	b := Assemble(arts, AssembleOptions{Topic: "trade", Query: `korea OR "south korea"`, Now: tuesday})
	if b.Stories[0].Headline != "Korea exports surge in May" {
		t.Errorf("stories %q: want the one whose headline matches the query first", headlines(b))
	}
}

func TestTopicTermsParseTheQuerySyntax(t *testing.T) {
	got := topicTerms(AssembleOptions{Topic: "Korea", Query: `korea OR pyongyang OR "north korea" -sport NOT football (missiles)`})
	want := [][]string{{"korea"}, {"korea"}, {"pyongyang"}, {"north", "korea"}, {"missil"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAssembleKeepsApartEventsThatShareOnlyTheirPeople(t *testing.T) {
	arts := []Article{
		article("Yonhap", "https://en.yna.example/view/L1", "Lee Jae-myung unveils plan for 500,000 public homes",
			"Opposition leader Lee Jae-myung unveiled a plan on Monday to build 500,000 public rental homes around Seoul within five years, financed by a land value tax.", tuesday),
		article("Korea Herald", "https://herald.example/L2", "Lee Jae-myung meets Chinese ambassador Xing Haiming",
			"Opposition leader Lee Jae-myung met Chinese Ambassador Xing Haiming in Seoul on Monday and called for closer cooperation on trade and fine dust.", tuesday.Add(time.Hour)),
		article("Korea Times", "https://times.example/L3", "Lee pledges 500,000 rental homes, land tax",
			"Lee Jae-myung pledged on Monday to build 500,000 public rental homes around Seoul, paid for with a new land value tax.", tuesday.Add(2*time.Hour)),
	}
	b := Assemble(arts, AssembleOptions{Stories: 10})
	if len(b.Stories) != 2 {
		t.Fatalf("got stories %q, want the housing plan (2 outlets) and the meeting apart", headlines(b))
	}
	if s := storyBySource(t, b, "https://herald.example/L2"); len(s.Sources) != 1 {
		t.Errorf("the meeting was joined with %+v", s.Sources)
	}
}

func TestStemWordMakesInflectionsMeet(t *testing.T) {
	groups := [][]string{
		{"fire", "fires", "fired", "firing"},
		{"launch", "launches", "launched", "launching"},
		{"agree", "agreed", "agrees"},
		{"missile", "missiles"},
		{"talk", "talks", "talked"},
		{"stop", "stopped", "stopping"},
		{"policy", "policies"},
	}
	for _, g := range groups {
		want := string(stemWord([]byte(g[0])))
		for _, w := range g[1:] {
			if got := string(stemWord([]byte(w))); got != want {
				t.Errorf("stemWord(%q) = %q, want %q like %q", w, got, want, g[0])
			}
		}
	}
}

func TestAssembleDoesNotJoinArticlesOnNamesAlone(t *testing.T) {
	arts := []Article{
		article("A", "https://a.example/1", "Kim Jong Un hosts Xi Jinping in Pyongyang",
			"Kim Jong Un hosted Xi Jinping at a banquet in Pyongyang.", tuesday),
		article("B", "https://b.example/1", "Kim Jong Un and Xi Jinping mourn flood victims",
			"Kim Jong Un and Xi Jinping sent condolences after floods in Sinuiju.", tuesday.Add(time.Hour)),
	}
	if b := Assemble(arts, AssembleOptions{Stories: 10}); len(b.Stories) != 2 {
		t.Errorf("got stories %q, want the banquet and the floods apart", headlines(b))
	}
}

func TestAssembleOfManyArticlesIsTheSameWhateverTheOrder(t *testing.T) {
	// Enough articles for features to be read in parallel (parallelFrom).
	start := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	arts := generateArticles(rand.New(rand.NewPCG(5, 6)), 2*parallelFrom, start)
	opts := AssembleOptions{Topic: "topic", Stories: 20}
	want := Assemble(arts, opts)
	rng := rand.New(rand.NewPCG(7, 8))
	for range 3 {
		shuffled := slices.Clone(arts)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := Assemble(shuffled, opts); !reflect.DeepEqual(got, want) {
			t.Fatalf("briefing changed with the input order:\n got %q\nwant %q", headlines(got), headlines(want))
		}
	}
}

func TestAssembleReusesNoMemoryItReturned(t *testing.T) {
	// Assemble keeps its working memory for the next call: a briefing it returned must not
	// change when it assembles others, one after the other or at the same time.
	start := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	big := generateArticles(rand.New(rand.NewPCG(9, 10)), 2*parallelFrom, start)
	first := Assemble(big, AssembleOptions{Topic: "topic", Stories: 20})
	want := Assemble(big, AssembleOptions{Topic: "topic", Stories: 20})
	if !reflect.DeepEqual(first, want) {
		t.Fatal("the same articles gave two different briefings")
	}
	done := make(chan Briefing)
	for i := range 4 {
		go func() {
			arts := koreaArticles()
			if i%2 == 0 {
				arts = generateArticles(rand.New(rand.NewPCG(uint64(i), 11)), 2*parallelFrom, start)
			}
			done <- Assemble(arts, AssembleOptions{Topic: "topic", Stories: 20})
		}()
	}
	for range 4 {
		<-done
	}
	if !reflect.DeepEqual(first, want) || !reflect.DeepEqual(Assemble(big, AssembleOptions{Topic: "topic", Stories: 20}), want) {
		t.Error("a briefing changed, or came out differently, after others were assembled")
	}
}
