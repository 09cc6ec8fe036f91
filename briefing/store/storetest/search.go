package storetest

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
)

// searchCases are topic queries over the fixtures with the articles each must find, the same on
// every backend. The fixtures' comments say which words each article holds.
var searchCases = []struct {
	query string
	want  []string // fixture keys, any order
}{
	{`korea`, []string{"wire", "edited", "missile", "football"}},
	{`KOREA`, []string{"wire", "edited", "missile", "football"}},
	{`the korea`, []string{"wire", "edited", "missile", "football"}},
	{`korea -sport`, []string{"wire", "edited", "missile"}},
	{`korea OR pyongyang OR "north korea" -sport`, []string{"wire", "edited", "missile", "orlov"}},
	{`"north korea"`, []string{"wire", "edited", "missile"}},
	{`"korea north"`, nil},
	{`north-korea`, []string{"wire", "edited", "missile"}},
	{`missile OR football`, []string{"missile", "football"}},
	{`(missile OR football) japan`, []string{"missile", "football"}},
	{`japan AND football`, []string{"football"}},
	{`missile or football`, []string{"missile", "football"}},
	{`japan and football`, []string{"football"}},
	{`or missile and`, []string{"missile"}},
	{`talks -(military OR missile)`, []string{"orlov"}},
	{`negotiating`, []string{"wire", "edited"}},
	{`bread*`, []string{"bakery"}},
	{`bak*`, []string{"bakery"}},
	{`-korea -pyongyang`, []string{"bakery"}},
	{`-"north korea" -bread pyongyang`, []string{"orlov"}},
	{`speaker:Orlov`, []string{"orlov"}},
	{`speaker:"pavel orlov"`, []string{"orlov"}},
	{`speaker:Orlov korea`, nil},
	{`speaker:"Han Seo-yeon" OR speaker:"Choe Myong-ho"`, []string{"wire", "edited"}},
	{`speaker:"Han Seo-yeon" speaker:"Choe Myong-ho"`, []string{"wire"}},
	{`-speaker:"Kenji Mori" korea`, []string{"wire", "edited", "football"}},
	{`source:tass`, []string{"orlov"}},
	{`source:TASS pyongyang`, []string{"orlov"}},
	{`source:"daily post" OR source:wire`, []string{"wire", "edited"}},
	{`-source:wire korea`, []string{"edited", "missile", "football"}},
	{`zanzibar`, nil},
	// Words are matched by their stem, the same on every backend.
	{`rates`, []string{"bakery"}},
	{`rate`, []string{"bakery"}},
	{`running`, []string{"bakery"}},
	{`run -bread`, nil},
	{`"interest rate"`, []string{"bakery"}},
	{`"interesting rates"`, []string{"bakery"}},
	{`"rates interest"`, nil},
	{`"fished boat"`, []string{"wire", "edited"}},
	{`talking`, []string{"wire", "edited", "orlov"}},
	{`missiles -launching`, nil},
	{`Zürich OR zurich`, nil},
}

