package bot_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/console"
	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
	"github.com/briefbot/briefbot/internal/fakediscord"
	"github.com/briefbot/briefbot/internal/fakeslack"
)

// The real Slack and Discord adapters against the fake platforms: 429s, 5xx, connections dropped
// before the request is answered and after the post was made. Every slot ends as exactly one
// message in its channel.
func TestSchedulerDeliversThroughSlackAndDiscordExactlyOnce(t *testing.T) {
	const perPlatform = 8
	slot := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
	clock := bot.NewTestClock(slot.Add(-time.Hour), true)
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "briefbot.db"), store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	briefer := &storyBriefer{}

	fs := fakeslack.New(t)
	slackDrops := &dropAfterAnswer{base: http.DefaultTransport, path: "/chat.postMessage", n: 2}
	slackBot, err := slack.New(slack.Config{Mode: slack.ModeHTTP, SigningSecret: "secret", BotToken: "xoxb-test",
		APIURL: fs.URL(), HTTPClient: &http.Client{Transport: slackDrops, Timeout: 10 * time.Second}}, nil)
	if err != nil {
		t.Fatal(err)
	}

	fd := fakediscord.New(t)
	router, err := bot.NewRouter(bot.RouterConfig{Store: st, Briefer: briefer})
	if err != nil {
		t.Fatal(err)
	}
	discordDrops := &dropAfterAnswer{base: http.DefaultTransport, path: "/messages", n: 2}
	discordBot, err := discord.New(discord.Config{Token: "test-token", ApplicationID: fd.ApplicationID(),
		APIURL: fd.APIURL(), HTTPClient: &http.Client{Transport: discordDrops, Timeout: 10 * time.Second}}, router)
	if err != nil {
		t.Fatal(err)
	}

	slackChannels, discordChannels := map[string]bool{}, map[string]bool{}
	for i := range perPlatform {
		for _, sub := range []store.Subscription{
			{Platform: "slack", ChannelID: fmt.Sprintf("C%08d", i)},
			{Platform: "discord", ChannelID: fmt.Sprintf("3000000000000000%02d", i)},
		} {
			// 17:00 in Seoul is the slot, 08:00 UTC.
			sub.Topic, sub.Schedule, sub.Timezone, sub.Stories, sub.CreatedAt = "korea", "17:00", "Asia/Seoul", 3, clock.Now()
			if _, err := st.PutSubscription(context.Background(), sub); err != nil {
				t.Fatal(err)
			}
			if sub.Platform == "slack" {
				slackChannels[sub.ChannelID] = true
			} else {
				discordChannels[sub.ChannelID] = true
			}
		}
	}

	fs.FailNext("chat.postMessage", http.StatusTooManyRequests, time.Second, 2)
	fs.FailNext("chat.postMessage", http.StatusServiceUnavailable, 0, 2)
	fd.FailNext(fakediscord.RouteCreateMessage, http.StatusTooManyRequests, 300*time.Millisecond, 1)
	fd.FailNext(fakediscord.RouteCreateMessage, http.StatusInternalServerError, 0, 1)
	fd.FailNext(fakediscord.RouteCreateMessage, fakediscord.DropConnection, 0, 2)

	s := bot.NewScheduler(bot.SchedulerOptions{Store: st, Briefer: briefer,
		Posters: map[string]bot.Poster{"slack": slackBot, "discord": discordBot}, Clock: clock,
		ReplicaID: "replica-a", Grace: bot.DefaultGrace, Workers: 3})
	t.Cleanup(func() { s.Close() })
	if _, err := s.Tick(context.Background(), slot.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	clock.Set(slot)
	ctx, cancel := bot.HangContext(t)
	defer cancel()
	res, err := s.Tick(ctx, slot)
	if err != nil {
		t.Fatal(err)
	}
	if res.Delivered != 2*perPlatform {
		t.Fatalf("Tick = %+v, want all %d slots delivered", res, 2*perPlatform)
	}
	if slackDrops.dropped() != 2 || discordDrops.dropped() != 2 {
		t.Errorf("connections dropped after the post: slack %d, discord %d; want 2 each", slackDrops.dropped(), discordDrops.dropped())
	}

	perChannel := map[string]int{}
	for _, p := range fs.Posts() {
		if !slackChannels[p.Channel] {
			t.Errorf("a Slack post went to %s", p.Channel)
		}
		if texts := strings.Join(p.Texts(), "\n"); strings.Contains(texts, "late") {
			t.Errorf("an on-time Slack post says it is late: %q", texts)
		}
		perChannel[p.Channel]++
	}
	for ch, msgs := range fd.Messages() {
		if !discordChannels[ch] {
			t.Errorf("a Discord message went to %s", ch)
		}
		for _, m := range msgs {
			if strings.Contains(m.Content, "late") {
				t.Errorf("an on-time Discord message says it is late: %q", m.Content)
			}
		}
		perChannel[ch] += len(msgs)
	}
	for ch := range slackChannels {
		if perChannel[ch] != 1 {
			t.Errorf("Slack channel %s has %d messages, want exactly 1", ch, perChannel[ch])
		}
	}
	for ch := range discordChannels {
		if perChannel[ch] != 1 {
			t.Errorf("Discord channel %s has %d messages, want exactly 1", ch, perChannel[ch])
		}
	}

	subs, err := st.Subscriptions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, sub := range subs {
		rows, err := st.Slots(context.Background(), sub.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].State != store.SlotDelivered || rows[0].MessageID == "" {
			t.Errorf("%s %s: ledger = %+v", sub.Platform, sub.ChannelID, rows)
		}
	}
	if n := len(fs.Calls("conversations.history")); n == 0 {
		t.Errorf("no Slack post was retried with the duplicate guard")
	}
}

