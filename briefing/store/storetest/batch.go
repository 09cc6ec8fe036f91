package storetest

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
)

// Tests of what the store does differently for large batches and large windows: near-duplicates
// found in memory for articles published close together, and searches answered from the
// full-text index in time order. Their results must be exactly those of the simple ways.

var batchTests = map[string]func(t *testing.T, h *harness){
	"a large batch links copies exactly as saving one article at a time does": func(t *testing.T, h *harness) {
		batch := inventedCopies()
		one, each := h.env(t), h.env(t)
		// The originals in one batch, the copies in another, saved by another replica (whose
		// cache is empty: the originals are read back from the database).
		rs, err := one.s.SaveArticles(ctx, batch[:inventedStories])
		if err != nil {
			t.Fatalf("SaveArticles: %v", err)
		}
		more, err := one.open(t).SaveArticles(ctx, batch[inventedStories:])
		if err != nil {
			t.Fatalf("SaveArticles: %v", err)
		}
		rs = append(rs, more...)
		var single []store.SaveResult
		for _, a := range inventedCopies() {
			r, err := each.s.SaveArticle(ctx, a)
			if err != nil {
				t.Fatalf("SaveArticle: %v", err)
			}
			single = append(single, r)
		}
		// Story by URL of the story's first article, in each store.
		stories := func(rs []store.SaveResult) map[string]string {
			urlOf := map[int64]string{}
			for i, r := range rs {
				if _, ok := urlOf[r.ID]; !ok {
					urlOf[r.ID] = batch[i].URL
				}
			}
			out := map[string]string{}
			for i, r := range rs {
				if r.Err != nil {
					t.Fatalf("article %d: %v", i, r.Err)
				}
				out[batch[i].URL] = urlOf[r.StoryID]
			}
			return out
		}
		got, want := stories(rs), stories(single)
		if !reflect.DeepEqual(got, want) {
			for u, s := range want {
				if got[u] != s {
					t.Errorf("%s: story of %s in the batch, %s one at a time", u, got[u], s)
				}
			}
		}
		// And the stories are the invented ones: each copy with its original (or, for the
		// update's copy, the updated original), each original on its own.
		for u, s := range got {
			if want := inventedStoryOf(u); s != want {
				t.Errorf("%s is in the story of %s, want %s", u, s, want)
			}
		}
		if rs[len(rs)-2].Status != store.Updated {
			t.Errorf("the re-saved original was %s, want updated", rs[len(rs)-2].Status)
		}
	},

	"search with a limit returns exactly the newest articles, to the microsecond": func(t *testing.T, h *harness) {
		e := h.env(t)
		// Articles in a few seconds, several in the same second and some at the same instant,
		// saved out of order.
		offsets := []time.Duration{900 * time.Millisecond, 0, 500 * time.Millisecond, 500 * time.Millisecond, time.Second,
			1500 * time.Millisecond, 1500 * time.Millisecond, 2*time.Second + 1, 2*time.Second - 1, 250 * time.Microsecond,
			3 * time.Second, 3 * time.Second}
		var batch []*briefing.Article
		for i, off := range offsets {
			a := syntheticArticle(fmt.Sprintf("instant-%d", i))
			a.Published = t0.Add(off)
			batch = append(batch, a)
		}
		if _, err := e.s.SaveArticles(ctx, batch[:6]); err != nil {
			t.Fatal(err)
		}
		for _, a := range batch[6:] {
			e.save(t, a)
		}
		all, err := e.s.Search(ctx, store.Query{Text: "committee"})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != len(offsets) {
			t.Fatalf("%d articles found, want %d", len(all), len(offsets))
		}
		for i := 1; i < len(all); i++ {
			if p, c := all[i-1], all[i]; p.Published.Before(c.Published) || (p.Published.Equal(c.Published) && p.ID < c.ID) {
				t.Errorf("not newest first: %v (#%d) before %v (#%d)", p.Published, p.ID, c.Published, c.ID)
			}
		}
		windows := []struct{ since, until time.Time }{
			{}, {t0, t0.Add(2 * time.Second)}, {t0.Add(500 * time.Millisecond), t0.Add(1500 * time.Millisecond)},
			{t0.Add(250 * time.Microsecond), t0.Add(2*time.Second + 1)}, {t0.Add(time.Second), time.Time{}},
		}
		for _, w := range windows {
			var inside []briefing.Article
			for _, a := range all {
				if (w.since.IsZero() || !a.Published.Before(w.since)) && (w.until.IsZero() || a.Published.Before(w.until)) {
					inside = append(inside, a)
				}
			}
			for limit := 1; limit <= len(inside)+1; limit++ {
				got, err := e.s.Search(ctx, store.Query{Text: "committee OR budget", Since: w.since, Until: w.until, Limit: limit})
				if err != nil {
					t.Fatal(err)
				}
				if g, want := ids(got), ids(inside[:min(limit, len(inside))]); !reflect.DeepEqual(g, want) {
					t.Errorf("window %v..%v, limit %d: %v, want %v", w.since, w.until, limit, g, want)
				}
			}
			if n := e.count(t, store.Query{Text: "committee", Since: w.since, Until: w.until}); n != len(inside) {
				t.Errorf("window %v..%v: count %d, want %d", w.since, w.until, n, len(inside))
			}
		}
	},

	"an update that changes the published time moves the article in time": func(t *testing.T, h *harness) {
		e := h.env(t)
		a := fixtures()["wire"]
		first := e.save(t, a)
		later := fixtures()["wire"]
		later.Published = t0.Add(5 * time.Hour)
		later.Text += "\n\nThis story was updated with a comment from the ministry of fisheries."
		if r := e.save(t, later); r.Status != store.Updated || r.ID != first.ID {
			t.Fatalf("result = %+v, want an update of %d", r, first.ID)
		}
		for _, c := range []struct {
			since, until time.Time
			want         int
		}{{t0.Add(-time.Hour), t0.Add(time.Hour), 0}, {t0.Add(4 * time.Hour), t0.Add(6 * time.Hour), 1}} {
			got, err := e.s.Search(ctx, store.Query{Text: "fisheries korea", Since: c.since, Until: c.until, Limit: 5})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != c.want || e.count(t, store.Query{Text: "korea", Since: c.since, Until: c.until}) != c.want {
				t.Errorf("window %v..%v: found %d, want %d", c.since, c.until, len(got), c.want)
			}
		}
		// The article saved next in the old second does not inherit the old index entry.
		other := syntheticArticle("after-the-move")
		other.Published = a.Published
		e.save(t, other)
		if n := e.count(t, store.Query{Text: "korea", Since: t0.Add(-time.Hour), Until: t0.Add(time.Hour)}); n != 0 {
			t.Errorf("the old window finds %d articles on korea, want 0", n)
		}
	},

	"a query of exclusions only keeps to its window": func(t *testing.T, h *harness) {
		e := h.env(t)
		fx := e.saveFixtures(t)
		got, err := e.s.Search(ctx, store.Query{Text: "-sport -bread", Since: t0.Add(-30 * time.Hour), Until: t0})
		if err != nil {
			t.Fatal(err)
		}
		if keys, want := keysOf(fx, got), []string{"edited", "wire", "orlov", "missile"}; !reflect.DeepEqual(keys, want) {
			t.Errorf("got %v, want %v", keys, want)
		}
	},
}

