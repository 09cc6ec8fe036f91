package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/briefbot/briefbot/bot"
)

// MetadataEventType is the event_type of the metadata every scheduled briefing message carries:
// payload {"key": delivery key, "part": index, "parts": count}. A retried delivery looks for it
// in the channel's history to post only what is missing.
const MetadataEventType = "briefbot_briefing"

// How far back a retried delivery looks for its earlier messages.
const (
	guardLookback = 48 * time.Hour
	guardPages    = 5
	guardPageSize = 200
)

var _ bot.Poster = (*Bot)(nil)

// Post posts a briefing with chat.postMessage: the messages PostBodies makes (times in the
// channel's zone, d.Location), the quotes threaded under the first message when d.Thread. It
// returns the first message's ts. With d.Retry, the parts an earlier attempt posted (found by
// their metadata key) are not posted again. Errors are *bot.PostError; Post does not retry.
func (b *Bot) Post(ctx context.Context, d bot.Delivery) (string, error) {
	if d.ChannelID == "" {
		return "", &bot.PostError{Err: errors.New("slack: post: no channel")}
	}
	msgs := PostBodies(d)
	posted := map[int]string{} // part → ts, of an earlier attempt
	if d.Retry && d.Key != "" {
		var err error
		if posted, err = b.findParts(ctx, d.ChannelID, d.Key, d.Thread && len(msgs) > 1); err != nil {
			return "", err
		}
		if len(posted) > 0 {
			b.log.InfoContext(ctx, "retried delivery found earlier messages", slog.String("channel_id", d.ChannelID),
				slog.String("key", d.Key), slog.Int("found", len(posted)), slog.Int("parts", len(msgs)))
		}
	}
	first := posted[0]
	for i, m := range msgs {
		if ts, ok := posted[i]; ok {
			if i == 0 {
				first = ts
			}
			continue
		}
		thread := ""
		if m.InThread {
			thread = first
		}
		_, ts, err := b.api.PostMessageContext(ctx, d.ChannelID, m.MsgOptions(thread)...)
		if err != nil {
			pe := b.postError(err)
			b.log.WarnContext(ctx, "post failed", slog.String("channel_id", d.ChannelID), slog.String("key", d.Key),
				slog.Int("part", i), slog.Int("parts", len(msgs)), slog.Bool("temporary", pe.Temporary),
				slog.Duration("retry_after", pe.RetryAfter), slog.Any("error", pe.Err))
			return "", pe
		}
		if i == 0 {
			first = ts
		}
	}
	return first, nil
}

// findParts returns the parts of delivery key already in the channel: top-level messages from
// its history and, for a threaded delivery, replies in the first message's thread. A history
// the bot may not read (missing channels:history) cannot guard: the post goes ahead, with a
// warning, rather than never.
func (b *Bot) findParts(ctx context.Context, channel, key string, threaded bool) (map[int]string, error) {
	found := map[int]string{}
	params := &slack.GetConversationHistoryParameters{ChannelID: channel, Limit: guardPageSize, IncludeAllMetadata: true,
		Oldest: strconv.FormatInt(b.now().Add(-guardLookback).Unix(), 10)}
	for page := 0; page < guardPages; page++ {
		hist, err := b.api.GetConversationHistoryContext(ctx, params)
		if err != nil {
			return nil, b.guardError(ctx, channel, err)
		}
		collectParts(found, hist.Messages, key)
		if !hist.HasMore || hist.ResponseMetaData.NextCursor == "" {
			break
		}
		params.Cursor = hist.ResponseMetaData.NextCursor
	}
	if ts, ok := found[0]; ok && threaded {
		replies, _, _, err := b.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
			ChannelID: channel, Timestamp: ts, Limit: guardPageSize, IncludeAllMetadata: true})
		if err != nil {
			return nil, b.guardError(ctx, channel, err)
		}
		collectParts(found, replies, key)
	}
	return found, nil
}

func collectParts(found map[int]string, msgs []slack.Message, key string) {
	for _, m := range msgs {
		if m.Metadata.EventType != MetadataEventType || m.Metadata.EventPayload["key"] != key {
			continue
		}
		part := 0
		if p, ok := m.Metadata.EventPayload["part"].(float64); ok && p >= 0 && p < 1000 {
			part = int(p)
		}
		if _, dup := found[part]; !dup {
			found[part] = m.Timestamp
		}
	}
}

