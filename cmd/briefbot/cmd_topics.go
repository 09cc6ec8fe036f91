package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/briefbot/briefbot/briefing/store"
)

func topicsCommand() command {
	return command{
		Name:    "topics",
		Usage:   "[--store DSN] [--since DURATION]",
		Summary: "list the topics and how many stored articles each matches",
		Run:     runTopics,
	}
}

func runTopics(ctx context.Context, env *Env, args []string) error {
	c := topicsCommand()
	fs := newFlagSet(env, c)
	dsn := fs.String("store", store.DefaultDSN, "the store: a SQLite file `PATH` or postgres://user@host:5432/db")
	since := fs.Duration("since", 0, "count only articles published in the last `DURATION` (e.g. 24h); 0 counts all")
	extra, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(extra) > 0 || *since < 0 {
		fs.Usage()
		return errUsage
	}
	st, err := store.Open(ctx, *dsn, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	topics, err := st.Topics(ctx)
	if err != nil {
		return err
	}
	if len(topics) == 0 {
		fmt.Fprintln(env.Stdout, "No topics yet: declare them under topics: in the config file.")
		return nil
	}
	q := store.Query{}
	header := "ARTICLES"
	if *since > 0 {
		q.Since = time.Now().Add(-*since)
		header = "LAST " + since.String()
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "TOPIC\t%s\tQUERY\n", header)
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
