package fakediscord_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/internal/fakediscord"
)

// newSession returns a discordgo session that talks to srv.
func newSession(t *testing.T, srv *fakediscord.Server) *discordgo.Session {
	t.Helper()
	s, err := discordgo.New("Bot test-token")
	if err != nil {
		t.Fatal(err)
	}
	s.Client = srv.Client()
	s.ShouldRetryOnRateLimit = false
	s.StateEnabled = false
	s.LogLevel = -1
	return s
}

func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

func TestAMessageWithAnEnforcedNonceIsPostedOnceWhenSentTwice(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	s := newSession(t, srv)
	body := map[string]any{
		"content": "@everyone morning briefing", "allowed_mentions": noMentions(),
		"nonce": "slot-42.0", "enforce_nonce": true,
	}
	var ids []string
	for range 2 {
		raw, err := s.RequestWithBucketID("POST", discordgo.EndpointChannelMessages("C1"), body, discordgo.EndpointChannelMessages("C1"))
		if err != nil {
			t.Fatalf("post: %v", err)
		}
		var m discordgo.Message
		if err := discordgo.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	if ids[0] != ids[1] {
		t.Errorf("the repeated nonce made message %s after %s; want the original back", ids[1], ids[0])
	}
	msgs := srv.Messages()["C1"]
	if len(msgs) != 1 {
		t.Fatalf("channel holds %d messages, want 1", len(msgs))
	}
	if m := msgs[0]; m.Nonce != "slot-42.0" || !m.EnforceNonce || !m.MentionsSuppressed() || m.Content != "@everyone morning briefing" {
		t.Errorf("stored message = %+v", m)
	}
}

func TestAMessageWithoutANonceIsPostedEachTime(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	s := newSession(t, srv)
	for range 2 {
		if _, err := s.ChannelMessageSendComplex("C1", &discordgo.MessageSend{Content: "hi"}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(srv.Messages()["C1"]); n != 2 {
		t.Errorf("channel holds %d messages, want 2", n)
	}
}

func TestInjectedFailuresReachTheClientAsDiscordWouldSendThem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		check  func(t *testing.T, err error)
	}{
		{"a 429 is a rate-limit error with the wait", http.StatusTooManyRequests, func(t *testing.T, err error) {
			var rl *discordgo.RateLimitError
			if !errors.As(err, &rl) || rl.RetryAfter != 1500*time.Millisecond {
				t.Errorf("err = %v, want a RateLimitError with RetryAfter 1.5s", err)
			}
		}},
		{"a 403 is Missing Access", http.StatusForbidden, func(t *testing.T, err error) {
			var re *discordgo.RESTError
			if !errors.As(err, &re) || re.Response.StatusCode != 403 || re.Message == nil || re.Message.Code != 50001 {
				t.Errorf("err = %v, want a RESTError 403 with code 50001", err)
			}
		}},
		{"a 500 is a server error", http.StatusInternalServerError, func(t *testing.T, err error) {
			var re *discordgo.RESTError
			if !errors.As(err, &re) || re.Response.StatusCode != 500 {
				t.Errorf("err = %v, want a RESTError 500", err)
			}
		}},
		{"a dropped connection is a network error", fakediscord.DropConnection, func(t *testing.T, err error) {
			var re *discordgo.RESTError
			if err == nil || errors.As(err, &re) {
				t.Errorf("err = %v, want a transport error", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fakediscord.New(t)
			s := newSession(t, srv)
			srv.FailNext(fakediscord.RouteCreateMessage, tt.status, 1500*time.Millisecond, 1)
			_, err := s.ChannelMessageSendComplex("C1", &discordgo.MessageSend{Content: "x"})
			tt.check(t, err)
			if n := len(srv.Messages()["C1"]); n != 0 {
				t.Errorf("a failed call posted %d messages", n)
			}
			reqs := srv.RequestsTo(fakediscord.RouteCreateMessage)
			if len(reqs) != 1 {
				t.Fatalf("recorded %d requests, want 1", len(reqs))
			}
			if tt.status > 0 && reqs[0].Status != tt.status {
				t.Errorf("recorded status %d, want %d", reqs[0].Status, tt.status)
			}
		})
	}
}

func TestA429CarriesDiscordsRateLimitHeaders(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	srv.FailNext("", http.StatusTooManyRequests, 2500*time.Millisecond, 1)
	resp, err := http.Post(srv.APIURL()+"v9/channels/C1/messages", "application/json", strings.NewReader(`{"content":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := map[string]string{"Retry-After": "3", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "2.500"}
	for k, v := range want {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestFailuresApplyOnlyToTheirRouteAndOnlyNTimes(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	s := newSession(t, srv)
	srv.FailNext(fakediscord.RouteCreateMessage, http.StatusServiceUnavailable, 0, 2)
	if _, err := s.User("@me"); err != nil {
		t.Fatalf("another route failed: %v", err)
	}
	for i := range 2 {
		if _, err := s.ChannelMessageSend("C1", "x"); err == nil {
			t.Fatalf("call %d succeeded, want 503", i+1)
		}
	}
	if _, err := s.ChannelMessageSend("C1", "x"); err != nil {
		t.Fatalf("third call failed: %v", err)
	}
}

func TestRESTCallsNeedABotToken(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t, fakediscord.WithToken("right"))
	s := newSession(t, srv)
	s.Token = "Bot wrong"
	_, err := s.User("@me")
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusUnauthorized {
		t.Fatalf("err = %v, want 401", err)
	}
	s.Token = "Bot right"
	u, err := s.User("@me")
	if err != nil || !u.Bot || u.ID != fakediscord.DefaultBotUserID {
		t.Fatalf("user = %+v, %v", u, err)
	}
}

func TestContentLongerThanDiscordAllowsIsRefused(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	s := newSession(t, srv)
	embeds := make([]*discordgo.MessageEmbed, 2)
	for i := range embeds {
		embeds[i] = &discordgo.MessageEmbed{Description: strings.Repeat("é", 3001)}
	}
	_, err := s.ChannelMessageSendComplex("C1", &discordgo.MessageSend{Embeds: embeds})
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusBadRequest || !strings.Contains(string(re.ResponseBody), "6000") {
		t.Fatalf("err = %v, want 400 for embeds over 6,000 characters", err)
	}
}

func TestBulkOverwriteReplacesTheCommandsOfItsScope(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	s := newSession(t, srv)
	perms := int64(discordgo.PermissionSendMessages)
	cmd := func(name string) *discordgo.ApplicationCommand {
		return &discordgo.ApplicationCommand{
			Name: name, Description: "d", DefaultMemberPermissions: &perms,
			Options: []*discordgo.ApplicationCommandOption{{
				Type: discordgo.ApplicationCommandOptionSubCommand, Name: "now", Description: "now",
				Options: []*discordgo.ApplicationCommandOption{
					{Type: discordgo.ApplicationCommandOptionString, Name: "topic", Description: "t", Required: true, Autocomplete: true},
				},
			}},
		}
	}
	app := srv.ApplicationID()
	if _, err := s.ApplicationCommandBulkOverwrite(app, "", []*discordgo.ApplicationCommand{cmd("old")}); err != nil {
		t.Fatal(err)
	}
	got, err := s.ApplicationCommandBulkOverwrite(app, "", []*discordgo.ApplicationCommand{cmd("brief")})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID == "" || got[0].ApplicationID != app {
		t.Errorf("answer = %+v", got)
	}
	if _, err := s.ApplicationCommandBulkOverwrite(app, "G1", []*discordgo.ApplicationCommand{cmd("brief")}); err != nil {
		t.Fatal(err)
	}
	cmds := srv.Commands()
	if len(cmds) != 2 || cmds[0].Name != "brief" || cmds[0].GuildID != "" || cmds[1].GuildID != "G1" {
		t.Fatalf("commands = %+v", cmds)
	}
	if p := cmds[0].DefaultMemberPermissions; p == nil || *p != perms {
		t.Errorf("default_member_permissions = %v, want %d", p, perms)
	}
}

func TestCommandsBreakingDiscordsRulesAreRefused(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	s := newSession(t, srv)
	bad := &discordgo.ApplicationCommand{
		Name: "brief", Description: "d",
		Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "window", Description: "w"},
			{Type: discordgo.ApplicationCommandOptionString, Name: "topic", Description: "t", Required: true},
		},
	}
	_, err := s.ApplicationCommandBulkOverwrite(srv.ApplicationID(), "", []*discordgo.ApplicationCommand{bad})
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusBadRequest {
		t.Fatalf("err = %v, want 400 for a required option after an optional one", err)
	}
	if len(srv.Commands()) != 0 {
		t.Error("refused commands were registered")
	}
}

// recordingTB captures Errorf so a test can check that the fake reports a bad body.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestABodyThatBreaksDiscordsAPIDescriptionFailsTheTest(t *testing.T) {
	t.Parallel()
	rec := &recordingTB{TB: t}
	srv := fakediscord.New(rec)
	if !srv.SpecLoaded() {
		t.Skip("../shared/specs/discord-openapi.json is absent: bodies are not validated")
	}
	s := newSession(t, srv)
	_, err := s.ChannelMessageSendComplex("C1", &discordgo.MessageSend{
		Embeds: []*discordgo.MessageEmbed{{Title: strings.Repeat("t", 257)}},
	})
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusBadRequest {
		t.Fatalf("err = %v, want 400 Invalid Form Body", err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "breaks Discord's API description") {
		t.Errorf("reported errors = %q", rec.errors)
	}
	if reqs := srv.RequestsTo(fakediscord.RouteCreateMessage); len(reqs) != 1 || reqs[0].SchemaError == "" {
		t.Errorf("the request does not record its schema error: %+v", reqs)
	}
}

func TestAnInteractionOverTheGatewayIsAnsweredOnceAndFollowedUp(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	s := newSession(t, srv)
	s.Identify.Intents = discordgo.IntentsGuilds
	got := make(chan *discordgo.Interaction, 1)
	s.AddHandler(func(_ *discordgo.Session, ic *discordgo.InteractionCreate) { got <- ic.Interaction })
	if err := s.Open(); err != nil {
		t.Fatalf("open: %v", err)
	}
	defer s.Close()
	srv.WaitFor(t, "a ready gateway session", func() bool { return srv.Connected() == 1 })
	if ids := srv.Identifies(); len(ids) != 1 || ids[0].Intents != discordgo.IntentsGuilds || ids[0].Token != "Bot test-token" {
		t.Fatalf("identifies = %+v", ids)
	}

	id, err := srv.SendInteraction(fakediscord.Command("brief", "now", "topic", "korea"))
	if err != nil {
		t.Fatal(err)
	}
	var in *discordgo.Interaction
	select {
	case in = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("no INTERACTION_CREATE reached the session")
	}
	data := in.ApplicationCommandData()
	if in.ID != id || data.Name != "brief" || data.Options[0].Name != "now" || data.Options[0].Options[0].StringValue() != "korea" {
		t.Fatalf("interaction = %+v, data %+v", in, data)
	}
	if in.Member.Permissions&discordgo.PermissionSendMessages == 0 {
		t.Error("the member lost its permissions on the way")
	}

	defer5 := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}}
	if err := s.InteractionRespond(in, defer5); err != nil {
		t.Fatalf("respond: %v", err)
	}
	if err := s.InteractionRespond(in, defer5); err == nil {
		t.Error("a second answer was accepted; Discord refuses it")
	}
	content := "Korea: 3 stories"
	if _, err := s.InteractionResponseEdit(in, &discordgo.WebhookEdit{Content: &content, AllowedMentions: noMentions()}); err != nil {
		t.Fatalf("edit: %v", err)
	}
	if _, err := s.FollowupMessageCreate(in, true, &discordgo.WebhookParams{Content: "more", AllowedMentions: noMentions()}); err != nil {
		t.Fatalf("follow-up: %v", err)
	}
	r := srv.Reply(id)
	if r.CallbackType != discordgo.InteractionResponseDeferredChannelMessageWithSource || r.Original == nil {
		t.Fatalf("reply = %+v", r)
	}
	if o := r.Original; o.Deferred || o.Content != content || !o.Ephemeral() || o.Edits != 1 || !o.MentionsSuppressed() {
		t.Errorf("original = %+v", o)
	}
	if len(r.Followups) != 1 || r.Followups[0].Content != "more" || r.Followups[0].Ephemeral() {
		t.Errorf("follow-ups = %+v", r.Followups)
	}
	if msgs := srv.Messages()[fakediscord.DefaultChannelID]; len(msgs) != 2 {
		t.Errorf("channel holds %d messages, want the answer and the follow-up", len(msgs))
	}
}

func TestADroppedGatewayIsResumedWithTheEventsItMissed(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	s := newSession(t, srv)
	got := make(chan string, 2)
	s.AddHandler(func(_ *discordgo.Session, ic *discordgo.InteractionCreate) { got <- ic.ID })
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	srv.WaitFor(t, "a ready gateway session", func() bool { return srv.Connected() == 1 })
	srv.DropGateway()
	// Sent while the client is away: like Discord, the fake replays it when the session resumes.
	id, err := srv.SendInteraction(fakediscord.Command("brief", "help"))
	if err != nil {
		t.Fatal(err)
	}
	srv.WaitFor(t, "the session to resume", func() bool { return srv.Resumes() >= 1 && srv.Connected() == 1 })
	select {
	case gotID := <-got:
		if gotID != id {
			t.Errorf("got interaction %s, want %s", gotID, id)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no interaction after the resume")
	}
	if n := len(srv.Identifies()); n != 1 {
		t.Errorf("identified %d times; a resume needs no new identify", n)
	}
}

func TestSendInteractionWithoutAGatewaySessionFails(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	if _, err := srv.SendInteraction(fakediscord.Command("brief", "help")); !errors.Is(err, fakediscord.ErrNoGateway) {
		t.Fatalf("err = %v, want ErrNoGateway", err)
	}
}

func TestFollowUpsNeedAnAnsweredInteraction(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	s := newSession(t, srv)
	in := fakediscord.Command("brief", "help")
	in.ID, in.Token, in.AppID = "1", "tok", srv.ApplicationID()
	_, err := s.FollowupMessageCreate(in, true, &discordgo.WebhookParams{Content: "x"})
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusNotFound {
		t.Fatalf("err = %v, want 404 Unknown Webhook", err)
	}
}

func TestPostInteractionSignsWithTheApplicationKey(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	key := mustKey(t, srv.PublicKey())
	endpoint := func(w http.ResponseWriter, r *http.Request) {
		if !discordgo.VerifyInteraction(r, key) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"type":4,"data":{"content":"pong","allowed_mentions":{"parse":[]},"flags":64}}`)
	}
	hs := newHTTPServer(t, endpoint)
	id, status, err := srv.PostInteraction(context.Background(), hs, fakediscord.Command("brief", "help"))
	if err != nil || status != http.StatusOK {
		t.Fatalf("status %d, err %v", status, err)
	}
	r := srv.Reply(id)
	if r.CallbackType != discordgo.InteractionResponseChannelMessageWithSource || r.Original == nil ||
		r.Original.Content != "pong" || !r.Original.Ephemeral() {
		t.Fatalf("reply = %+v", r)
	}
}
