package ingest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing/store"
)

func TestBackoff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		failures   int
		every, max time.Duration
		want       time.Duration
	}{
		{0, 10 * time.Minute, 6 * time.Hour, 10 * time.Minute},
		{1, 10 * time.Minute, 6 * time.Hour, 10 * time.Minute},
		{2, 10 * time.Minute, 6 * time.Hour, 20 * time.Minute},
		{3, 10 * time.Minute, 6 * time.Hour, 40 * time.Minute},
		{6, 10 * time.Minute, 6 * time.Hour, 320 * time.Minute},
		{7, 10 * time.Minute, 6 * time.Hour, 6 * time.Hour},
		{1000, 10 * time.Minute, 6 * time.Hour, 6 * time.Hour},
		{5, 24 * time.Hour, 6 * time.Hour, 24 * time.Hour}, // never more often than every
	}
	for _, tt := range tests {
		if got := Backoff(tt.failures, tt.every, tt.max); got != tt.want {
			t.Errorf("Backoff(%d, %s, %s) = %s, want %s", tt.failures, tt.every, tt.max, got, tt.want)
		}
	}
}

func TestNewPollerRefusesSourcesItCannotPoll(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tests := []struct {
		name    string
		sources []Source
		want    string
	}{
		{"no name", []Source{{Feed: "https://news.example/rss"}}, "no name"},
		{"nothing to poll", []Source{{Name: "a"}}, "set feed"},
		{"both feed and path", []Source{{Name: "a", Feed: "https://news.example/rss", Path: "/tmp"}}, "not both"},
		{"a feed that is not a URL", []Source{{Name: "a", Feed: "news.example/rss"}}, "not an http or https URL"},
		{"a bad fetch_page", []Source{{Name: "a", Feed: "https://news.example/rss", FetchPage: "sometimes"}}, "want auto, always or never"},
		{"two sources of one name", []Source{{Name: "a", Feed: "https://news.example/rss"}, {Name: "a", Path: "/tmp"}}, "two sources"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewPoller(e.in, tt.sources, PollerOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestPollerReportsAFailingSourceOnceAndItsRecovery(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	srv := newFeedServer(t)
	serveFixtures(t, srv)
	var events []HealthEvent
	p, err := NewPoller(e.in, []Source{{Name: "gazette", Feed: srv.URL + "/rss.xml", AllowPrivate: true}},
		PollerOptions{FailingAfter: time.Hour, OnHealth: func(ev HealthEvent) { events = append(events, ev) }})
	if err != nil {
		t.Fatal(err)
	}
	src := p.Sources()[0]
	if _, err := p.Poll(e.ctx, src); err != nil {
		t.Fatal(err)
	}

	srv.setDoc("/rss.xml", doc{status: 500})
	start := e.clock.Now().Add(20 * time.Minute)
	for range 8 { // 20, 40, …, 160 minutes: failing from minute 20, an hour at minute 80
		e.clock.Advance(20 * time.Minute)
		if _, err := p.Poll(e.ctx, src); err == nil {
			t.Fatal("a failing poll returned no error")
		}
	}
	if len(events) != 1 {
		t.Fatalf("events = %+v, want one failing event", events)
	}
	ev := events[0]
	if !ev.Failing || !ev.Since.Equal(start) || ev.For != time.Hour || ev.Failures != 4 || !strings.Contains(ev.LastError, "HTTP 500") {
		t.Errorf("failing event = %+v, want failing since %v for 1h after 4 failures", ev, start)
	}
	failing, err := p.Failing(e.ctx, time.Hour)
	if err != nil || len(failing) != 1 || failing[0].Source != "gazette" || failing[0].Failures != 8 {
		t.Errorf("Failing(1h) = %+v, %v", failing, err)
	}
	if failing, _ := p.Failing(e.ctx, 3*time.Hour); len(failing) != 0 {
		t.Errorf("Failing(3h) = %+v, want none", failing)
	}

	serveFixtures(t, srv)
	e.clock.Advance(20 * time.Minute)
	if _, err := p.Poll(e.ctx, src); err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[1].Failing || events[1].For != 160*time.Minute || events[1].Failures != 8 {
		t.Fatalf("events = %+v, want a recovery after 160 minutes", events)
	}
	if failing, _ := p.Failing(e.ctx, 0); len(failing) != 0 {
		t.Errorf("Failing after recovery = %+v", failing)
	}
}

func TestPollerDoesNotReportAShortFailure(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	srv := newFeedServer(t)
	serveFixtures(t, srv)
	var events []HealthEvent
	p, _ := NewPoller(e.in, []Source{{Name: "gazette", Feed: srv.URL + "/rss.xml", AllowPrivate: true}},
		PollerOptions{FailingAfter: time.Hour, OnHealth: func(ev HealthEvent) { events = append(events, ev) }})
	src := p.Sources()[0]
	srv.setDoc("/rss.xml", doc{status: 502})
	p.Poll(e.ctx, src)
	e.clock.Advance(30 * time.Minute)
	p.Poll(e.ctx, src)
	serveFixtures(t, srv)
	e.clock.Advance(30 * time.Minute)
	if _, err := p.Poll(e.ctx, src); err != nil {
		t.Fatal(err)
	}
	if len(events) != 0 {
		t.Errorf("events = %+v, want none for a 30-minute failure", events)
	}
}

func TestFirstPollAfterStartFollowsTheSavedState(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	now := e.clock.Now()
	src := Source{Name: "gazette", Feed: "https://news.example/rss.xml", Every: 10 * time.Minute}
	p, err := NewPoller(e.in, []Source{src}, PollerOptions{Rand: func() float64 { return 0.5 }})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		state store.FeedState
		want  time.Time
	}{
		{"never polled: within seconds", store.FeedState{}, now.Add(2500 * time.Millisecond)},
		{"polled 4 minutes ago: 6 minutes from now", store.FeedState{URL: src.Feed, LastPoll: now.Add(-4 * time.Minute), Polled: true}, now.Add(6 * time.Minute)},
		{"failing 3 times: backoff 40 minutes, jittered to 30", store.FeedState{URL: src.Feed, LastPoll: now.Add(-time.Minute), Failures: 3}, now.Add(29 * time.Minute)},
		{"another URL: polled soon", store.FeedState{URL: "https://old.example/rss", LastPoll: now.Add(-time.Minute), Polled: true}, now.Add(2500 * time.Millisecond)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.state.Source = "gazette"
			if err := e.store.PutFeedState(e.ctx, tt.state); err != nil {
				t.Fatal(err)
			}
			if got := p.firstDue(e.ctx, p.Sources()[0]); !got.Equal(tt.want) {
				t.Errorf("first poll at %v, want %v", got.Sub(now), tt.want.Sub(now))
			}
		})
	}
}

func TestPollerRunPollsEverySourceOnItsIntervalUntilCancelled(t *testing.T) {
	t.Parallel()
	st, err := store.Open(t.Context(), t.TempDir()+"/run.db", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	in := New(st, Options{})
	srv := newFeedServer(t)
	serveFixtures(t, srv)
	dir := t.TempDir()
	writeFile(t, dir, "a.txt", []byte(txtArticle))

	var (
		mu    sync.Mutex
		polls = map[string]int{}
	)
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(t.Context())
	p, err := NewPoller(in, []Source{
		{Name: "rss", Feed: srv.URL + "/rss.xml", AllowPrivate: true, Every: 20 * time.Millisecond, FetchPage: FetchNever},
		{Name: "atom", Feed: srv.URL + "/atom.xml", AllowPrivate: true, Every: 30 * time.Millisecond},
		{Name: "desk", Path: dir, Every: 20 * time.Millisecond},
	}, PollerOptions{Rand: func() float64 { return 0 }, OnPoll: func(src Source, res PollResult, err error) {
		if err != nil && ctx.Err() == nil {
			t.Errorf("poll %s: %v", src.Name, err)
		}
		mu.Lock()
		defer mu.Unlock()
		polls[src.Name]++
		if polls["rss"] >= 3 && polls["atom"] >= 3 && polls["desk"] >= 3 && done != nil {
			close(done)
			done = nil
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	wait := done
	ran := make(chan error)
	go func() { ran <- p.Run(ctx) }()
	select {
	case <-wait:
	case <-time.After(10 * time.Second):
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("polls after 10s: %v", polls)
	}
	cancel()
	select {
	case err := <-ran:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	n, _ := st.Count(t.Context(), store.Query{})
	if n != 6 {
		t.Errorf("stored %d articles, want 6 (3 rss, 2 atom, 1 file)", n)
	}
	// The second and later polls of the feeds were conditional and answered 304.
	if hits := srv.hitCount("/rss.xml"); hits < 3 {
		t.Errorf("rss fetched %d times", hits)
	}
}
