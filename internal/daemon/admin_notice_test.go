package daemon_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/internal/daemon"
	"github.com/briefbot/briefbot/internal/fakeslack"
)

func TestAnAdminChannelOnSlackHearsOfAChannelTheBotCannotPostTo(t *testing.T) {
	const admin = "C0ADMIN0001"
	fs := fakeslack.New(t)
	clock := newFakeClock(time.Date(2026, 12, 1, 7, 59, 55, 0, berlin(t)))
	cfg := parseConfig(t, fmt.Sprintf(`
store: %q
http:
  listen: 127.0.0.1:0
slack:
  mode: http
  bot_token: %s
  signing_secret: %s
  api_url: %s
topics:
  ports: {query: 'port OR dockworkers OR harbour'}
channels:
  - platform: slack
    id: %s
    topics: [ports]
    schedule: "08:00"
    timezone: Europe/Berlin
admin_channel: {platform: slack, id: %s}
`, filepath.Join(t.TempDir(), "briefbot.db"), testBotToken, testSigningSecret, fs.URL(), newsdesk, admin))
	app, err := daemon.New(cfg, daemon.Options{Clock: clock, Logger: testLogger(t), HTTPClient: fs.Client(), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	// The bot was removed from the news desk: its 08:00 briefing is refused for good.
	fs.FailNextError("chat.postMessage", "not_in_channel", 1)
	r := start(t, app)

	var notice fakeslack.Post
	for step := 0; step < 60 && notice.TS == ""; step++ {
		clock.Advance(5 * time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
		posts, _ := fs.WaitPosts(ctx, 1)
		cancel()
		for _, p := range posts {
			if p.Channel == admin {
				notice = p
			}
		}
	}
	if notice.TS == "" {
		t.Fatalf("no notice in the admin channel by %s; posts: %+v", clock.Now(), fs.Posts())
	}
	for _, want := range []string{"cannot post to slack channel " + newsdesk, `topic "ports"`, "not_in_channel"} {
		if !strings.Contains(notice.Text, want) {
			t.Errorf("notice %q lacks %q", notice.Text, want)
		}
	}
	if notice.Form.Get("mrkdwn") != "false" || len(notice.Blocks) != 0 {
		t.Errorf("notice sent with mrkdwn=%q and blocks %s, want plain text", notice.Form.Get("mrkdwn"), notice.Blocks)
	}
	for _, p := range fs.Posts() {
		if p.Channel == newsdesk {
			t.Errorf("a briefing reached the news desk, which refused the bot: %+v", p)
		}
	}
	r.stop()
}
