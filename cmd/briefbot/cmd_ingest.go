package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/briefbot/briefbot/briefing/ingest"
	"github.com/briefbot/briefbot/briefing/store"
)

func ingestCommand() command {
	return command{
		Name:  "ingest",
		Usage: "[--store DSN] [--source NAME] [--allow-private] [--fetch-page auto|always|never] PATH|URL...",
		Summary: "store articles from files, folders (.txt, .md, .html, .json, .jsonl) and RSS/Atom feed URLs; " +
			"exits 1 only when every item failed",
		Run: runIngest,
	}
}

func runIngest(ctx context.Context, env *Env, args []string) error {
	c := ingestCommand()
	fs := newFlagSet(env, c)
	dsn := fs.String("store", store.DefaultDSN, "the store: a SQLite file `PATH` or postgres://user@host:5432/db")
	source := fs.String("source", "", "the source `NAME` of articles that name none (default: the folder's name, or the feed's title)")
	allowPrivate := fs.Bool("allow-private", false, "let feed URLs (and their redirects and pages) reach private-network addresses")
	fetchPage := fs.String("fetch-page", string(ingest.FetchAuto), "read a feed item's web page: `auto` (when the feed has only a summary), always or never")
	items, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		fs.Usage()
		return errUsage
	}
	mode := ingest.FetchPage(*fetchPage)
	if mode != ingest.FetchAuto && mode != ingest.FetchAlways && mode != ingest.FetchNever {
		fmt.Fprintf(env.Stderr, "briefbot ingest: --fetch-page %q: want auto, always or never\n", *fetchPage)
		return errUsage
	}

	var feeds, paths []string
	for _, a := range items {
		if low := strings.ToLower(a); strings.HasPrefix(low, "http://") || strings.HasPrefix(low, "https://") {
			feeds = append(feeds, a)
		} else {
			paths = append(paths, a)
		}
	}
	files, rep := ingest.ListFiles(paths, *source)

	st, err := store.Open(ctx, *dsn, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	// Refusals are listed at the end; the log would only repeat them.
	in := ingest.New(st, ingest.Options{Logger: slog.New(slog.DiscardHandler),
		PrivateAddressFix: "run again with --allow-private to fetch it"})

	bar := newIngestBar(env, len(files)+len(feeds))
	rep.Merge(in.IngestFileList(ctx, files, func(f ingest.File) {
		bar.Describe(f.Path)
		bar.Add(1)
	}))
	for _, u := range feeds {
		if ctx.Err() != nil {
			break
		}
		bar.Describe(u)
		frep, _ := in.IngestFeed(ctx, ingest.Source{Name: *source, Feed: u, AllowPrivate: *allowPrivate, FetchPage: mode})
		rep.Merge(frep)
		bar.Add(1)
	}
	bar.Finish()

	printIngestReport(env.Stdout, rep)
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("interrupted: %w", ctx.Err())
	case rep.Failed > 0 && rep.New+rep.Updated+rep.Duplicates == 0:
		return errors.New("nothing was stored: every item failed")
	}
	return nil
}

// printIngestReport writes the one-line summary, then the failures and skipped files with their
// reasons.
func printIngestReport(w io.Writer, rep ingest.Report) {
	fmt.Fprintln(w, rep.String())
	if len(rep.Failures) > 0 {
		fmt.Fprintln(w, "failed:")
		for _, f := range rep.Failures {
			fmt.Fprintf(w, "  %s: %s\n", f.Item, oneLine(f.Reason))
		}
	}
	if len(rep.Skipped) > 0 {
		fmt.Fprintln(w, "skipped:")
		for _, f := range rep.Skipped {
			fmt.Fprintf(w, "  %s: %s\n", f.Item, f.Reason)
		}
	}
}

// ingestBar is a progress bar on a terminal and nothing elsewhere.
type ingestBar struct{ bar *progressbar.ProgressBar }

func newIngestBar(env *Env, total int) ingestBar {
	if !env.StdoutIsTerminal || total < 2 {
		return ingestBar{}
	}
	return ingestBar{progressbar.NewOptions(total,
		progressbar.OptionSetWriter(env.Stdout),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetDescription("ingesting"),
	)}
}

func (b ingestBar) Describe(item string) {
	if b.bar != nil {
		if r := []rune(item); len(r) > 40 {
			item = "…" + string(r[len(r)-39:])
		}
		b.bar.Describe(item)
	}
}

func (b ingestBar) Add(n int) {
	if b.bar != nil {
		_ = b.bar.Add(n)
	}
}

func (b ingestBar) Finish() {
	if b.bar != nil {
		_ = b.bar.Finish()
	}
}
