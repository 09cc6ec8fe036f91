package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/briefbot/briefbot/briefing/store/storetest"
)

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) string {
		return filepath.Join(t.TempDir(), "briefbot.db")
	})
}

func TestPostgres(t *testing.T) {
	storetest.Run(t, postgresDSN(t))
}

// postgresDSN returns a function giving each test its own schema in the database
// BRIEFBOT_TEST_POSTGRES names, dropped when the test ends; it skips t when the variable is unset.
func postgresDSN(t testing.TB) func(t *testing.T) string {
	base := os.Getenv("BRIEFBOT_TEST_POSTGRES")
	if base == "" {
		t.Skip("BRIEFBOT_TEST_POSTGRES not set: skipping PostgreSQL store tests")
	}
	return func(t *testing.T) string {
		return newPostgresSchema(t, base)
	}
}

func newPostgresSchema(t testing.TB, base string) string {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("BRIEFBOT_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("pool_max_conns", "6")
	u.RawQuery = q.Encode()
	return u.String()
}
