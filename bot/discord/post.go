package discord

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot"
)

// maxNonce is the longest message nonce Discord accepts.
const maxNonce = 25

// Post posts a briefing to a channel, one message after another when it takes several (the
// bodies PostBodies makes, times written out in the channel's zone d.Location), and returns the
// first message's id. Each message carries a nonce made from the delivery key and
// its index, with enforce_nonce, so a retry within Discord's nonce window (a few minutes) returns
// the messages already posted instead of posting them again. Failures are *bot.PostError: 429
// (with RetryAfter), 5xx and network errors are temporary; 401, 403, 404 and 400 are permanent
// and must not be retried.
func (b *Bot) Post(ctx context.Context, d bot.Delivery) (string, error) {
	log := b.log.With(slog.String("channel_id", d.ChannelID), slog.String("topic", d.Briefing.Topic))
	if !isSnowflake(d.ChannelID) {
		return "", &bot.PostError{Err: fmt.Errorf("discord: channel id %q is not a Discord id", d.ChannelID)}
	}
	if d.Key == "" {
		d.Key = randomKey()
	}
	msgs := PostBodies(d)
	if len(msgs) == 0 {
		return "", &bot.PostError{Err: errors.New("discord: the briefing rendered to no message")}
	}
	var first string
	for i, m := range msgs {
		id, err := b.createMessage(ctx, d.ChannelID, m)
		if err != nil {
			pe := classify(err)
			pe.Err = fmt.Errorf("discord: post message %d of %d to channel %s: %w", i+1, len(msgs), d.ChannelID, pe.Err)
			log.WarnContext(ctx, "post failed", slog.Int("message", i+1), slog.Int("messages", len(msgs)),
				slog.Int("status", pe.Status), slog.Bool("temporary", pe.Temporary),
				slog.Duration("retry_after", pe.RetryAfter), slog.Any("error", pe.Err))
			return first, pe
		}
		if i == 0 {
			first = id
		}
	}
	// The scheduler counts deliveries and failed attempts; Post only logs.
	log.InfoContext(ctx, "briefing posted", slog.String("message_id", first), slog.Int("messages", len(msgs)),
		slog.Bool("late", d.Late))
	return first, nil
}

// createMessage sends one message body through discordgo's rate-limit bucket of the channel's
// messages route (the bucket ChannelMessageSend uses) and returns the message's id.
func (b *Bot) createMessage(ctx context.Context, channelID string, m Message) (string, error) {
	ctx, info := withResponseInfo(ctx)
	endpoint := discordgo.EndpointChannelMessages(channelID)
	raw, err := b.session.RequestWithBucketID(http.MethodPost, endpoint, m, endpoint, discordgo.WithContext(ctx))
	if err != nil {
		return "", withInfo(err, info)
	}
	var created struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(raw, &created); err != nil || created.ID == "" {
		return "", fmt.Errorf("discord: unexpected answer to a posted message: %.200s", raw)
	}
	return created.ID, nil
}

// nonceFor returns the nonce of message i of a delivery: the key and the index, or, when that is
// longer than Discord allows, a digest of the key and the index.
func nonceFor(key string, i int) string {
	suffix := "." + strconv.Itoa(i)
	if len(key)+len(suffix) <= maxNonce {
		return key + suffix
	}
	sum := sha256.Sum256([]byte(key))
	digest := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:]))
	return digest[:maxNonce-len(suffix)] + suffix
}

func randomKey() string {
	var b [10]byte
	rand.Read(b[:])
	return "od-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// callError is a failed call with what the transport saw of its answer.
type callError struct {
	err        error
	status     int
	retryAfter time.Duration
}

func (e *callError) Error() string { return e.err.Error() }
func (e *callError) Unwrap() error { return e.err }

func withInfo(err error, info *responseInfo) error {
	status, retryAfter := info.get()
	return &callError{err: err, status: status, retryAfter: retryAfter}
}

// classify turns a failed call into a *bot.PostError.
func classify(err error) *bot.PostError {
	var ce *callError
	status, headerWait := 0, time.Duration(0)
	if errors.As(err, &ce) {
		status, headerWait = ce.status, ce.retryAfter
	}
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		wait := headerWait
		if rl.TooManyRequests != nil && rl.RetryAfter > wait {
			wait = rl.RetryAfter
		}
		return &bot.PostError{Temporary: true, RetryAfter: wait, Status: http.StatusTooManyRequests, Err: describe(err)}
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		status = re.Response.StatusCode
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &bot.PostError{Temporary: true, Status: status, Err: err}
	}
	switch {
	case status == 0: // no answer: a network error
		return &bot.PostError{Temporary: true, Err: describe(err)}
	case status == http.StatusTooManyRequests:
		return &bot.PostError{Temporary: true, RetryAfter: headerWait, Status: status, Err: describe(err)}
	case status >= 500 || status == http.StatusRequestTimeout:
		return &bot.PostError{Temporary: true, RetryAfter: headerWait, Status: status, Err: describe(err)}
	}
	return &bot.PostError{Temporary: false, Status: status, Err: describe(err)}
}

// describe makes a discordgo error readable: Discord's message and code instead of a whole body.
func describe(err error) error {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil && re.Message != nil && re.Message.Message != "" {
		return fmt.Errorf("HTTP %d: %s (Discord code %d)", re.Response.StatusCode, re.Message.Message, re.Message.Code)
	}
	var ce *callError
	if errors.As(err, &ce) {
		return ce.err
	}
	return err
}
