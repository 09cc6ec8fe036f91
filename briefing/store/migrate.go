package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migrations are SQL files embedded in the binary, one per schema version, per backend:
// migrations/<backend>/NNNN_name.sql. Each runs in its own transaction, which also records its
// version in schema_migrations. A database whose recorded version is above the newest this
// binary knows was migrated by a newer briefbot: Open refuses it (ErrSchemaTooNew) rather than
// misread it.
//
//go:embed migrations
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the backend's migrations in version order.
func migrations(backend string) ([]migration, error) {
	dir := path.Join("migrations", backend)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration file %s is not named NNNN_name.sql", e.Name())
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migrations of %s: version %d where %d was expected", backend, m.version, i+1)
		}
	}
	return ms, nil
}

func (s *sqlStore) backendName() string {
	if s.pg {
		return "postgres"
	}
	return "sqlite"
}

// migrate brings the schema to the newest version this binary knows.
func (s *sqlStore) migrate(ctx context.Context) error {
	ms, err := migrations(s.backendName())
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	latest := len(ms)
	for _, m := range ms {
		applied, err := s.applyMigration(ctx, m, latest)
		if err != nil {
			return err
		}
		if applied {
			s.log.Info("store: applied migration", "backend", s.backendName(), "version", m.version, "name", m.name)
		}
	}
	return nil
}

// applyMigration applies m unless the schema has it already. Replicas starting together take
// turns: SQLite's write transactions are exclusive, and PostgreSQL's take an advisory lock
// scoped to the current schema.
func (s *sqlStore) applyMigration(ctx context.Context, m migration, latest int) (applied bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if s.pg {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7261, hashtext(current_schema()))`); err != nil {
				return err
			}
		}
		ddl := `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`
		if s.pg {
			ddl = `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`
		}
		if _, err := tx.ExecContext(ctx, ddl); err != nil {
			return err
		}
		var current int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return err
		}
		if current > latest {
			return fmt.Errorf("%w: the database is at schema version %d but this briefbot knows versions up to %d: upgrade briefbot (a database is never migrated down)", ErrSchemaTooNew, current, latest)
		}
		if current >= m.version {
			return nil
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("version %d (%s): %w", m.version, m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.version, m.name, s.ts(s.now().UTC().Truncate(time.Second))); err != nil {
			return err
		}
		applied = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: migrate: %w", err)
	}
	return applied, nil
}
