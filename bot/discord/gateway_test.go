package discord_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
	"github.com/briefbot/briefbot/internal/fakediscord"
)

// memStore is the router's store in memory.
type memStore struct {
	mu   sync.Mutex
	subs []store.Subscription
}

func (m *memStore) Topics(context.Context) ([]store.Topic, error) {
	return []store.Topic{{Name: "korea", Query: "korea OR pyongyang"}, {Name: "iran", Query: "iran"}}, nil
}

func (m *memStore) Subscriptions(context.Context) ([]store.Subscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.subs), nil
}

func (m *memStore) PutSubscription(_ context.Context, s store.Subscription) (store.Subscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s.ID = int64(len(m.subs) + 1)
	m.subs = append(m.subs, s)
	return s, nil
}

func (m *memStore) DeleteSubscription(_ context.Context, platform, channelID, topic string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.subs = slices.DeleteFunc(m.subs, func(s store.Subscription) bool {
		return s.Platform == platform && s.ChannelID == channelID && s.Topic == topic
	})
	return nil
}

// koreaBriefer briefs korea with sampleBriefing and finds nothing else.
type koreaBriefer struct{}

func (koreaBriefer) Brief(_ context.Context, topic string, from, to time.Time, _ int) (briefing.Briefing, error) {
	if !strings.EqualFold(topic, "korea") {
		return briefing.Briefing{Topic: topic, From: from, To: to}, nil
	}
	return sampleBriefing(), nil
}

// newRouter is the real router over memory.
func newRouter(t *testing.T) (*bot.Router, *memStore) {
	t.Helper()
	st := &memStore{}
	r, err := bot.NewRouter(bot.RouterConfig{Store: st, Briefer: koreaBriefer{}})
	if err != nil {
		t.Fatal(err)
	}
	return r, st
}

// checkKoreaBriefing checks the public answer to /brief now topic:korea.
func checkKoreaBriefing(t *testing.T, m *fakediscord.Message) {
	t.Helper()
	if m == nil {
		t.Fatal("no answer message")
	}
	if m.Ephemeral() {
		t.Error("the briefing is ephemeral; it is for the channel")
	}
	text := embedText(m.Embeds) + m.Content
	if len(m.Embeds) == 0 || !strings.Contains(text, "Talks resume in Panmunjom") {
		t.Errorf("the answer lacks the briefing's embeds: content %q, embeds %q", m.Content, text)
	}
	checkNoLiveMentions(t, *m)
}

func TestABriefNowInteractionOverTheGatewayIsAnsweredWithTheBriefing(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	router, _ := newRouter(t)
	m, reg := newMetrics()
	b := newBot(t, srv, router, botOptions{metrics: m})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	srv.WaitFor(t, "a ready gateway session and /brief registered", func() bool {
		return srv.Connected() == 1 && len(srv.Commands()) == 1
	})

	ids := srv.Identifies()
	if len(ids) != 1 || ids[0].Intents != discordgo.IntentsGuilds || ids[0].Token != "Bot test-token" || ids[0].Shard != nil {
		t.Fatalf("identify = %+v, want the guilds intent only and no sharding", ids)
	}
	checkBriefCommand(t, srv.Commands()[0])

	id, err := srv.SendInteraction(fakediscord.Command("brief", "now", "topic", "korea"))
	if err != nil {
		t.Fatal(err)
	}
	r := answered(t, srv, id, nil)
	if r.CallbackType != discordgo.InteractionResponseChannelMessageWithSource {
		t.Errorf("answer type = %d, want 4 (a fast answer)", r.CallbackType)
	}
	checkKoreaBriefing(t, r.Original)
	cancel() // Run returns once the answer is complete
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := counter(t, reg, "briefbot_briefings_posted_total", map[string]string{"platform": "discord", "kind": "command"}); n != 1 {
		t.Errorf("briefings_posted{command} = %v, want 1", n)
	}
}

func TestTextAnswersArePrivate(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	router, _ := newRouter(t)
	b := newBot(t, srv, router, botOptions{})
	runGateway(t, srv, b)
	for _, sub := range []string{"help", "topics", "schedule"} {
		id, err := srv.SendInteraction(fakediscord.Command("brief", sub))
		if err != nil {
			t.Fatal(err)
		}
		r := answered(t, srv, id, nil)
		if r.Original == nil || !r.Original.Ephemeral() || r.Original.Content == "" || len(r.Original.Content) > 2000 {
			t.Errorf("/brief %s answer = %+v, want private text", sub, r.Original)
			continue
		}
		checkNoLiveMentions(t, *r.Original)
	}
}

