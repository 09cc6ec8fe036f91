package storetest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
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

	"a store opened with NoMigrate creates and changes no schema": func(t *testing.T, h *harness) {
		latest := len(migrationVersions(t, h.env(t)))
		tests := []struct {
			name  string
			setup func(t *testing.T, e *env) // makes the database's schema
			want  error                      // nil: the store opens
			found int                        // the version a *SchemaOutdatedError reports
		}{
			{"a new database", func(*testing.T, *env) {}, store.ErrSchemaOutdated, 0},
			{"a schema table that records no version", func(t *testing.T, e *env) {
				ddl := `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`
				if isPostgres(e.dsn) {
					ddl = `CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`
				}
				if _, err := e.rawDB(t).ExecContext(ctx, ddl); err != nil {
					t.Fatal(err)
				}
			}, store.ErrSchemaOutdated, 0},
			{"the current schema", func(t *testing.T, e *env) {
				e.s = e.open(t)
				e.save(t, fixtures()["wire"])
			}, nil, 0},
			{"a schema from a newer briefbot", func(t *testing.T, e *env) {
				e.open(t)
				if _, err := e.rawDB(t).ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at)
					SELECT version + 1000, 'from a newer briefbot', applied_at FROM schema_migrations WHERE version = 1`); err != nil {
					t.Fatal(err)
				}
			}, store.ErrSchemaTooNew, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := &env{dsn: h.newDSN(t), clock: &clock{t: t0}}
				tt.setup(t, e)
				before := schemaOf(t, e)
				s, err := store.Open(ctx, e.dsn, store.Options{NoMigrate: true})
				if after := schemaOf(t, e); after != before {
					t.Errorf("the schema changed:\nbefore %s\nafter  %s", before, after)
				}
				if tt.want == nil {
					if err != nil {
						t.Fatalf("Open: %v", err)
					}
					defer s.Close()
					if n, err := s.Count(ctx, store.Query{Text: "korea"}); err != nil || n != 1 {
						t.Errorf("Count on the store = %d, %v; want 1", n, err)
					}
					return
				}
				if err == nil {
					s.Close()
					t.Fatalf("Open succeeded, want %v", tt.want)
				}
				wantErr(t, err, tt.want)
				if tt.want == store.ErrSchemaTooNew {
					if !strings.Contains(err.Error(), "upgrade briefbot") {
						t.Errorf("error %q does not tell the operator what to do", err)
					}
					return
				}
				var oe *store.SchemaOutdatedError
				if !errors.As(err, &oe) || oe.Found != tt.found || oe.Need != latest {
					t.Fatalf("error = %#v, want a *SchemaOutdatedError at version %d needing %d", err, tt.found, latest)
				}
				for _, part := range []string{fmt.Sprintf("needs schema version %d", latest), "`briefbot run` (or `briefbot ingest`)"} {
					if !strings.Contains(err.Error(), part) {
						t.Errorf("error %q lacks %q", err, part)
					}
				}
				// Opened without NoMigrate, the store migrates; then NoMigrate opens it.
				e.open(t)
				s, err = store.Open(ctx, e.dsn, store.Options{NoMigrate: true})
				if err != nil {
					t.Fatalf("Open with NoMigrate after migrating: %v", err)
				}
				s.Close()
			})
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

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// schemaOf describes the test's database: its tables and the schema versions it records, or that
// its SQLite file does not exist.
func schemaOf(t *testing.T, e *env) string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	if isPostgres(e.dsn) {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`
	} else if _, err := os.Stat(e.dsn); errors.Is(err, fs.ErrNotExist) {
		return "no file"
	}
	rows, err := e.rawDB(t).QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	desc := fmt.Sprintf("tables %v", tables)
	if slices.Contains(tables, "schema_migrations") {
		desc += fmt.Sprintf(", versions %v", migrationVersions(t, e))
	}
	return desc
}
