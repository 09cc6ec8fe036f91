package slack_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/internal/fakeslack"
)

// FuzzCommandsHandler sends correctly signed requests with arbitrary bodies: whatever the body,
// the handler answers with a status it documents and never panics.
func FuzzCommandsHandler(f *testing.F) {
	fs := fakeslack.New(f)
	b, err := slack.New(slack.Config{Mode: slack.ModeHTTP, BotToken: "xoxb-test", SigningSecret: signingSecret,
		APIURL: fs.URL(), Logger: discardLogger()}, newRouter(f), slack.WithAckBudget(500*time.Millisecond))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = b.Close() })
	h := b.CommandsHandler()
	for _, seed := range []string{
		fakeslack.CommandForm(fs.SlashCommand("korea 24h")).Encode(),
		fakeslack.CommandForm(fs.SlashCommand(`subscribe "north korea" 0 8 * * 1-5 Asia/Seoul`)).Encode(),
		"text=%ZZ&command=/brief", "text=" + strings.Repeat("a", 3000), "ssl_check=1", "", "&&&=",
		"text=%26lt%3B%21channel%26gt%3B&response_url=http%3A%2F%2F127.0.0.1%3A1%2F",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", fakeslack.Sign(signingSecret, ts, []byte(body)))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d for body %q", rec.Code, body)
		}
	})
}
