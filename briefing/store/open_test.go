package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A SQLite file that cannot be opened is named in the error, with the likely cause and the fix.
func TestOpenNamesASQLiteFileItCannotOpenAndTheFix(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, []byte("not a folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "store")
	if err := os.Mkdir(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	const writable = "set store: (or --store) to a writable path such as /var/lib/briefbot/briefbot.db"
	tests := []struct {
		name string
		dsn  string
		want []string // parts of the message
	}{
		{"a folder that does not exist", filepath.Join(dir, "missing", "briefbot.db"), []string{
			"store: cannot open SQLite database " + filepath.Join(dir, "missing", "briefbot.db") + ": unable to open database file (14)",
			"the folder " + filepath.Join(dir, "missing") + " does not exist or this user may not write to it", writable}},
		{"a file URI in a folder that does not exist", "file:" + filepath.Join(dir, "missing", "b.db") + "?mode=rwc", []string{
			"cannot open SQLite database " + filepath.Join(dir, "missing", "b.db") + ":", writable}},
		{"a path under a file", filepath.Join(plain, "briefbot.db"), []string{
			"cannot open SQLite database " + filepath.Join(plain, "briefbot.db") + ":", plain + " is a file, not a folder", writable}},
		{"a folder", folder, []string{
			"cannot open SQLite database " + folder + ":", "it is a folder; set store: (or --store) to a file in it, such as " + filepath.Join(folder, "briefbot.db")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(t.Context(), tt.dsn, Options{})
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded", tt.dsn)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Open(%q) = %q\nwant it to contain %q", tt.dsn, err, w)
				}
			}
		})
	}
	// A path that can be created still opens.
	s, err := Open(t.Context(), filepath.Join(dir, "ok.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}