// A slot delivered late after downtime says so to the readers of every platform, with the time it
// was scheduled for: in a Slack context line (a date token, with the channel's time as its
// fallback) and the notification text, in the Discord message's content (a <t:…> timestamp), and
// under the console briefing's heading.
func TestSchedulerLateSlotSaysSoOnEveryPlatform(t *testing.T) {
	slot := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC) // 17:00 in Seoul
	restart := slot.Add(2 * time.Hour)
	clock := bot.NewTestClock(restart, true)
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "briefbot.db"), store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	briefer := &storyBriefer{}

	fs := fakeslack.New(t)
	slackBot, err := slack.New(slack.Config{Mode: slack.ModeHTTP, SigningSecret: "secret", BotToken: "xoxb-test",
		APIURL: fs.URL()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	fd := fakediscord.New(t)
	router, err := bot.NewRouter(bot.RouterConfig{Store: st, Briefer: briefer})
	if err != nil {
		t.Fatal(err)
	}
	discordBot, err := discord.New(discord.Config{Token: "test-token", ApplicationID: fd.ApplicationID(),
		APIURL: fd.APIURL()}, router)
	if err != nil {
		t.Fatal(err)
	}
	var terminal bytes.Buffer
	consolePoster := console.NewPoster(&terminal, console.RenderOptions{})

	for _, sub := range []store.Subscription{
		{Platform: "slack", ChannelID: "C00000001"},
		{Platform: "discord", ChannelID: "300000000000000001"},
		{Platform: "console", ChannelID: "korea-desk"},
	} {
		sub.Topic, sub.Schedule, sub.Timezone, sub.Stories = "korea", "17:00", "Asia/Seoul", 3
		sub.CreatedAt = slot.Add(-12 * time.Hour)
		if _, err := st.PutSubscription(context.Background(), sub); err != nil {
			t.Fatal(err)
		}
	}

	posters := map[string]bot.Poster{"slack": slackBot, "discord": discordBot, "console": consolePoster}
	s := bot.NewScheduler(bot.SchedulerOptions{Store: st, Briefer: briefer, Posters: posters, Clock: clock,
		ReplicaID: "replica-a", Grace: bot.DefaultGrace, Workers: 3})
	t.Cleanup(func() { s.Close() })
	ctx, cancel := bot.HangContext(t)
	defer cancel()
	res, err := s.Tick(ctx, restart)
	if err != nil {
		t.Fatal(err)
	}
	if res.Delivered != 3 {
		t.Fatalf("Tick = %+v, want the three missed slots delivered late", res)
	}

	posts := fs.Posts()
	if len(posts) != 1 {
		t.Fatalf("%d Slack posts, want 1", len(posts))
	}
	unix := strconv.FormatInt(slot.Unix(), 10)
	wantSlack := "Scheduled for <!date^" + unix + "^{date_short_pretty} {time}|Mon 2 Jun 17:00 KST>, delivered late"
	if texts := posts[0].Texts(); !slices.Contains(texts, wantSlack) {
		t.Errorf("the Slack post says %q, want a line %q", texts, wantSlack)
	}
	if !strings.HasPrefix(posts[0].Text, "Briefing: korea (delivered late): ") {
		t.Errorf("the Slack notification text is %q", posts[0].Text)
	}

	msgs := fd.Messages()["300000000000000001"]
	if len(msgs) != 1 {
		t.Fatalf("%d Discord messages, want 1", len(msgs))
	}
	if want := "\n-# Scheduled for <t:" + unix + ":f>, delivered late"; !strings.HasSuffix(msgs[0].Content, want) {
		t.Errorf("the Discord message's content is %q, want it to end in %q", msgs[0].Content, want)
	}

	lines := strings.Split(terminal.String(), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "── console-1 · korea-desk · late ─") ||
		lines[2] != "Scheduled for Mon 2 Jun 17:00 KST, delivered late." {
		t.Errorf("the console shows:\n%s", terminal.String())
	}
}

// storyBriefer makes a one-story briefing without the store, for /brief and for slots.
type storyBriefer struct{}

func (b storyBriefer) BriefSlot(ctx context.Context, topic string, w bot.SlotWindow, stories int) (briefing.Briefing, error) {
	return b.Brief(ctx, topic, w.SeenFrom, w.To, stories)
}

func (storyBriefer) Brief(ctx context.Context, topic string, from, to time.Time, stories int) (briefing.Briefing, error) {
	return briefing.Briefing{Topic: topic, From: from, To: to, Stories: []briefing.Story{{
		Headline: "Talks resume", Lede: "Envoys met again on " + to.Format("2 January") + ".",
		URL: "https://news.example/talks", Sources: []briefing.SourceRef{{Name: "Example News", URL: "https://news.example/talks"}},
		Quotes: []briefing.StoryQuote{{Text: "We are ready to talk", Speaker: "A. Diplomat"}},
	}}}, nil
}

// dropAfterAnswer lets the first n requests whose path ends in path reach the server, then
// throws the answer away and reports a reset connection: the post was made, the client cannot
// know it.
type dropAfterAnswer struct {
	base http.RoundTripper
	path string
	mu   sync.Mutex
	n    int
	done int
}

func (d *dropAfterAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.base.RoundTrip(r)
	if err != nil || !strings.HasSuffix(r.URL.Path, d.path) || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	d.mu.Lock()
	drop := d.done < d.n
	if drop {
		d.done++
	}
	d.mu.Unlock()
	if !drop {
		return resp, nil
	}
	resp.Body.Close()
	return nil, errors.New("read tcp 127.0.0.1:1234: connection reset by peer")
}

func (d *dropAfterAnswer) dropped() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.done
}
