// Package store keeps briefbot's articles, their quotes, topics, channel subscriptions, feed state
// and the delivery ledger.
//
// One interface, two implementations chosen by the DSN: embedded SQLite (a file path, the
// default) and PostgreSQL (postgres://…) for several replicas. Open picks one.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/briefbot/briefbot/briefing"
)

// Errors callers branch on.
var (
	ErrNotFound = errors.New("not found")
	// ErrSchemaTooNew: the database was migrated by a newer briefbot than this binary.
	ErrSchemaTooNew = errors.New("database schema is newer than this binary")
	// ErrAlreadyDelivered: the slot was delivered (or skipped) already.
	ErrAlreadyDelivered = errors.New("slot already delivered")
	// ErrClaimed: another replica holds an unexpired claim on the slot.
	ErrClaimed = errors.New("slot claimed by another replica")
	// ErrBadQuery: a topic query does not parse; the wrapped message says why.
	ErrBadQuery = errors.New("bad topic query")
	// ErrInvalidArticle: SaveArticle refused an article (no headline and no text, quote offsets
	// outside the text); the wrapped message says why.
	ErrInvalidArticle = errors.New("invalid article")
	// ErrTooLarge: an article's text is over MaxTextBytes.
	ErrTooLarge = errors.New("article too large")
)

// Store is everything briefbot keeps. Implementations are safe for concurrent use.
type Store interface {
	// SaveArticle stores an analysed article (its quotes and speakers with it), deduplicating by
	// canonical URL and content hash, and linking near-duplicates into one story. An article whose
	// URL is stored already is updated in place when its content changed.
	// It sets a.ID, a.StoryID and a.Hash (when empty).
	SaveArticle(ctx context.Context, a *briefing.Article) (SaveResult, error)
	// SaveArticles saves a batch in one transaction, which is much faster than one at a time.
	// Results are in the order of articles; an invalid article gets its result's Err set and is
	// skipped, while a database error fails the whole batch (nothing of it is saved).
	SaveArticles(ctx context.Context, articles []*briefing.Article) ([]SaveResult, error)
	// Article returns one stored article with its quotes.
	Article(ctx context.Context, id int64) (*briefing.Article, error)
	// Search returns the articles matching q, newest first, with their quotes.
	Search(ctx context.Context, q Query) ([]briefing.Article, error)
	// Count returns how many articles match q (Limit is ignored).
	Count(ctx context.Context, q Query) (int, error)

	// Topics are named queries.
	PutTopic(ctx context.Context, t Topic) error
	DeleteTopic(ctx context.Context, name string) error
	Topics(ctx context.Context) ([]Topic, error)

	// Subscriptions say which channel receives which topic, and when.
	PutSubscription(ctx context.Context, s Subscription) (Subscription, error)
	DeleteSubscription(ctx context.Context, platform, channelID, topic string) error
	Subscriptions(ctx context.Context) ([]Subscription, error)

	// The delivery ledger: one row per slot (subscription, slot time).
	//
	// ClaimSlot claims a slot for owner until now+lease. It fails with ErrAlreadyDelivered when the
	// slot is finished (delivered, skipped or failed for good) and ErrClaimed when another owner
	// holds an unexpired claim. A claim whose lease expired is taken over; the returned Slot then
	// has Attempts > 1, which tells the poster to check the platform's duplicate guard.
	ClaimSlot(ctx context.Context, key SlotKey, owner string, now time.Time, lease time.Duration) (Slot, error)
	// FinishSlot records the outcome of a claimed slot.
	FinishSlot(ctx context.Context, key SlotKey, owner string, outcome SlotOutcome) error
	// ReleaseSlot gives up owner's claim (on shutdown) so another replica can take it at once.
	ReleaseSlot(ctx context.Context, key SlotKey, owner string) error
	// ClaimSlots claims many slots for owner at once, each as ClaimSlot would, in far fewer round
	// trips and commits. The results are in the order of keys: each the claimed Slot, or the
	// error ClaimSlot would return (ErrClaimed, ErrAlreadyDelivered, ErrNotFound); a slot listed
	// twice is claimed once, its repetitions fail with ErrClaimed. An error of the database
	// fails the call.
	ClaimSlots(ctx context.Context, keys []SlotKey, owner string, now time.Time, lease time.Duration) ([]SlotClaim, error)
	// FinishSlots records the outcomes of many of owner's claimed slots at once, each as
	// FinishSlot would. The errors are in the order of finishes, nil for a slot recorded; an
	// error of the database fails the call.
	FinishSlots(ctx context.Context, owner string, finishes []SlotFinish) ([]error, error)
	// LastDelivered returns the latest delivered slot of a subscription (zero when none).
	LastDelivered(ctx context.Context, subscriptionID int64) (Slot, error)
	// Slots lists a subscription's ledger, newest first.
	Slots(ctx context.Context, subscriptionID int64, limit int) ([]Slot, error)

	// Feed state for conditional GET, backoff and "first poll only records". FeedState of a
	// source never stored is the zero state (Source set, Polled false) and no error.
	FeedState(ctx context.Context, source string) (FeedState, error)
	PutFeedState(ctx context.Context, st FeedState) error

	// Retention. Both delete in transactions of at most PruneBatch rows, return how many rows
	// they deleted (when ctx ends or the database fails, those deleted until then, with the
	// error), and may run in several stores at once.
	//
	// PruneArticles deletes the articles first seen before before, with their quotes, speakers
	// and search entries. The remaining copies of a story whose first article it deletes keep
	// their story id: they still form one story, which later copies join.
	PruneArticles(ctx context.Context, before time.Time) (int64, error)
	// PruneSlots deletes the ledger rows of slots before before, except the claimed ones (in
	// flight, or left by a replica that stopped) and each subscription's latest row and latest
	// delivered row, which the scheduler reads to carry on where the subscription left off.
	PruneSlots(ctx context.Context, before time.Time) (int64, error)

	// Ping checks that the database answers (for /healthz).
	Ping(ctx context.Context) error
	// Close closes the database; it is safe to call more than once.
	Close() error
}

