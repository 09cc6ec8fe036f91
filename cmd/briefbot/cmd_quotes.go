package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/briefbot/briefbot/briefing"
)

func quotesCommand() command {
	return command{
		Name:    "quotes",
		Usage:   "[--json] [--max-key N] FILE|DIR...",
		Summary: "list the quotes of article files (.txt, .md, .html, .json) with speakers and key marks",
		Run:     runQuotes,
	}
}

// quotesLine is one line of `briefbot quotes --json`: the contract other tools read.
type quotesLine struct {
	File   string      `json:"file"`
	Title  string      `json:"title"`
	Quotes []quoteJSON `json:"quotes"`
}

type quoteJSON struct {
	Text         string  `json:"text"`
	Speaker      string  `json:"speaker"`
	SpeakerTitle string  `json:"speaker_title"`
	Cue          string  `json:"cue"`
	Partial      bool    `json:"partial"`
	Key          bool    `json:"key"`
	Score        float64 `json:"score"`
	Start        int     `json:"start"`
	End          int     `json:"end"`
}

func runQuotes(ctx context.Context, env *Env, args []string) error {
	c := quotesCommand()
	fs := newFlagSet(env, c)
	asJSON := fs.Bool("json", false, "write one JSON object per file, one line each (the `quotes` contract)")
	maxKey := fs.Int("max-key", 3, "mark at most `N` quotes per article as key")
	maxBytes := fs.Int("max-bytes", briefing.DefaultMaxBytes, "refuse articles larger than `N` bytes")
	names, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		fs.Usage()
		return errUsage
	}
	files, err := articleFiles(names)
	if err != nil {
		return err
	}
	failed := 0
	opts := briefing.ReadOptions{MaxBytes: *maxBytes}
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		a, err := readArticleFile(name, opts)
		if err != nil {
			fmt.Fprintf(env.Stderr, "briefbot quotes: %s\n", oneLine(err.Error()))
			failed++
			continue
		}
		briefing.Analyze(a, briefing.AnalyzeOptions{MaxKey: *maxKey})
		if *asJSON {
			err = writeQuotesJSON(env.Stdout, name, a)
		} else {
			err = writeQuotesText(env.Stdout, name, a)
		}
		if err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files could not be read", failed, len(files))
	}
	return nil
}

// articleFiles expands the arguments: a directory stands for the article files in it (sorted,
// not recursive); a file stands for itself, whatever its extension.
func articleFiles(args []string) ([]string, error) {
	var files []string
	for _, arg := range args {
		st, err := os.Stat(arg)
		if err != nil {
			files = append(files, arg) // reported when read, after the others
			continue
		}
		if !st.IsDir() {
			files = append(files, arg)
			continue
		}
		entries, err := os.ReadDir(arg)
		if err != nil {
			return nil, fmt.Errorf("read directory: %w", err)
		}
		var names []string
		for _, e := range entries {
			if e.IsDir() || !isArticleName(e.Name()) {
				continue
			}
			names = append(names, filepath.Join(arg, e.Name()))
		}
		sort.Strings(names)
		files = append(files, names...)
	}
	return files, nil
}

func isArticleName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".txt", ".md", ".markdown", ".html", ".htm", ".json":
		return !strings.HasSuffix(name, ".gold.json")
	}
	return false
}

// readArticleFile reads and parses one article, refusing files over the size limit before
// reading them whole.
func readArticleFile(name string, opts briefing.ReadOptions) (*briefing.Article, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, errors.Unwrap(err))
	}
	defer f.Close()
	limit := opts.MaxBytes
	if limit <= 0 {
		limit = briefing.DefaultMaxBytes
	}
	data, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	a, err := briefing.ReadArticle(name, data, opts)
	if err != nil {
		if errors.Is(err, briefing.ErrTooLarge) {
			if st, serr := f.Stat(); serr == nil {
				return nil, fmt.Errorf("%s: article too large: %d bytes is over the limit of %d bytes", name, st.Size(), limit)
			}
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return a, nil
}

func writeQuotesJSON(w io.Writer, name string, a *briefing.Article) error {
	line := quotesLine{File: name, Title: a.Headline, Quotes: make([]quoteJSON, 0, len(a.Quotes))}
	for _, q := range a.Quotes {
		line.Quotes = append(line.Quotes, quoteJSON{
			Text: q.Text, Speaker: q.Speaker, SpeakerTitle: q.SpeakerTitle, Cue: q.Cue,
			Partial: q.Partial, Key: q.Key, Score: q.Score, Start: q.Start, End: q.End,
		})
	}
	b, err := json.Marshal(line) // invalid UTF-8 in a quote is written as U+FFFD
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// writeQuotesText writes a readable listing: per quote its markers (★ key, ~ partial), speaker,
// title and cue, then the quote.
func writeQuotesText(w io.Writer, name string, a *briefing.Article) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", name)
	if a.Headline != "" {
		fmt.Fprintf(&b, "  %s\n", a.Headline)
	}
	if len(a.Quotes) == 0 {
		b.WriteString("  (no quotes)\n")
	}
	for _, q := range a.Quotes {
		mark := " "
		switch {
		case q.Key:
			mark = "★"
		case q.Partial:
			mark = "~"
		}
		speaker := q.Speaker
		if speaker == "" {
			speaker = "(unknown speaker)"
		}
		if q.SpeakerTitle != "" {
			speaker += ", " + q.SpeakerTitle
		}
		cue := ""
		if q.Cue != "" {
			cue = " [" + q.Cue + "]"
		}
		fmt.Fprintf(&b, "  %s %.2f  %s%s\n      “%s”\n", mark, q.Score, speaker, cue, oneLine(strings.ToValidUTF8(q.Text, "\uFFFD")))
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}
