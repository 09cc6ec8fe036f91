package ingest

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Fictional articles written for these tests; each states what must be read from it.
const (
	// Headline on the first line; one quote by Maria Okafor.
	txtArticle = "Harbour council approves sea wall\n\nThe harbour council approved a new sea wall on Monday.\n\n\"This wall will keep the water out of our homes,\" council leader Maria Okafor said.\n"
	// Markdown heading as the headline.
	mdArticle = "# Library opens late on Thursdays\n\nThe town library will stay open until nine every Thursday.\n\n\"Readers asked us for evening hours,\" librarian Ana Ruiz said.\n"
	// Readability finds the article; the navigation is dropped.
	htmlArticle = `<html><head><title>Rail strike called off</title></head><body><nav>Home | News</nav><article><h1>Rail strike called off</h1>
<p>A rail strike planned for Tuesday was called off after talks that lasted until two in the morning, the union and the operator said on Monday.</p>
<p>"Our members will get a fair raise and the trains will run," union secretary Helen Marsh said. "Nobody wanted a strike in the middle of winter."</p>
<p>The agreement still has to be approved by a vote of union members next week, and the operator said services would run normally.</p></article></body></html>`
	// A JSON article with every field.
	jsonArticle = `{"title":"Dam inspection finds no cracks","body":"Engineers found no cracks in the Greenvale dam.\n\n\"The structure is sound,\" chief engineer Lena Brandt said.","url":"https://news.example/dam?utm_source=x","source":"Valley Courier","published":"2024-03-01T07:15:00Z"}`
)

// jsonlArticles: line 2 is not JSON, line 4 has a bad date, line 5 is blank; lines 1 and 3 are
// articles.
const jsonlArticles = `{"title":"Bus routes to change","body":"Three routes will be merged, the transport office said.","url":"https://news.example/bus","published":"2024-03-02T06:00:00Z"}
{"title": "broken
{"title":"Ferry timetable extended","body":"The ferry will run every hour from May, the harbour office said.","url":"https://news.example/ferry"}
{"title":"Bad date","body":"Text.","published":"last Tuesday"}

`

func TestIngestFilesReadsEveryFormatAndRunningTwiceAddsNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	dir := filepath.Join(t.TempDir(), "archive")
	writeFile(t, dir, "a.txt", []byte(txtArticle))
	writeFile(t, dir, "sub/b.md", []byte(mdArticle))
	writeFile(t, dir, "c.html", []byte(htmlArticle))
	writeFile(t, dir, "d.json", []byte(jsonArticle))
	writeFile(t, dir, "e.jsonl", []byte(jsonlArticles))
	writeFile(t, dir, "notes.pdf", []byte("%PDF"))
	writeFile(t, dir, ".git/HEAD.txt", []byte("not an article"))

	rep := e.in.IngestFiles(e.ctx, []string{dir}, "")
	if rep.New != 6 || rep.Failed != 2 || rep.Duplicates != 0 {
		t.Fatalf("report = %s, failures %+v; want 6 new and 2 failed", rep, rep.Failures)
	}
	wantFailures := []Failure{
		{Item: filepath.Join(dir, "e.jsonl") + ":2", Reason: "invalid JSON"},
		{Item: filepath.Join(dir, "e.jsonl") + ":4", Reason: `published "last Tuesday"`},
	}
	for i, f := range rep.Failures {
		if f.Item != wantFailures[i].Item || !strings.Contains(f.Reason, wantFailures[i].Reason) {
			t.Errorf("failure %d = %+v, want %+v", i, f, wantFailures[i])
		}
	}
	if len(rep.Skipped) != 1 || rep.Skipped[0].Item != filepath.Join(dir, "notes.pdf") || !strings.Contains(rep.Skipped[0].Reason, ".pdf is not an article format") {
		t.Errorf("skipped = %+v, want notes.pdf with a reason (and the hidden folder passed over)", rep.Skipped)
	}
	if e.count() != 6 {
		t.Errorf("stored %d, want 6", e.count())
	}

	txt := e.byHeadline("Harbour council approves sea wall")
	if txt.Source != "archive" || len(txt.Quotes) != 1 || txt.Quotes[0].Speaker != "Maria Okafor" {
		t.Errorf("a.txt: source %q, quotes %+v; want the folder's name and Okafor's quote", txt.Source, txt.Quotes)
	}
	if !txt.Published.Equal(e.clock.Now()) {
		t.Errorf("a.txt has no date: published %v, want the first-seen time %v", txt.Published, e.clock.Now())
	}
	js := e.byHeadline("Dam inspection finds no cracks")
	if js.Source != "Valley Courier" || js.URL != "https://news.example/dam" || !js.Published.Equal(time.Date(2024, 3, 1, 7, 15, 0, 0, time.UTC)) {
		t.Errorf("d.json = source %q, url %q, published %v", js.Source, js.URL, js.Published)
	}
	if h := e.byHeadline("Rail strike called off"); strings.Contains(h.Text, "Home | News") {
		t.Errorf("c.html kept the navigation: %q", h.Text)
	}
	e.byHeadline("Library opens late on Thursdays")
	e.byHeadline("Ferry timetable extended")

	// The same input again adds nothing.
	e.clock.Advance(time.Hour)
	again := e.in.IngestFiles(e.ctx, []string{dir}, "")
	if again.New != 0 || again.Updated != 0 || again.Duplicates != 6 || again.Failed != 2 {
		t.Errorf("second run = %s, want 6 duplicates", again)
	}
	if e.count() != 6 {
		t.Errorf("second run: stored %d, want still 6", e.count())
	}
}

