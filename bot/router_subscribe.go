package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefing/store"
	"github.com/briefbot/briefbot/config"
)

// subscribe answers "/brief subscribe <topic> [schedule] [timezone]".
func (r *Router) subscribe(ctx context.Context, req Request) Reply {
	if req.Topic == "" {
		return private(usageError(CommandSubscribe, "Name the topic to subscribe this channel to.").Error())
	}
	topics, err := r.cfg.Store.Topics(ctx)
	if err != nil {
		return r.internal(ctx, req, "list topics", err)
	}
	topic, ok := findTopic(topics, req.Topic)
	if !ok {
		return private(notATopic(topics, req.Topic))
	}
	subs, err := r.channelSubscriptions(ctx, req)
	if err != nil {
		return r.internal(ctx, req, "list subscriptions", err)
	}
	var existing *store.Subscription
	for i := range subs {
		if strings.EqualFold(subs[i].Topic, topic.Name) {
			existing = &subs[i]
		}
	}

	schedule := req.Schedule
	if schedule == "" && existing != nil {
		schedule = existing.Schedule
	}
	if schedule == "" {
		schedule = r.cfg.DefaultSchedule
	}
	spec, err := NormalizeSchedule(schedule)
	if err != nil {
		return private(usageError(CommandSubscribe, "%s", sentence(err.Error())).Error())
	}

	tzName := req.Timezone
	switch {
	case tzName != "":
	case existing != nil && existing.Timezone != "":
		tzName = existing.Timezone
	case len(subs) > 0 && subs[0].Timezone != "":
		tzName = subs[0].Timezone // the channel's time zone
	default:
		tzName = r.cfg.DefaultTimezone
	}
	tz, loc, err := config.ResolveTimezone(tzName)
	if err != nil {
		return private(timezoneReply(err))
	}
	now := r.cfg.Now()
	next, err := checkCadence(spec, loc, now, r.cfg.MinInterval)
	if err != nil {
		return private(usageError(CommandSubscribe, "%s", sentence(err.Error())).Error())
	}

	sub := store.Subscription{
		Platform: req.Platform, ChannelID: req.ChannelID, Topic: topic.Name,
		Stories: r.cfg.Stories, CreatedAt: now, CreatedBy: req.UserID,
	}
	if existing != nil {
		sub = *existing
	}
	sub.Schedule, sub.Timezone = spec, tz
	if _, err := r.cfg.Store.PutSubscription(ctx, sub); err != nil {
		return r.internal(ctx, req, "save subscription", err)
	}
	r.log.InfoContext(ctx, "subscription saved", subscriptionAttrs(req, sub)...)
	if r.cfg.OnChange != nil {
		r.cfg.OnChange()
	}

	verb := "Subscribed"
	if existing != nil {
		verb = "Updated"
	}
	msg := fmt.Sprintf("%s: this channel gets `%s` %s (%s). Next briefing: %s.",
		verb, topic.Name, describeSchedule(spec), loc.String(), formatWhen(next, now))
	if sub.FromConfig {
		msg += " Note: this subscription is also in briefbot's config file, which wins at the next restart."
	}
	return private(msg)
}

// unsubscribe answers "/brief unsubscribe <topic>".
func (r *Router) unsubscribe(ctx context.Context, req Request) Reply {
	if req.Topic == "" {
		return private(usageError(CommandUnsubscribe, "Name the topic to unsubscribe from.").Error())
	}
	subs, err := r.channelSubscriptions(ctx, req)
	if err != nil {
		return r.internal(ctx, req, "list subscriptions", err)
	}
	var found *store.Subscription
	for i := range subs {
		if strings.EqualFold(subs[i].Topic, unquote(req.Topic)) {
			found = &subs[i]
		}
	}
	if found == nil {
		if len(subs) == 0 {
			return private(fmt.Sprintf("This channel is not subscribed to `%s`; it has no subscriptions.", codeSafe(req.Topic)))
		}
		return private(fmt.Sprintf("This channel is not subscribed to `%s`. It receives %s.", codeSafe(req.Topic), topicNames(subs)))
	}
	if err := r.cfg.Store.DeleteSubscription(ctx, found.Platform, found.ChannelID, found.Topic); err != nil {
		return r.internal(ctx, req, "delete subscription", err)
	}
	r.log.InfoContext(ctx, "subscription deleted", subscriptionAttrs(req, *found)...)
	if r.cfg.OnChange != nil {
		r.cfg.OnChange()
	}
	msg := fmt.Sprintf("Unsubscribed: this channel no longer gets `%s`.", found.Topic)
	if found.FromConfig {
		msg += " Note: this subscription is in briefbot's config file and comes back at the next restart unless it is removed there."
	}
	return private(msg)
}

