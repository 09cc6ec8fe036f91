package slack_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/internal/fakeslack"
)

const signingSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// startSocketBot runs a socket-mode bot against the fake until the test ends.
func startSocketBot(t *testing.T, fs *fakeslack.Server, h slack.CommandHandler, cfg slack.Config, opts ...slack.Option) *slack.Bot {
	t.Helper()
	cfg.Mode, cfg.BotToken, cfg.AppToken, cfg.APIURL = slack.ModeSocket, "xoxb-test", "xapp-test", fs.URL()
	if cfg.Logger == nil {
		cfg.Logger = discardLogger()
	}
	b, err := slack.New(cfg, h, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run = %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("Run did not return after its context ended")
		}
		_ = b.Close()
	})
	return b
}

// newHTTPBot returns an http-mode bot against the fake.
func newHTTPBot(t *testing.T, fs *fakeslack.Server, h slack.CommandHandler, opts ...slack.Option) *slack.Bot {
	t.Helper()
	b, err := slack.New(slack.Config{Mode: slack.ModeHTTP, BotToken: "xoxb-test", SigningSecret: signingSecret,
		APIURL: fs.URL(), Logger: discardLogger()}, h, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// checkBriefingResponse checks an answer carrying a briefing: in the channel, rendered blocks,
// the topic's story, no live mention.
func checkBriefingResponse(t *testing.T, r fakeslack.Response, headline string) {
	t.Helper()
	if r.ResponseType != "in_channel" {
		t.Errorf("response_type = %q, want in_channel", r.ResponseType)
	}
	var blocks []map[string]any
	if err := json.Unmarshal(r.Blocks, &blocks); err != nil || len(blocks) < 2 {
		t.Fatalf("blocks = %s (%v)", r.Blocks, err)
	}
	if blocks[0]["type"] != "header" {
		t.Errorf("first block is %v, want the header", blocks[0]["type"])
	}
	all := strings.Join(r.Texts(), "\n")
	if !strings.Contains(all, headline) {
		t.Errorf("answer lacks the story %q:\n%s", headline, all)
	}
	if !strings.Contains(all, "&lt;!channel&gt;") {
		t.Errorf("the article's <!channel> is not shown escaped:\n%s", all)
	}
	checkNoLiveMentions(t, r.Texts())
}

func TestSocketModeAnswersBriefInlineWithTheBriefing(t *testing.T) {
	fs := fakeslack.New(t)
	h := &recordingHandler{next: newRouter(t)}
	startSocketBot(t, fs, h, slack.Config{})
	ctx := testContext(t)

	cmd := fs.SlashCommand("korea")
	env, err := fs.SendSlashCommand(ctx, cmd)
	if err != nil {
		t.Fatal(err)
	}
	ack, err := fs.WaitAck(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := ack.Response()
	if !ok {
		t.Fatalf("the ack carries no answer: %s", ack.Payload)
	}
	checkBriefingResponse(t, r, "Border talks resume as Koreas swap fishing crews")
	if got := fs.Responses(); len(got) != 0 {
		t.Errorf("%d follow-ups, want none: the whole answer fit in the ack", len(got))
	}
	reqs := h.requests()
	if len(reqs) != 1 || reqs[0].Platform != "slack" || reqs[0].ChannelID != cmd.ChannelID || reqs[0].UserID != cmd.UserID ||
		reqs[0].Command != bot.CommandNow || reqs[0].Topic != "korea" || reqs[0].IsAdmin {
		t.Errorf("handler got %+v", reqs)
	}
	if n := len(fs.Calls("users.info")); n != 0 {
		t.Errorf("%d users.info calls for a command that needs no admin", n)
	}
}

func TestSocketModeAnswersPrivatelyWhatIsNotABriefing(t *testing.T) {
	fs := fakeslack.New(t)
	startSocketBot(t, fs, newRouter(t), slack.Config{})
	ctx := testContext(t)
	tests := []struct {
		name, text string
		want       []string
	}{
		{"help", "help", []string{"/brief subscribe &lt;topic&gt; [cron|HH:MM] [timezone]"}},
		{"a malformed command gets the usage line", `"north korea`, []string{"A quotation mark is not closed."}},
		{"a bad window gets the usage line", "korea 0h", []string{"Usage: `/brief [topic] [window]`"}},
		{"a search with no match suggests a topic", "koreaa", []string{"Did you mean `korea`?"}},
		{"a mention typed into the command comes back escaped", "&lt;@U0BOSS&gt;", []string{"Nothing found for `&lt;@U0BOSS&gt;`"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := fs.SendSlashCommand(ctx, fs.SlashCommand(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			ack, err := fs.WaitAck(ctx, env)
			if err != nil {
				t.Fatal(err)
			}
			r, ok := ack.Response()
			if !ok || r.ResponseType != "ephemeral" || r.Blocks != nil {
				t.Fatalf("ack = %s, want a private text answer", ack.Payload)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.Text, w) {
					t.Errorf("answer %q lacks %q", r.Text, w)
				}
			}
			checkNoLiveMentions(t, r.Texts())
		})
	}
}

func TestSocketModeDefersASlowAnswerToTheResponseURL(t *testing.T) {
	fs := fakeslack.New(t)
	h := newGatedHandler(newRouter(t))
	startSocketBot(t, fs, h, slack.Config{}, slack.WithAckBudget(50*time.Millisecond))
	ctx := testContext(t)

	cmd := fs.SlashCommand("korea")
	env, err := fs.SendSlashCommand(ctx, cmd)
	if err != nil {
		t.Fatal(err)
	}
	<-h.started
	// The handler is still working: the ack must come anyway.
	ack, err := fs.WaitAck(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := ack.Response()
	if !ok || r.ResponseType != "ephemeral" || !strings.Contains(r.Text, "Working on it") {
		t.Errorf("ack = %s, want a private note", ack.Payload)
	}
	if len(fs.Responses()) != 0 {
		t.Fatal("a follow-up was sent before the answer was ready")
	}
	close(h.gate)
	resps, err := fs.WaitResponses(ctx, cmd.TriggerID, 1)
	if err != nil {
		t.Fatal(err)
	}
	checkBriefingResponse(t, resps[0], "Border talks resume as Koreas swap fishing crews")
}

func TestSocketModeRetriesAFailedFollowUpOnce(t *testing.T) {
	fs := fakeslack.New(t)
	h := newGatedHandler(newRouter(t))
	startSocketBot(t, fs, h, slack.Config{}, slack.WithAckBudget(50*time.Millisecond))
	ctx := testContext(t)
	fs.FailNext("response_url", http.StatusServiceUnavailable, 0, 1)

	cmd := fs.SlashCommand("help")
	env, err := fs.SendSlashCommand(ctx, cmd)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.WaitAck(ctx, env); err != nil {
		t.Fatal(err)
	}
	close(h.gate)
	resps, err := fs.WaitResponses(ctx, cmd.TriggerID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if resps[0].ResponseType != "ephemeral" || !strings.Contains(resps[0].Text, "/brief topics") {
		t.Errorf("follow-up = %+v", resps[0])
	}
	if n := len(fs.Calls("response_url")); n != 2 {
		t.Errorf("%d response_url calls, want 2 (a failure and its retry)", n)
	}
}

func TestSocketModeReconnectsAfterADroppedConnection(t *testing.T) {
	fs := fakeslack.New(t)
	startSocketBot(t, fs, newRouter(t), slack.Config{})
	ctx := testContext(t)
	if err := fs.WaitConnected(ctx, 1); err != nil {
		t.Fatal(err)
	}
	fs.FailNext("apps.connections.open", http.StatusInternalServerError, 0, 1)
	fs.DropConnections()
	if err := fs.WaitConnected(ctx, 2); err != nil {
		t.Fatalf("no reconnection: %v", err)
	}
	env, err := fs.SendSlashCommand(ctx, fs.SlashCommand("help"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.WaitAck(ctx, env); err != nil {
		t.Fatalf("no answer after reconnecting: %v", err)
	}
}

func TestSocketModeAnswersARedeliveredEnvelopeOnce(t *testing.T) {
	fs := fakeslack.New(t)
	h := &recordingHandler{next: newRouter(t)}
	startSocketBot(t, fs, h, slack.Config{})
	ctx := testContext(t)
	cmd := fs.SlashCommand("korea")
	for range 2 {
		if _, err := fs.SendSlashCommand(ctx, cmd); err != nil {
			t.Fatal(err)
		}
	}
	if err := fs.WaitFor(ctx, func() bool { return len(fs.Acks()) == 2 }); err != nil {
		t.Fatal(err)
	}
	if n := len(h.requests()); n != 1 {
		t.Errorf("the command ran %d times, want once", n)
	}
}

func TestSocketModeRunFailsOnARefusedAppToken(t *testing.T) {
	fs := fakeslack.New(t)
	b, err := slack.New(slack.Config{BotToken: "xoxb-test", AppToken: "xapp-revoked", APIURL: fs.URL(), Logger: discardLogger()}, newRouter(t))
	if err != nil {
		t.Fatal(err)
	}
	fs.FailNextError("apps.connections.open", "invalid_auth", 1)
	err = b.Run(testContext(t))
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") || !strings.Contains(err.Error(), "App-Level Tokens") {
		t.Errorf("Run = %v, want invalid_auth with a hint", err)
	}
}

func TestAdminCommandsNeedAnAdmin(t *testing.T) {
	fs := fakeslack.New(t)
	fs.AddUser(slackapi.User{ID: "U0READER", Name: "reader"})
	fs.AddUser(slackapi.User{ID: "U0OWNER", Name: "owner", IsOwner: true})
	startSocketBot(t, fs, newRouter(t), slack.Config{Admins: []string{"U0LISTED"}, Now: func() time.Time { return now }})
	ctx := testContext(t)

	run := func(user, text string) string {
		t.Helper()
		cmd := fs.SlashCommand(text)
		cmd.UserID = user
		env, err := fs.SendSlashCommand(ctx, cmd)
		if err != nil {
			t.Fatal(err)
		}
		ack, err := fs.WaitAck(ctx, env)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := ack.Response()
		return r.Text
	}
	if got := run("U0READER", "subscribe korea 08:00"); !strings.Contains(got, "only workspace admins") {
		t.Errorf("a member: %q", got)
	}
	if got := run("U0OWNER", "subscribe korea 08:00 Asia/Seoul"); !strings.HasPrefix(got, "Subscribed") {
		t.Errorf("a workspace owner: %q", got)
	}
	if got := run("U0OWNER", "unsubscribe korea"); !strings.HasPrefix(got, "Unsubscribed") {
		t.Errorf("the owner again: %q", got)
	}
	if n := len(fs.Calls("users.info")); n != 2 {
		t.Errorf("%d users.info calls, want 2 (the owner's answer is cached)", n)
	}
	if got := run("U0LISTED", "subscribe korea"); !strings.HasPrefix(got, "Subscribed") {
		t.Errorf("a listed admin: %q", got)
	}
	if got := run("U0UNKNOWN", "subscribe korea"); !strings.Contains(got, "only workspace admins") {
		t.Errorf("a user Slack does not know: %q", got)
	}
	if n := len(fs.Calls("users.info")); n != 3 {
		t.Errorf("%d users.info calls, want 3 (none for the listed admin)", n)
	}
}

func TestHTTPModeAnswersSignedCommands(t *testing.T) {
	fs := fakeslack.New(t)
	b := newHTTPBot(t, fs, newRouter(t))
	srv := httptest.NewServer(b.CommandsHandler())
	t.Cleanup(srv.Close)

	req := fakeslack.NewCommandRequest(srv.URL, signingSecret, fs.SlashCommand("korea"), time.Now())
	resp := send(t, req)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	r, err := fakeslack.DecodeResponse("http", resp.body)
	if err != nil {
		t.Fatalf("body = %s: %v", resp.body, err)
	}
	checkBriefingResponse(t, r, "Border talks resume as Koreas swap fishing crews")
}

func TestHTTPModeDefersASlowAnswer(t *testing.T) {
	fs := fakeslack.New(t)
	h := newGatedHandler(newRouter(t))
	b := newHTTPBot(t, fs, h, slack.WithAckBudget(50*time.Millisecond))
	srv := httptest.NewServer(b.CommandsHandler())
	t.Cleanup(srv.Close)
	ctx := testContext(t)

	cmd := fs.SlashCommand("korea")
	resp := send(t, fakeslack.NewCommandRequest(srv.URL, signingSecret, cmd, time.Now()))
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(resp.body), "Working on it") {
		t.Fatalf("status %d, body %s; want 200 with a note while the handler works", resp.StatusCode, resp.body)
	}
	close(h.gate)
	resps, err := fs.WaitResponses(ctx, cmd.TriggerID, 1)
	if err != nil {
		t.Fatal(err)
	}
	checkBriefingResponse(t, resps[0], "Border talks resume as Koreas swap fishing crews")
}

func TestHTTPModeRefusesForgedStaleAndReplayedRequests(t *testing.T) {
	fs := fakeslack.New(t)
	h := &recordingHandler{next: newRouter(t)}
	b := newHTTPBot(t, fs, h)
	srv := httptest.NewServer(b.CommandsHandler())
	t.Cleanup(srv.Close)
	cmd := fs.SlashCommand("help")

	tests := []struct {
		name   string
		req    func() *http.Request
		status int
	}{
		{"a request signed with another secret", func() *http.Request {
			return fakeslack.NewCommandRequest(srv.URL, "not-the-secret", cmd, time.Now())
		}, http.StatusUnauthorized},
		{"a request without a signature", func() *http.Request {
			r := fakeslack.NewCommandRequest(srv.URL, signingSecret, cmd, time.Now())
			r.Header.Del("X-Slack-Signature")
			return r
		}, http.StatusUnauthorized},
		{"a request without a timestamp", func() *http.Request {
			r := fakeslack.NewCommandRequest(srv.URL, signingSecret, cmd, time.Now())
			r.Header.Del("X-Slack-Request-Timestamp")
			return r
		}, http.StatusUnauthorized},
		{"a request whose body was changed after signing", func() *http.Request {
			r := fakeslack.NewCommandRequest(srv.URL, signingSecret, cmd, time.Now())
			forged := fakeslack.CommandForm(cmd)
			forged.Set("text", "subscribe korea")
			return withBody(r, forged.Encode())
		}, http.StatusUnauthorized},
		{"a request signed 6 minutes ago", func() *http.Request {
			return fakeslack.NewCommandRequest(srv.URL, signingSecret, cmd, time.Now().Add(-6*time.Minute))
		}, http.StatusUnauthorized},
		{"a request signed 6 minutes ahead", func() *http.Request {
			return fakeslack.NewCommandRequest(srv.URL, signingSecret, cmd, time.Now().Add(6*time.Minute))
		}, http.StatusUnauthorized},
		{"a GET", func() *http.Request {
			r := fakeslack.NewCommandRequest(srv.URL, signingSecret, cmd, time.Now())
			r.Method = http.MethodGet
			return r
		}, http.StatusMethodNotAllowed},
		{"a body over 64 KB", func() *http.Request {
			big := cmd
			big.Text = strings.Repeat("x", 70<<10)
			return fakeslack.NewCommandRequest(srv.URL, signingSecret, big, time.Now())
		}, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			if resp := send(t, tt.req()); resp.StatusCode != tt.status {
				t.Errorf("status %d (%s), want %d", resp.StatusCode, resp.body, tt.status)
			}
		})
	}
	if n := len(h.requests()); n != 0 {
		t.Fatalf("the handler ran %d times for refused requests", n)
	}

	t.Run("answers Slack's certificate check without doing anything", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, srv.URL, strings.NewReader("ssl_check=1&token=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if resp := send(t, req); resp.StatusCode != http.StatusOK || len(resp.body) != 0 {
			t.Errorf("status %d, body %q", resp.StatusCode, resp.body)
		}
		if n := len(h.requests()); n != 0 {
			t.Errorf("the handler ran for a certificate check")
		}
	})

	t.Run("refuses a replay of a valid request", func(t *testing.T) {
		at := time.Now().Add(-30 * time.Second)
		first := send(t, fakeslack.NewCommandRequest(srv.URL, signingSecret, cmd, at))
		again := send(t, fakeslack.NewCommandRequest(srv.URL, signingSecret, cmd, at))
		if first.StatusCode != http.StatusOK || again.StatusCode != http.StatusConflict {
			t.Errorf("statuses %d then %d, want 200 then 409", first.StatusCode, again.StatusCode)
		}
		if n := len(h.requests()); n != 1 {
			t.Errorf("the handler ran %d times, want once", n)
		}
	})
}

type response struct {
	*http.Response
	body []byte
}

func send(t *testing.T, req *http.Request) response {
	t.Helper()
	out, err := http.NewRequestWithContext(testContext(t), req.Method, req.URL.String(), req.Body)
	if err != nil {
		t.Fatal(err)
	}
	out.Header = req.Header
	resp, err := http.DefaultClient.Do(out)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body []byte
	buf := make([]byte, 1<<20)
	for {
		n, err := resp.Body.Read(buf)
		body = append(body, buf[:n]...)
		if err != nil {
			break
		}
	}
	return response{resp, body}
}

func withBody(r *http.Request, body string) *http.Request {
	out := httptest.NewRequest(r.Method, r.URL.String(), strings.NewReader(body))
	out.Header = r.Header.Clone()
	out.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return out
}

func TestCheckSaysWhoTheBotIs(t *testing.T) {
	fs := fakeslack.New(t)
	b, err := slack.New(slack.Config{BotToken: "xoxb-test", AppToken: "xapp-test", APIURL: fs.URL()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.Check(testContext(t))
	if err != nil || !strings.Contains(got, "@"+fakeslack.BotName) || !strings.Contains(got, fakeslack.TeamName) ||
		!strings.Contains(got, "app token accepted") {
		t.Errorf("Check = %q, %v", got, err)
	}
	fs.FailNextError("auth.test", "invalid_auth", 1)
	if _, err := b.Check(testContext(t)); err == nil || !strings.Contains(err.Error(), "invalid_auth") ||
		!strings.Contains(err.Error(), "OAuth & Permissions") {
		t.Errorf("Check with a revoked token = %v", err)
	}
}

func TestNewRefusesConfigsThatCannotWork(t *testing.T) {
	tests := []struct {
		name string
		cfg  slack.Config
	}{
		{"no bot token", slack.Config{AppToken: "xapp-1"}},
		{"socket mode without an app token", slack.Config{BotToken: "xoxb-1"}},
		{"socket mode with a bot token as app token", slack.Config{BotToken: "xoxb-1", AppToken: "xoxb-1"}},
		{"http mode without a signing secret", slack.Config{Mode: slack.ModeHTTP, BotToken: "xoxb-1"}},
		{"an unknown mode", slack.Config{Mode: "rtm", BotToken: "xoxb-1"}},
		{"an API URL that is not http", slack.Config{Mode: slack.ModeHTTP, BotToken: "xoxb-1", SigningSecret: "s", APIURL: "ftp://x/"}},
	}
	for _, tt := range tests {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			if b, err := slack.New(tt.cfg, nil); err == nil {
				_ = b.Close()
				t.Error("New succeeded")
			}
		})
	}
	if _, err := slack.New(slack.Config{Mode: slack.ModeHTTP, BotToken: "xoxb-1", SigningSecret: "s"}, nil,
		slack.WithAckBudget(3*time.Second)); err == nil {
		t.Error("New accepted an ack budget at Slack's deadline")
	}
}