func TestIngestFilesNamesSources(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	root := t.TempDir()
	folder := filepath.Join(root, "wires")
	writeFile(t, folder, "a.txt", []byte(txtArticle))
	lone := writeFile(t, filepath.Join(root, "desk"), "b.md", []byte(mdArticle))
	named := writeFile(t, root, "named/c.json", []byte(jsonArticle))

	e.in.IngestFiles(e.ctx, []string{folder, lone, named}, "")
	for headline, want := range map[string]string{
		"Harbour council approves sea wall": "wires",          // the folder given
		"Library opens late on Thursdays":   "desk",           // a lone file: its folder
		"Dam inspection finds no cracks":    "Valley Courier", // the file names its own
	} {
		if got := e.byHeadline(headline).Source; got != want {
			t.Errorf("%s: source %q, want %q", headline, got, want)
		}
	}

	e2 := newEnv(t, Options{})
	e2.in.IngestFiles(e2.ctx, []string{folder, named}, "Desk")
	if got := e2.byHeadline("Harbour council approves sea wall").Source; got != "Desk" {
		t.Errorf("--source: %q, want Desk", got)
	}
	if got := e2.byHeadline("Dam inspection finds no cracks").Source; got != "Valley Courier" {
		t.Errorf("--source overrode the file's own source: %q", got)
	}
}

