package storetest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
)

var articleTests = map[string]func(t *testing.T, h *harness){
	"a new article is stored with its quotes and speakers": func(t *testing.T, h *harness) {
		e := h.env(t)
		a := fixtures()["wire"]
		r := e.save(t, a)
		if r.Status != store.Saved || r.ID == 0 || r.StoryID != r.ID {
			t.Fatalf("result = %+v, want a new article that is its own story", r)
		}
		if a.ID != r.ID || a.StoryID != r.StoryID || a.Hash == "" {
			t.Errorf("article not updated: ID %d StoryID %d Hash %q", a.ID, a.StoryID, a.Hash)
		}
		got := e.article(t, r.ID)
		if got.Headline != a.Headline || got.Text != a.Text || got.Source != a.Source || got.URL != a.URL ||
			!got.Published.Equal(a.Published) || !got.FirstSeen.Equal(t0) || got.Hash != a.Hash {
			t.Errorf("stored article differs:\n got %q %q %q %v %v %q\nwant %q %q %q %v %v %q",
				got.Headline, got.Source, got.URL, got.Published, got.FirstSeen, got.Hash,
				a.Headline, a.Source, a.URL, a.Published, t0, a.Hash)
		}
		if !reflect.DeepEqual(got.Quotes, a.Quotes) {
			t.Errorf("quotes = %+v\nwant %+v", got.Quotes, a.Quotes)
		}
		for _, q := range got.Quotes {
			if got.Text[q.Start:q.End] != q.Text {
				t.Errorf("quote offsets %d..%d do not frame %q", q.Start, q.End, q.Text)
			}
		}
		wantSpeakers := []briefing.Speaker{{Name: "Han Seo-yeon", Title: "Unification Minister", Quotes: 2}, {Name: "Choe Myong-ho", Quotes: 1}}
		if !reflect.DeepEqual(got.Speakers, wantSpeakers) {
			t.Errorf("speakers = %+v, want %+v", got.Speakers, wantSpeakers)
		}
	},

	"an article without a published time counts as published when first seen": func(t *testing.T, h *harness) {
		e := h.env(t)
		seen := t0.Add(90 * time.Minute)
		e.clock.Set(seen)
		a := fixtures()["bakery"]
		a.Published = time.Time{}
		got := e.article(t, e.save(t, a).ID)
		if !got.Published.Equal(seen) || !got.FirstSeen.Equal(seen) {
			t.Errorf("published %v, first seen %v; want both %v", got.Published, got.FirstSeen, seen)
		}
	},

	"the same URL with the same content is a duplicate": func(t *testing.T, h *harness) {
		e := h.env(t)
		first := e.save(t, fixtures()["wire"])
		again := fixtures()["wire"]
		again.Headline = "Another headline does not make another article"
		r := e.save(t, again)
		if r.Status != store.Duplicate || r.ID != first.ID || r.StoryID != first.StoryID {
			t.Errorf("result = %+v, want a duplicate of %+v", r, first)
		}
		if n := e.count(t, store.Query{}); n != 1 {
			t.Errorf("%d articles stored, want 1", n)
		}
	},

	"the same URL with changed content is updated in place and its quotes replaced": func(t *testing.T, h *harness) {
		e := h.env(t)
		a := fixtures()["wire"]
		first := e.save(t, a)
		e.clock.Set(t0.Add(time.Hour))
		upd := fixtures()["wire"]
		upd.Text = strings.Replace(upd.Text, "next month", "in two weeks", 1) + "\n\nThis story has been updated with the date of the talks."
		upd.Quotes = upd.Quotes[:1]
		upd.Quotes[0].Start, upd.Quotes[0].End = strings.Index(upd.Text, upd.Quotes[0].Text), strings.Index(upd.Text, upd.Quotes[0].Text)+len(upd.Quotes[0].Text)
		r := e.save(t, upd)
		if r.Status != store.Updated || r.ID != first.ID || r.StoryID != first.StoryID {
			t.Fatalf("result = %+v, want an update of %+v", r, first)
		}
		got := e.article(t, r.ID)
		if got.Text != upd.Text || len(got.Quotes) != 1 || !got.FirstSeen.Equal(t0) {
			t.Errorf("after the update: %d quotes, first seen %v, text updated %v", len(got.Quotes), got.FirstSeen, got.Text == upd.Text)
		}
		if len(got.Speakers) != 1 || got.Speakers[0].Name != "Han Seo-yeon" {
			t.Errorf("speakers = %+v, want only Han Seo-yeon", got.Speakers)
		}
		if n := e.count(t, store.Query{Text: `"two weeks"`}); n != 1 {
			t.Errorf("the full-text index does not hold the new text: %d matches", n)
		}
		if n := e.count(t, store.Query{Text: `"next month" negotiating`}); n != 0 {
			t.Errorf("the full-text index still holds the old text: %d matches", n)
		}
	},

	"the same content under another URL is a duplicate": func(t *testing.T, h *harness) {
		e := h.env(t)
		first := e.save(t, fixtures()["missile"])
		copy := fixtures()["missile"]
		copy.URL = "https://mirror.example/missile"
		copy.Source = "Mirror"
		copy.Text = strings.ReplaceAll(copy.Text, "\n\n", "\n \n") // white space does not count
		r := e.save(t, copy)
		if r.Status != store.Duplicate || r.ID != first.ID {
			t.Errorf("result = %+v, want a duplicate of %d", r, first.ID)
		}
	},

	"a lightly edited copy from another outlet joins the wire story's story": func(t *testing.T, h *harness) {
		e := h.env(t)
		fx := fixtures()
		wire := e.save(t, fx["wire"])
		copy := e.save(t, fx["edited"])
		if copy.Status != store.Saved || copy.ID == wire.ID {
			t.Fatalf("copy result = %+v, want a new article", copy)
		}
		if copy.StoryID != wire.ID {
			t.Errorf("copy's story = %d, want the wire story's %d (fingerprint distance %d, similarity %.2f)", copy.StoryID, wire.ID,
				briefing.FingerprintDistance(briefing.Fingerprint(fx["wire"].Body()), briefing.Fingerprint(fx["edited"].Body())),
				briefing.ShingleSimilarity(fx["wire"].Body(), fx["edited"].Body()))
		}
		if got := e.article(t, copy.ID); got.StoryID != wire.ID {
			t.Errorf("stored copy's story = %d, want %d", got.StoryID, wire.ID)
		}
		// A third copy links to the same story, whichever copy it is closest to.
		third := fixtures()["edited"]
		third.URL, third.Source = "https://third.example/koreas", "Third"
		third.Text = strings.Replace(third.Text, "Reporting by Daily Post staff", "Reporting by Third staff", 1)
		if r := e.save(t, third); r.StoryID != wire.ID {
			t.Errorf("third copy's story = %d, want %d", r.StoryID, wire.ID)
		}
	},

	"a different story on the same topic gets its own story": func(t *testing.T, h *harness) {
		e := h.env(t)
		fx := fixtures()
		wire := e.save(t, fx["wire"])
		for _, k := range []string{"missile", "football", "orlov"} {
			r := e.save(t, fx[k])
			if r.StoryID != r.ID || r.StoryID == wire.StoryID {
				t.Errorf("%s: story %d (own id %d), want its own story", k, r.StoryID, r.ID)
			}
		}
	},

	"copies published far apart are not linked": func(t *testing.T, h *harness) {
		e := h.env(t)
		fx := fixtures()
		wire := e.save(t, fx["wire"])
		late := fx["edited"]
		late.Published = fx["wire"].Published.Add(store.NearDuplicateWindow + time.Hour)
		if r := e.save(t, late); r.StoryID == wire.StoryID {
			t.Errorf("a copy %v later joined the story", store.NearDuplicateWindow+time.Hour)
		}
	},

	"a batch saves every valid article and reports the invalid ones": func(t *testing.T, h *harness) {
		e := h.env(t)
		fx := fixtures()
		bad := &briefing.Article{Source: "x", URL: "https://x.example/empty"}
		badQuote := fixtures()["football"]
		badQuote.URL = "https://x.example/bad-quote"
		badQuote.Quotes[0].End = len(badQuote.Text) + 10
		batch := []*briefing.Article{fx["wire"], bad, fx["edited"], badQuote, fx["wire"]}
		rs, err := e.s.SaveArticles(ctx, batch)
		if err != nil {
			t.Fatalf("SaveArticles: %v", err)
		}
		if len(rs) != len(batch) {
			t.Fatalf("%d results for %d articles", len(rs), len(batch))
		}
		if rs[0].Status != store.Saved || rs[2].Status != store.Saved || rs[4].Status != store.Duplicate || rs[4].ID != rs[0].ID {
			t.Errorf("results = %+v", rs)
		}
		if rs[2].StoryID != rs[0].ID {
			t.Errorf("the copy in the batch did not join the story: %+v", rs[2])
		}
		wantErr(t, rs[1].Err, store.ErrInvalidArticle)
		wantErr(t, rs[3].Err, store.ErrInvalidArticle)
		if n := e.count(t, store.Query{}); n != 2 {
			t.Errorf("%d articles stored, want 2", n)
		}
	},

	"invalid UTF-8 and NUL bytes are stored without shifting quote offsets": func(t *testing.T, h *harness) {
		e := h.env(t)
		a := fixtures()["bakery"]
		const prefix = "Broken \xc3\x28 bytes\x00 here. "
		a.Headline = "Bakery \xff\xfe wins"
		a.Text = prefix + a.Text
		a.Source = "Village\xffVoice"
		for i := range a.Quotes {
			a.Quotes[i].Start += len(prefix)
			a.Quotes[i].End += len(prefix)
		}
		r := e.save(t, a)
		got := e.article(t, r.ID)
		if got.Headline != "Bakery ?? wins" || !strings.HasPrefix(got.Text, "Broken ?( bytes  here. ") || got.Source != "Village?Voice" {
			t.Errorf("stored %q / %q / %q", got.Headline, got.Text[:24], got.Source)
		}
		if len(got.Text) != len(a.Text) {
			t.Errorf("text length %d, want %d", len(got.Text), len(a.Text))
		}
		for _, q := range got.Quotes {
			if got.Text[q.Start:q.End] != q.Text {
				t.Errorf("quote offsets %d..%d no longer frame %q", q.Start, q.End, q.Text)
			}
		}
		if n := e.count(t, store.Query{Text: "sourdough"}); n != 1 {
			t.Errorf("the cleaned article is not searchable: %d matches", n)
		}
	},

	"an article over the size limit is refused and nothing stored is lost": func(t *testing.T, h *harness) {
		e := h.env(t)
		kept := e.save(t, fixtures()["wire"])
		huge := &briefing.Article{Source: "x", URL: "https://x.example/huge", Headline: "Huge",
			Text: strings.Repeat("All work and no play makes a dull article. ", store.MaxTextBytes/40)}
		_, err := e.s.SaveArticle(ctx, huge)
		wantErr(t, err, store.ErrTooLarge)
		if !strings.Contains(err.Error(), "MB") {
			t.Errorf("error %q does not say how large", err)
		}
		if n := e.count(t, store.Query{}); n != 1 {
			t.Errorf("%d articles, want 1", n)
		}
		if got := e.article(t, kept.ID); got.Text != wireStory {
			t.Errorf("the stored article changed")
		}
	},

	"a long article is stored exactly and searchable by its start": func(t *testing.T, h *harness) {
		e := h.env(t)
		var b strings.Builder
		b.WriteString("Zanzibar cloves lead the harvest report. ")
		for i := 0; b.Len() < 2<<20; i++ {
			fmt.Fprintf(&b, "Paragraph %d of a very long report about the harvest, with words and numbers.\n\n", i)
		}
		a := &briefing.Article{Source: "Long", URL: "https://long.example/report", Headline: "A very long report", Text: b.String()}
		r := e.save(t, a)
		if got := e.article(t, r.ID); got.Text != a.Text {
			t.Errorf("stored text differs (%d bytes, want %d)", len(got.Text), len(a.Text))
		}
		if n := e.count(t, store.Query{Text: "zanzibar cloves"}); n != 1 {
			t.Errorf("not found by words at its start: %d", n)
		}
	},

	"an unknown article is not found": func(t *testing.T, h *harness) {
		e := h.env(t)
		_, err := e.s.Article(ctx, 12345)
		wantErr(t, err, store.ErrNotFound)
	},

	"concurrent writers on several replicas lose nothing and store each URL once": func(t *testing.T, h *harness) {
		e := h.env(t)
		replicas := []store.Store{e.s, e.open(t), e.open(t)}
		const writers, each = 6, 5
		errs := make(chan error, writers*each*2)
		race(writers, func(w int) {
			s := replicas[w%len(replicas)]
			for i := range each {
				// Each writer saves its own articles, and every writer saves the same shared ones.
				own := syntheticArticle(fmt.Sprintf("w%d-%d", w, i))
				shared := syntheticArticle(fmt.Sprintf("shared-%d", i))
				for _, a := range []*briefing.Article{own, shared} {
					if _, err := s.SaveArticle(ctx, a); err != nil {
						errs <- err
					}
				}
			}
		})
		close(errs)
		for err := range errs {
			t.Errorf("SaveArticle: %v", err)
		}
		if n, want := e.count(t, store.Query{}), writers*each+each; n != want {
			t.Errorf("%d articles stored, want %d", n, want)
		}
	},
}

// syntheticArticle returns a distinct article (its own URL, words and hash) named by key.
func syntheticArticle(key string) *briefing.Article {
	text := fmt.Sprintf("Report %s. The committee on %s met today and agreed on the budget for %s. ", key, key, key) +
		fmt.Sprintf("\"We will publish the figures for %s next week,\" said Ada Brook, the chair.", key)
	q := fmt.Sprintf("We will publish the figures for %s next week,", key)
	start := strings.Index(text, q)
	return &briefing.Article{
		Source: "Synthetic", URL: "https://synthetic.example/" + key, Headline: "Committee report " + key, Text: text,
		Published: t0,
		Quotes:    []briefing.Quote{{Text: q, Start: start, End: start + len(q), Speaker: "Ada Brook", Cue: "said"}},
	}
}
