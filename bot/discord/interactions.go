package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/internal/pause"
)

// Limits of answering interactions.
const (
	// handleTimeout bounds a command's work; an interaction token lasts 15 minutes.
	handleTimeout = 10 * time.Minute
	// completeTimeout bounds an autocompletion, which cannot be deferred.
	completeTimeout = 2 * time.Second
	// maxChoices and maxChoiceLen are Discord's limits on autocomplete choices.
	maxChoices   = 25
	maxChoiceLen = 100
	// retryBudget bounds the waits for rate limits while following up.
	retryBudget = 30 * time.Second
)

// firstAnswer sends the first answer to an interaction (an interaction response body): a POST to
// the callback route over the gateway, the HTTP response on the interactions endpoint.
type firstAnswer func(body any) error

// requestFrom reads the router's request from a /brief interaction.
func requestFrom(i *discordgo.Interaction) (bot.Request, error) {
	data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
	if !ok {
		return bot.Request{}, errors.New("the interaction carries no command")
	}
	if data.Name != CommandName {
		return bot.Request{}, fmt.Errorf("unknown command /%s", data.Name)
	}
	req := bot.Request{Platform: platform, ChannelID: i.ChannelID}
	switch {
	case i.Member != nil:
		req.IsAdmin = i.Member.Permissions&adminPermissions != 0
		if u := i.Member.User; u != nil {
			req.UserID, req.UserName = u.ID, displayName(i.Member.Nick, u)
		}
	case i.User != nil: // a direct message: nobody manages the channel
		req.UserID, req.UserName = i.User.ID, displayName("", i.User)
	}
	if len(data.Options) != 1 || data.Options[0] == nil || data.Options[0].Type != discordgo.ApplicationCommandOptionSubCommand {
		return bot.Request{}, errors.New("the command has no subcommand")
	}
	sub := data.Options[0]
	req.Command = sub.Name
	for _, o := range sub.Options {
		if o == nil {
			continue
		}
		value := optionValue(o)
		switch o.Name {
		case "topic":
			req.Topic = value
		case "window":
			req.Window = value
		case "schedule":
			req.Schedule = value
		case "timezone":
			req.Timezone = value
		}
	}
	return req, nil
}

func displayName(nick string, u *discordgo.User) string {
	switch {
	case nick != "":
		return nick
	case u.GlobalName != "":
		return u.GlobalName
	}
	return u.Username
}

// optionValue returns an option's value as text, capped in length.
func optionValue(o *discordgo.ApplicationCommandInteractionDataOption) string {
	var s string
	switch v := o.Value.(type) {
	case string:
		s = v
	case float64, bool:
		s = fmt.Sprint(v)
	}
	s = strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
	if utf8.RuneCountInString(s) > maxOptionValue {
		s = string([]rune(s)[:maxOptionValue])
	}
	return s
}

// ephemeralCommand guesses, before a command has run, whether its answer is private: briefings
// are for the channel, everything else (help, lists, confirmations, errors) for the asker.
func ephemeralCommand(command string) bool {
	return command != bot.CommandNow && command != bot.CommandChannel
}

// answerCommand runs a /brief command and answers it within Discord's deadline: the answer
// itself when it is ready within DeferAfter, a deferred answer otherwise, followed by the answer
// as an edit when the work is done. It returns once the first answer is sent; the rest is sent
// in the background.
func (b *Bot) answerCommand(ctx context.Context, i *discordgo.Interaction, first firstAnswer) {
	start := time.Now()
	log := b.log.With(slog.String("interaction_id", i.ID), slog.String("channel_id", i.ChannelID),
		slog.String("guild_id", i.GuildID))
	req, err := requestFrom(i)
	if err != nil {
		log.WarnContext(ctx, "malformed command", slog.Any("error", err))
		b.sendFirst(ctx, log, first, textReply("I did not understand that command. Try `/brief help`."))
		return
	}
	log = log.With(slog.String("command", req.Command), slog.String("user_id", req.UserID))

	replies := make(chan bot.Reply, 1)
	b.inflight.add()
	go func() {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), handleTimeout)
		defer cancel()
		replies <- b.h.Handle(hctx, req)
	}()

	timer := time.NewTimer(b.cfg.DeferAfter)
	defer timer.Stop()
	select {
	case reply := <-replies:
		defer b.inflight.done()
		msgs, ephemeral := b.replyMessages(reply)
		if err := first(msgs[0].InteractionResponse(ephemeral)); err != nil {
			log.ErrorContext(ctx, "answering the command failed", slog.Any("error", err))
			return
		}
		b.countReply(reply)
		if len(msgs) > 1 {
			b.inflight.add()
			go func() {
				defer b.inflight.done()
				b.followUp(context.WithoutCancel(ctx), log, i, msgs[1:], ephemeral)
			}()
		}
		log.InfoContext(ctx, "command answered", slog.Duration("took", time.Since(start)), slog.Int("messages", len(msgs)))
	case <-timer.C:
		deferredEphemeral := ephemeralCommand(req.Command)
		var flags discordgo.MessageFlags
		if deferredEphemeral {
			flags = discordgo.MessageFlagsEphemeral
		}
		err := first(&discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Flags: flags},
		})
		if err != nil {
			log.ErrorContext(ctx, "deferring the command failed", slog.Any("error", err))
		}
		go func() {
			defer b.inflight.done()
			reply := <-replies
			if err != nil {
				return
			}
			if b.finishDeferred(context.WithoutCancel(ctx), log, i, reply, deferredEphemeral) {
				log.InfoContext(ctx, "deferred command answered", slog.Duration("took", time.Since(start)))
			}
		}()
	}
}