// Each bad file is refused (or repaired) with its reason, counted, and the files after it are
// still read; nothing stored before is lost.
func TestIngestFilesRefusesBadFilesWithoutLosingStoredArticles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{MaxBytes: 1 << 20})
	dir := t.TempDir()
	good := writeFile(t, dir, "0-good.txt", []byte(txtArticle))
	if rep := e.in.IngestFiles(e.ctx, []string{good}, "desk"); rep.New != 1 {
		t.Fatalf("good file: %s", rep)
	}
	before := e.articles()

	tests := []struct {
		name, file string
		data       []byte
		want       string // the reason, or "" for a file that is repaired and stored
		code       string
	}{
		{"a 20 MB file", "big.txt", bytes.Repeat([]byte("word "), 4<<20), "file larger than 1 MB", "too_large"},
		{"binary junk", "junk.txt", bytes.Repeat([]byte{0x00, 0x9f, 0x92, 0x96, 0x01, 0x02}, 500), "binary data, not text", "binary"},
		{"an empty file", "empty.md", nil, "no article text", "no_content"},
		{"a JSON file that is not JSON", "bad.json", []byte("{nope"), "read json article", "bad_item"},
		{"a JSON article without a body", "nobody.json", []byte(`{"title":"Only a title"}`), `no "body" text`, "bad_item"},
		{"a JSON article with a bad URL", "badurl.json", []byte(`{"title":"t","body":"Some text.","url":"javascript:alert(1)"}`), "not an absolute http or https URL", "bad_url"},
		{"an explicitly named file of another format", "photo.jpg", []byte{0xff, 0xd8, 0xff}, ".jpg is not an article format", "unsupported_format"},
		{"invalid UTF-8", "latin1.txt", []byte("Caf\xe9 owner speaks\n\nThe owner of the caf\xe9 said \"we are back\" on Monday.\n"), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, dir, tt.file, tt.data)
			rep := e.in.IngestFiles(e.ctx, []string{p}, "desk")
			if tt.want == "" {
				if rep.New != 1 {
					t.Fatalf("report = %s %+v, want the file repaired and stored", rep, rep.Failures)
				}
				return
			}
			if rep.Failed != 1 || !strings.Contains(rep.Failures[0].Reason, tt.want) || rep.Failures[0].Item != p {
				t.Errorf("report = %s %+v, want %s refused with %q", rep, rep.Failures, p, tt.want)
			}
			if got := e.failures("desk", tt.code); got < 1 {
				t.Errorf("failure metric %s not counted", tt.code)
			}
		})
	}
	latin := e.byHeadline("Caf\uFFFD owner speaks")
	if !utf8.ValidString(latin.Text) {
		t.Errorf("stored text is not valid UTF-8: %q", latin.Text)
	}
	after := e.articles()
	if len(after) != len(before)+1 {
		t.Errorf("stored %d articles, want %d", len(after), len(before)+1)
	}
	if e.byHeadline("Harbour council approves sea wall").ID != before[0].ID {
		t.Errorf("the article stored first was changed")
	}
}

func TestJSONLLinesOverTheCapAreRefusedAndTheRestRead(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{MaxBytes: 4096})
	dir := t.TempDir()
	long := `{"title":"Long","body":"` + strings.Repeat("x", 10_000) + `"}`
	p := writeFile(t, dir, "feed.jsonl", []byte(jsonArticle+"\n"+long+"\r\n"+strings.NewReplacer("/dam", "/ferry", "Engineers found", "Divers found").Replace(jsonArticle)))
	rep := e.in.IngestFiles(e.ctx, []string{p}, "")
	if rep.New != 2 || rep.Failed != 1 || rep.Failures[0].Item != p+":2" || !strings.Contains(rep.Failures[0].Reason, "line larger than 4 KB") {
		t.Errorf("report = %s %+v; want line 2 refused and lines 1 and 3 stored", rep, rep.Failures)
	}
}

func TestReadLine(t *testing.T) {
	t.Parallel()
	in := "short\n" + strings.Repeat("y", 100) + "\nlast"
	br := bufio.NewReaderSize(strings.NewReader(in), 16)
	var got []string
	for {
		line, tooLong, err := readLine(br, 20)
		if tooLong {
			got = append(got, "<too long>")
		} else {
			got = append(got, string(line))
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"short", "<too long>", "last"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("lines = %q, want %q", got, want)
	}
}

func TestListFilesReportsPathsThatCannotBeRead(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "nope")
	files, rep := ListFiles([]string{missing}, "")
	if len(files) != 0 || rep.Failed != 1 || !strings.Contains(rep.Failures[0].Reason, "no such file") {
		t.Errorf("files %v, report %+v", files, rep)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("the path exists")
	}
}

func TestPollerScansFoldersForNewAndChangedFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	dir := t.TempDir()
	writeFile(t, dir, "a.txt", []byte(txtArticle))
	p, err := NewPoller(e.in, []Source{{Name: "desk", Path: dir}}, PollerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	src := p.Sources()[0]
	res, err := p.Poll(e.ctx, src)
	if err != nil || res.New != 1 {
		t.Fatalf("first scan: %s, %v", res.Report.String(), err)
	}
	res, err = p.Poll(e.ctx, src)
	if err != nil || res.Total() != 0 {
		t.Errorf("second scan read unchanged files again: %s, %v", res.Report.String(), err)
	}
	writeFile(t, dir, "b.md", []byte(mdArticle))
	res, err = p.Poll(e.ctx, src)
	if err != nil || res.New != 1 || res.Total() != 1 {
		t.Errorf("third scan: %s, %v; want only the new file", res.Report.String(), err)
	}
	// A folder that disappears is a failing source.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	res, err = p.Poll(e.ctx, src)
	if err == nil || res.State.Failures != 1 {
		t.Errorf("missing folder: err %v, state %+v", err, res.State)
	}
	if e.count() != 2 {
		t.Errorf("stored %d, want 2", e.count())
	}
}

// A folder source's MaxBytes caps each of its files (each line of a .jsonl file); a larger file
// is refused with its size and the setting to raise, and the folder's other files are read. A
// source without MaxBytes has the ingester's cap.
func TestFolderSourceCapsEachFileWithItsOwnMaxBytes(t *testing.T) {
	t.Parallel()
	big := txtArticle + strings.Repeat("The sea wall will be finished next year. ", 60) + "\n" // about 2.6 KB
	long := `{"title":"Long","body":"` + strings.Repeat("x", 3000) + `"}`
	tests := []struct {
		name        string
		ingesterMax int64
		sourceMax   int64
		wantNew     int
		wantFailed  map[string]string // file (or file:line) → a part of the reason
	}{
		{
			name: "the source's cap is below the ingester's", ingesterMax: 1 << 20, sourceMax: 2048,
			wantNew: 3,
			wantFailed: map[string]string{
				"big.txt":       " bytes is larger than the source's max_bytes (2 KB): raise max_bytes on the source to read it",
				"lines.jsonl:2": "line larger than 2 KB",
			},
		},
		{
			name: "the source's cap is above the ingester's", ingesterMax: 2048, sourceMax: 1 << 20,
			wantNew: 5,
		},
		{
			name: "no cap on the source: the ingester's", ingesterMax: 2048, sourceMax: 0,
			wantNew: 3,
			wantFailed: map[string]string{
				"big.txt":       "file larger than 2 KB",
				"lines.jsonl:2": "line larger than 2 KB",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, Options{MaxBytes: tt.ingesterMax})
			dir := t.TempDir()
			writeFile(t, dir, "a.txt", []byte(txtArticle))
			writeFile(t, dir, "big.txt", []byte(strings.Replace(big, "Harbour council", "Big council", 1)))
			writeFile(t, dir, "c.md", []byte(mdArticle))
			writeFile(t, dir, "lines.jsonl", []byte(jsonArticle+"\n"+long+"\n"))
			p, err := NewPoller(e.in, []Source{{Name: "desk", Path: dir, MaxBytes: tt.sourceMax}}, PollerOptions{})
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.Poll(e.ctx, p.Sources()[0])
			if err != nil {
				t.Fatalf("scan: %v", err)
			}
			if res.New != tt.wantNew || res.Failed != len(tt.wantFailed) {
				t.Errorf("scan: %s %+v; want %d new and %d refused", res.Report.String(), res.Failures, tt.wantNew, len(tt.wantFailed))
			}
			for _, f := range res.Failures {
				rel, _ := filepath.Rel(dir, f.Item)
				want, ok := tt.wantFailed[rel]
				if !ok || !strings.Contains(f.Reason, want) {
					t.Errorf("%s refused with %q; want %q", rel, f.Reason, want)
				}
			}
		})
	}
}
