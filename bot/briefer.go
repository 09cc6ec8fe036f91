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

// Brief makes a briefing of at most stories stories (0: the default) for topic over [from, to]:
// to is included, so a window ending now holds an article stored at this very moment. topic is
// a topic name (matched without regard to case), whose query is searched, or else search words,
// searched as they are. A query the store cannot parse fails with an error matching
// store.ErrBadQuery; a briefing without stories is not an error (see Briefing.Empty). The
// window is of published time: what /brief on demand shows.
func (b *Briefer) Brief(ctx context.Context, topic string, from, to time.Time, stories int) (briefing.Briefing, error) {
	// The store's Until is exclusive; a nanosecond past to keeps an article published at to.
	return b.brief(ctx, topic, store.Query{Since: from, Until: to.Add(time.Nanosecond)}, from, to, stories)
}

// SlotWindow is what a scheduled briefing covers: the articles the store first saw in
// [SeenFrom, To) — from where the subscription's previous briefing ended to the slot — that
// were published no earlier than PublishedFrom (the longest window a briefing covers, before the
// slot). Windows that follow one another show every article once: one published before a slot
// but read after it (a feed polled late) is in the next briefing, and a feed's back catalogue,
// stored at its first poll, is in none.
type SlotWindow struct {
	SeenFrom, To  time.Time
	PublishedFrom time.Time
}

// BriefSlot makes the briefing of a scheduled slot (see SlotWindow); otherwise as Brief. The
// briefing's window is [SeenFrom, To): what the channel was last briefed up to, and the slot.
func (b *Briefer) BriefSlot(ctx context.Context, topic string, w SlotWindow, stories int) (briefing.Briefing, error) {
	q := store.Query{Since: w.PublishedFrom, FirstSeenSince: w.SeenFrom, FirstSeenUntil: w.To}
	brief, err := b.brief(ctx, topic, q, w.PublishedFrom, w.To, stories)
	if err != nil {
		return brief, err
	}
	brief.From, brief.To = w.SeenFrom, w.To
	return brief, nil
}

// brief searches q (with the topic's query and the search limit) and assembles the articles
// published in [from, to) into a briefing.
func (b *Briefer) brief(ctx context.Context, topic string, q store.Query, from, to time.Time, stories int) (briefing.Briefing, error) {
	topic = strings.TrimSpace(topic)
	if topic == "" {
		return briefing.Briefing{}, errors.New("bot: brief: no topic")
	}
	name, query, err := b.resolve(ctx, topic)
	if err != nil {
		return briefing.Briefing{}, err
	}
	q.Text, q.Limit = query, b.SearchLimit
	if q.Limit <= 0 {
		q.Limit = 500
	}
	// Assembling reads an article's text only when its lede is blank.
	q.WithoutText = true
	articles, err := b.Store.Search(ctx, q)
	if err != nil {
		return briefing.Briefing{}, fmt.Errorf("bot: brief %q: %w", name, err)
	}
	now := to
	if b.Now != nil {
		now = b.Now()
	}
	if q.Until.IsZero() {
		// First seen in the window but dated after it (the publisher's clock is ahead): the
		// briefing keeps it, as no later one will show it.
		for _, a := range articles {
			if a.Published.After(to) {
				to = a.Published
			}
		}
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
