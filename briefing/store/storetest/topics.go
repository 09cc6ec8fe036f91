package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing/store"
)

var topicTests = map[string]func(t *testing.T, h *harness){
	"topics are created, replaced, listed by name and deleted": func(t *testing.T, h *harness) {
		e := h.env(t)
		for _, tp := range []store.Topic{
			{Name: "korea", Query: `korea OR pyongyang`, FromConfig: true},
			{Name: "bread", Query: `bread*`},
			{Name: "korea", Query: `korea OR pyongyang OR "north korea" -sport`, FromConfig: true},
		} {
			if err := e.s.PutTopic(ctx, tp); err != nil {
				t.Fatalf("PutTopic(%+v): %v", tp, err)
			}
		}
		got, err := e.s.Topics(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []store.Topic{{Name: "bread", Query: `bread*`}, {Name: "korea", Query: `korea OR pyongyang OR "north korea" -sport`, FromConfig: true}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Topics = %+v, want %+v", got, want)
		}
		if err := e.s.DeleteTopic(ctx, "bread"); err != nil {
			t.Fatal(err)
		}
		wantErr(t, e.s.DeleteTopic(ctx, "bread"), store.ErrNotFound)
		if got, _ := e.s.Topics(ctx); len(got) != 1 {
			t.Errorf("after delete: %+v", got)
		}
	},

	"a topic whose query does not parse is refused": func(t *testing.T, h *harness) {
		e := h.env(t)
		wantErr(t, e.s.PutTopic(ctx, store.Topic{Name: "broken", Query: `"north korea`}), store.ErrBadQuery)
		if got, _ := e.s.Topics(ctx); len(got) != 0 {
			t.Errorf("stored anyway: %+v", got)
		}
	},

	"subscriptions are created, updated in place, listed and deleted": func(t *testing.T, h *harness) {
		e := h.env(t)
		sub := store.Subscription{Platform: "slack", ChannelID: "C1", Topic: "korea", Schedule: "0 8 * * 1-5",
			Timezone: "Asia/Seoul", Stories: 5, CreatedBy: "U1"}
		first, err := e.s.PutSubscription(ctx, sub)
		if err != nil {
			t.Fatal(err)
		}
		if first.ID == 0 || !first.CreatedAt.Equal(t0) || first.Schedule != sub.Schedule || first.CreatedBy != "U1" {
			t.Errorf("first = %+v", first)
		}
		e.clock.Set(t0.Add(time.Hour))
		sub.Schedule, sub.SkipEmpty, sub.Thread, sub.Stories = "@daily", true, true, 3
		second, err := e.s.PutSubscription(ctx, sub)
		if err != nil {
			t.Fatal(err)
		}
		if second.ID != first.ID || second.Schedule != "@daily" || !second.SkipEmpty || !second.Thread || second.Stories != 3 || !second.CreatedAt.Equal(t0) {
			t.Errorf("second = %+v, want the first updated", second)
		}
		other, err := e.s.PutSubscription(ctx, store.Subscription{Platform: "discord", ChannelID: "9", Topic: "korea", Schedule: "08:00", Timezone: "UTC", Stories: 5, FromConfig: true})
		if err != nil {
			t.Fatal(err)
		}
		all, err := e.s.Subscriptions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 || all[0].ID != other.ID || all[1].ID != first.ID || !all[0].FromConfig {
			t.Errorf("Subscriptions = %+v", all)
		}
		if err := e.s.DeleteSubscription(ctx, "slack", "C1", "korea"); err != nil {
			t.Fatal(err)
		}
		wantErr(t, e.s.DeleteSubscription(ctx, "slack", "C1", "korea"), store.ErrNotFound)
	},

	"a subscription's update time moves only when its schedule or time zone changes": func(t *testing.T, h *harness) {
		e := h.env(t)
		sub := store.Subscription{Platform: "slack", ChannelID: "C1", Topic: "korea", Schedule: "0 8 * * *", Timezone: "UTC", Stories: 5}
		steps := []struct {
			name   string
			at     time.Time
			change func(*store.Subscription)
			want   time.Time
		}{
			{"created", t0, func(*store.Subscription) {}, t0},
			{"put again unchanged (a config re-sync)", t0.Add(time.Hour), func(*store.Subscription) {}, t0},
			{"other options changed", t0.Add(2 * time.Hour), func(s *store.Subscription) { s.Stories, s.SkipEmpty, s.Thread = 3, true, true }, t0},
			{"schedule changed", t0.Add(3 * time.Hour), func(s *store.Subscription) { s.Schedule = "0 9 * * *" }, t0.Add(3 * time.Hour)},
			{"time zone changed", t0.Add(4 * time.Hour), func(s *store.Subscription) { s.Timezone = "Asia/Seoul" }, t0.Add(4 * time.Hour)},
			{"put again after the change", t0.Add(5 * time.Hour), func(*store.Subscription) {}, t0.Add(4 * time.Hour)},
		}
		for _, st := range steps {
			e.clock.Set(st.at)
			st.change(&sub)
			got, err := e.s.PutSubscription(ctx, sub)
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			all, err := e.s.Subscriptions(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !got.UpdatedAt.Equal(st.want) || len(all) != 1 || !all[0].UpdatedAt.Equal(st.want) || !got.CreatedAt.Equal(t0) {
				t.Errorf("%s: updated at %v (listed %+v), want %v; created at %v", st.name, got.UpdatedAt, all, st.want, got.CreatedAt)
			}
		}
	},

	"a subscription needs a platform, a channel and a topic": func(t *testing.T, h *harness) {
		e := h.env(t)
		if _, err := e.s.PutSubscription(ctx, store.Subscription{Platform: "slack", Topic: "korea"}); err == nil {
			t.Error("a subscription without a channel was stored")
		}
	},
}

var feedTests = map[string]func(t *testing.T, h *harness){
	"an unknown feed has the zero state": func(t *testing.T, h *harness) {
		e := h.env(t)
		st, err := e.s.FeedState(ctx, "tass")
		if err != nil {
			t.Fatal(err)
		}
		if want := (store.FeedState{Source: "tass"}); st != want {
			t.Errorf("FeedState = %+v, want %+v", st, want)
		}
	},

	"feed state round-trips and is replaced": func(t *testing.T, h *harness) {
		e := h.env(t)
		st := store.FeedState{Source: "tass", URL: "https://tass.example/rss", ETag: `"abc"`, LastModified: "Mon, 10 Mar 2025 11:00:00 GMT",
			Polled: true, LastPoll: t0, LastSuccess: t0.Add(-time.Hour), FailingSince: t0.Add(-10 * time.Minute), Failures: 2, LastError: "HTTP 503"}
		if err := e.s.PutFeedState(ctx, st); err != nil {
			t.Fatal(err)
		}
		got, err := e.s.FeedState(ctx, "tass")
		if err != nil {
			t.Fatal(err)
		}
		if got != st {
			t.Errorf("FeedState = %+v\nwant %+v", got, st)
		}
		st.Failures, st.FailingSince, st.LastError, st.ETag = 0, time.Time{}, "", `"def"`
		if err := e.s.PutFeedState(ctx, st); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.s.FeedState(ctx, "tass"); got != st {
			t.Errorf("after replace: %+v\nwant %+v", got, st)
		}
	},
}
