package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/briefbot/briefbot/briefing/store"
)

// openToRead opens the store of a command that only reads it (brief, topics). A SQLite file that
// does not exist is refused rather than created empty: the name is likely mistyped, or nothing
// was ingested yet.
func openToRead(ctx context.Context, dsn string) (store.Store, error) {
	if missingSQLiteFile(dsn) {
		return nil, fmt.Errorf("there is no store at %s: ingest articles first (briefbot ingest --store %s PATH|URL…) "+
			"or name the store with --store", dsn, dsn)
	}
	return store.Open(ctx, dsn, store.Options{})
}

// missingSQLiteFile reports whether dsn names a SQLite file that does not exist (opening it would
// create an empty store).
func missingSQLiteFile(dsn string) bool {
	if dsn == ":memory:" || strings.HasPrefix(dsn, "file:") || strings.Contains(dsn, "://") {
		return false
	}
	_, err := os.Stat(dsn)
	return errors.Is(err, fs.ErrNotExist)
}
