package fakeslack_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/briefbot/briefbot/internal/fakeslack"
)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestPostMessageIsRecordedAndListedInHistoryWithMetadata(t *testing.T) {
	fs := fakeslack.New(t)
	api := slack.New("xoxb-test", slack.OptionAPIURL(fs.URL()))
	meta := slack.SlackMetadata{EventType: "briefbot_briefing", EventPayload: map[string]any{"key": "s1-20250602T0800"}}
	blocks := []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "*hello* &lt;world&gt;", false, false), nil, nil)}
	_, ts, err := api.PostMessageContext(testContext(t), "C1",
		slack.MsgOptionText("hello", false), slack.MsgOptionBlocks(blocks...), slack.MsgOptionMetadata(meta))
	if err != nil {
		t.Fatal(err)
	}
	posts := fs.Posts()
	if len(posts) != 1 {
		t.Fatalf("posts = %d, want 1", len(posts))
	}
	p := posts[0]
	if p.TS != ts || p.Channel != "C1" || p.Text != "hello" || p.Metadata == nil || p.Metadata.EventPayload["key"] != "s1-20250602T0800" {
		t.Errorf("post = %+v (ts %s)", p, ts)
	}
	if texts := p.Texts(); len(texts) != 2 || texts[1] != "*hello* &lt;world&gt;" {
		t.Errorf("texts = %q", texts)
	}

	hist, err := api.GetConversationHistoryContext(testContext(t), &slack.GetConversationHistoryParameters{ChannelID: "C1", IncludeAllMetadata: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist.Messages) != 1 || hist.Messages[0].Metadata.EventType != "briefbot_briefing" || hist.Messages[0].Timestamp != ts {
		t.Errorf("history = %+v", hist.Messages)
	}
	plain, err := api.GetConversationHistoryContext(testContext(t), &slack.GetConversationHistoryParameters{ChannelID: "C1"})
	if err != nil {
		t.Fatal(err)
	}
	if plain.Messages[0].Metadata.EventType != "" {
		t.Errorf("history without include_all_metadata carries metadata %+v", plain.Messages[0].Metadata)
	}
}

func TestInjectedFailuresReachTheClientAsSlackGoErrors(t *testing.T) {
	fs := fakeslack.New(t)
	api := slack.New("xoxb-test", slack.OptionAPIURL(fs.URL()))
	fs.FailNext("chat.postMessage", http.StatusTooManyRequests, 1500*time.Millisecond, 1)
	fs.FailNext("chat.postMessage", http.StatusBadGateway, 0, 1)
	fs.FailNextError("chat.postMessage", "not_in_channel", 1)

	_, _, err := api.PostMessageContext(testContext(t), "C1", slack.MsgOptionText("x", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
		t.Errorf("first call: %v, want a RateLimitedError with RetryAfter 2s", err)
	}
	_, _, err = api.PostMessageContext(testContext(t), "C1", slack.MsgOptionText("x", false))
	var sc slack.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != http.StatusBadGateway {
		t.Errorf("second call: %v, want StatusCodeError 502", err)
	}
	_, _, err = api.PostMessageContext(testContext(t), "C1", slack.MsgOptionText("x", false))
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != "not_in_channel" {
		t.Errorf("third call: %v, want not_in_channel", err)
	}
	if _, _, err = api.PostMessageContext(testContext(t), "C1", slack.MsgOptionText("x", false)); err != nil {
		t.Errorf("fourth call: %v, want success once the failures are used up", err)
	}
	if got := len(fs.Calls("chat.postMessage")); got != 4 {
		t.Errorf("recorded %d calls, want 4", got)
	}
	if got := len(fs.Posts()); got != 1 {
		t.Errorf("recorded %d posts, want 1 (failed calls are not posts)", got)
	}
}

func TestUsersInfoAndAuthTest(t *testing.T) {
	fs := fakeslack.New(t)
	fs.AddUser(slack.User{ID: "U1", Name: "ed", IsAdmin: true})
	api := slack.New("xoxb-test", slack.OptionAPIURL(fs.URL()))
	u, err := api.GetUserInfoContext(testContext(t), "U1")
	if err != nil || !u.IsAdmin {
		t.Errorf("users.info = %+v, %v", u, err)
	}
	if _, err := api.GetUserInfoContext(testContext(t), "U404"); err == nil || !strings.Contains(err.Error(), "user_not_found") {
		t.Errorf("unknown user: %v", err)
	}
	auth, err := api.AuthTestContext(testContext(t))
	if err != nil || auth.UserID != fakeslack.BotUserID || auth.TeamID != fakeslack.TeamID {
		t.Errorf("auth.test = %+v, %v", auth, err)
	}
	if got := fs.Calls("auth.test")[0].Form.Get("token"); got != "xoxb-test" {
		t.Errorf("auth.test token = %q", got)
	}
}

func TestSocketModeDeliversSlashCommandsAndReadsAcksAcrossReconnects(t *testing.T) {
	fs := fakeslack.New(t)
	api := slack.New("xoxb-test", slack.OptionAPIURL(fs.URL()), slack.OptionAppLevelToken("xapp-test"))
	client := socketmode.New(api)
	ctx, cancel := context.WithCancel(testContext(t))
	done := make(chan error, 1)
	go func() { done <- client.RunContext(ctx) }()
	go func() {
		for evt := range client.Events {
			if evt.Type == socketmode.EventTypeSlashCommand {
				cmd := evt.Data.(slack.SlashCommand)
				_ = client.Ack(*evt.Request, map[string]any{"text": "got " + cmd.Text})
			}
		}
	}()

	for i, text := range []string{"korea", "lavrov 3d"} {
		env, err := fs.SendSlashCommand(ctx, fs.SlashCommand(text))
		if err != nil {
			t.Fatal(err)
		}
		ack, err := fs.WaitAck(ctx, env)
		if err != nil {
			t.Fatal(err)
		}
		resp, ok := ack.Response()
		if !ok || resp.Text != "got "+text {
			t.Errorf("ack %d = %s", i, ack.Payload)
		}
		if i == 0 {
			fs.DropConnections()
			if err := fs.WaitConnected(ctx, 2); err != nil {
				t.Fatalf("the client did not reconnect: %v", err)
			}
		}
	}
	if got := fs.Calls("apps.connections.open"); len(got) < 2 || got[0].Header.Get("Authorization") != "Bearer xapp-test" {
		t.Errorf("apps.connections.open calls = %d", len(got))
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("RunContext = %v", err)
	}
}

func TestNewCommandRequestIsSignedAsSlackSignsIt(t *testing.T) {
	fs := fakeslack.New(t)
	cmd := fs.SlashCommand("korea")
	req := fakeslack.NewCommandRequest("http://bot/slack/commands", "s3cret", cmd, time.Now())
	v, err := slack.NewSecretsVerifier(req.Header, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := slack.SlashCommandParse(req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Write([]byte(fakeslack.CommandForm(cmd).Encode())); err != nil {
		t.Fatal(err)
	}
	if err := v.Ensure(); err != nil {
		t.Errorf("signature: %v", err)
	}
	if parsed.Text != "korea" || parsed.ResponseURL != fs.ResponseURL(cmd.TriggerID) {
		t.Errorf("parsed = %+v", parsed)
	}
}
