package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
)

// BrieferStore is what a Briefer reads; store.Store satisfies it.
type BrieferStore interface {
	Topics(ctx context.Context) ([]store.Topic, error)
	Search(ctx context.Context, q store.Query) ([]briefing.Article, error)
}

// Briefer makes briefings from the store. The router uses it for /brief and the scheduler for
// subscriptions.
type Briefer struct {
	Store BrieferStore
	// QuotesPerStory is the quotes a story shows (0: briefing.DefaultQuotesPerStory).
	QuotesPerStory int
	// SearchLimit caps the articles read for one briefing, newest first (0: 500).
	SearchLimit int
	// Now is the clock recency is measured from (nil: time.Now).
	Now func() time.Time
}

// NewBriefer returns a Briefer with the default budget.
func NewBriefer(st BrieferStore) *Briefer { return &Briefer{Store: st} }

// Brief makes a briefing of at most stories stories (0: the default) for topic over [from, to).
// topic is a topic name (matched without regard to case), whose query is searched, or else
// search words, searched as they are. A query the store cannot parse fails with an error
// matching store.ErrBadQuery; a briefing without stories is not an error (see Briefing.Empty).
func (b *Briefer) Brief(ctx context.Context, topic string, from, to time.Time, stories int) (briefing.Briefing, error) {
	topic = strings.TrimSpace(topic)
	if topic == "" {
		return briefing.Briefing{}, errors.New("bot: brief: no topic")
	}
	name, query, err := b.resolve(ctx, topic)
	if err != nil {
		return briefing.Briefing{}, err
	}
	limit := b.SearchLimit
	if limit <= 0 {
		limit = 500
	}
	articles, err := b.Store.Search(ctx, store.Query{Text: query, Since: from, Until: to, Limit: limit})
	if err != nil {
		return briefing.Briefing{}, fmt.Errorf("bot: brief %q: %w", name, err)
	}
	now := to
	if b.Now != nil {
		now = b.Now()
	}
	brief := briefing.Assemble(articles, briefing.AssembleOptions{
		Topic: name, Query: query, From: from, To: to,
		Stories: stories, QuotesPerStory: b.QuotesPerStory, Now: now,
	})
	if brief.Query == brief.Topic {
		brief.Query = ""
	}
	return brief, nil
}

// resolve turns a topic name into its name and query, or search words into themselves.
func (b *Briefer) resolve(ctx context.Context, topic string) (name, query string, err error) {
	topics, err := b.Store.Topics(ctx)
	if err != nil {
		return "", "", fmt.Errorf("bot: brief: list topics: %w", err)
	}
	if t, ok := findTopic(topics, topic); ok {
		if t.Query == "" {
			return t.Name, t.Name, nil
		}
		return t.Name, t.Query, nil
	}
	return topic, topic, nil
}
