package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/internal/daemon"
)

// storeFlagUsage describes --store of the commands that read the store.
const storeFlagUsage = "the store: a SQLite file `PATH` or postgres://user@host:5432/db (default: the config file's store, else " +
	store.DefaultDSN + ")"

// configFlagUsage describes --config of the commands that read the store.
const configFlagUsage = "the config `FILE` (default $" + config.EnvConfig + ", else ./" + config.DefaultFile + "): its store is the default store, and its topics " +
	"are known by name, as briefbot run would copy them into the store (which is not written)"

// readStore is the store of a command that only reads it (brief, topics), with the topics it
// knows: the store's, and with a config file the file's, as briefbot run would sync them.
type readStore struct {
	st     store.Store
	topics []store.Topic
	config string // the config file's path, "" when there is none
}

// openToRead opens the store of a command that only reads it. dsn is --store ("" when not
// given); configFlag is --config, else $BRIEFBOT_CONFIG names the config file, else
// ./briefbot.yaml is it when it exists. With a config file, its store is the default of --store
// and its topics are known (the store is not written). A SQLite file that does not exist is
// refused rather than created empty: the name is likely mistyped, or nothing was ingested yet.
// Nor is the schema created or migrated (other briefbots may share the database): a schema older
// than this binary's is refused with the fix, briefbot run or ingest.
func openToRead(ctx context.Context, env *Env, dsn, configFlag string) (*readStore, error) {
	var cfg *config.Config
	path := config.PathFrom(configFlag, env.Getenv)
	if path != "" {
		var err error
		if cfg, err = config.Load(path, env.Getenv); err != nil {
			return nil, err
		}
		if dsn == "" {
			dsn = cfg.Store
		}
	}
	if dsn == "" {
		dsn = store.DefaultDSN
	}
	st, err := store.Open(ctx, dsn, store.Options{NoMigrate: true})
	var missing *store.SchemaOutdatedError
	if errors.As(err, &missing) && missing.Missing != "" {
		return nil, fmt.Errorf("there is no store at %s: ingest articles first (briefbot ingest --store %s PATH|URL…) "+
			"or name the store with --store", dsn, dsn)
	}
	if err != nil {
		return nil, err
	}
	topics, err := st.Topics(ctx)
	if err == nil && cfg != nil {
		topics, err = syncedTopics(ctx, topics, cfg, env.now())
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	return &readStore{st: st, topics: topics, config: path}, nil
}

// Topics returns the topics the command knows, by name.
func (r *readStore) Topics(context.Context) ([]store.Topic, error) { return r.topics, nil }

func (r *readStore) Search(ctx context.Context, q store.Query) ([]briefing.Article, error) {
	return r.st.Search(ctx, q)
}

func (r *readStore) Count(ctx context.Context, q store.Query) (int, error) { return r.st.Count(ctx, q) }

func (r *readStore) Close() error { return r.st.Close() }

// syncedTopics returns the topics a store holding topics would hold after briefbot run synced
// cfg into it (daemon.SyncConfig, played on a copy in memory): the file's topics, the ones made
// by slash commands, and none the file no longer declares.
func syncedTopics(ctx context.Context, topics []store.Topic, cfg *config.Config, now time.Time) ([]store.Topic, error) {
	m := topicCopy{}
	for _, t := range topics {
		m[t.Name] = t
	}
	if _, err := daemon.SyncConfig(ctx, m, cfg, now); err != nil {
		return nil, err
	}
	return m.Topics(ctx)
}

// topicCopy is a store's topics in memory, as daemon.SyncConfig writes them; it keeps no
// subscriptions.
type topicCopy map[string]store.Topic

func (m topicCopy) PutTopic(_ context.Context, t store.Topic) error {
	t.Name = strings.TrimSpace(t.Name)
	m[t.Name] = t
	return nil
}

func (m topicCopy) DeleteTopic(_ context.Context, name string) error {
	if _, ok := m[name]; !ok {
		return store.ErrNotFound
	}
	delete(m, name)
	return nil
}

// Topics returns the topics by name, as the store lists them.
func (m topicCopy) Topics(context.Context) ([]store.Topic, error) {
	out := make([]store.Topic, 0, len(m))
	for _, t := range m {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b store.Topic) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (topicCopy) PutSubscription(_ context.Context, s store.Subscription) (store.Subscription, error) {
	return s, nil
}

func (topicCopy) DeleteSubscription(context.Context, string, string, string) error { return nil }

func (topicCopy) Subscriptions(context.Context) ([]store.Subscription, error) { return nil, nil }
