// Package demo is briefbot's embedded default: nine sample articles written for briefbot (three
// made-up outlets — Coastal Herald, Northwind Press and Daily Ledger — covering a port strike, a
// central-bank rate decision and a drought, plus two single stories), compiled into the binary,
// and the demo that ingests them into a temporary SQLite database and briefs them on the
// terminal. `briefbot demo`, `briefbot run` without a config file, and a bare `briefbot` run it.
package demo

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"time"
)

// articleFiles are the sample articles, one JSON article per file (the format of .json files
// and of POST /api/articles).
//
//go:embed articles/*.json
var articleFiles embed.FS

// Topic is a topic the demo defines.
type Topic struct {
	Name  string
	Query string
}

// Topics are the demo's topics, in the order the demo briefs them.
var Topics = []Topic{
	{Name: "ports", Query: `port OR dockworkers OR harbour`},
	{Name: "economy", Query: `"central bank" OR inflation OR rates`},
}

// NewestAge is how long before now the newest sample article is published.
const NewestAge = time.Hour

// File is one sample article file.
type File struct {
	// Name is the file's name ("01-coastal-herald-port-strike.json").
	Name string
	// Data is the JSON article, its "published" time shifted (see Files).
	Data      []byte
	Published time.Time
}

// Files returns the sample articles with their published times shifted so that the newest is
// NewestAge before now, the others keeping their spacing (the samples span about 19 hours, so
// all of them fall within a 24-hour briefing window). They are in file name order.
func Files(now time.Time) ([]File, error) {
	names, err := fs.Glob(articleFiles, "articles/*.json")
	if err != nil {
		return nil, fmt.Errorf("demo: list articles: %w", err)
	}
	sort.Strings(names)
	type parsed struct {
		name      string
		fields    map[string]any
		published time.Time
	}
	var (
		all    []parsed
		newest time.Time
	)
	for _, name := range names {
		data, err := articleFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("demo: read %s: %w", name, err)
		}
		var fields map[string]any
		if err := json.Unmarshal(data, &fields); err != nil {
			return nil, fmt.Errorf("demo: %s: %w", name, err)
		}
		s, _ := fields["published"].(string)
		published, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return nil, fmt.Errorf("demo: %s: published: %w", name, err)
		}
		if published.After(newest) {
			newest = published
		}
		all = append(all, parsed{name: path.Base(name), fields: fields, published: published})
	}
	shift := now.Add(-NewestAge).Sub(newest)
	out := make([]File, 0, len(all))
	for _, p := range all {
		published := p.published.Add(shift).UTC().Truncate(time.Second)
		p.fields["published"] = published.Format(time.RFC3339)
		data, err := json.MarshalIndent(p.fields, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("demo: %s: %w", p.name, err)
		}
		out = append(out, File{Name: p.name, Data: data, Published: published})
	}
	return out, nil
}

// ArticlesJSON returns the shifted sample articles as one JSON array, the body POST
// /api/articles takes.
func ArticlesJSON(now time.Time) ([]byte, error) {
	files, err := Files(now)
	if err != nil {
		return nil, err
	}
	items := make([]json.RawMessage, len(files))
	for i, f := range files {
		items[i] = f.Data
	}
	return json.Marshal(items)
}
