package discord

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/briefbot/briefbot/bot"
)

var _ bot.Notifier = (*Bot)(nil)

// Notify posts a notice to a channel (the admin channel) as a plain message: its text on one
// line with markdown escaped and mentions defused, cut at a word to Discord's 2,000 characters,
// sent with allowed_mentions {"parse":[]} so that nothing in it (a feed's error text, a source's
// name) can ping anyone. Errors are *bot.PostError; Notify does not retry a failed notice.
func (b *Bot) Notify(ctx context.Context, channelID, text string) error {
	switch {
	case !isSnowflake(channelID):
		return &bot.PostError{Err: fmt.Errorf("discord: notify: channel id %q is not a Discord id", channelID)}
	case strings.TrimSpace(text) == "":
		return &bot.PostError{Err: errors.New("discord: notify: empty notice")}
	}
	m := Message{Content: truncate(escapeMarkdown(text), MaxContent), AllowedMentions: noMentions()}
	if _, err := b.createMessage(ctx, channelID, m); err != nil {
		pe := classify(err)
		pe.Err = fmt.Errorf("discord: notify channel %s: %w", channelID, pe.Err)
		return pe
	}
	return nil
}
