package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// PutTopic creates or replaces a topic. Its query must parse (ErrBadQuery otherwise).
func (s *sqlStore) PutTopic(ctx context.Context, t Topic) error {
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" {
		return fmt.Errorf("store: put topic: the name is empty")
	}
	if _, err := ParseQuery(t.Query); err != nil {
		return fmt.Errorf("store: put topic %q: %w", t.Name, err)
	}
	now := s.ts(s.now())
	_, err := s.w.ExecContext(ctx, `INSERT INTO topics (name, query, from_config, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
		ON CONFLICT (name) DO UPDATE SET query = excluded.query, from_config = excluded.from_config, updated_at = excluded.updated_at`,
		t.Name, t.Query, t.FromConfig, now)
	if err != nil {
		return fmt.Errorf("store: put topic %q: %w", t.Name, err)
	}
	return nil
}

func (s *sqlStore) DeleteTopic(ctx context.Context, name string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM topics WHERE name = $1`, name)
	if err != nil {
		return fmt.Errorf("store: delete topic %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: delete topic %q: %w", name, ErrNotFound)
	}
	return nil
}

// Topics returns every topic, by name.
func (s *sqlStore) Topics(ctx context.Context) ([]Topic, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT name, query, from_config FROM topics ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: topics: %w", err)
	}
	defer rows.Close()
	var out []Topic
	for rows.Next() {
		var t Topic
		if err := rows.Scan(&t.Name, &t.Query, &t.FromConfig); err != nil {
			return nil, fmt.Errorf("store: topics: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: topics: %w", err)
	}
	return out, nil
}

// PutSubscription creates the subscription of (platform, channel, topic) or updates its
// schedule and options, and returns it as stored (with its ID and creation time).
func (s *sqlStore) PutSubscription(ctx context.Context, sub Subscription) (Subscription, error) {
	if sub.Platform == "" || sub.ChannelID == "" || sub.Topic == "" {
		return Subscription{}, fmt.Errorf("store: put subscription: platform, channel and topic are required")
	}
	if sub.CreatedAt.IsZero() {
		sub.CreatedAt = s.now()
	}
	// The timetable changes (updated_at) only when the schedule or the time zone does: the
	// config's subscriptions are put again at every start.
	row := s.w.QueryRowContext(ctx, `INSERT INTO subscriptions (platform, channel_id, topic, schedule, timezone, stories,
		skip_empty, thread, from_config, created_at, created_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10)
		ON CONFLICT (platform, channel_id, topic) DO UPDATE SET schedule = excluded.schedule, timezone = excluded.timezone,
		stories = excluded.stories, skip_empty = excluded.skip_empty, thread = excluded.thread, from_config = excluded.from_config,
		updated_at = CASE WHEN subscriptions.schedule <> excluded.schedule OR subscriptions.timezone <> excluded.timezone
			THEN $12 ELSE subscriptions.updated_at END
		RETURNING `+subscriptionColumns,
		sub.Platform, sub.ChannelID, sub.Topic, sub.Schedule, sub.Timezone, sub.Stories, sub.SkipEmpty, sub.Thread,
		sub.FromConfig, s.ts(sub.CreatedAt), sub.CreatedBy, s.ts(s.now()))
	out, err := scanSubscription(row)
	if err != nil {
		return Subscription{}, fmt.Errorf("store: put subscription %s/%s/%s: %w", sub.Platform, sub.ChannelID, sub.Topic, err)
	}
	return out, nil
}

// DeleteSubscription removes a subscription and its ledger.
func (s *sqlStore) DeleteSubscription(ctx context.Context, platform, channelID, topic string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM subscriptions WHERE platform = $1 AND channel_id = $2 AND topic = $3`, platform, channelID, topic)
	if err != nil {
		return fmt.Errorf("store: delete subscription %s/%s/%s: %w", platform, channelID, topic, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: delete subscription %s/%s/%s: %w", platform, channelID, topic, ErrNotFound)
	}
	return nil
}

// Subscriptions returns every subscription, by platform, channel and topic.
func (s *sqlStore) Subscriptions(ctx context.Context) ([]Subscription, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions ORDER BY platform, channel_id, topic`)
	if err != nil {
		return nil, fmt.Errorf("store: subscriptions: %w", err)
	}
	defer rows.Close()
	var out []Subscription
	for rows.Next() {
		sub, err := scanSubscription(rows)
		if err != nil {
			return nil, fmt.Errorf("store: subscriptions: %w", err)
		}
		out = append(out, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: subscriptions: %w", err)
	}
	return out, nil
}

const subscriptionColumns = `id, platform, channel_id, topic, schedule, timezone, stories, skip_empty, thread, from_config, created_at,
	created_by, updated_at`

func scanSubscription(r rowScanner) (Subscription, error) {
	var sub Subscription
	err := r.Scan(&sub.ID, &sub.Platform, &sub.ChannelID, &sub.Topic, &sub.Schedule, &sub.Timezone, &sub.Stories,
		&sub.SkipEmpty, &sub.Thread, &sub.FromConfig, timeCol{&sub.CreatedAt}, &sub.CreatedBy, timeCol{&sub.UpdatedAt})
	return sub, err
}

// FeedState returns what is remembered of a source's feed; the zero state (Polled false) for a
// source never polled.
func (s *sqlStore) FeedState(ctx context.Context, source string) (FeedState, error) {
	st := FeedState{Source: source}
	err := s.r.QueryRowContext(ctx, `SELECT url, etag, last_modified, polled, last_poll, last_success, failing_since,
		failures, last_error FROM feeds WHERE source = $1`, source).Scan(&st.URL, &st.ETag, &st.LastModified, &st.Polled,
		timeCol{&st.LastPoll}, timeCol{&st.LastSuccess}, timeCol{&st.FailingSince}, &st.Failures, &st.LastError)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return FeedState{}, fmt.Errorf("store: feed state %q: %w", source, err)
	}
	return st, nil
}

// PutFeedState stores a source's feed state, replacing the previous one.
func (s *sqlStore) PutFeedState(ctx context.Context, st FeedState) error {
	if st.Source == "" {
		return fmt.Errorf("store: put feed state: the source is empty")
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO feeds (source, url, etag, last_modified, polled, last_poll, last_success,
		failing_since, failures, last_error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (source) DO UPDATE SET url = excluded.url, etag = excluded.etag, last_modified = excluded.last_modified,
		polled = excluded.polled, last_poll = excluded.last_poll, last_success = excluded.last_success,
		failing_since = excluded.failing_since, failures = excluded.failures, last_error = excluded.last_error`,
		st.Source, cleanText(st.URL), cleanText(st.ETag), cleanText(st.LastModified), st.Polled, s.ts(st.LastPoll),
		s.ts(st.LastSuccess), s.ts(st.FailingSince), st.Failures, cleanText(shorten(st.LastError, 2000)))
	if err != nil {
		return fmt.Errorf("store: put feed state %q: %w", st.Source, err)
	}
	return nil
}
