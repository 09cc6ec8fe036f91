package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
)

var retentionTests = map[string]func(t *testing.T, h *harness){
	"articles first seen before the cut go with their quotes, speakers and search entries": func(t *testing.T, h *harness) {
		e := h.env(t)
		fx := fixtures()
		cut := t0.Add(-24 * time.Hour)
		e.clock.Set(cut.Add(-time.Second))
		e.save(t, fx["missile"])
		e.save(t, fx["bakery"])
		e.clock.Set(cut) // first seen at the cut: kept
		e.save(t, fx["football"])
		e.clock.Set(t0)
		e.save(t, fx["orlov"])
		e.save(t, fx["wire"])

		n, err := e.s.PruneArticles(ctx, cut)
		if err != nil || n != 2 {
			t.Fatalf("PruneArticles = %d, %v; want the 2 articles first seen before the cut", n, err)
		}
		for _, k := range []string{"missile", "bakery"} {
			_, err := e.s.Article(ctx, fx[k].ID)
			wantErr(t, err, store.ErrNotFound)
		}
		for _, c := range []struct {
			query string
			want  []string
		}{
			{`korea`, []string{"football", "wire"}},
			{`missile OR bread*`, nil},
			{`speaker:Mori OR speaker:Quill`, nil},
			{`speaker:Orlov`, []string{"orlov"}},
			{`speaker:"Lee Dong-hyun"`, []string{"football"}},
			{`talks`, []string{"orlov", "wire"}},
		} {
			got, err := e.s.Search(ctx, store.Query{Text: c.query})
			if err != nil {
				t.Fatalf("Search(%q): %v", c.query, err)
			}
			if keys := sorted(keysOf(fx, got)); fmt.Sprint(keys) != fmt.Sprint(sorted(c.want)) {
				t.Errorf("Search(%q) after pruning = %v, want %v", c.query, keys, c.want)
			}
		}
		if got := e.count(t, store.Query{}); got != 3 {
			t.Errorf("%d articles left, want 3", got)
		}
		if got := e.article(t, fx["football"].ID); !reflect.DeepEqual(got.Quotes, fx["football"].Quotes) {
			t.Errorf("a kept article's quotes changed: %+v", got.Quotes)
		}
		e.checkIndexes(t, 3)
		if n, err := e.s.PruneArticles(ctx, cut); err != nil || n != 0 {
			t.Errorf("pruning again = %d, %v; want nothing left to delete", n, err)
		}
	},

	"a story whose first article was pruned still groups its copies, and later copies join it": func(t *testing.T, h *harness) {
		e := h.env(t)
		fx := fixtures()
		e.clock.Set(t0.Add(-2 * time.Hour))
		wire := e.save(t, fx["wire"])
		e.clock.Set(t0)
		copies := []store.SaveResult{e.save(t, fx["edited"]), e.save(t, editedBy("Third"))}
		for i, c := range copies {
			if c.StoryID != wire.ID {
				t.Fatalf("copy %d's story = %d before pruning, want the wire story's %d", i, c.StoryID, wire.ID)
			}
		}
		if n, err := e.s.PruneArticles(ctx, t0.Add(-time.Hour)); err != nil || n != 1 {
			t.Fatalf("PruneArticles = %d, %v; want the wire article", n, err)
		}
		got, err := e.s.Search(ctx, store.Query{Text: "korea"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("Search(korea) after pruning = %d articles, want the 2 copies", len(got))
		}
		for _, a := range got {
			if a.StoryID != wire.ID {
				t.Errorf("copy %d's story = %d after pruning, want %d still", a.ID, a.StoryID, wire.ID)
			}
		}
		// A copy saved later joins the same story; another story stays apart.
		if r := e.save(t, editedBy("Fourth")); r.Status != store.Saved || r.StoryID != wire.ID {
			t.Errorf("a later copy = %+v, want a new article in story %d", r, wire.ID)
		}
		if r := e.save(t, fx["missile"]); r.StoryID != r.ID || r.ID == wire.ID {
			t.Errorf("another story = %+v, want its own story and a new id (not the pruned %d)", r, wire.ID)
		}
	},

	"claimed slots and each subscription's latest and latest delivered slots stay": func(t *testing.T, h *harness) {
		e := h.env(t)
		subs := e.subscriptions(t, 2)
		day := 24 * time.Hour
		at := func(d int) store.SlotKey {
			return store.SlotKey{SubscriptionID: subs[0].ID, At: t0.Add(time.Duration(d) * day)}
		}
		finish := func(key store.SlotKey, state store.SlotState) {
			t.Helper()
			e.claim(t, e.s, key, "a", key.At)
			if err := e.s.FinishSlot(ctx, key, "a", store.SlotOutcome{State: state, At: key.At}); err != nil {
				t.Fatal(err)
			}
		}
		finish(at(-20), store.SlotDelivered)
		e.claim(t, e.s, at(-19), "a", at(-19).At) // never finished
		finish(at(-18), store.SlotSkipped)
		finish(at(-17), store.SlotFailed)
		finish(at(-16), store.SlotDelivered) // the latest delivered
		finish(at(-15), store.SlotSkipped)   // the latest
		recent := store.SlotKey{SubscriptionID: subs[1].ID, At: t0.Add(-day)}
		finish(recent, store.SlotDelivered)

		ledgerAt := func(sub int64) []string {
			t.Helper()
			rows, err := e.s.Slots(ctx, sub, 0)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range rows {
				out = append(out, fmt.Sprintf("%d %s", int64(r.Key.At.Sub(t0)/day), r.State))
			}
			return out
		}
		n, err := e.s.PruneSlots(ctx, t0.Add(-10*day))
		if err != nil || n != 3 {
			t.Fatalf("PruneSlots = %d, %v; want the 3 finished slots before the latest delivered one", n, err)
		}
		want := []string{"-15 skipped", "-16 delivered", "-19 claimed"}
		if got := ledgerAt(subs[0].ID); !reflect.DeepEqual(got, want) {
			t.Errorf("ledger after pruning = %v, want %v", got, want)
		}
		if last, err := e.s.LastDelivered(ctx, subs[0].ID); err != nil || !last.Key.At.Equal(at(-16).At) {
			t.Errorf("LastDelivered = %+v, %v; want the slot of day -16", last, err)
		}
		if got := ledgerAt(subs[1].ID); !reflect.DeepEqual(got, []string{"-1 delivered"}) {
			t.Errorf("the other subscription's ledger = %v, want its recent slot", got)
		}

		// A newer delivery makes the old latest ones prunable; the claim stays.
		finish(at(-1), store.SlotDelivered)
		if n, err := e.s.PruneSlots(ctx, t0.Add(-10*day)); err != nil || n != 2 {
			t.Fatalf("PruneSlots after a new delivery = %d, %v; want 2", n, err)
		}
		if got, want := ledgerAt(subs[0].ID), []string{"-1 delivered", "-19 claimed"}; !reflect.DeepEqual(got, want) {
			t.Errorf("ledger = %v, want %v", got, want)
		}
	},

	"pruning goes through more rows than one batch, from several stores at once": func(t *testing.T, h *harness) {
		e := h.env(t)
		old := 2*store.PruneBatch + 37
		e.clock.Set(t0.Add(-48 * time.Hour))
		e.saveAll(t, archive(0, old))
		e.clock.Set(t0)
		e.saveAll(t, archive(old, 3))

		// Slots: many finished ones, a claim among them, and the latest.
		sub := e.subscriptions(t, 1)[0]
		keys := make([]store.SlotKey, old)
		var fs []store.SlotFinish
		for i := range keys {
			keys[i] = store.SlotKey{SubscriptionID: sub.ID, At: t0.Add(-30*24*time.Hour + time.Duration(i)*time.Minute)}
			if i != 100 {
				fs = append(fs, store.SlotFinish{Key: keys[i], Outcome: store.SlotOutcome{State: store.SlotDelivered, At: keys[i].At}})
			}
		}
		e.claimSlots(t, e.s, keys, "a", keys[0].At)
		for i, err := range e.finishSlots(t, e.s, "a", fs) {
			if err != nil {
				t.Fatalf("finish %d: %v", i, err)
			}
		}

		stores := []store.Store{e.s, e.open(t)}
		var articles, slots [2]int64
		var errs [2]error
		race(2, func(i int) {
			articles[i], errs[i] = stores[i].PruneArticles(ctx, t0.Add(-time.Hour))
			if errs[i] == nil {
				slots[i], errs[i] = stores[i].PruneSlots(ctx, t0.Add(-7*24*time.Hour))
			}
		})
		if err := errors.Join(errs[:]...); err != nil {
			t.Fatal(err)
		}
		if got := articles[0] + articles[1]; got != int64(old) {
			t.Errorf("the stores pruned %d + %d articles, want %d in all", articles[0], articles[1], old)
		}
		if got := slots[0] + slots[1]; got != int64(old-2) {
			t.Errorf("the stores pruned %d + %d slots, want %d in all (all but the claim and the latest)", slots[0], slots[1], old-2)
		}
		if got := e.count(t, store.Query{}); got != 3 {
			t.Errorf("%d articles left, want 3", got)
		}
		got, err := e.s.Search(ctx, store.Query{Text: "harbour"})
		if err != nil || len(got) != 3 {
			t.Errorf("Search(harbour) = %d articles, %v; want the 3 kept", len(got), err)
		}
		e.checkIndexes(t, 3)
		rows, err := e.s.Slots(ctx, sub.ID, 0)
		if err != nil || len(rows) != 2 || rows[0].Key != keys[old-1] || rows[1].Key != keys[100] || rows[1].State != store.SlotClaimed {
			t.Errorf("ledger after pruning = %+v, %v; want the latest slot and the claim", rows, err)
		}
	},

	"pruning stops when its context ends": func(t *testing.T, h *harness) {
		e := h.env(t)
		e.save(t, fixtures()["wire"])
		done, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := e.s.PruneArticles(done, t0.Add(time.Hour)); !errors.Is(err, context.Canceled) {
			t.Errorf("PruneArticles with an ended context: %v, want context.Canceled", err)
		}
		if _, err := e.s.PruneSlots(done, t0.Add(time.Hour)); !errors.Is(err, context.Canceled) {
			t.Errorf("PruneSlots with an ended context: %v, want context.Canceled", err)
		}
		if got := e.count(t, store.Query{}); got != 1 {
			t.Errorf("%d articles left, want the 1 stored", got)
		}
	},
}

// editedBy returns another outlet's copy of the wire story, its byline naming the outlet.
func editedBy(outlet string) *briefing.Article {
	a := fixtures()["edited"]
	slug := strings.ToLower(outlet)
	a.URL, a.Source = "https://"+slug+".example/koreas", outlet
	a.Text = strings.Replace(a.Text, "Reporting by Daily Post staff", "Reporting by "+outlet+" staff", 1)
	return a
}

// archive returns n short articles, numbered from first, each about the harbour and quoting one
// person of its own.
func archive(first, n int) []*briefing.Article {
	out := make([]*briefing.Article, n)
	for i := range out {
		k := first + i
		speaker := fmt.Sprintf("Harbourmaster No%d", k)
		quote := fmt.Sprintf("Berth %d is open again", k)
		text := fmt.Sprintf("The harbour board reopened berth %d on Tuesday. %q, said %s.", k, quote, speaker)
		start := strings.Index(text, quote)
		out[i] = &briefing.Article{Source: "Harbour Log", URL: fmt.Sprintf("https://harbourlog.example/%d", k),
			Headline: fmt.Sprintf("Berth %d reopens", k), Text: text, Published: t0.Add(-time.Duration(k) * time.Second),
			Quotes: []briefing.Quote{{Text: quote, Start: start, End: start + len(quote), Speaker: speaker, Cue: "said"}}}
	}
	return out
}

// saveAll saves articles in one batch and fails the test unless each is new.
func (e *env) saveAll(t *testing.T, arts []*briefing.Article) {
	t.Helper()
	rs, err := e.s.SaveArticles(ctx, arts)
	if err != nil {
		t.Fatalf("SaveArticles: %v", err)
	}
	for i, r := range rs {
		if r.Err != nil || r.Status != store.Saved {
			t.Fatalf("article %d: %+v, want it saved", i, r)
		}
	}
}

// checkIndexes checks that SQLite's speakers table and full-text index hold entries of the
// articles stored and of no other.
func (e *env) checkIndexes(t *testing.T, articles int) {
	t.Helper()
	if isPostgres(e.dsn) {
		return // the speaker keys and the search vector are columns of the article's row
	}
	db := e.rawDB(t)
	var orphans int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM speakers WHERE article_id NOT IN (SELECT id FROM articles)`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Errorf("%d speakers rows of deleted articles", orphans)
	}
	var entries int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM articles_fts`).Scan(&entries); err != nil {
		t.Fatal(err)
	}
	if entries != articles {
		t.Errorf("the full-text index holds %d entries for %d articles", entries, articles)
	}
}
