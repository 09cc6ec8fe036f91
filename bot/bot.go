// Package bot is everything platform-neutral about chat: the slash-command router, the scheduler
// and delivery (the ledger, retries). The platforms (bot/slack, bot/discord, bot/console) satisfy
// the small interfaces declared here.
package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/briefbot/briefbot/briefing"
)

// Poster posts briefings to one chat platform. The scheduler and the router use it; each
// platform adapter satisfies it.
type Poster interface {
	// Platform names the platform: "slack", "discord" or "console".
	Platform() string
	// Post posts a briefing to a channel and returns the platform's id of the (first) message.
	// When d.Retry is set, a post made by an earlier attempt with the same d.Key may have gone
	// out: the poster checks the platform's duplicate guard (Discord nonce with enforce_nonce,
	// Slack message metadata in the channel's recent history) and returns the earlier message's
	// id instead of posting again.
	Post(ctx context.Context, d Delivery) (messageID string, err error)
}

// Delivery is one briefing on its way to a channel.
type Delivery struct {
	ChannelID string
	Briefing  briefing.Briefing
	// Key identifies the delivery for the platform's duplicate guard (at most 25 characters,
	// the limit of a Discord nonce). Empty for on-demand briefings.
	Key string
	// Retry says an earlier attempt with this Key may have posted already.
	Retry bool
	// Thread posts the quotes in a thread under a headline message, where the platform can.
	Thread bool
	// Late marks a briefing delivered after its slot (catch-up after downtime); the message then
	// says so, with the time it was scheduled for.
	Late bool
	// Scheduled is the time a scheduled briefing was due (its slot); zero for an on-demand one.
	Scheduled time.Time
	// Location is the channel's time zone, for the times the message writes out ("nothing new
	// since 08:00"); nil means UTC. Scheduled deliveries set it from the subscription.
	Location *time.Location
}

// PostError is a failed post, classified so the caller knows whether and when to try again.
type PostError struct {
	// Temporary errors (429, 5xx, network) may succeed on a later try; permanent ones (401, 403,
	// a channel that does not exist) never will and must not be retried.
	Temporary bool
	// RetryAfter is the wait the platform asked for (429 Retry-After), zero when none.
	RetryAfter time.Duration
	// Status is the HTTP status, 0 when there was no response.
	Status int
	Err    error
}

func (e *PostError) Error() string {
	kind := "permanent"
	if e.Temporary {
		kind = "temporary"
	}
	if e.Status != 0 {
		return fmt.Sprintf("post failed (%s, HTTP %d): %v", kind, e.Status, e.Err)
	}
	return fmt.Sprintf("post failed (%s): %v", kind, e.Err)
}

func (e *PostError) Unwrap() error { return e.Err }

// IsTemporary reports whether err may succeed if tried again, and how long the platform asked to
// wait. Errors that are not a *PostError count as temporary (network trouble).
func IsTemporary(err error) (bool, time.Duration) {
	var pe *PostError
	if errors.As(err, &pe) {
		return pe.Temporary, pe.RetryAfter
	}
	return !errors.Is(err, context.Canceled), 0
}