// sendFirst sends a text reply as the first answer.
func (b *Bot) sendFirst(ctx context.Context, log *slog.Logger, first firstAnswer, reply bot.Reply) {
	msgs, ephemeral := b.replyMessages(reply)
	if err := first(msgs[0].InteractionResponse(ephemeral)); err != nil {
		log.ErrorContext(ctx, "answering the command failed", slog.Any("error", err))
	}
}

// finishDeferred replaces the deferred placeholder with the reply, and reports whether all of it
// went out. When the reply's visibility differs from the placeholder's (a briefing command that
// ended in a private error), the reply goes out as follow-ups with the right visibility and the
// placeholder is deleted.
func (b *Bot) finishDeferred(ctx context.Context, log *slog.Logger, i *discordgo.Interaction, reply bot.Reply, deferredEphemeral bool) bool {
	msgs, ephemeral := b.replyMessages(reply)
	if ephemeral == deferredEphemeral {
		first := msgs[0]
		embeds := first.Embeds
		if embeds == nil {
			embeds = []*discordgo.MessageEmbed{}
		}
		edit := &discordgo.WebhookEdit{Content: &first.Content, Embeds: &embeds, AllowedMentions: noMentions()}
		err := b.retry(ctx, true, func(ctx context.Context) error {
			_, err := b.session.InteractionResponseEdit(i, edit, discordgo.WithContext(ctx))
			return err
		})
		if err != nil {
			log.ErrorContext(ctx, "editing the deferred answer failed", slog.Any("error", err))
			return false
		}
		b.countReply(reply)
		return b.followUp(ctx, log, i, msgs[1:], ephemeral)
	}
	if !b.followUp(ctx, log, i, msgs, ephemeral) {
		return false
	}
	b.countReply(reply)
	err := b.retry(ctx, true, func(ctx context.Context) error {
		return b.session.InteractionResponseDelete(i, discordgo.WithContext(ctx))
	})
	if err != nil {
		log.WarnContext(ctx, "deleting the deferred placeholder failed", slog.Any("error", err))
	}
	return true
}

// followUp posts messages as follow-ups of an answered interaction; false when one failed.
// Follow-ups have no duplicate guard, so only a 429 (which Discord did not act on) is retried.
func (b *Bot) followUp(ctx context.Context, log *slog.Logger, i *discordgo.Interaction, msgs []Message, ephemeral bool) bool {
	for n, m := range msgs {
		params := m.WebhookParams(ephemeral)
		err := b.retry(ctx, false, func(ctx context.Context) error {
			_, err := b.session.FollowupMessageCreate(i, true, params, discordgo.WithContext(ctx))
			return err
		})
		if err != nil {
			log.ErrorContext(ctx, "follow-up failed", slog.Int("message", n+1), slog.Int("messages", len(msgs)), slog.Any("error", err))
			return false
		}
	}
	return true
}

// retry calls fn until it succeeds, fails for good, or retryBudget is spent on waits; a 429 waits
// as long as Discord asks, other temporary failures back off from half a second. A call that is
// not idempotent is retried only after a 429.
func (b *Bot) retry(ctx context.Context, idempotent bool, fn func(context.Context) error) error {
	backoff, spent := 500*time.Millisecond, time.Duration(0)
	for {
		cctx, info := withResponseInfo(ctx)
		err := fn(cctx)
		if err == nil {
			return nil
		}
		pe := classify(withInfo(err, info))
		wait := max(pe.RetryAfter, backoff)
		retryable := pe.Temporary && (idempotent || pe.Status == http.StatusTooManyRequests)
		if !retryable || spent+wait > retryBudget || ctx.Err() != nil {
			return pe
		}
		if !pause.For(ctx, wait) {
			return pe
		}
		spent += wait
		backoff *= 2
	}
}