var searchTests = map[string]func(t *testing.T, h *harness){
	"topic queries find the same articles on every backend": func(t *testing.T, h *harness) {
		e := h.env(t)
		fx := e.saveFixtures(t)
		for _, c := range searchCases {
			got, err := e.s.Search(ctx, store.Query{Text: c.query})
			if err != nil {
				t.Errorf("Search(%q): %v", c.query, err)
				continue
			}
			if g, w := sorted(keysOf(fx, got)), sorted(c.want); !reflect.DeepEqual(g, w) && (len(g) > 0 || len(w) > 0) {
				t.Errorf("Search(%q) = %v, want %v", c.query, g, w)
			}
			if n := e.count(t, store.Query{Text: c.query}); n != len(c.want) {
				t.Errorf("Count(%q) = %d, want %d", c.query, n, len(c.want))
			}
		}
	},

	"results are newest first, with their quotes, up to the limit": func(t *testing.T, h *harness) {
		e := h.env(t)
		fx := e.saveFixtures(t)
		got, err := e.s.Search(ctx, store.Query{Text: "korea OR pyongyang", Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if keys, want := keysOf(fx, got), []string{"edited", "wire", "orlov"}; !reflect.DeepEqual(keys, want) {
			t.Fatalf("order = %v, want %v (newest first)", keys, want)
		}
		for i, a := range got {
			want := fx[keysOf(fx, got)[i]]
			if !reflect.DeepEqual(a.Quotes, want.Quotes) {
				t.Errorf("quotes of %q = %+v, want %+v", a.Headline, a.Quotes, want.Quotes)
			}
			if len(a.Speakers) == 0 {
				t.Errorf("%q came without speakers", a.Headline)
			}
		}
	},

	"filters by published window, sources and speaker": func(t *testing.T, h *harness) {
		e := h.env(t)
		fx := e.saveFixtures(t)
		cases := []struct {
			name string
			q    store.Query
			want []string
		}{
			{"the last 24 hours", store.Query{Text: "korea OR pyongyang", Since: t0.Add(-24 * time.Hour), Until: t0}, []string{"edited", "wire", "orlov"}},
			{"a window that excludes its end", store.Query{Since: t0.Add(-3 * time.Hour), Until: t0.Add(-time.Hour)}, []string{"wire", "orlov"}},
			{"only since", store.Query{Since: t0.Add(-30 * time.Hour)}, []string{"edited", "wire", "orlov", "missile"}},
			{"only until", store.Query{Until: t0.Add(-30 * time.Hour)}, []string{"football", "bakery"}},
			{"any of several sources", store.Query{Sources: []string{"TASS", "village voice"}}, []string{"orlov", "bakery"}},
			{"sources and the query's own source filter", store.Query{Text: "source:tass", Sources: []string{"wire"}}, nil},
			{"a speaker by surname", store.Query{Speaker: "quill"}, []string{"bakery"}},
			{"a speaker by full name, with accents and case ignored", store.Query{Speaker: "KENJI MÓRI"}, []string{"missile"}},
			{"everything", store.Query{}, []string{"edited", "wire", "orlov", "missile", "football", "bakery"}},
		}
		for _, c := range cases {
			got, err := e.s.Search(ctx, c.q)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			if keys := keysOf(fx, got); !reflect.DeepEqual(keys, c.want) && (len(keys) > 0 || len(c.want) > 0) {
				t.Errorf("%s: got %v, want %v", c.name, keys, c.want)
			}
			if n := e.count(t, c.q); n != len(c.want) {
				t.Errorf("%s: count %d, want %d", c.name, n, len(c.want))
			}
		}
	},

	"a first-seen window finds articles by when they were stored, however late they were published": func(t *testing.T, h *harness) {
		e := h.env(t)
		fx := fixtures()
		// wire was published at t0-2h but read an hour late; missile, orlov and football when
		// they were published; bakery long after (a feed's back catalogue, read at its first poll).
		seen := map[string]time.Time{
			"wire": t0.Add(-time.Hour), "missile": t0.Add(-26 * time.Hour), "orlov": t0.Add(-3 * time.Hour),
			"football": t0.Add(-52 * time.Hour), "bakery": t0, "edited": t0.Add(-time.Hour),
		}
		for _, k := range []string{"bakery", "edited", "football", "missile", "orlov", "wire"} {
			fx[k].FirstSeen = seen[k]
			e.save(t, fx[k])
		}
		// Updating an article in place keeps its first-seen time.
		upd := *fx["wire"]
		upd.ID, upd.FirstSeen, upd.Hash = 0, t0.Add(time.Hour), ""
		upd.Text += "\n\nThe talks were confirmed by both ministries."
		if r := e.save(t, &upd); r.Status != store.Updated {
			t.Fatalf("update: %s", r.Status)
		}
		cases := []struct {
			name string
			q    store.Query
			want []string
		}{
			{"the hour after a slot at t0-2h", store.Query{FirstSeenSince: t0.Add(-2 * time.Hour), FirstSeenUntil: t0.Add(-time.Hour)}, nil},
			{"the window that follows", store.Query{FirstSeenSince: t0.Add(-time.Hour), FirstSeenUntil: t0}, []string{"edited", "wire"}},
			{"the window before, by published time, misses the late one", store.Query{Since: t0.Add(-4 * time.Hour), Until: t0.Add(-time.Hour)}, []string{"wire", "orlov"}},
			{"first seen in a window and published no earlier than a day before its end",
				store.Query{FirstSeenSince: t0.Add(-4 * time.Hour), FirstSeenUntil: t0.Add(time.Minute), Since: t0.Add(-24 * time.Hour)},
				[]string{"edited", "wire", "orlov"}},
			{"with a topic", store.Query{Text: "korea OR pyongyang", FirstSeenSince: t0.Add(-30 * time.Hour), FirstSeenUntil: t0.Add(-2 * time.Hour)}, []string{"orlov", "missile"}},
			{"only since", store.Query{FirstSeenSince: t0}, []string{"bakery"}},
			{"only until", store.Query{FirstSeenUntil: t0.Add(-26 * time.Hour)}, []string{"football"}},
			{"the until bound is excluded", store.Query{FirstSeenUntil: t0.Add(-52 * time.Hour)}, nil},
		}
		for _, c := range cases {
			got, err := e.s.Search(ctx, c.q)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			if keys := keysOf(fx, got); !reflect.DeepEqual(keys, c.want) && (len(keys) > 0 || len(c.want) > 0) {
				t.Errorf("%s: got %v, want %v", c.name, keys, c.want)
			}
			if n := e.count(t, c.q); n != len(c.want) {
				t.Errorf("%s: count %d, want %d", c.name, n, len(c.want))
			}
		}
	},

	"a search without text returns everything else, and the text of an article without a lede": func(t *testing.T, h *harness) {
		e := h.env(t)
		fx := fixtures()
		ledes := map[string]string{
			"wire":    "North Korea and South Korea agreed on Monday to resume military talks.",
			"edited":  "North Korea and South Korea agreed on Monday to resume military talks.",
			"missile": "North Korea fired a ballistic missile into the sea east of the peninsula.",
			"orlov":   " \t\n",              // blank
			"bakery":  "\u00a0\u2003\u3000", // blank too: Unicode white space
			// football has no lede
		}
		keys := []string{"bakery", "edited", "football", "missile", "orlov", "wire"}
		for _, k := range keys {
			fx[k].Lede = ledes[k]
			e.save(t, fx[k])
		}
		for _, q := range []store.Query{
			{},
			{Text: "korea OR pyongyang OR bread*", Limit: 4},
			{Text: `"north korea" OR football -missile`, Since: t0.Add(-60 * time.Hour), Until: t0},
			{Text: "speaker:Orlov OR speaker:Quill"},
		} {
			full, err := e.s.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			lean := q
			lean.WithoutText = true
			got, err := e.s.Search(ctx, lean)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := keysOf(fx, got), keysOf(fx, full); !reflect.DeepEqual(g, w) || len(w) == 0 {
				t.Fatalf("Search(%+v) without text found %v, with text %v", q, g, w)
			}
			for i, k := range keysOf(fx, got) {
				a := got[i]
				switch {
				case strings.TrimSpace(ledes[k]) != "" && a.Text != "":
					t.Errorf("%s: %d bytes of text, want none (it has a lede)", k, len(a.Text))
				case strings.TrimSpace(ledes[k]) == "" && a.Text != fx[k].Text:
					t.Errorf("%s: text %q, want the article's (its lede is blank)", k, a.Text)
				}
				if !reflect.DeepEqual(a.Quotes, fx[k].Quotes) {
					t.Errorf("%s: quotes %+v, want %+v", k, a.Quotes, fx[k].Quotes)
				}
				a.Text = full[i].Text
				if !reflect.DeepEqual(a, full[i]) {
					t.Errorf("%s without text: %+v\nwith text: %+v", k, a, full[i])
				}
			}
			// A briefing reads nothing of what was left out.
			opts := briefing.AssembleOptions{Topic: "korea", Query: q.Text, From: q.Since, To: q.Until, Now: t0}
			if b, w := briefing.Assemble(got, opts), briefing.Assemble(full, opts); !reflect.DeepEqual(b, w) {
				t.Errorf("Search(%+v): the briefing without texts is\n%+v\nwith them\n%+v", q, b, w)
			}
		}
	},

	"an updated article is found by its new speakers only": func(t *testing.T, h *harness) {
		e := h.env(t)
		fx := e.saveFixtures(t)
		// The quote was the spokeswoman's, a correction says.
		upd := fixture("tass", fx["orlov"].URL, fx["orlov"].Headline, orlovStory+"\n\nCorrection: the first quote was the ministry spokeswoman's.", fx["orlov"].Published,
			quoteSpec{text: "We do not want to impose anything on anyone, we want to help people talk to each other,", speaker: "Irina Volkova", title: "spokeswoman", cue: "stressed"})
		if r := e.save(t, upd); r.Status != store.Updated {
			t.Fatalf("update: %s", r.Status)
		}
		for q, want := range map[string][]string{
			"speaker:Orlov":                 nil,
			"speaker:Volkova":               {"orlov"},
			`speaker:"irina volkova" talks`: {"orlov"},
			"-speaker:Volkova pyongyang":    {"wire", "edited", "missile"},
		} {
			got, err := e.s.Search(ctx, store.Query{Text: q})
			if err != nil {
				t.Fatalf("Search(%q): %v", q, err)
			}
			if g := sorted(keysOf(fx, got)); !reflect.DeepEqual(g, sorted(want)) && (len(g) > 0 || len(want) > 0) {
				t.Errorf("Search(%q) = %v, want %v", q, g, want)
			}
			for _, a := range got {
				if a.ID == fx["orlov"].ID && (len(a.Quotes) != 1 || a.Quotes[0].Speaker != "Irina Volkova") {
					t.Errorf("Search(%q): the updated article's quotes are %+v", q, a.Quotes)
				}
			}
		}
	},

	"a query that does not parse fails with ErrBadQuery": func(t *testing.T, h *harness) {
		e := h.env(t)
		for _, q := range []string{`"north korea`, `korea OR`, `(korea`, `author:me`, `korea OR -sport`} {
			_, err := e.s.Search(ctx, store.Query{Text: q})
			wantErr(t, err, store.ErrBadQuery)
			_, err = e.s.Count(ctx, store.Query{Text: q})
			wantErr(t, err, store.ErrBadQuery)
		}
	},

	"query text is never read as SQL or full-text syntax": func(t *testing.T, h *harness) {
		e := h.env(t)
		e.saveFixtures(t)
		for _, q := range []string{`korea'); DROP TABLE articles; --`, `NEAR(korea pyongyang)`, `korea:* & !sport`, `headline:korea`, `"a""b"`, `{korea}`} {
			if _, err := e.s.Search(ctx, store.Query{Text: q}); err != nil && !errors.Is(err, store.ErrBadQuery) {
				t.Errorf("Search(%q): %v", q, err)
			}
		}
		if n := e.count(t, store.Query{}); n != 6 {
			t.Errorf("%d articles after the hostile queries, want 6", n)
		}
	},
}
