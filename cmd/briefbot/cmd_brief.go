package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/briefbot/briefbot/briefing"
)

func briefCommand() command {
	return command{
		Name:    "brief",
		Usage:   "[--max-key N] FILE...",
		Summary: "print a key-quote briefing of article files: headline, lede, key quotes, source",
		Run:     runBrief,
	}
}

func runBrief(ctx context.Context, env *Env, args []string) error {
	c := briefCommand()
	fs := newFlagSet(env, c)
	maxKey := fs.Int("max-key", 3, "show at most `N` key quotes per article")
	maxBytes := fs.Int("max-bytes", briefing.DefaultMaxBytes, "refuse articles larger than `N` bytes")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	files, err := articleFiles(fs.Args())
	if err != nil {
		return err
	}
	var articles []*briefing.Article
	failed := 0
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		a, err := readArticleFile(name, briefing.ReadOptions{MaxBytes: *maxBytes, Source: name})
		if err != nil {
			fmt.Fprintf(env.Stderr, "briefbot brief: %s\n", oneLine(err.Error()))
			failed++
			continue
		}
		briefing.Analyze(a, briefing.AnalyzeOptions{MaxKey: *maxKey})
		articles = append(articles, a)
	}
	if err := printArticleBriefs(env.Stdout, articles); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files could not be read", failed, len(files))
	}
	return nil
}

// printArticleBriefs prints one block per analysed article: the headline, the lede, the key
// quotes with their speakers, and the source.
func printArticleBriefs(w io.Writer, articles []*briefing.Article) error {
	var b strings.Builder
	for i, a := range articles {
		if i > 0 {
			b.WriteString("\n")
		}
		headline := a.Headline
		if headline == "" {
			headline = "(no headline)"
		}
		fmt.Fprintf(&b, "■ %s\n", headline)
		if a.Lede != "" {
			fmt.Fprintf(&b, "  %s\n", a.Lede)
		}
		keys := 0
		for _, q := range a.Quotes {
			if !q.Key {
				continue
			}
			keys++
			fmt.Fprintf(&b, "\n  “%s”\n", oneLine(strings.ToValidUTF8(q.Text, "\uFFFD")))
			who := q.Speaker
			if who == "" {
				who = "unattributed"
			}
			if q.SpeakerTitle != "" {
				who += ", " + q.SpeakerTitle
			}
			fmt.Fprintf(&b, "    — %s\n", who)
		}
		if keys == 0 {
			b.WriteString("\n  (no key quotes)\n")
		}
		src := a.Source
		if a.URL != "" {
			if src != "" {
				src += " · "
			}
			src += a.URL
		}
		if src != "" {
			fmt.Fprintf(&b, "\n  Source: %s\n", src)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