func TestOnlyMembersWhoManageTheChannelMaySubscribe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		perms int64
		admin bool
	}{
		{"a reader may not", discordgo.PermissionViewChannel | discordgo.PermissionSendMessages, false},
		{"a member with Manage Channels may", discordgo.PermissionSendMessages | discordgo.PermissionManageChannels, true},
		{"an administrator may", discordgo.PermissionAdministrator, true},
	}
	srv := fakediscord.New(t)
	h := newTestHandler()
	b := newBot(t, srv, h, botOptions{})
	runGateway(t, srv, b)
	for _, tt := range tests {
		i := fakediscord.Command("brief", "subscribe", "topic", "korea", "schedule", "08:00", "timezone", "Asia/Seoul")
		i.Member.Permissions = tt.perms
		id, err := srv.SendInteraction(i)
		if err != nil {
			t.Fatal(err)
		}
		answered(t, srv, id, nil)
		reqs := h.got()
		got := reqs[len(reqs)-1]
		want := bot.Request{
			Platform: "discord", ChannelID: fakediscord.DefaultChannelID, UserID: fakediscord.DefaultUserID,
			UserName: "reader", IsAdmin: tt.admin, Command: "subscribe", Topic: "korea", Schedule: "08:00",
			Timezone: "Asia/Seoul",
		}
		if got != want {
			t.Errorf("%s: request = %+v, want %+v", tt.name, got, want)
		}
	}
}

func TestTheRealRouterRefusesASubscriptionFromAReader(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	router, st := newRouter(t)
	b := newBot(t, srv, router, botOptions{})
	runGateway(t, srv, b)

	reader := fakediscord.Command("brief", "subscribe", "topic", "korea")
	id, _ := srv.SendInteraction(reader)
	r := answered(t, srv, id, nil)
	if r.Original == nil || !r.Original.Ephemeral() {
		t.Fatalf("answer = %+v, want a private refusal", r.Original)
	}
	if subs, _ := st.Subscriptions(context.Background()); len(subs) != 0 {
		t.Fatalf("a reader subscribed the channel: %+v", subs)
	}

	admin := fakediscord.Command("brief", "subscribe", "topic", "korea")
	admin.Member.Permissions |= discordgo.PermissionManageChannels
	id, _ = srv.SendInteraction(admin)
	answered(t, srv, id, nil)
	subs, _ := st.Subscriptions(context.Background())
	if len(subs) != 1 || subs[0].Platform != "discord" || subs[0].ChannelID != fakediscord.DefaultChannelID || subs[0].Topic != "korea" {
		t.Fatalf("subscriptions = %+v, want korea for the channel", subs)
	}
}

func TestAutocompleteOffersTopicsAndTimeZones(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	b := newBot(t, srv, newTestHandler(), botOptions{})
	runGateway(t, srv, b)
	tests := []struct {
		interaction *discordgo.Interaction
		want        []string
	}{
		{fakediscord.Autocomplete("brief", "now", "topic", "topic", "ko"), []string{"korea", "kosovo"}},
		{fakediscord.Autocomplete("brief", "subscribe", "timezone", "topic", "korea", "timezone", "Asia/"), []string{"Asia/Seoul", "Asia/Tokyo"}},
		{fakediscord.Autocomplete("brief", "now", "topic", "topic", "zz"), nil},
	}
	for _, tt := range tests {
		id, err := srv.SendInteraction(tt.interaction)
		if err != nil {
			t.Fatal(err)
		}
		r := answered(t, srv, id, nil)
		if r.CallbackType != discordgo.InteractionApplicationCommandAutocompleteResult {
			t.Errorf("answer type %d, want 8", r.CallbackType)
		}
		var got []string
		for _, c := range r.Choices {
			if c.Name != c.Value {
				t.Errorf("choice %+v: name and value differ", c)
			}
			got = append(got, c.Name)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("choices = %q, want %q", got, tt.want)
		}
		if !strings.Contains(string(r.Callback), `"choices":[`) {
			t.Errorf("the answer lacks a choices list: %s", r.Callback)
		}
	}
}

func TestASlowBriefingIsDeferredThenEditedIn(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	h := newTestHandler()
	h.release = make(chan struct{})
	b := newBot(t, srv, h, botOptions{deferAfter: 20 * time.Millisecond})
	runGateway(t, srv, b)

	id, _ := srv.SendInteraction(fakediscord.Command("brief", "now", "topic", "korea"))
	r := answered(t, srv, id, nil)
	if r.CallbackType != discordgo.InteractionResponseDeferredChannelMessageWithSource || r.Original == nil || !r.Original.Deferred {
		t.Fatalf("first answer = %+v, want a deferred placeholder (type 5)", r)
	}
	if r.Original.Ephemeral() {
		t.Error("the placeholder of a briefing is private; the briefing is for the channel")
	}
	close(h.release)
	r = answered(t, srv, id, func(r fakediscord.InteractionReply) bool { return r.Original != nil && !r.Original.Deferred })
	checkKoreaBriefing(t, r.Original)
	if len(r.Followups) != 0 {
		t.Errorf("%d follow-ups, want the answer as the edit alone", len(r.Followups))
	}
}

func TestASlowPrivateAnswerIsDeferredPrivately(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	h := newTestHandler()
	h.release = make(chan struct{})
	b := newBot(t, srv, h, botOptions{deferAfter: 20 * time.Millisecond})
	runGateway(t, srv, b)

	id, _ := srv.SendInteraction(fakediscord.Command("brief", "topics"))
	r := answered(t, srv, id, nil)
	if !strings.Contains(string(r.Callback), `"flags":64`) || r.Original == nil || !r.Original.Ephemeral() {
		t.Fatalf("first answer = %s, want a deferred answer with the ephemeral flag", r.Callback)
	}
	close(h.release)
	r = answered(t, srv, id, func(r fakediscord.InteractionReply) bool { return r.Original != nil && !r.Original.Deferred })
	if r.Original.Content != "Topics: korea, iran" || !r.Original.Ephemeral() {
		t.Errorf("answer = %+v", r.Original)
	}
}

