package bot_test

import (
	"context"
	"testing"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefing/store"
)

// The replies below are what people read in chat; each is checked word for word, so that a
// change in how they are joined (a doubled full stop, a missing space) shows up here.

func TestRouterRepliesReadAsWrittenSentences(t *testing.T) {
	const subscribeUsage = " Usage: `/brief subscribe <topic> [cron|HH:MM] [timezone]`"
	const scheduleHelp = ": use a cron spec (minute hour day month weekday), a descriptor such as @daily, or HH:MM."
	tests := []struct {
		name string
		text string
		want string
	}{
		{"a mistyped time zone suggests the right one once, with one question mark",
			"subscribe korea 08:00 Europe/Moskow", "Unknown time zone `Europe/Moskow` — did you mean `Europe/Moscow`?"},
		{"a zone abbreviation suggests the zone it stands for",
			"subscribe korea 08:00 MSK", "`MSK` is an abbreviation, not a time zone name — did you mean `Europe/Moscow`?"},
		{"an abbreviation for several zones names them all",
			"subscribe korea 08:00 CST", "`CST` is an abbreviation, not a time zone name — did you mean `America/Chicago` or `Asia/Shanghai`?"},
		{"an unknown zone with nothing close says what to write",
			"subscribe korea 08:00 Nowhere/Land",
			"Unknown time zone `Nowhere/Land`: use an IANA name such as Europe/Berlin, America/New_York or UTC."},
		{"a bad time of day explains the schedule syntax",
			"subscribe korea 25:00", `"25:00" is not a valid schedule (hour out of range)` + scheduleHelp + subscribeUsage},
		{"a mistyped descriptor keeps its question inside the parentheses",
			"subscribe korea @dayly", `"@dayly" is not a valid schedule (unknown descriptor, did you mean @daily?)` + scheduleHelp + subscribeUsage},
		{"a schedule firing too often names the shortest gap in words",
			"subscribe korea */10 * * * *", `Schedule "*/10 * * * *" fires more often than once every hour.` + subscribeUsage},
		{"a subscription to a mistyped topic suggests the topic",
			"subscribe koreaa 08:00", "`koreaa` is not a topic. Did you mean `korea`?"},
		{"a subscription to an unknown topic lists the topics and where they come from",
			"subscribe tennis", "`tennis` is not a topic. Topics: `football`, `korea`, `north korea`. " +
				"New topics are defined under `topics:` in briefbot's config."},
		{"a mistyped search suggests the closest topic",
			"koera", "Nothing found for `koera` in the last 24 hours. Did you mean `korea`?"},
		{"a search with nothing close lists the topics",
			"zanzibar", "Nothing found for `zanzibar` in the last 24 hours. Topics: `football`, `korea`, `north korea`."},
		{"an empty topic suggests a week",
			"football", "Nothing on `football` in the last 24 hours. Try a longer window: `/brief football 1w`."},
		{"an empty week suggests a month",
			"football 1w", "Nothing on `football` in the last week. Try a longer window: `/brief football 30d`."},
		{"a long empty window suggests nothing longer",
			"football 60d", "Nothing on `football` in the last 60 days."},
		{"a topic of two words is suggested quoted",
			`"north korea" 30m`, "Nothing on `north korea` in the last 30 minutes. Try a longer window: `/brief \"north korea\" 1w`."},
		{"a query the store cannot parse says where and why",
			"korea OR", "I could not read `korea OR` as a search: at character 7, OR needs a term on each side. Plain words work: `/brief lavrov`."},
		{"a parse message ending in a quotation mark gets its full stop",
			"-", "I could not read `-` as a search: at character 1, nothing to exclude after -: write -word or -\"a phrase\". " +
				"Plain words work: `/brief lavrov`."},
		{"unsubscribing from nothing says the channel has nothing",
			"unsubscribe tennis", "This channel is not subscribed to `tennis`; it has no subscriptions."},
		{"a channel without subscriptions has no schedule",
			"schedule", "This channel has no scheduled briefings. An admin can add one: `/brief subscribe <topic> 08:00 Europe/Berlin`."},
		{"a channel without subscriptions briefs nothing by itself",
			"", "This channel has no subscribed topics yet. Brief any topic with `/brief <topic>`. Topics: `football`, `korea`, `north korea`."},
	}
	e := newRouter(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := e.run(t, tt.text, true); r.Text != tt.want || !r.Ephemeral {
				t.Errorf("/brief %s\n got: %q\nwant: %q", tt.text, r.Text, tt.want)
			}
		})
	}
}