// schedule answers "/brief schedule".
func (r *Router) schedule(ctx context.Context, req Request) Reply {
	subs, err := r.channelSubscriptions(ctx, req)
	if err != nil {
		return r.internal(ctx, req, "list subscriptions", err)
	}
	if len(subs) == 0 {
		return private("This channel has no scheduled briefings. An admin can add one: `/brief subscribe <topic> 08:00 Europe/Berlin`.")
	}
	scheduled := 0
	for _, s := range subs {
		if strings.TrimSpace(s.Schedule) != "" {
			scheduled++
		}
	}
	if scheduled == 0 {
		// Channels of the config file without a schedule answer /brief only.
		return private(fmt.Sprintf("This channel has no scheduled briefings; `/brief` briefs its topics (%s) on demand.",
			topicNames(subs)))
	}
	now := r.cfg.Now()
	var b strings.Builder
	b.WriteString("This channel's scheduled briefings:")
	for _, s := range subs {
		fmt.Fprintf(&b, "\n• `%s` — ", codeSafe(s.Topic))
		if strings.TrimSpace(s.Schedule) == "" {
			fmt.Fprintf(&b, "no scheduled briefings; `/brief %s` on demand", codeSafe(quoteTopic(s.Topic)))
			continue
		}
		spec, err := NormalizeSchedule(s.Schedule)
		_, loc, tzErr := config.ResolveTimezone(s.Timezone)
		if err != nil || tzErr != nil {
			fmt.Fprintf(&b, "`%s` (%s): this schedule is not valid and never fires", codeSafe(s.Schedule), codeSafe(s.Timezone))
			continue
		}
		next, err := checkCadence(spec, loc, now, 0)
		fmt.Fprintf(&b, "%s (%s)", describeSchedule(spec), loc.String())
		if err == nil {
			fmt.Fprintf(&b, ", next %s", formatWhen(next, now))
		}
	}
	return private(b.String())
}

// notATopic answers a subscription to something that is not a topic name: the closest topics,
// or else every topic, and where topics come from.
func notATopic(topics []store.Topic, text string) string {
	msg := fmt.Sprintf("`%s` is not a topic.", codeSafe(text))
	if close := ClosestTopics(topics, text); len(close) > 0 {
		return msg + " " + suggestTopics(topics, text)
	}
	if len(topics) == 0 {
		return msg + " No topics are configured yet: they are defined under `topics:` in briefbot's config."
	}
	return msg + " " + topicList(topics) + " New topics are defined under `topics:` in briefbot's config."
}

// listTopics answers "/brief topics".
func (r *Router) listTopics(ctx context.Context, req Request) Reply {
	topics, err := r.cfg.Store.Topics(ctx)
	if err != nil {
		return r.internal(ctx, req, "list topics", err)
	}
	if len(topics) == 0 {
		return private("No topics are configured yet. Any words work as a search: `/brief lavrov 3d`.")
	}
	subs, err := r.channelSubscriptions(ctx, req)
	if err != nil {
		return r.internal(ctx, req, "list subscriptions", err)
	}
	here := map[string]bool{}
	for _, s := range subs {
		here[strings.ToLower(s.Topic)] = true
	}
	var b strings.Builder
	b.WriteString("Topics:")
	for _, t := range sortedTopics(topics) {
		fmt.Fprintf(&b, "\n• `%s`", codeSafe(t.Name))
		if t.Query != "" && t.Query != t.Name {
			fmt.Fprintf(&b, " — `%s`", codeSafe(t.Query))
		}
		if here[strings.ToLower(t.Name)] {
			b.WriteString(" (this channel is subscribed)")
		}
	}
	b.WriteString("\nBrief one with `/brief <topic> [window]`; any other words are searched as they are.")
	return private(b.String())
}

func subscriptionAttrs(req Request, s store.Subscription) []any {
	return []any{"platform", s.Platform, "channel_id", s.ChannelID, "topic", s.Topic,
		"schedule", s.Schedule, "timezone", s.Timezone, "user_id", req.UserID}
}

// formatWhen writes a coming time in its own zone: "Mon 2 Jun 08:00 KST" (with the year when it
// is not this year's).
func formatWhen(t, now time.Time) string {
	if t.Year() != now.In(t.Location()).Year() {
		return t.Format("Mon 2 Jan 2006 15:04 MST")
	}
	return t.Format("Mon 2 Jan 15:04 MST")
}
