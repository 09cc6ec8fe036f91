package bot_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
)

func TestBriefer(t *testing.T) {
	st := openStore(t)
	b := bot.NewBriefer(st)
	ctx := context.Background()
	day := now.Add(-24 * time.Hour)

	tests := []struct {
		name, topic, wantTopic, wantQuery string
		from                              time.Time
		wantStories                       int
	}{
		{"a topic name is searched by its query", "korea", "korea", `korea OR pyongyang OR "north korea"`, day, 1},
		{"a topic name ignores case and quotes", `"North Korea"`, "north korea", `"north korea"`, day, 1},
		{"other words are searched as they are", "velkov grain", "velkov grain", "", day, 1},
		{"the window bounds the articles", "korea", "korea", `korea OR pyongyang OR "north korea"`, now.Add(-7 * 24 * time.Hour), 2},
		{"a search with no match gives an empty briefing", "zanzibar", "zanzibar", "", day, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := b.Brief(ctx, tt.topic, tt.from, now, 5)
			if err != nil {
				t.Fatal(err)
			}
			if got.Topic != tt.wantTopic || got.Query != tt.wantQuery || len(got.Stories) != tt.wantStories {
				t.Errorf("Brief(%q) = topic %q, query %q, %d stories; want %q, %q, %d",
					tt.topic, got.Topic, got.Query, len(got.Stories), tt.wantTopic, tt.wantQuery, tt.wantStories)
			}
			if !got.From.Equal(tt.from) || !got.To.Equal(now) {
				t.Errorf("window = %v..%v", got.From, got.To)
			}
		})
	}

	t.Run("a budget of one story keeps one and counts the rest", func(t *testing.T) {
		got, err := b.Brief(ctx, "korea", now.Add(-7*24*time.Hour), now, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Stories) != 1 || got.More != 1 {
			t.Errorf("%d stories, %d more; want 1 and 1", len(got.Stories), got.More)
		}
	})
	t.Run("a query that does not parse fails with ErrBadQuery", func(t *testing.T) {
		_, err := b.Brief(ctx, "korea OR", day, now, 5)
		if !errors.Is(err, store.ErrBadQuery) {
			t.Errorf("err = %v, want ErrBadQuery", err)
		}
	})
	t.Run("an empty topic is an error", func(t *testing.T) {
		if _, err := b.Brief(ctx, "  ", day, now, 5); err == nil {
			t.Error("Brief with no topic succeeded")
		}
	})
	t.Run("the search leaves out the article texts, and the briefing is the same", func(t *testing.T) {
		lean, full := &searchRecorder{BrieferStore: st}, &searchRecorder{BrieferStore: st, withText: true}
		week := now.Add(-7 * 24 * time.Hour)
		got, err := bot.NewBriefer(lean).Brief(ctx, "korea", week, now, 5)
		if err != nil {
			t.Fatal(err)
		}
		want, err := bot.NewBriefer(full).Brief(ctx, "korea", week, now, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(lean.queries) != 1 || !lean.queries[0].WithoutText {
			t.Errorf("searched %+v, want one search without text", lean.queries)
		}
		if len(want.Stories) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("briefing without texts:\n%+v\nwith them:\n%+v", got, want)
		}
	})
}

// searchRecorder records the queries searched; withText searches them with the articles' text.
type searchRecorder struct {
	bot.BrieferStore
	withText bool
	queries  []store.Query
}

func (r *searchRecorder) Search(ctx context.Context, q store.Query) ([]briefing.Article, error) {
	r.queries = append(r.queries, q)
	if r.withText {
		q.WithoutText = false
	}
	return r.BrieferStore.Search(ctx, q)
}
