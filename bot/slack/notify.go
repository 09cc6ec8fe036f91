package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackutilsx"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/render"
)

var _ bot.Notifier = (*Bot)(nil)

// MaxNoticeText bounds a notice's text (Slack advises keeping a message's text under 4,000
// characters); a longer notice is cut at a word.
const MaxNoticeText = 3000

// Notify posts a notice to a channel (the admin channel) as a plain-text message: markdown off,
// '&', '<' and '>' escaped so nothing in it (a feed's error text, a source's name) can mention
// anyone or form a link, link previews off. Errors are *bot.PostError; Notify does not retry.
func (b *Bot) Notify(ctx context.Context, channelID, text string) error {
	switch {
	case channelID == "":
		return &bot.PostError{Err: errors.New("slack: notify: no channel")}
	case strings.TrimSpace(text) == "":
		return &bot.PostError{Err: errors.New("slack: notify: empty notice")}
	}
	_, _, err := b.api.PostMessageContext(ctx, channelID, noticeOptions(text)...)
	if err != nil {
		pe := b.postError(err)
		pe.Err = fmt.Errorf("slack: notify channel %s: %w", channelID, pe.Err)
		return pe
	}
	return nil
}

// noticeOptions are the chat.postMessage options of a notice: its text, one line, escaped and
// cut to MaxNoticeText, with markdown and link previews off.
func noticeOptions(text string) []slack.MsgOption {
	text = render.OneLine(text)
	text = truncate(slackutilsx.EscapeMessage(text), MaxNoticeText)
	return []slack.MsgOption{
		slack.MsgOptionText(text, false),
		slack.MsgOptionDisableMarkdown(),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
}
