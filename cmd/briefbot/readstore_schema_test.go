package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/briefing/store"
)

// The commands that read the store (brief, topics) neither create nor migrate its schema: other
// briefbots may share the database. An older schema is refused with the fix; a newer one as
// briefbot run refuses it.
func TestReadingCommandsNeverMigrateTheStore(t *testing.T) {
	latest := latestSchemaVersion(t)
	outdated := fmt.Sprintf("store: the database has no briefbot schema (version 0) but this briefbot needs schema version %d: "+
		"`briefbot run` (or `briefbot ingest`) migrates it", latest)
	tooNew := fmt.Sprintf("store: database schema is newer than this binary: the database is at schema version 1001 but this "+
		"briefbot knows versions up to %d: upgrade briefbot (a database is never migrated down)", latest)

	type backend struct {
		name   string
		driver string
		dsn    func(t *testing.T) string
		tables string
	}
	sqlite := backend{"SQLite", "sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "briefbot.db") },
		`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`}
	postgres := backend{"PostgreSQL", "pgx", postgresTestSchema,
		`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`}

	emptySchemaTable := func(t *testing.T, b backend, dsn string, raw *sql.DB) {
		ddl := `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`
		if b.driver == "pgx" {
			ddl = `CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`
		}
		if _, err := raw.Exec(ddl); err != nil {
			t.Fatal(err)
		}
	}
	nothing := func(*testing.T, backend, string, *sql.DB) {}
	migrated := func(t *testing.T, _ backend, dsn string, _ *sql.DB) {
		st, err := store.Open(context.Background(), dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.PutTopic(context.Background(), store.Topic{Name: "ports", Query: "port OR harbour"}); err != nil {
			t.Fatal(err)
		}
		st.Close()
	}
	newer := func(t *testing.T, b backend, dsn string, raw *sql.DB) {
		migrated(t, b, dsn, raw)
		if _, err := raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at)
			SELECT version + 1000, 'from a newer briefbot', applied_at FROM schema_migrations WHERE version = 1`); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name    string
		backend backend
		setup   func(t *testing.T, b backend, dsn string, raw *sql.DB)
		command []string // the command and its flags; --store follows
		code    int
		stdout  string // the start of stdout, when the command succeeds
		err     string // the error, after "briefbot COMMAND: "
	}{
		{"brief of an older SQLite schema", sqlite, emptySchemaTable, []string{"brief", "--topic", "ports"}, 1, "", outdated},
		{"topics of an older SQLite schema", sqlite, emptySchemaTable, []string{"topics"}, 1, "", outdated},
		{"brief of a newer SQLite schema", sqlite, newer, []string{"brief", "--topic", "ports"}, 1, "", tooNew},
		{"topics of the current SQLite schema", sqlite, migrated, []string{"topics"}, 0, "TOPIC", ""},
		{"brief of a new PostgreSQL database", postgres, nothing, []string{"brief", "--topic", "ports"}, 1, "", outdated},
		{"topics of a new PostgreSQL database", postgres, nothing, []string{"topics"}, 1, "", outdated},
		{"topics of an older PostgreSQL schema", postgres, emptySchemaTable, []string{"topics"}, 1, "", outdated},
		{"topics of a newer PostgreSQL schema", postgres, newer, []string{"topics"}, 1, "", tooNew},
		{"topics of the current PostgreSQL schema", postgres, migrated, []string{"topics"}, 0, "TOPIC", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dsn := tt.backend.dsn(t)
			raw, err := sql.Open(tt.backend.driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			tt.setup(t, tt.backend, dsn, raw)
			before := tableNames(t, raw, tt.backend.tables)

			code, stdout, stderr := runAt(t, briefNow, append(tt.command, "--store", dsn)...)
			wantErr := ""
			if tt.err != "" {
				wantErr = "briefbot " + tt.command[0] + ": " + tt.err + "\n"
			}
			if code != tt.code || stderr != wantErr || !strings.HasPrefix(stdout, tt.stdout) {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit %d, stdout starting %q and:\n%s", code, stdout, stderr, tt.code, tt.stdout, wantErr)
			}
			if after := tableNames(t, raw, tt.backend.tables); after != before {
				t.Errorf("the command changed the tables: %q before, %q after", before, after)
			}
		})
	}
}

// latestSchemaVersion is the schema version this binary migrates a new SQLite store to.
func latestSchemaVersion(t *testing.T) int {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "latest.db")
	st, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	raw, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var v int
	if err := raw.QueryRow(`SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func tableNames(t *testing.T, db *sql.DB, query string) string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(names, " ")
}

// postgresTestSchema returns the DSN of a new schema, dropped when the test ends, in the database
// $BRIEFBOT_TEST_POSTGRES names; it skips the test when the variable is unset.
func postgresTestSchema(t *testing.T) string {
	t.Helper()
	base := os.Getenv("BRIEFBOT_TEST_POSTGRES")
	if base == "" {
		t.Skip("BRIEFBOT_TEST_POSTGRES not set: skipping the PostgreSQL case")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	var b [6]byte
	rand.Read(b[:])
	schema := "cmd_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("BRIEFBOT_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
