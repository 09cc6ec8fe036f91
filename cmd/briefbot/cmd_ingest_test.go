package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Fictional articles written for this test.
const (
	ingestTxt = "Harbour council approves sea wall\n\nThe harbour council approved a new sea wall on Monday.\n\n\"This wall will keep the water out of our homes,\" council leader Maria Okafor said.\n"
	ingestMD  = "# Library opens late on Thursdays\n\n\"Readers asked us for evening hours,\" librarian Ana Ruiz said.\n"
	// Line 2 is not JSON.
	ingestJSONL = `{"title":"Bus routes to change","body":"Three routes will be merged, the transport office said.","url":"https://news.example/bus?utm_source=x"}
{"title": oops
`
)

func writeIngestFiles(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "desk")
	for name, body := range map[string]string{"a.txt": ingestTxt, "sub/b.md": ingestMD, "c.jsonl": ingestJSONL, "notes.pdf": "%PDF"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestIngestCommandStoresFilesAndRunningTwiceAddsNothing(t *testing.T) {
	dir := writeIngestFiles(t)
	db := filepath.Join(t.TempDir(), "briefbot.db")

	code, out, errOut := runCmd(t, "ingest", "--store", db, dir)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []string{
		"3 new, 0 updated, 0 duplicates, 1 failed",
		"failed:",
		"  " + filepath.Join(dir, "c.jsonl") + ":2: invalid JSON",
		"skipped:",
		"  " + filepath.Join(dir, "notes.pdf") + ": .pdf is not an article format (.txt, .md, .html, .json or .jsonl)",
	}
	if len(lines) != len(want) {
		t.Fatalf("output:\n%s", out)
	}
	for i := range want {
		if !strings.HasPrefix(lines[i], want[i]) {
			t.Errorf("line %d = %q, want it to start with %q", i+1, lines[i], want[i])
		}
	}

	code, out, _ = runCmd(t, "ingest", "--store", db, dir)
	if code != 0 || !strings.HasPrefix(out, "0 new, 0 updated, 3 duplicates, 1 failed\n") {
		t.Errorf("second run: exit %d, output:\n%s", code, out)
	}
}

func TestIngestCommandExitsOneWhenEverythingFailed(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{nope"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, "ingest", "--store", filepath.Join(dir, "b.db"), bad, filepath.Join(dir, "missing"))
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.HasPrefix(out, "0 new, 0 updated, 0 duplicates, 2 failed\n") || !strings.Contains(errOut, "every item failed") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out, errOut)
	}
}

func TestIngestCommandReadsFeeds(t *testing.T) {
	var srvURL string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Northport Gazette</title>
<item><title>Ferry timetable extended</title><link>` + srvURL + `/ferry</link>
<description>` + strings.Repeat("The ferry will run every hour from May to September, the harbour office said. ", 20) + `</description></item>
</channel></rss>`))
	}))
	defer srv.Close()
	srvURL = srv.URL
	db := filepath.Join(t.TempDir(), "feeds.db")

	code, out, _ := runCmd(t, "ingest", "--store", db, srv.URL+"/rss")
	if code != 1 || !strings.Contains(out, "refusing to connect to a private-network address (run again with --allow-private to fetch it)") ||
		strings.Contains(out, "allow_private") {
		t.Errorf("a private feed without --allow-private: exit %d, output:\n%s", code, out)
	}
	code, out, errOut := runCmd(t, "ingest", "--store", db, "--allow-private", srv.URL+"/rss")
	if code != 0 || out != "1 new, 0 updated, 0 duplicates, 0 failed\n" {
		t.Errorf("exit %d, output %q, stderr %q", code, out, errOut)
	}
	code, out, _ = runCmd(t, "ingest", "--store", db, "--allow-private", srv.URL+"/rss")
	if code != 0 || out != "0 new, 0 updated, 1 duplicates, 0 failed\n" {
		t.Errorf("second run: exit %d, output %q", code, out)
	}
}

func TestIngestCommandUsage(t *testing.T) {
	if code, _, _ := runCmd(t, "ingest"); code != 2 {
		t.Errorf("no arguments: exit %d, want 2", code)
	}
	if code, _, errOut := runCmd(t, "ingest", "--fetch-page", "sometimes", "x"); code != 2 || !strings.Contains(errOut, "want auto, always or never") {
		t.Errorf("bad --fetch-page: exit %d, stderr %q", code, errOut)
	}
}
