// Package storetest is the conformance suite every store.Store backend must pass: the same
// tests, with the same expected results, for SQLite and PostgreSQL.
package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
)

// Run runs the suite. newDSN returns the DSN of a new, empty database for one test, removed
// when that test ends; tests run in parallel, each on its own database.
func Run(t *testing.T, newDSN func(t *testing.T) string) {
	h := &harness{newDSN: newDSN}
	groups := []struct {
		name  string
		tests map[string]func(t *testing.T, h *harness)
	}{
		{"articles", articleTests},
		{"search", searchTests},
		{"batches", batchTests},
		{"topics", topicTests},
		{"ledger", ledgerTests},
		{"ledger batches", ledgerBatchTests},
		{"feeds", feedTests},
		{"retention", retentionTests},
		{"schema", schemaTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			names := make([]string, 0, len(g.tests))
			for name := range g.tests {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					g.tests[name](t, h)
				})
			}
		})
	}
}

type harness struct {
	newDSN func(t *testing.T) string
}

// clock is a settable clock for store.Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// env is one test's database and a store open on it.
type env struct {
	dsn   string
	s     store.Store
	clock *clock
}

func (h *harness) env(t *testing.T) *env {
	t.Helper()
	e := &env{dsn: h.newDSN(t), clock: &clock{t: t0}}
	e.s = e.open(t)
	return e
}

// open opens another store on the test's database (another replica).
func (e *env) open(t *testing.T) store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), e.dsn, store.Options{Now: e.clock.Now})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func (e *env) save(t *testing.T, a *briefing.Article) store.SaveResult {
	t.Helper()
	r, err := e.s.SaveArticle(context.Background(), a)
	if err != nil {
		t.Fatalf("SaveArticle(%q): %v", a.Headline, err)
	}
	return r
}

// saveFixtures stores every fixture and returns them by key, with their ids set.
func (e *env) saveFixtures(t *testing.T) map[string]*briefing.Article {
	t.Helper()
	fx := fixtures()
	keys := make([]string, 0, len(fx))
	for k := range fx {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		e.save(t, fx[k])
	}
	return fx
}

func (e *env) article(t *testing.T, id int64) *briefing.Article {
	t.Helper()
	a, err := e.s.Article(context.Background(), id)
	if err != nil {
		t.Fatalf("Article(%d): %v", id, err)
	}
	return a
}

func (e *env) count(t *testing.T, q store.Query) int {
	t.Helper()
	n, err := e.s.Count(context.Background(), q)
	if err != nil {
		t.Fatalf("Count(%+v): %v", q, err)
	}
	return n
}

// rawDB opens the test's database without the store, to do what only an operator (or another
// briefbot version) would do.
func (e *env) rawDB(t *testing.T) *sql.DB {
	t.Helper()
	driver, dsn := "sqlite", e.dsn
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		driver = "pgx"
		// The pool's own parameters are for the store's pgxpool, not for the server.
		if u, err := url.Parse(dsn); err == nil {
			q := u.Query()
			for k := range q {
				if strings.HasPrefix(k, "pool_") {
					q.Del(k)
				}
			}
			u.RawQuery = q.Encode()
			dsn = u.String()
		}
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("open raw database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// keysOf names articles by fixture key, in the order given.
func keysOf(fx map[string]*briefing.Article, arts []briefing.Article) []string {
	byID := map[int64]string{}
	for k, a := range fx {
		byID[a.ID] = k
	}
	out := make([]string, len(arts))
	for i, a := range arts {
		out[i] = byID[a.ID]
		if out[i] == "" {
			out[i] = fmt.Sprintf("#%d %q", a.ID, a.Headline)
		}
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want %v", err, target)
	}
}

var ctx = context.Background()

// race runs fn on n goroutines released together and waits for them.
func race(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}
