package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// DefaultDSN is the store briefbot uses when none is configured: a SQLite file in the working
// directory.
const DefaultDSN = "briefbot.db"

// Options configure a Store.
type Options struct {
	// Now is the clock for the times the store records itself (first seen, updated at); it
	// defaults to time.Now.
	Now func() time.Time
	// Logger receives migrations and deduplication decisions; nil logs nothing.
	Logger *slog.Logger
	// NoMigrate opens the store without creating or changing its schema, for commands that
	// only read or check it (briefbot check, brief, topics) while other briefbots may share the
	// database: Open reads the schema version, and fails with a *SchemaOutdatedError
	// (ErrSchemaOutdated) when the schema is older than this binary's or absent, and with
	// ErrSchemaTooNew when it is newer. A SQLite file that does not exist is not created. Only
	// a store opened without NoMigrate (briefbot run, ingest) migrates the database.
	NoMigrate bool
}

// Open opens (creating and migrating as needed) the store a DSN names:
//
//   - a file path ("briefbot.db", "/var/lib/briefbot/briefbot.db") or a "file:" URI: an embedded
//     SQLite database ("" means DefaultDSN; ":memory:" is a private in-memory database);
//   - "postgres://user@host:5432/db?sslmode=disable" (or postgresql://): a PostgreSQL database,
//     which several briefbot replicas may share. Parameters such as search_path and
//     pool_max_conns are honoured.
//
// It fails with ErrSchemaTooNew when a newer briefbot has migrated the database. With
// Options.NoMigrate it changes no schema, and fails with ErrSchemaOutdated when the schema is
// older than this binary's.
func Open(ctx context.Context, dsn string, opts Options) (Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	var (
		s   *sqlStore
		err error
	)
	switch scheme := dsnScheme(dsn); scheme {
	case "postgres", "postgresql":
		s, err = openPostgres(ctx, dsn)
	case "", "file":
		if opts.NoMigrate {
			if err := sqliteFileMissing(dsn); err != nil {
				return nil, err
			}
		}
		s, err = openSQLite(dsn)
		if err == nil {
			// Connecting opens (or creates) the file: a path that cannot be opened fails here,
			// where the error can name it, rather than in the first statement.
			if perr := s.w.PingContext(ctx); perr != nil {
				s.Close()
				return nil, sqliteOpenError(dsn, perr)
			}
		}
	default:
		return nil, fmt.Errorf("store: open: unsupported DSN scheme %q: use a file path (SQLite) or postgres://", scheme)
	}
	if err != nil {
		return nil, err
	}
	s.now, s.log = opts.Now, opts.Logger
	migrate := s.migrate
	if opts.NoMigrate {
		migrate = s.checkSchema
	}
	if err := migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.prepareLedger(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

var schemeRE = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.-]*):`)

// dsnScheme returns the lower-cased URI scheme of a DSN ("" for a plain path; a Windows drive
// letter is not a scheme).
func dsnScheme(dsn string) string {
	m := schemeRE.FindStringSubmatch(dsn)
	if m == nil || len(m[1]) == 1 {
		return ""
	}
	if m[1] != "file" && !strings.HasPrefix(dsn[len(m[0]):], "//") {
		return "" // "notes:2024.db" is a file name
	}
	return strings.ToLower(m[1])
}

// sqlStore is the Store on database/sql, for both backends: the SQL is the same except for
// full-text search and the representation of times (see backend).
type sqlStore struct {
	pg bool // PostgreSQL, else SQLite
	// w runs transactions and writes, r reads. With SQLite, w is a single connection (SQLite
	// has one writer at a time; queueing in Go beats retrying on SQLITE_BUSY) and r a pool of
	// read-only connections; with PostgreSQL both are the same pool.
	w, r *sql.DB
	now  func() time.Time
	log  *slog.Logger
	// closePool closes the PostgreSQL pool under w.
	closePool func()
	// recent caches the shingles of recently saved articles for near-duplicate checks.
	recent recentCache
	// ckpt checkpoints the SQLite log in the background (nil for PostgreSQL and :memory:).
	ckpt *checkpointer
	// ledger holds the delivery ledger's prepared statements.
	ledger ledgerStmts
	// terms are the makers of SQLite's search terms, kept with what they learnt.
	terms termMakers

	closeOnce sync.Once
	closeErr  error
}

var _ Store = (*sqlStore)(nil)

func openSQLite(dsn string) (*sqlStore, error) {
	if dsn == "" {
		dsn = DefaultDSN
	}
	base, query, _ := strings.Cut(dsn, "?")
	params, err := url.ParseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: bad parameters: %w", dsn, err)
	}
	memory := sqliteInMemory(base, params)
	common := []string{"busy_timeout(10000)", "foreign_keys(1)", "temp_store(memory)"}

	withPragmas := func(pragmas []string, extra ...string) string {
		p := url.Values{}
		for k, v := range params {
			p[k] = v
		}
		for _, pr := range pragmas {
			p.Add("_pragma", pr)
		}
		for i := 0; i+1 < len(extra); i += 2 {
			p.Set(extra[i], extra[i+1])
		}
		return base + "?" + p.Encode()
	}

	// The writer's page cache holds what a batch of articles changes (64 MB), so that nothing is
	// written to the log twice in one transaction; the log is copied into the database every
	// 8,000 pages (32 MB) rather than every 1,000, so that pages changed by every batch (the
	// upper levels of the indexes) are copied less often.
	wdsn := withPragmas(append(common, "cache_size(-65536)", "journal_mode(WAL)", "synchronous(NORMAL)", "wal_autocheckpoint(8000)"),
		"_txlock", "immediate")
	w, err := sql.Open("sqlite", wdsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dsn, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s := &sqlStore{w: w, r: w, terms: newTermMakers(runtime.GOMAXPROCS(0))}
	if memory {
		return s, nil // one connection: a second would open another, empty, database
	}
	r, err := sql.Open("sqlite", withPragmas(append(common, "cache_size(-16384)", "query_only(1)")))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", dsn, err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	r.SetConnMaxIdleTime(5 * time.Minute)
	s.r = r
	// The checkpointer copies what the log holds into the database file on a connection of its
	// own, after each batch of articles, while the writer goes on with the next: copying and
	// the file system's syncs leave the writer's path (it still copies the log itself when it
	// outgrows 8,000 pages, should the checkpointer fall behind).
	ckpt, err := sql.Open("sqlite", withPragmas(common))
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("store: open %s: %w", dsn, err)
	}
	ckpt.SetMaxOpenConns(1)
	s.ckpt = newCheckpointer(ckpt)
	return s, nil
}

// sqliteFileMissing returns a *SchemaOutdatedError when dsn names a SQLite file that does not
// exist, which opening would create.
func sqliteFileMissing(dsn string) error {
	base, query, _ := strings.Cut(dsn, "?")
	params, _ := url.ParseQuery(query)
	if sqliteInMemory(base, params) {
		return nil
	}
	path := sqlitePath(dsn)
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	need, err := latestVersion("sqlite")
	if err != nil {
		return err
	}
	return &SchemaOutdatedError{Need: need, Missing: path}
}

// sqliteInMemory reports whether a SQLite DSN (its part before "?", and its parameters) names
// an in-memory database.
func sqliteInMemory(base string, params url.Values) bool {
	return base == ":memory:" || base == "file::memory:" || params.Get("mode") == "memory"
}

// sqlitePath is the absolute path of the file a SQLite DSN names.
func sqlitePath(dsn string) string {
	path, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(dsn, "file://"), "file:"), "?")
	if path == "" {
		path = DefaultDSN
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return path
}

// sqliteOpenError explains a SQLite database that cannot be opened: which file, and what to do
// about the usual causes (a folder that does not exist or that this user may not write to, as
// under a service whose working directory is read-only).
func sqliteOpenError(dsn string, err error) error {
	path := sqlitePath(dsn)
	var se interface{ Code() int }
	if !errors.As(err, &se) || se.Code()&0xff != sqliteCantOpen {
		return fmt.Errorf("store: open SQLite database %s: %w", path, err)
	}
	if info, serr := os.Stat(path); serr == nil && info.IsDir() {
		return fmt.Errorf("store: cannot open SQLite database %s: %w: it is a folder; set store: (or --store) to a file in it, such as %s",
			path, err, filepath.Join(path, DefaultDSN))
	}
	const fix = "set store: (or --store) to a writable path such as /var/lib/briefbot/briefbot.db"
	dir := filepath.Dir(path)
	if info, serr := os.Stat(dir); serr == nil && !info.IsDir() {
		return fmt.Errorf("store: cannot open SQLite database %s: %w: %s is a file, not a folder; %s", path, err, dir, fix)
	}
	return fmt.Errorf("store: cannot open SQLite database %s: %w: the folder %s does not exist or this user may not write to it; "+
		"create it, or %s", path, err, dir, fix)
}

// sqliteCantOpen is SQLITE_CANTOPEN, the primary code of a file SQLite cannot open or create.
const sqliteCantOpen = 14

func openPostgres(ctx context.Context, dsn string) (*sqlStore, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	// Statements are prepared once per connection; a topic query must still be planned for its
	// own words and window (a generic plan cannot tell a rare word from a common one).
	if _, set := cfg.ConnConfig.RuntimeParams["plan_cache_mode"]; !set {
		cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	// Compiling a query costs more than it could save on queries of milliseconds, and the
	// planner's cost of a topic query over a large store can be over the server's threshold.
	if _, set := cfg.ConnConfig.RuntimeParams["jit"]; !set {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		pool.Close()
		return nil, fmt.Errorf("store: open postgres %s@%s/%s: %w", cfg.ConnConfig.User, cfg.ConnConfig.Host, cfg.ConnConfig.Database, err)
	}
	return &sqlStore{pg: true, w: db, r: db, closePool: pool.Close}, nil
}

func (s *sqlStore) Ping(ctx context.Context) error {
	if err := s.r.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

func (s *sqlStore) Close() error {
	s.closeOnce.Do(func() {
		s.ledger.close()
		var errs []error
		if s.ckpt != nil {
			errs = append(errs, s.ckpt.close())
		}
		errs = append(errs, s.w.Close())
		if s.r != s.w {
			errs = append(errs, s.r.Close())
		}
		if s.closePool != nil {
			s.closePool()
		}
		if err := errors.Join(errs...); err != nil {
			s.closeErr = fmt.Errorf("store: close: %w", err)
		}
	})
	return s.closeErr
}

// inTx runs fn in a write transaction, committing when it returns nil.
func (s *sqlStore) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Times are stored as unix microseconds in SQLite and as timestamptz in PostgreSQL; a zero time
// is NULL.

// ts converts a time for a query argument.
func (s *sqlStore) ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	if s.pg {
		return t.UTC().Truncate(time.Microsecond)
	}
	return t.UnixMicro()
}

// timeCol scans a time column of either backend.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
	case int64:
		*c.t = time.UnixMicro(v).UTC()
	case time.Time:
		*c.t = v.UTC()
	default:
		return fmt.Errorf("store: scan time: unexpected %T", src)
	}
	return nil
}
