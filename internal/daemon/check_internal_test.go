package daemon

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/briefbot/briefbot/briefing/store"
)

// Each reason the store did not open is one check line: a schema briefbot run creates or
// migrates passes (an older one with a note), a newer one or another error fails.
func TestCheckReportsWhyTheStoreDidNotOpen(t *testing.T) {
	const label = "PostgreSQL postgres://briefbot@db/briefbot"
	tests := []struct {
		name               string
		err                error
		want               string
		run, failed, notes int
	}{
		{"a SQLite file that does not exist", &store.SchemaOutdatedError{Need: 3, Missing: "/srv/briefbot.db"},
			"  ok    store: " + label + " does not exist yet; `briefbot run` creates it\n", 1, 0, 0},
		{"no schema", &store.SchemaOutdatedError{Found: 0, Need: 3},
			"  ok    store: " + label + " has no briefbot schema yet; `briefbot run` creates it (schema version 3)\n", 1, 0, 0},
		{"an older schema", &store.SchemaOutdatedError{Found: 2, Need: 3},
			"  note  store: " + label + " is at schema version 2 and this briefbot needs version 3: `briefbot run` (or `briefbot ingest`) " +
				"migrates it, after which briefbots older than this one refuse the database\n", 1, 0, 1},
		{"a newer schema", fmt.Errorf("store: %w: the database is at schema version 4", store.ErrSchemaTooNew),
			"  FAIL  store: " + label + ": store: database schema is newer than this binary: the database is at schema version 4\n", 1, 1, 0},
		{"another error", errors.New("store: open postgres briefbot@db/briefbot: connection refused"),
			"  FAIL  store: " + label + " does not open: store: open postgres briefbot@db/briefbot: connection refused\n", 1, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			c := &checker{w: &out}
			c.schema(label, tt.err)
			if got := out.String(); got != tt.want {
				t.Errorf("line\n%q\nwant\n%q", got, tt.want)
			}
			if c.run != tt.run || c.failed != tt.failed || c.notes != tt.notes {
				t.Errorf("run %d, failed %d, notes %d; want %d, %d, %d", c.run, c.failed, c.notes, tt.run, tt.failed, tt.notes)
			}
		})
	}
}

// The summary counts the checks that passed with a note among those that passed.
func TestCheckSummaryCountsNotes(t *testing.T) {
	tests := []struct {
		name   string
		checks func(c *checker)
		want   string
		failed bool
	}{
		{"nothing", func(*checker) {}, "\nNothing to check.\n", false},
		{"all passed", func(c *checker) { c.ok("a"); c.ok("b") }, "\nAll 2 checks passed.\n", false},
		{"one with a note", func(c *checker) { c.ok("a"); c.note("b") }, "\nAll 2 checks passed (1 with a note).\n", false},
		{"a single check", func(c *checker) { c.ok("a") }, "\nThe check passed.\n", false},
		{"one failed", func(c *checker) { c.note("a"); c.fail("b"); c.skip("c") }, "\n1 of 2 checks failed.\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var lines bytes.Buffer
			c := &checker{w: &lines}
			tt.checks(c)
			var out bytes.Buffer
			c.w = &out
			err := c.summary()
			if got := out.String(); got != tt.want || errors.Is(err, ErrCheckFailed) != tt.failed {
				t.Errorf("summary %q, %v; want %q, failed %v", got, err, tt.want, tt.failed)
			}
		})
	}
}