func (b *Bot) countReply(reply bot.Reply) {
	if reply.Briefing != nil {
		b.cfg.Metrics.BriefingPosted(platform, "command")
	}
}

// textReply is a private text reply.
func textReply(text string) bot.Reply { return bot.Reply{Ephemeral: true, Text: text} }

// replyMessages renders a reply: a briefing with the renderer (any text leading it), text split
// into messages of at most 2,000 characters. Text-only replies are private.
func (b *Bot) replyMessages(reply bot.Reply) (msgs []Message, ephemeral bool) {
	text := strings.TrimSpace(reply.Text)
	if reply.Briefing == nil {
		if text == "" {
			text = "Done."
		}
		for _, part := range splitText(text, MaxContent) {
			msgs = append(msgs, Message{Content: part, AllowedMentions: noMentions()})
		}
		return msgs, true
	}
	msgs = Render(*reply.Briefing, RenderOptions{})
	if len(msgs) == 0 {
		msgs = []Message{{Content: "Nothing to show."}}
	}
	if text != "" {
		if lead := msgs[0].Content; lead == "" || utf8.RuneCountInString(text)+1+utf8.RuneCountInString(lead) <= MaxContent {
			msgs[0].Content = strings.TrimSpace(text + "\n" + lead)
		} else {
			var lead []Message
			for _, part := range splitText(text, MaxContent) {
				lead = append(lead, Message{Content: part})
			}
			msgs = append(lead, msgs...)
		}
	}
	for k := range msgs {
		msgs[k].AllowedMentions = noMentions()
		msgs[k].Nonce, msgs[k].EnforceNonce = "", false
	}
	return msgs, reply.Ephemeral
}

// splitText cuts text into parts of at most n characters, at line breaks, then spaces, where it
// can.
func splitText(text string, n int) []string {
	var parts []string
	for utf8.RuneCountInString(text) > n {
		head := string([]rune(text)[:n])
		cut := strings.LastIndex(head, "\n")
		if cut < len(head)/2 {
			cut = strings.LastIndex(head, " ")
		}
		if cut < len(head)/2 {
			cut = len(head)
		}
		parts = append(parts, strings.TrimRight(head[:cut], " \n"))
		text = strings.TrimLeft(text[cut:], " \n")
	}
	if text != "" || len(parts) == 0 {
		parts = append(parts, text)
	}
	return parts
}

// autocompleteAnswer is the answer to an autocomplete interaction (type 8). discordgo's own
// response type drops an empty choices list, which Discord requires.
type autocompleteAnswer struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data struct {
		Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
	} `json:"data"`
}

// autocomplete answers the focused option of an autocomplete interaction: topics from the
// handler's Complete, time zones from CompleteTimezone when it has one.
func (b *Bot) autocomplete(ctx context.Context, i *discordgo.Interaction) *autocompleteAnswer {
	resp := &autocompleteAnswer{Type: discordgo.InteractionApplicationCommandAutocompleteResult}
	resp.Data.Choices = []*discordgo.ApplicationCommandOptionChoice{}
	data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
	if !ok || data.Name != CommandName || len(data.Options) != 1 || data.Options[0] == nil {
		return resp
	}
	var focused *discordgo.ApplicationCommandInteractionDataOption
	for _, o := range data.Options[0].Options {
		if o != nil && o.Focused {
			focused = o
		}
	}
	if focused == nil {
		return resp
	}
	prefix := optionValue(focused)
	var names []string
	switch focused.Name {
	case "topic":
		cctx, cancel := context.WithTimeout(ctx, completeTimeout)
		names = b.h.Complete(cctx, prefix)
		cancel()
	case "timezone":
		if tc, ok := b.h.(TimezoneCompleter); ok {
			names = tc.CompleteTimezone(prefix)
		}
	}
	for _, n := range names {
		if n == "" || utf8.RuneCountInString(n) > maxChoiceLen || !utf8.ValidString(n) {
			continue
		}
		resp.Data.Choices = append(resp.Data.Choices, &discordgo.ApplicationCommandOptionChoice{Name: n, Value: n})
		if len(resp.Data.Choices) == maxChoices {
			break
		}
	}
	return resp
}
