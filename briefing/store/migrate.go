package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
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
// misread it. With Options.NoMigrate, Open only reads the recorded version (checkSchema).
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

// ErrSchemaOutdated: the database's schema is older than this binary's, or it has none, and the
// store was opened with Options.NoMigrate. The error is a *SchemaOutdatedError.
var ErrSchemaOutdated = errors.New("database schema is older than this binary")

// SchemaOutdatedError is Open's refusal, with Options.NoMigrate, of a database whose schema is
// older than this binary's or absent; errors.Is(err, ErrSchemaOutdated) holds. Opening the store
// without NoMigrate (briefbot run or ingest) migrates it.
type SchemaOutdatedError struct {
	// Found is the database's schema version, 0 when it has none.
	Found int
	// Need is the schema version this binary needs.
	Need int
	// Missing is the SQLite file that does not exist, if that is why there is no schema.
	Missing string
}

func (e *SchemaOutdatedError) Error() string {
	const fix = "`briefbot run` (or `briefbot ingest`) migrates it"
	switch {
	case e.Missing != "":
		return fmt.Sprintf("store: there is no SQLite database at %s (no schema) but this briefbot needs schema version %d: %s",
			e.Missing, e.Need, "`briefbot run` (or `briefbot ingest`) creates it")
	case e.Found == 0:
		return fmt.Sprintf("store: the database has no briefbot schema (version 0) but this briefbot needs schema version %d: %s", e.Need, fix)
	}
	return fmt.Sprintf("store: the database is at schema version %d but this briefbot needs schema version %d: %s", e.Found, e.Need, fix)
}

// Is makes errors.Is(err, ErrSchemaOutdated) hold.
func (e *SchemaOutdatedError) Is(target error) bool { return target == ErrSchemaOutdated }

// latestVersion is the newest schema version this binary knows for a backend.
func latestVersion(backend string) (int, error) {
	ms, err := migrations(backend)
	if err != nil {
		return 0, fmt.Errorf("store: migrations: %w", err)
	}
	return len(ms), nil
}

// schemaTooNew is the refusal of a database migrated by a newer briefbot.
func schemaTooNew(current, latest int) error {
	return fmt.Errorf("%w: the database is at schema version %d but this briefbot knows versions up to %d: upgrade briefbot (a database is never migrated down)", ErrSchemaTooNew, current, latest)
}

// checkSchema fails unless the schema is the newest this binary knows; it creates and changes
// nothing (Options.NoMigrate).
func (s *sqlStore) checkSchema(ctx context.Context) error {
	latest, err := latestVersion(s.backendName())
	if err != nil {
		return err
	}
	current, err := s.schemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("store: read the schema version: %w", err)
	}
	switch {
	case current > latest:
		return fmt.Errorf("store: %w", schemaTooNew(current, latest))
	case current < latest:
		return &SchemaOutdatedError{Found: current, Need: latest}
	}
	return nil
}

// schemaVersion returns the newest schema version recorded in the database, 0 when it records
// none, without creating or changing anything. The table is looked for where the migrations
// create it: the SQLite database, or PostgreSQL's search path.
func (s *sqlStore) schemaVersion(ctx context.Context) (int, error) {
	exists := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
	if s.pg {
		exists = `SELECT count(*) FROM (SELECT to_regclass('schema_migrations') AS t) r WHERE t IS NOT NULL`
	}
	var n int
	if err := s.r.QueryRowContext(ctx, exists).Scan(&n); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, nil
	}
	var current int
	if err := s.r.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return 0, err
	}
	return current, nil
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
			return schemaTooNew(current, latest)
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
