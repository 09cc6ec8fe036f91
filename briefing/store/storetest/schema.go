package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/briefing/store"
)

var schemaTests = map[string]func(t *testing.T, h *harness){
	"a database migrated by a newer briefbot is refused": func(t *testing.T, h *harness) {
		e := h.env(t)
		e.save(t, fixtures()["wire"])
		db := e.rawDB(t)
		if _, err := db.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at)
			SELECT version + 1000, 'from a newer briefbot', applied_at FROM schema_migrations WHERE version = 1`); err != nil {
			t.Fatalf("record a future migration: %v", err)
		}
		s, err := store.Open(context.Background(), e.dsn, store.Options{})
		if err == nil {
			s.Close()
			t.Fatal("Open accepted a schema newer than the binary")
		}
		wantErr(t, err, store.ErrSchemaTooNew)
		if !strings.Contains(err.Error(), "upgrade briefbot") {
			t.Errorf("error %q does not tell the operator what to do", err)
		}
		// The refused open changed nothing: the data is still there for the newer binary.
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM articles`).Scan(&n); err != nil || n != 1 {
			t.Errorf("articles after the refused open: %d (%v)", n, err)
		}
	},

	"reopening a database keeps its data and applies nothing twice": func(t *testing.T, h *harness) {
		e := h.env(t)
		r := e.save(t, fixtures()["wire"])
		before := migrationVersions(t, e)
		again := e.open(t)
		if a, err := again.Article(ctx, r.ID); err != nil || a.Headline != fixtures()["wire"].Headline {
			t.Fatalf("after reopening: %v", err)
		}
		after := migrationVersions(t, e)
		if len(before) == 0 || !slices.Equal(before, after) {
			t.Errorf("migrations recorded: %v before reopening, %v after", before, after)
		}
		for i, v := range after {
			if v != i+1 {
				t.Errorf("migration versions %v are not 1..n", after)
				break
			}
		}
	},

	"a replica answers pings until closed": func(t *testing.T, h *harness) {
		e := h.env(t)
		s := e.open(t)
		if err := s.Ping(ctx); err != nil {
			t.Fatalf("Ping: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("a second Close: %v", err)
		}
		if err := s.Ping(ctx); err == nil {
			t.Error("Ping after Close succeeded")
		}
	},
}

// migrationVersions lists the schema versions recorded in the database.
func migrationVersions(t *testing.T, e *env) []int {
	t.Helper()
	rows, err := e.rawDB(t).QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	return vs
}
