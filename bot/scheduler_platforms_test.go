package bot_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
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
		perChannel[p.Channel]++
	}
	for ch, msgs := range fd.Messages() {
		if !discordChannels[ch] {
			t.Errorf("a Discord message went to %s", ch)
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
