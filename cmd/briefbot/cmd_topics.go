package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/briefbot/briefbot/bot/render"
	"github.com/briefbot/briefbot/briefing/store"
)

func topicsCommand() command {
	return command{
		Name:    "topics",
		Usage:   "[--store DSN] [--config FILE] [--since 24h] [--timezone ZONE]",
		Summary: "list the topics (the store's, and the config file's) and how many stored articles each matches",
		Run:     runTopics,
	}
}

func runTopics(ctx context.Context, env *Env, args []string) error {
	c := topicsCommand()
	fs := newFlagSet(env, c)
	dsn := fs.String("store", "", storeFlagUsage)
	configFlag := fs.String("config", "", configFlagUsage)
	since := fs.String("since", "", "count only the articles published in the window: how far back from now to look "+
		"(`DURATION` such as 90m, 24h, 3d, 1w; at most a year; as briefbot brief --since); default (or 0): all")
	zone := fs.String("timezone", "UTC", "with --since, write the window's start in the IANA time `ZONE` (Europe/Berlin)")
	extra, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(extra) > 0 {
		fs.Usage()
		return errUsage
	}
	var window time.Duration
	if *since != "" && *since != "0" {
		if window, err = parseSince(*since); err != nil {
			return err
		}
	}
	loc, err := timeZone(*zone)
	if err != nil {
		return err
	}
	st, err := openToRead(ctx, env, *dsn, *configFlag)
	if err != nil {
		return err
	}
	defer st.Close()
	topics, err := st.Topics(ctx)
	if err != nil {
		return err
	}
	if len(topics) == 0 && st.config != "" {
		fmt.Fprintf(env.Stdout, "No topics yet: declare them under topics: in %s.\n", st.config)
		return nil
	}
	if len(topics) == 0 {
		fmt.Fprintln(env.Stdout, "No topics in the store yet: declare them under topics: in the config file, and name it with --config FILE "+
			"(briefbot run copies them into the store).")
		return nil
	}
	q := store.Query{}
	if window > 0 {
		// As briefbot brief: the window ends now, to the second, and its start is written as the
		// briefing writes it.
		q.Since = env.now().Truncate(time.Second).Add(-window)
		fmt.Fprintf(env.Stdout, "Articles published since %s:\n", q.Since.In(loc).Format(render.TimeLayout))
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "TOPIC\tARTICLES\tQUERY")
	for _, t := range topics {
		q.Text = t.Query
		n, err := st.Count(ctx, q)
		if err != nil {
			return fmt.Errorf("topic %s: %w", t.Name, err)
		}
		fmt.Fprintf(w, "%s\t%d\t%s\n", t.Name, n, t.Query)
	}
	return w.Flush()
}