// guardError decides what a failed history look-up means: a temporary failure stops the post
// (the scheduler retries later); a permanent one (no permission to read history) lets it go on.
func (b *Bot) guardError(ctx context.Context, channel string, err error) error {
	pe := b.postError(err)
	if pe.Temporary {
		return pe
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && (se.Err == "channel_not_found" || se.Err == "invalid_auth" || se.Err == "account_inactive" ||
		se.Err == "token_revoked" || se.Err == "not_authed") {
		return pe // posting would fail the same way
	}
	b.log.WarnContext(ctx, "cannot check channel history for an earlier post; posting anyway (add the channels:history and groups:history scopes)",
		slog.String("channel_id", channel), slog.Any("error", err))
	return nil
}

// forbiddenErrors are Slack error codes that say the bot may not post there: no retry can fix
// them, an operator can (token, scopes, channel membership).
var forbiddenErrors = map[string]bool{
	"invalid_auth": true, "not_authed": true, "account_inactive": true, "token_revoked": true,
	"token_expired": true, "no_permission": true, "missing_scope": true, "not_in_channel": true,
	"channel_not_found": true, "is_archived": true, "restricted_action": true, "ekm_access_denied": true,
	"team_access_not_granted": true, "not_allowed_token_type": true, "access_denied": true, "org_login_required": true,
}

// permanentErrors are Slack error codes about the message itself: no retry can fix them.
var permanentErrors = map[string]bool{
	"invalid_blocks": true, "invalid_blocks_format": true, "msg_too_long": true, "msg_blocks_too_long": true,
	"no_text": true, "invalid_metadata_format": true, "invalid_metadata_schema": true, "too_many_attachments": true,
}

// temporaryErrors are Slack error codes that may clear up.
var temporaryErrors = map[string]bool{
	"ratelimited": true, "internal_error": true, "fatal_error": true, "service_unavailable": true,
	"request_timeout": true, "team_added_to_org": true,
}

// postError classifies a slack-go error. (The scheduler counts failed posts in the metrics.)
func (b *Bot) postError(err error) *bot.PostError {
	pe, _ := classify(err)
	return pe
}

// classify maps a slack-go error to a *bot.PostError and a metrics reason (rate_limited,
// server_error, network, forbidden, other; canceled for a cancelled context).
func classify(err error) (*bot.PostError, string) {
	var (
		rl *slack.RateLimitedError
		sc slack.StatusCodeError
		se slack.SlackErrorResponse
		ne net.Error
	)
	switch {
	case errors.As(err, &rl):
		return &bot.PostError{Temporary: true, RetryAfter: rl.RetryAfter, Status: http.StatusTooManyRequests, Err: err}, "rate_limited"
	case errors.As(err, &sc):
		switch {
		case sc.Code == http.StatusTooManyRequests:
			return &bot.PostError{Temporary: true, Status: sc.Code, Err: err}, "rate_limited"
		case sc.Code >= 500 || sc.Code == http.StatusRequestTimeout:
			return &bot.PostError{Temporary: true, Status: sc.Code, Err: err}, "server_error"
		case sc.Code == http.StatusUnauthorized || sc.Code == http.StatusForbidden:
			return &bot.PostError{Status: sc.Code, Err: err}, "forbidden"
		}
		return &bot.PostError{Status: sc.Code, Err: err}, "other"
	case errors.As(err, &se):
		// Slack answers these with HTTP 200 and an error code; Status carries the HTTP status
		// the code stands for, so that callers classify them as they would a plain HTTP error.
		switch {
		case se.Err == "ratelimited":
			return &bot.PostError{Temporary: true, Status: http.StatusTooManyRequests, Err: err}, "rate_limited"
		case temporaryErrors[se.Err]:
			return &bot.PostError{Temporary: true, Status: http.StatusServiceUnavailable, Err: err}, "server_error"
		case forbiddenErrors[se.Err]:
			return &bot.PostError{Status: http.StatusForbidden, Err: err}, "forbidden"
		case permanentErrors[se.Err]:
			return &bot.PostError{Status: http.StatusBadRequest, Err: err}, "other"
		}
		return &bot.PostError{Status: http.StatusBadRequest, Err: fmt.Errorf("slack error %q: %w", se.Err, err)}, "other"
	case errors.Is(err, context.Canceled):
		return &bot.PostError{Temporary: true, Err: err}, "canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne):
		return &bot.PostError{Temporary: true, Err: err}, "network"
	}
	// Anything else (a broken connection, an unreadable response) is the network's doing.
	return &bot.PostError{Temporary: true, Err: err}, "network"
}