func ids(arts []briefing.Article) []int64 {
	out := make([]int64, len(arts))
	for i, a := range arts {
		out[i] = a.ID
	}
	return out
}

// inventedWords are the words invented stories are made of.
var inventedWords = strings.Fields(`harbour council budget river bridge school teacher hospital nurse doctor
	farmer harvest market price train station airport pilot storm flood rain summer winter museum
	painting concert singer festival library author novel court judge lawyer police officer mayor
	election vote party minister treaty border soldier general factory worker union strike bank
	loan interest tax company profit shares engineer software network phone satellite rocket
	planet ocean island fisherman boat cargo port road traffic accident fire forest mountain
	village city capital province region governor senator embassy ambassador envoy talks deal
	report study survey scientist university student exam research vaccine patient clinic
	stadium match player coach season league title record crowd team goal fans`)

const inventedStories = 40

// inventedStory returns the invented text of story k: twenty sentences of words drawn by a
// generator seeded with k.
func inventedStory(k int) []string {
	r := rand.New(rand.NewPCG(uint64(k), 2025))
	sentences := make([]string, 20)
	for i := range sentences {
		words := make([]string, 12)
		for j := range words {
			words[j] = inventedWords[r.IntN(len(inventedWords))]
		}
		sentences[i] = strings.Join(words, " ") + "."
	}
	return sentences
}

// inventedCopies returns a batch: inventedStories originals published over a day and a half, two
// edited copies of each from other outlets (a dateline, a word added, a byline), three
// copies published weeks later, an update of original 0 (another word added) and a copy
// of the update. Copies follow their originals.
func inventedCopies() []*briefing.Article {
	var out []*briefing.Article
	article := func(url string, pub time.Time, sentences []string) *briefing.Article {
		text := strings.Join(sentences, " ")
		return &briefing.Article{Source: strings.Split(url, "/")[2], URL: url, Headline: sentences[0], Text: text, Published: pub}
	}
	for k := range inventedStories {
		pub := t0.Add(time.Duration(k) * 50 * time.Minute)
		out = append(out, article(fmt.Sprintf("https://origin.example/%d", k), pub, inventedStory(k)))
	}
	for k := range inventedStories {
		for c := 1; c <= 2; c++ {
			s := inventedStory(k)
			s[0] = "CITY (Copy " + fmt.Sprint(c) + ") - " + s[0]
			s[3+c] = strings.Replace(s[3+c], " ", " and ", 1)
			s = append(s, fmt.Sprintf("Reporting by copy desk %d.", c))
			out = append(out, article(fmt.Sprintf("https://copy%d.example/%d", c, k), t0.Add(time.Duration(k)*50*time.Minute+time.Duration(c)*time.Hour), s))
		}
	}
	for k := range 3 {
		s := inventedStory(k)
		s[6] = strings.Replace(s[6], " ", " but ", 1)
		out = append(out, article(fmt.Sprintf("https://late.example/%d", k), t0.Add(30*24*time.Hour), s))
	}
	upd := inventedStory(0)
	upd[9] = strings.Replace(upd[9], " ", " or ", 1)
	out = append(out, article("https://origin.example/0", t0, upd))
	updCopy := append([]string{"TOWN (Later) - " + upd[0]}, upd[1:]...)
	out = append(out, article("https://later.example/0", t0.Add(2*time.Hour), updCopy))
	return out
}

// inventedStoryOf returns the URL of the story an article of inventedCopies belongs to.
func inventedStoryOf(url string) string {
	var k int
	switch {
	case strings.HasPrefix(url, "https://late.example/"):
		return url // weeks later: a story of its own (the first late copy of each original)
	case strings.HasPrefix(url, "https://later.example/"):
		return "https://origin.example/0"
	}
	fmt.Sscanf(url[strings.LastIndexByte(url, '/')+1:], "%d", &k)
	return fmt.Sprintf("https://origin.example/%d", k)
}
