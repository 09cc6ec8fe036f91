package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackutilsx"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/internal/pause"
)

// Slack's rules for answering a slash command.
const (
	// maxInlinePayload keeps an inline answer well under the 20 KB Socket Mode refuses.
	maxInlinePayload = 16 * 1024
	// maxFollowUps is how many times a response_url may be used.
	maxFollowUps = 5
)

const (
	responseInChannel = "in_channel"
	responseEphemeral = "ephemeral"
)

// answer runs one slash command. It calls ack exactly once and within the ack budget: with the
// answer itself when it is ready in time and small enough, otherwise with a short private note
// (or nothing); the rest of the answer goes to the command's response_url. answer returns once
// ack was called; the work and the follow-ups go on in the background (Close waits for them).
func (b *Bot) answer(cmd slack.SlashCommand, ack func(*slack.WebhookMessage)) {
	start := time.Now()
	select {
	case b.slots <- struct{}{}:
	default:
		ack(ephemeral("briefbot is busy with other requests; please try again in a minute."))
		return
	}
	release := func() { <-b.slots }
	log := b.log.With(slog.String("channel_id", cmd.ChannelID), slog.String("user_id", cmd.UserID))

	req, err := bot.ParseText(unescapeCommandText(cmd.Text))
	if err != nil {
		release()
		ack(ephemeral(err.Error()))
		b.cfg.Metrics.CommandAnswered("slack", "invalid", time.Since(start))
		return
	}
	if b.handler == nil {
		release()
		ack(ephemeral("briefbot is not answering commands on this workspace right now."))
		return
	}
	req.Platform, req.ChannelID, req.UserID, req.UserName = "slack", cmd.ChannelID, cmd.UserID, cmd.UserName

	ready := make(chan []slack.WebhookMessage, 1)
	work, cancel := context.WithTimeout(b.base, commandTimeout)
	b.inflight.Add(1)
	go func() {
		defer b.inflight.Done()
		defer release()
		if bot.AdminOnly(req.Command) {
			req.IsAdmin = b.isAdmin(work, req.UserID)
		}
		reply := b.handler.Handle(work, req)
		if reply.Briefing != nil {
			b.cfg.Metrics.BriefingPosted("slack", "command")
		}
		ready <- b.replyMessages(reply, cmd.ChannelID)
	}()

	timer := time.NewTimer(b.ackBudget)
	defer timer.Stop()
	var followUps []slack.WebhookMessage
	select {
	case msgs := <-ready:
		if payload, err := json.Marshal(msgs[0]); err == nil && len(payload) <= maxInlinePayload {
			ack(&msgs[0])
			followUps = msgs[1:]
		} else {
			ack(nil)
			followUps = msgs
		}
		if len(followUps) == 0 {
			cancel()
			return
		}
	case <-timer.C:
		ack(ephemeral("Working on it…"))
		log.Debug("command deferred to response_url", slog.String("command", req.Command))
	}

	b.inflight.Add(1)
	go func() {
		defer b.inflight.Done()
		defer cancel()
		if followUps == nil {
			select {
			case followUps = <-ready:
			case <-work.Done():
				log.Warn("command gave no answer in time", slog.String("command", req.Command), slog.Any("error", work.Err()))
				return
			}
		}
		b.followUp(work, log, cmd.ResponseURL, followUps)
	}()
}

// followUp sends messages to a response_url, each retried once after a short wait when Slack
// says to try again. At most maxFollowUps go out (Slack's limit); the rest are logged as lost.
func (b *Bot) followUp(ctx context.Context, log *slog.Logger, responseURL string, msgs []slack.WebhookMessage) {
	// The response_url is a credential (it lets anyone post to the channel): never log it.
	if u, err := url.Parse(responseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		log.Error("command has no usable response_url")
		return
	}
	if len(msgs) > maxFollowUps {
		log.Warn("answer too long for a response_url; the last messages are left out",
			slog.Int("messages", len(msgs)), slog.Int("sent", maxFollowUps))
		msgs = msgs[:maxFollowUps]
	}
	for i := range msgs {
		err := slack.PostWebhookCustomHTTPContext(ctx, responseURL, b.cfg.HTTPClient, &msgs[i])
		if err == nil {
			continue
		}
		pe, _ := classify(err)
		if pe.Temporary && ctx.Err() == nil {
			wait := min(max(pe.RetryAfter, 200*time.Millisecond), 2*time.Second)
			if pause.For(ctx, wait) {
				err = slack.PostWebhookCustomHTTPContext(ctx, responseURL, b.cfg.HTTPClient, &msgs[i])
			}
		}
		if err != nil {
			log.Error("command follow-up failed", slog.Int("message", i), slog.Any("error", withoutURL(err)))
			return
		}
	}
}

// replyMessages turns a router reply into slash-command response messages: a briefing rendered
// with Render (in the channel unless the reply is ephemeral), text escaped for mrkdwn.
func (b *Bot) replyMessages(reply bot.Reply, channel string) []slack.WebhookMessage {
	kind := responseInChannel
	if reply.Ephemeral {
		kind = responseEphemeral
	}
	var out []slack.WebhookMessage
	if reply.Text != "" {
		out = append(out, slack.WebhookMessage{ResponseType: kind, Text: slackutilsx.EscapeMessage(reply.Text)})
	}
	if reply.Briefing != nil {
		no := false
		for _, m := range Render(*reply.Briefing, RenderOptions{Channel: channel}) {
			out = append(out, slack.WebhookMessage{ResponseType: kind, Text: m.Text,
				Blocks: &slack.Blocks{BlockSet: m.Blocks}, UnfurlLinks: &no, UnfurlMedia: &no})
		}
	}
	if len(out) == 0 {
		out = append(out, *ephemeral("Done."))
	}
	return out
}

func ephemeral(text string) *slack.WebhookMessage {
	return &slack.WebhookMessage{ResponseType: responseEphemeral, Text: slackutilsx.EscapeMessage(text)}
}

// unescapeCommandText undoes the escaping Slack applies to a command's text (&, <, >).
func unescapeCommandText(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// withoutURL drops the URL from a request error: a response_url must not reach the logs.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s response_url: %w", ue.Op, ue.Err)
	}
	return err
}
