package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/briefbot/briefbot/briefing/store"
	"github.com/briefbot/briefbot/config"
)

// ConfigStore is what SyncConfig needs of the store; store.Store satisfies it.
type ConfigStore interface {
	PutTopic(ctx context.Context, t store.Topic) error
	DeleteTopic(ctx context.Context, name string) error
	Topics(ctx context.Context) ([]store.Topic, error)
	PutSubscription(ctx context.Context, s store.Subscription) (store.Subscription, error)
	DeleteSubscription(ctx context.Context, platform, channelID, topic string) error
	Subscriptions(ctx context.Context) ([]store.Subscription, error)
}

// SyncReport counts what SyncConfig did.
type SyncReport struct {
	Topics, TopicsRemoved               int
	Subscriptions, SubscriptionsRemoved int
}

// ConfigCreatedBy is the CreatedBy of the subscriptions the config file declares.
const ConfigCreatedBy = "config"

// SyncConfig makes the store hold the configuration's topics and channel subscriptions: each
// config topic and each (channel, topic) pair of channels[] is created or updated and marked
// FromConfig; those marked FromConfig that the file no longer declares are removed (with their
// ledger). Topics and subscriptions made by slash commands are kept, unless the file now
// declares the same one, which then becomes the file's. A subscription keeps its id, so its
// delivery ledger survives a restart.
//
// Replicas sharing a store should share one config file: the last one started wins.
func SyncConfig(ctx context.Context, st ConfigStore, cfg *config.Config, now time.Time) (SyncReport, error) {
	var rep SyncReport
	topics, err := st.Topics(ctx)
	if err != nil {
		return rep, fmt.Errorf("daemon: sync topics: %w", err)
	}
	for _, name := range cfg.TopicNames() {
		if err := st.PutTopic(ctx, store.Topic{Name: name, Query: cfg.Topics[name].Query, FromConfig: true}); err != nil {
			return rep, fmt.Errorf("daemon: sync topics: %w", err)
		}
		rep.Topics++
	}

	subs, err := st.Subscriptions(ctx)
	if err != nil {
		return rep, fmt.Errorf("daemon: sync subscriptions: %w", err)
	}
	type key struct{ platform, channel, topic string }
	declared := map[key]bool{}
	for _, ch := range cfg.Channels {
		schedule := ch.Schedule
		if schedule != "" {
			// Stored normalised ("08:30" as "30 8 * * *"), as /brief subscribe stores it.
			if _, norm, err := config.ParseSchedule(schedule); err == nil {
				schedule = norm
			}
		}
		for _, topic := range ch.Topics {
			declared[key{ch.Platform, ch.ID, topic}] = true
			_, err := st.PutSubscription(ctx, store.Subscription{
				Platform: ch.Platform, ChannelID: ch.ID, Topic: topic,
				Schedule: schedule, Timezone: ch.Location().String(),
				Stories: ch.Stories, SkipEmpty: ch.SkipEmpty, Thread: ch.Thread,
				FromConfig: true, CreatedAt: now, CreatedBy: ConfigCreatedBy,
			})
			if err != nil {
				return rep, fmt.Errorf("daemon: sync subscriptions: channel %s: %w", ch.Label(), err)
			}
			rep.Subscriptions++
		}
	}
	for _, s := range subs {
		if !s.FromConfig || declared[key{s.Platform, s.ChannelID, s.Topic}] {
			continue
		}
		err := st.DeleteSubscription(ctx, s.Platform, s.ChannelID, s.Topic)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return rep, fmt.Errorf("daemon: sync subscriptions: remove %s:%s %q: %w", s.Platform, s.ChannelID, s.Topic, err)
		}
		rep.SubscriptionsRemoved++
	}

	for _, t := range topics {
		if _, declared := cfg.Topics[t.Name]; !t.FromConfig || declared {
			continue
		}
		if err := st.DeleteTopic(ctx, t.Name); err != nil && !errors.Is(err, store.ErrNotFound) {
			return rep, fmt.Errorf("daemon: sync topics: remove %q: %w", t.Name, err)
		}
		rep.TopicsRemoved++
	}
	return rep, nil
}