// SaveStatus says what SaveArticle did.
type SaveStatus string

const (
	Saved     SaveStatus = "new"
	Updated   SaveStatus = "updated"
	Duplicate SaveStatus = "duplicate"
)

// SaveResult is what SaveArticle did with one article.
type SaveResult struct {
	// ID is the stored article's id: the new row, the updated one, or the one this article
	// duplicates.
	ID      int64
	StoryID int64
	Status  SaveStatus
	// Err is set by SaveArticles for an article it refused (ErrInvalidArticle, ErrTooLarge).
	Err error
}

// Query selects stored articles. The zero Query selects everything.
type Query struct {
	// Text is a topic query in the syntax documented in the README (see ParseQuery); "" matches
	// every article.
	Text string
	// Since and Until bound the published time: Since <= published < Until. Zero means unbounded.
	Since time.Time
	Until time.Time
	// FirstSeenSince and FirstSeenUntil bound when the store first saw the article (its first-seen
	// time, kept when the article is updated): FirstSeenSince <= first seen < FirstSeenUntil.
	// Zero means unbounded. Windows of first-seen time that follow one another hold every article
	// once, however late it was published.
	FirstSeenSince time.Time
	FirstSeenUntil time.Time
	// Sources keeps articles from any of these sources (case-insensitive).
	Sources []string
	// Speaker keeps articles quoting this speaker (surname or full name, case-insensitive).
	Speaker string
	// Limit caps the number of articles Search returns; 0 means no cap.
	Limit int
	// WithoutText leaves the text out of the articles Search returns (Text is empty), except
	// for an article whose lede is blank: everything else, its quotes with their text included,
	// is as usual. A briefing reads no more, and the texts are most of what a search would
	// otherwise read and send.
	WithoutText bool
}

// Topic is a named query.
type Topic struct {
	Name  string
	Query string
	// FromConfig marks topics declared in the config file (re-synced at start-up).
	FromConfig bool
}

// Subscription delivers one topic to one channel on a schedule.
type Subscription struct {
	ID        int64
	Platform  string // slack | discord | console
	ChannelID string
	Topic     string
	Schedule  string // cron spec, descriptor or HH:MM
	Timezone  string // IANA name
	Stories   int
	SkipEmpty bool
	// Thread posts the quotes in a thread under a headline message (Slack).
	Thread     bool
	FromConfig bool
	CreatedAt  time.Time
	CreatedBy  string
	// UpdatedAt is when the schedule or the time zone last changed (the creation time until
	// then); no slot before it belongs to the current timetable. Set by the store.
	UpdatedAt time.Time
}

// SlotKey identifies one firing of a subscription.
type SlotKey struct {
	SubscriptionID int64
	At             time.Time // the scheduled time, UTC, to the second
}

// SlotState is where a slot is in its life.
type SlotState string

const (
	SlotClaimed   SlotState = "claimed"
	SlotDelivered SlotState = "delivered"
	SlotSkipped   SlotState = "skipped"
	SlotFailed    SlotState = "failed"
)

// Slot is one row of the delivery ledger.
type Slot struct {
	Key        SlotKey
	State      SlotState
	Owner      string
	LeaseUntil time.Time
	Attempts   int
	MessageID  string
	Late       bool
	Reason     string
	// Window is what the delivered briefing covered.
	WindowFrom time.Time
	WindowTo   time.Time
	UpdatedAt  time.Time
}

// SlotOutcome is how a claimed slot ended.
type SlotOutcome struct {
	State      SlotState // delivered, skipped or failed
	MessageID  string
	Late       bool
	Reason     string
	WindowFrom time.Time
	WindowTo   time.Time
	At         time.Time
}

// SlotClaim is the result of one slot of ClaimSlots: the claimed slot, or why it was not
// claimed.
type SlotClaim struct {
	Slot Slot
	Err  error
}

// SlotFinish is one slot of FinishSlots and its outcome.
type SlotFinish struct {
	Key     SlotKey
	Outcome SlotOutcome
}

// FeedState is what briefbot remembers of a polled feed.
type FeedState struct {
	Source       string
	URL          string
	ETag         string
	LastModified string
	// Polled is false until the first successful poll: that poll records the feed's back
	// catalogue without announcing it.
	Polled       bool
	LastPoll     time.Time
	LastSuccess  time.Time
	FailingSince time.Time
	Failures     int
	LastError    string
}
