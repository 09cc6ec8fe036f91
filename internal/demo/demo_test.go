package demo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/internal/demo"
)

func TestFilesShiftPublishedTimesSoTheNewestIsAnHourOldAndKeepTheirSpacing(t *testing.T) {
	now := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	files, err := demo.Files(now)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 9 {
		t.Fatalf("%d sample articles, want 9", len(files))
	}
	// The samples as written: the drought story (Daily Ledger) at 2026-11-25T18:40:00Z, the
	// drones story, the newest, at 2026-11-26T13:15:00Z.
	byName := map[string]demo.File{}
	var newest time.Time
	for _, f := range files {
		byName[f.Name] = f
		if f.Published.After(newest) {
			newest = f.Published
		}
		var a struct {
			Title, Body, Source, URL, Published string
		}
		if err := json.Unmarshal(f.Data, &a); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if a.Title == "" || a.Body == "" || a.Source == "" || a.URL == "" {
			t.Errorf("%s lacks a field: %+v", f.Name, a)
		}
		if a.Published != f.Published.Format(time.RFC3339) {
			t.Errorf("%s: published %q in the JSON, %s in the File", f.Name, a.Published, f.Published)
		}
	}
	if want := now.Add(-demo.NewestAge); !newest.Equal(want) {
		t.Errorf("the newest sample is dated %s, want %s", newest, want)
	}
	drought, drones := byName["06-daily-ledger-drought.json"], byName["08-northwind-drones.json"]
	if gap := drones.Published.Sub(drought.Published); gap != 18*time.Hour+35*time.Minute {
		t.Errorf("the samples' spacing changed: %s between the drought and drones stories, want 18h35m", gap)
	}
}

func TestArticlesJSONIsOneArrayOfTheSamples(t *testing.T) {
	data, err := demo.ArticlesJSON(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var items []map[string]any
	if err := json.Unmarshal(data, &items); err != nil || len(items) != 9 {
		t.Fatalf("ArticlesJSON: %d items, %v", len(items), err)
	}
}

func TestRunBriefsTheDemoTopicsAndAnswersItsCommands(t *testing.T) {
	now := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	var out bytes.Buffer
	err := demo.Run(context.Background(), demo.Options{
		Commands: strings.NewReader("/brief drought\n\n/brief schedule\n"), Stdout: &out,
		Now: func() time.Time { return now }, Dir: dir,
	})
	if err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"Ingested 9 articles: 9 new",
		"Briefing: ports · ",
		"1. ", "Port of Valmora",
		"— Marta Kowalczyk",
		"Briefing: economy", "Ilse Brandt",
		"$ /brief drought", "Tomas Reyes, environment minister",
		"$ /brief schedule",
		"Type /brief help",
		"briefbot run --config briefbot.yaml",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the demo's output lacks %q", want)
		}
	}
	if strings.Count(got, "$ ") != 4 {
		t.Errorf("the blank line was taken for a command:\n%s", got)
	}
	// With Dir, the database and the articles stay for a look.
	for _, name := range []string{"demo.db", "articles/01-coastal-herald-port-strike.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s is not kept in Dir: %v", name, err)
		}
	}
	if t.Failed() {
		t.Log(got)
	}
}

func TestRunStopsWhenItsContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan error, 1)
	go func() {
		done <- demo.Run(ctx, demo.Options{Stdout: &bytes.Buffer{}, Stdin: blockingReader{}, Interactive: true})
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Errorf("a cancelled demo returned no error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the demo did not stop when its context ended")
	}
}

// Standard input that is not a terminal (a pipe that stays open, docker run -i) is not read: the
// demo ends once the briefings are shown.
func TestRunWithoutATerminalEndsOnceTheBriefingsAreShown(t *testing.T) {
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- demo.Run(context.Background(), demo.Options{Stdout: &out, Stdin: blockingReader{}, Dir: t.TempDir()})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the demo waited for input that is not a terminal")
	}
	got := out.String()
	for _, want := range []string{"Briefing: ports", "Briefing: economy", "briefbot run --config briefbot.yaml"} {
		if !strings.Contains(got, want) {
			t.Errorf("the demo's output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Type quit") {
		t.Errorf("the demo offered a prompt without a terminal:\n%s", got)
	}
}

// blockingReader is a terminal nobody types at.
type blockingReader struct{}

func (blockingReader) Read([]byte) (int, error) { select {} }

func BenchmarkRun(b *testing.B) {
	for b.Loop() {
		if err := demo.Run(context.Background(), demo.Options{Stdout: &bytes.Buffer{}}); err != nil {
			b.Fatal(err)
		}
	}
}
