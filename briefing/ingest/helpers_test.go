package ingest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
	"github.com/briefbot/briefbot/internal/metrics"
)

// clock is a settable clock shared by the ingester and the store under test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2024, 3, 4, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is an ingester on a real SQLite store in a temporary folder, with its own metrics.
type env struct {
	t     testing.TB
	ctx   context.Context
	clock *clock
	store store.Store
	in    *Ingester
	reg   *prometheus.Registry
}

func newEnv(t testing.TB, opts Options) *env {
	t.Helper()
	e := &env{t: t, ctx: t.Context(), clock: newClock(), reg: prometheus.NewRegistry()}
	st, err := store.Open(e.ctx, filepath.Join(t.TempDir(), "briefbot.db"), store.Options{Now: e.clock.Now})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	e.store = st
	if opts.Now == nil {
		opts.Now = e.clock.Now
	}
	opts.Metrics = metrics.New(e.reg)
	e.in = New(st, opts)
	return e
}

// count returns how many articles the store holds.
func (e *env) count() int {
	e.t.Helper()
	n, err := e.store.Count(e.ctx, store.Query{})
	if err != nil {
		e.t.Fatalf("count: %v", err)
	}
	return n
}

// articles returns every stored article, newest first.
func (e *env) articles() []briefing.Article {
	e.t.Helper()
	as, err := e.store.Search(e.ctx, store.Query{})
	if err != nil {
		e.t.Fatalf("search: %v", err)
	}
	return as
}

// byHeadline returns the stored article with headline h.
func (e *env) byHeadline(h string) briefing.Article {
	e.t.Helper()
	for _, a := range e.articles() {
		if a.Headline == h {
			return a
		}
	}
	e.t.Fatalf("no stored article with headline %q", h)
	return briefing.Article{}
}

// metric returns the value of a counter with the given labels (0 when never counted).
func (e *env) metric(name string, labels map[string]string) float64 {
	e.t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		e.t.Fatalf("gather metrics: %v", err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if want, ok := labels[lp.GetName()]; ok && want != lp.GetValue() {
					continue next
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

func (e *env) failures(source, reason string) float64 {
	return e.metric("briefbot_ingest_failures_total", map[string]string{"source": source, "reason": reason})
}

// feedServer serves documents by path, with ETag and Last-Modified validators, and counts the
// requests it gets.
type feedServer struct {
	*httptest.Server
	mu      sync.Mutex
	docs    map[string]doc
	hits    map[string]int
	headers map[string]http.Header // the last request's headers, by path
}

type doc struct {
	body        []byte
	contentType string
	status      int           // 0 means 200
	location    string        // for redirects
	delay       chan struct{} // when set, the answer waits for it (or the client giving up)
	etag        string
	modified    time.Time
}

func newFeedServer(t *testing.T) *feedServer {
	t.Helper()
	s := &feedServer{docs: map[string]doc{}, hits: map[string]int{}, headers: map[string]http.Header{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *feedServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	d, ok := s.docs[r.URL.Path]
	s.hits[r.URL.Path]++
	s.headers[r.URL.Path] = r.Header.Clone()
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	if d.delay != nil {
		select {
		case <-d.delay:
		case <-r.Context().Done():
			return
		}
	}
	if d.location != "" {
		http.Redirect(w, r, d.location, http.StatusFound)
		return
	}
	if d.status != 0 {
		http.Error(w, http.StatusText(d.status), d.status)
		return
	}
	if d.etag != "" {
		w.Header().Set("ETag", d.etag)
	}
	if !d.modified.IsZero() {
		w.Header().Set("Last-Modified", d.modified.UTC().Format(http.TimeFormat))
	}
	if d.etag != "" && r.Header.Get("If-None-Match") == d.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if d.contentType != "" {
		w.Header().Set("Content-Type", d.contentType)
	}
	w.Write(d.body)
}

// set serves body at path; the ETag changes with the body.
func (s *feedServer) set(path, contentType string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs[path] = doc{body: body, contentType: contentType, etag: fmt.Sprintf(`"%x"`, sha256.Sum256(body)),
		modified: time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)}
}

func (s *feedServer) setDoc(path string, d doc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs[path] = d
}

func (s *feedServer) hitCount(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *feedServer) lastHeader(path, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.headers[path].Get(name)
}

// fixture reads testdata/name with {{BASE}} replaced by base.
func fixture(t *testing.T, name, base string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.ReplaceAll(string(b), "{{BASE}}", base))
}

// serveFixtures serves the RSS and Atom fixtures and the page of the summary-only RSS item.
func serveFixtures(t *testing.T, s *feedServer) {
	s.set("/rss.xml", "application/rss+xml", fixture(t, "rss.xml", s.URL))
	s.set("/atom.xml", "application/atom+xml", fixture(t, "atom.xml", s.URL))
	s.set("/articles/rail-strike", "text/html; charset=utf-8", fixture(t, "rail-strike.html", s.URL))
}

// writeFile writes a file under dir, creating folders.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
