package bot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing/store"
)

// healthFeeds is a FeedStateReader whose states the test sets.
type healthFeeds struct {
	mu     sync.Mutex
	states map[string]store.FeedState
	err    error
}

func (f *healthFeeds) FeedState(ctx context.Context, source string) (store.FeedState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return store.FeedState{}, f.err
	}
	st, ok := f.states[source]
	if !ok {
		return store.FeedState{Source: source}, nil
	}
	return st, nil
}

func (f *healthFeeds) set(st store.FeedState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.states[st.Source] = st
}

// failingNotifier fails its first n notices.
type failingNotifier struct {
	*schedPoster
	failures int
}

func (n *failingNotifier) Notify(ctx context.Context, channelID, text string) error {
	if n.failures > 0 {
		n.failures--
		return errors.New("channel_not_found")
	}
	return n.schedPoster.Notify(ctx, channelID, text)
}

func TestHealthReportsAFailingSourceOnceAndItsRecovery(t *testing.T) {
	now := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
	clock := newSchedClock(now, false)
	feeds := &healthFeeds{states: map[string]store.FeedState{}}
	admin := newSchedPoster("slack")
	h := NewHealth(HealthOptions{Feeds: feeds, Sources: []string{"tass", "bbc"}, SourceFailingAfter: time.Hour,
		Admin: AdminChannel{Platform: "slack", ChannelID: "ADMIN"}, Posters: map[string]Poster{"slack": admin}, Clock: clock})
	ctx := context.Background()

	steps := []struct {
		name    string
		state   *store.FeedState
		advance time.Duration
		notices int
		problem bool
	}{
		{name: "a healthy source is not reported"},
		{name: "a source failing for less than the threshold is not reported",
			state: &store.FeedState{Source: "tass", FailingSince: now, Failures: 3, LastError: "HTTP 503"}, advance: 59 * time.Minute},
		{name: "past the threshold it is reported", advance: 2 * time.Minute, notices: 1, problem: true},
		{name: "and not again while it keeps failing", advance: 3 * time.Hour, notices: 1, problem: true},
		{name: "its recovery is reported once", state: &store.FeedState{Source: "tass", LastSuccess: now.Add(4 * time.Hour)},
			advance: time.Minute, notices: 2},
		{name: "and not again", advance: time.Hour, notices: 2},
	}
	for _, st := range steps {
		if st.state != nil {
			feeds.set(*st.state)
		}
		clock.Advance(st.advance)
		if err := h.CheckSources(ctx); err != nil {
			t.Fatalf("%s: CheckSources: %v", st.name, err)
		}
		if n := len(admin.Notices()); n != st.notices {
			t.Errorf("%s: %d notices, want %d: %q", st.name, n, st.notices, admin.Notices())
		}
		if got := len(h.Problems()) == 1; got != st.problem {
			t.Errorf("%s: problems = %+v", st.name, h.Problems())
		}
	}
	notices := admin.Notices()
	if len(notices) == 2 {
		if !strings.Contains(notices[0], `source "tass" has been failing for 1h1m`) || !strings.Contains(notices[0], "HTTP 503") {
			t.Errorf("failure notice = %q", notices[0])
		}
		if !strings.Contains(notices[1], `source "tass" works again`) {
			t.Errorf("recovery notice = %q", notices[1])
		}
		if !strings.HasPrefix(notices[0], "ADMIN: ") {
			t.Errorf("the notice went to %q, want the admin channel", notices[0])
		}
	}
}

func TestHealthTriesANoticeAgainWhenItCouldNotBePosted(t *testing.T) {
	now := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
	clock := newSchedClock(now, false)
	admin := &failingNotifier{schedPoster: newSchedPoster("slack"), failures: 1}
	h := NewHealth(HealthOptions{Admin: AdminChannel{Platform: "slack", ChannelID: "ADMIN"},
		Posters: map[string]Poster{"slack": admin}, Clock: clock})
	sub := store.Subscription{Platform: "slack", ChannelID: "C1", Topic: "korea"}
	forbidden := &PostError{Status: 403, Err: errors.New("not_in_channel")}
	ctx := context.Background()

	h.postFailed(ctx, sub, now, forbidden, true) // the notice fails
	clock.Advance(time.Minute)
	h.postFailed(ctx, sub, now, forbidden, true) // too soon to try again
	if n := len(admin.Notices()); n != 0 {
		t.Fatalf("%d notices", n)
	}
	clock.Advance(noticeRetry)
	h.postFailed(ctx, sub, now, forbidden, true)
	if n := len(admin.Notices()); n != 1 {
		t.Fatalf("%d notices after the retry interval, want 1", n)
	}
	if p := h.Problems(); len(p) != 1 || !p[0].Reported || p[0].Count != 3 {
		t.Errorf("problems = %+v", p)
	}
}

func TestHealthRunStopsWithItsContext(t *testing.T) {
	clock := newSchedClock(time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC), false)
	feeds := &healthFeeds{states: map[string]store.FeedState{}, err: errors.New("database is locked")}
	h := NewHealth(HealthOptions{Feeds: feeds, Sources: []string{"tass"}, Clock: clock})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	clock.BlockUntil(t, 1)
	clock.Advance(time.Minute) // a second check, failing like the first
	clock.BlockUntil(t, 1)
	cancel()
	if err := await(t, done, "Run did not stop"); err != nil {
		t.Errorf("Run = %v", err)
	}
}
