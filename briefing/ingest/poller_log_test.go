package ingest

import (
	"bytes"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a log destination safe for the ingester's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// take returns what was written since the last take.
func (b *lockedBuffer) take() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	b.buf.Reset()
	return s
}

// TestPollerLogsAFeedPollThatStoredArticlesAtInfo: a feed poll that stores articles logs one
// "feed polled" line at info; a poll that stores nothing logs only at debug.
func TestPollerLogsAFeedPollThatStoredArticlesAtInfo(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	e := newEnv(t, Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{
		Level:       slog.LevelDebug,
		ReplaceAttr: dropTime,
	}))})
	srv := newFeedServer(t)
	serveFixtures(t, srv)
	p, err := NewPoller(e.in, []Source{{Name: "gazette", Feed: srv.URL + "/rss.xml", AllowPrivate: true}}, PollerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	src := p.Sources()[0]
	infoLines := func(log string) []string {
		var lines []string
		for _, l := range strings.Split(log, "\n") {
			if strings.HasPrefix(l, "level=INFO ") {
				lines = append(lines, l)
			}
		}
		return lines
	}

	// The first poll stores the feed's back catalogue.
	if _, err := p.Poll(e.ctx, src); err != nil {
		t.Fatal(err)
	}
	want := `level=INFO msg="feed polled" source=gazette new=0 updated=0 duplicates=0 backlog=3 failed=0 not_modified=false`
	if got := infoLines(logs.take()); len(got) != 1 || got[0] != want {
		t.Errorf("first poll logged at info:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}

	// Unchanged: nothing at info, the poll at debug.
	if _, err := p.Poll(e.ctx, src); err != nil {
		t.Fatal(err)
	}
	log := logs.take()
	if got := infoLines(log); len(got) != 0 {
		t.Errorf("a poll that stored nothing logged at info:\n%s", strings.Join(got, "\n"))
	}
	if !strings.Contains(log, `level=DEBUG msg="ingest: polled" source=gazette`) {
		t.Errorf("a quiet poll is not logged at debug:\n%s", log)
	}

	// New items in the feed.
	srv.set("/rss.xml", "application/atom+xml", fixture(t, "atom.xml", srv.URL))
	res, err := p.Poll(e.ctx, src)
	if err != nil || res.New == 0 {
		t.Fatalf("third poll: %s, %v; want new articles", res.Report.String(), err)
	}
	got := infoLines(logs.take())
	if len(got) != 1 || !strings.HasPrefix(got[0], `level=INFO msg="feed polled" source=gazette new=`+strconv.Itoa(res.New)+" updated=0 duplicates=") {
		t.Errorf("a poll with %d new articles logged at info:\n%s", res.New, strings.Join(got, "\n"))
	}
}

// dropTime leaves the time out of log lines, so that they can be compared whole.
func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}
