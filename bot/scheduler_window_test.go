package bot

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
)

// windowArticle is an invented harbour story: the n-th of the tests below, each about another
// event so that every one is a story of its own.
func windowArticle(n int, published time.Time) *briefing.Article {
	events := []string{"a storm wall was repaired", "the ferry timetable changed", "a new crane arrived", "the fish market moved"}
	people := []string{"Aino Virta", "Bruno Keller", "Carmen Ortiz", "Dara Quinn"}
	text := fmt.Sprintf(`Harbour news: %[1]s

Portvale - The harbour of Portvale said on the day that %[1]s, a change that the town's boat owners had asked for since the winter.

"This is what the harbour needed, and we will see the difference within a month," said %[2]s, the harbour master, at the quay.

The council will discuss the next steps at its meeting in the autumn.`, events[n], people[n])
	a := &briefing.Article{Source: "Portvale Gazette", URL: fmt.Sprintf("https://gazette.example/harbour/%d", n),
		Headline: strings.SplitN(text, "\n", 2)[0], Text: text, BodyStart: strings.Index(text, "\n\n") + 2, Published: published}
	briefing.Analyze(a, briefing.AnalyzeOptions{})
	return a
}

// briefedURLs returns the article URLs of each posted briefing, in posting order.
func briefedURLs(msgs []Delivery) [][]string {
	out := make([][]string, len(msgs))
	for i, d := range msgs {
		for _, st := range d.Briefing.Stories {
			for _, src := range st.Sources {
				out[i] = append(out[i], src.URL)
			}
		}
		slices.Sort(out[i])
	}
	return out
}

func TestScheduledBriefingsMissNoArticleAndShowNoneTwice(t *testing.T) {
	for _, backend := range []struct {
		name string
		dsn  func(testing.TB) string
	}{{"sqlite", schedSQLite}, {"postgres", schedPostgres}} {
		t.Run(backend.name, func(t *testing.T) {
			at := func(h, m int) time.Time { return time.Date(2025, 6, 2, h, m, 0, 0, time.UTC) }
			e := newSchedEnv(t, backend.dsn(t), at(7, 0), true)
			ctx := context.Background()
			e.subscribe(t, store.Subscription{ChannelID: "C1", Topic: "harbour", Schedule: "0 8-10 * * *"})
			s := e.scheduler(t, SchedulerOptions{Briefer: &Briefer{Store: e.store, Now: e.clock.Now}})

			// save stores an article at the clock's time (its first-seen time).
			save := func(seen time.Time, a *briefing.Article) string {
				e.clock.Set(seen)
				if _, err := e.store.SaveArticle(ctx, a); err != nil {
					t.Fatalf("SaveArticle: %v", err)
				}
				return a.URL
			}
			onTime := save(at(7, 31), windowArticle(0, at(7, 30)))
			tick(t, s, at(8, 0))
			// Published before the 08:00 slot, read after it: a feed polled late.
			late := save(at(8, 5), windowArticle(1, at(7, 50)))
			// A new feed's back catalogue, read at its first poll.
			save(at(8, 10), windowArticle(2, at(8, 10).Add(-5*24*time.Hour)))
			// Updated after it was briefed: same article, same first-seen time.
			updated := windowArticle(0, at(7, 30))
			updated.Text += "\n\nThe work was finished a week early."
			save(at(8, 20), updated)
			tick(t, s, at(9, 0))
			fresh := save(at(9, 40), windowArticle(3, at(9, 35)))
			tick(t, s, at(10, 0))

			want := [][]string{{onTime}, {late}, {fresh}}
			if got := briefedURLs(e.poster.Messages()); !reflect.DeepEqual(got, want) {
				t.Errorf("briefed articles = %v, want %v", got, want)
			}
			msgs := e.poster.Messages()
			for i, w := range [][2]time.Time{{at(8, 0).Add(-DefaultMaxWindow), at(8, 0)}, {at(8, 0), at(9, 0)}, {at(9, 0), at(10, 0)}} {
				if i >= len(msgs) {
					break
				}
				if b := msgs[i].Briefing; !b.From.Equal(w[0]) || !b.To.Equal(w[1]) {
					t.Errorf("briefing %d covers [%s, %s), want [%s, %s)", i, b.From, b.To, w[0], w[1])
				}
			}
		})
	}
}

func TestCatchUpNeverDeliversASlotOfAScheduleChangedSince(t *testing.T) {
	at := func(day, h, m int) time.Time { return time.Date(2025, 6, day, h, m, 0, 0, time.UTC) }
	e := newSchedEnv(t, schedSQLite(t), at(1, 0, 0), true)
	sub := e.subscribe(t, store.Subscription{ChannelID: "C1", Schedule: "0 12 * * *"})
	// While no replica runs, the channel moves its briefing to 09:00, at 09:30.
	e.clock.Set(at(2, 9, 30))
	sub.Schedule = "0 9 * * *"
	changed := e.subscribe(t, sub)
	if !changed.UpdatedAt.Equal(at(2, 9, 30)) {
		t.Fatalf("updated at %s, want %s", changed.UpdatedAt, at(2, 9, 30))
	}
	// At 10:00 a replica starts: the 09:00 slot of the new schedule was never due.
	s := e.scheduler(t, SchedulerOptions{})
	e.clock.Set(at(2, 10, 0))
	if got := tick(t, s, at(2, 10, 0)); got != (TickResult{}) {
		t.Errorf("Tick at 10:00 = %+v, want nothing", got)
	}
	e.clock.Set(at(3, 9, 0))
	if got := tick(t, s, at(3, 9, 0)); got != (TickResult{Delivered: 1}) {
		t.Errorf("Tick the next day at 09:00 = %+v, want one delivery", got)
	}
	rows := ledger(t, e.store, sub.ID)
	if len(rows) != 1 || !rows[0].Key.At.Equal(at(3, 9, 0)) || rows[0].Late {
		t.Errorf("ledger = %+v, want the 09:00 slot of the next day only, on time", rows)
	}
}