func TestASlowBriefingThatEndsInAPrivateErrorReplacesThePublicPlaceholder(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	h := newTestHandler()
	h.release = make(chan struct{})
	h.setReply(bot.CommandNow, bot.Reply{Ephemeral: true, Text: "Nothing found for `lavrov` in the last 24 hours."})
	b := newBot(t, srv, h, botOptions{deferAfter: 20 * time.Millisecond})
	runGateway(t, srv, b)

	id, _ := srv.SendInteraction(fakediscord.Command("brief", "now", "topic", "lavrov"))
	answered(t, srv, id, nil)
	close(h.release)
	r := answered(t, srv, id, func(r fakediscord.InteractionReply) bool { return r.Original == nil && len(r.Followups) == 1 })
	f := r.Followups[0]
	if !f.Ephemeral() || !strings.Contains(f.Content, "lavrov") {
		t.Errorf("follow-up = %+v, want the private error", f)
	}
	for _, m := range srv.Messages()[fakediscord.DefaultChannelID] {
		if !m.Ephemeral() {
			t.Errorf("the channel keeps a public message: %+v", m)
		}
	}
}

func TestABriefingTooLongForOneMessageContinuesInFollowUps(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	h := newTestHandler()
	big := bigBriefing(12)
	h.setReply(bot.CommandNow, bot.Reply{Briefing: &big})
	b := newBot(t, srv, h, botOptions{})
	runGateway(t, srv, b)

	want := len(renderMessages(big))
	id, _ := srv.SendInteraction(fakediscord.Command("brief", "now", "topic", "korea"))
	r := answered(t, srv, id, func(r fakediscord.InteractionReply) bool { return len(r.Followups) == want-1 })
	if r.CallbackType != discordgo.InteractionResponseChannelMessageWithSource {
		t.Errorf("answer type %d, want 4", r.CallbackType)
	}
	for _, m := range append([]fakediscord.Message{*r.Original}, r.Followups...) {
		if m.Ephemeral() {
			t.Errorf("message %s is private", m.ID)
		}
		checkNoLiveMentions(t, m)
	}
}

func TestTheGatewayIsResumedAfterADroppedConnection(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	b := newBot(t, srv, newTestHandler(), botOptions{})
	runGateway(t, srv, b)
	srv.DropGateway()
	// Sent while the bot reconnects: Discord keeps it for the resumed session.
	id, err := srv.SendInteraction(fakediscord.Command("brief", "help"))
	if err != nil {
		t.Fatal(err)
	}
	srv.WaitFor(t, "the session to resume", func() bool { return srv.Resumes() >= 1 })
	if r := answered(t, srv, id, nil); r.Original == nil || r.Original.Content == "" {
		t.Errorf("answer after the resume = %+v", r)
	}
}

func TestShardingIsPassedToTheGateway(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	b := newBot(t, srv, newTestHandler(), botOptions{shardID: 1, shardCount: 2})
	runGateway(t, srv, b)
	ids := srv.Identifies()
	if len(ids) != 1 || ids[0].Shard == nil || *ids[0].Shard != [2]int{1, 2} {
		t.Fatalf("identify = %+v, want shard [1, 2]", ids)
	}
}

func TestRunClosesTheGatewayWhenItsContextEnds(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	b := newBot(t, srv, newTestHandler(), botOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	srv.WaitFor(t, "a gateway session", func() bool { return srv.Connected() == 1 })
	// discordgo marks the session ready after its first heartbeat and tells no one: poll.
	eventually(t, "GatewayConnected", b.GatewayConnected)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return")
	}
	srv.WaitFor(t, "the gateway connection to close", func() bool { return srv.Connected() == 0 })
	if b.GatewayConnected() {
		t.Error("GatewayConnected after Run returned")
	}
}

func TestARateLimitedFollowUpIsSentAfterTheWait(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	h := newTestHandler()
	big := bigBriefing(12)
	h.setReply(bot.CommandNow, bot.Reply{Briefing: &big})
	b := newBot(t, srv, h, botOptions{})
	runGateway(t, srv, b)
	srv.FailNext(fakediscord.RouteFollowup, http.StatusTooManyRequests, 100*time.Millisecond, 1)

	want := len(renderMessages(big))
	id, _ := srv.SendInteraction(fakediscord.Command("brief", "now", "topic", "korea"))
	r := answered(t, srv, id, func(r fakediscord.InteractionReply) bool { return len(r.Followups) == want-1 })
	if n := len(srv.RequestsTo(fakediscord.RouteFollowup)); n != want {
		t.Errorf("%d follow-up requests, want %d (one refused with 429, then each sent once)", n, want)
	}
	if r.Original == nil {
		t.Error("no answer")
	}
}