func TestRouterRepliesOfParserAndPlatformReadAsWrittenSentences(t *testing.T) {
	e := newRouter(t)
	t.Run("a window out of range from the text form", func(t *testing.T) {
		_, err := bot.ParseText("korea 0m")
		want := "Window \"0m\" must be at least 1m. Usage: `/brief [topic] [window]`"
		if err == nil || err.Error() != want {
			t.Errorf("ParseText error = %v, want %q", err, want)
		}
	})
	tests := []struct {
		name string
		req  bot.Request
		want string
	}{
		{"a window out of range from Discord's typed options",
			bot.Request{Platform: "discord", Command: bot.CommandNow, Topic: "korea", Window: "400w"},
			"Window \"400w\" is longer than a year. Usage: `/brief [topic] [window]`"},
		{"an unknown command",
			bot.Request{Platform: "discord", Command: "frob"}, "I don't know the command `frob`. Try `/brief help`."},
		{"a Slack member who is not an admin",
			bot.Request{Platform: "slack", Command: bot.CommandSubscribe, Topic: "korea"},
			"Sorry, only workspace admins (or the admins listed in briefbot's config) can change this channel's subscriptions. " +
				"`/brief schedule` shows what it receives."},
		{"a Discord member without Manage Channels",
			bot.Request{Platform: "discord", Command: bot.CommandUnsubscribe, Topic: "korea"},
			"Sorry, only members with the Manage Channels permission can change this channel's subscriptions. " +
				"`/brief schedule` shows what it receives."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.ChannelID = "300000000000000001"
			if r := e.router.Handle(context.Background(), tt.req); r.Text != tt.want {
				t.Errorf("got:  %q\nwant: %q", r.Text, tt.want)
			}
		})
	}
}

func TestRouterRepliesWithoutTopicsReadAsWrittenSentences(t *testing.T) {
	e := newRouter(t)
	ctx := context.Background()
	for _, tp := range testTopics {
		if err := e.store.DeleteTopic(ctx, tp.Name); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct{ text, want string }{
		{"subscribe korea", "`korea` is not a topic. No topics are configured yet: they are defined under `topics:` in briefbot's config."},
		{"zanzibar", "Nothing found for `zanzibar` in the last 24 hours. Try a longer window: `/brief zanzibar 1w`."},
		{"zanzibar 2w", "Nothing found for `zanzibar` in the last 2 weeks. Try a longer window: `/brief zanzibar 30d`."},
		{"topics", "No topics are configured yet. Any words work as a search: `/brief lavrov 3d`."},
		{"", "This channel has no subscribed topics yet. Brief any topic with `/brief <topic>`. " +
			"No topics are configured yet; any words work as a search: `/brief lavrov`."},
	}
	for _, tt := range tests {
		if r := e.run(t, tt.text, true); r.Text != tt.want {
			t.Errorf("/brief %s\n got: %q\nwant: %q", tt.text, r.Text, tt.want)
		}
	}
}

func TestRouterScheduleListsChannelsWithoutScheduleAsOnDemand(t *testing.T) {
	ctx := context.Background()
	configChannel := func(t *testing.T, e *routerEnv, topic, schedule string) {
		t.Helper()
		_, err := e.store.PutSubscription(ctx, store.Subscription{Platform: "slack", ChannelID: "C1", Topic: topic,
			Schedule: schedule, Timezone: "Asia/Seoul", Stories: 5, FromConfig: true, CreatedAt: now, CreatedBy: "config"})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Run("only on-demand topics", func(t *testing.T) {
		e := newRouter(t)
		configChannel(t, e, "korea", "")
		configChannel(t, e, "football", "")
		want := "This channel has no scheduled briefings; `/brief` briefs its topics (`football`, `korea`) on demand."
		if r := e.run(t, "schedule", false); r.Text != want {
			t.Errorf("got:  %q\nwant: %q", r.Text, want)
		}
	})
	t.Run("scheduled and on-demand topics", func(t *testing.T) {
		e := newRouter(t)
		configChannel(t, e, "korea", "")
		configChannel(t, e, "north korea", "0 8 * * 1-5")
		configChannel(t, e, "football", "bad spec")
		want := "This channel's scheduled briefings:" +
			"\n• `football` — `bad spec` (Asia/Seoul): this schedule is not valid and never fires" +
			"\n• `korea` — no scheduled briefings; `/brief korea` on demand" +
			"\n• `north korea` — on weekdays at 08:00 (Asia/Seoul), next Tue 3 Jun 08:00 KST"
		if r := e.run(t, "schedule", false); r.Text != want {
			t.Errorf("got:\n%s\nwant:\n%s", r.Text, want)
		}
	})
	t.Run("a topic without schedule is still briefed on demand", func(t *testing.T) {
		e := newRouter(t)
		configChannel(t, e, "korea", "")
		r := e.run(t, "", false)
		if r.Briefing == nil || r.Briefing.Topic != "korea" || len(r.Briefing.Stories) == 0 {
			t.Errorf("/brief in the channel = %+v, want korea's briefing", r)
		}
	})
	t.Run("subscribing gives it the default schedule", func(t *testing.T) {
		e := newRouter(t)
		configChannel(t, e, "korea", "")
		want := "Updated: this channel gets `korea` daily at 08:00 (Asia/Seoul). Next briefing: Tue 3 Jun 08:00 KST. " +
			"Note: this subscription is also in briefbot's config file, which wins at the next restart."
		if r := e.run(t, "subscribe korea", true); r.Text != want {
			t.Errorf("got:  %q\nwant: %q", r.Text, want)
		}
	})
}
