package slack_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/briefing/store"
	"github.com/briefbot/briefbot/internal/fakeslack"
)

func TestNotifyPostsPlainEscapedTextThatMentionsNobody(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string
	}{
		{"a notice is sent as it is written",
			`briefbot: source "tass" has been failing for 2h0m0s.`, `briefbot: source "tass" has been failing for 2h0m0s.`},
		{"mentions and links in a feed's error text are escaped",
			"briefbot: source \"x\" failed: <!channel> & <@U0ADMIN> <https://evil.example|click>",
			"briefbot: source \"x\" failed: &lt;!channel&gt; &amp; &lt;@U0ADMIN&gt; &lt;https://evil.example|click&gt;"},
		{"line breaks and invalid UTF-8 make one clean line",
			"briefbot: first\n\n> second\xff", "briefbot: first &gt; second\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := fakeslack.New(t)
			b := newPoster(t, fs, nil)
			if err := b.Notify(testContext(t), "C0ADMIN", tt.text); err != nil {
				t.Fatal(err)
			}
			posts := fs.Posts()
			if len(posts) != 1 {
				t.Fatalf("%d posts, want 1", len(posts))
			}
			p := posts[0]
			if p.Channel != "C0ADMIN" || p.Text != tt.want || len(p.Blocks) != 0 {
				t.Errorf("post to %s: text %q, blocks %s; want text %q and no blocks", p.Channel, p.Text, p.Blocks, tt.want)
			}
			for field, want := range map[string]string{"mrkdwn": "false", "unfurl_links": "false", "unfurl_media": "false",
				"link_names": "", "parse": "", "metadata": ""} {
				if got := p.Form.Get(field); got != want {
					t.Errorf("%s = %q, want %q", field, got, want)
				}
			}
			checkNoLiveMentions(t, p.Texts())
		})
	}
}

func TestNotifyCutsALongNoticeAtAWord(t *testing.T) {
	fs := fakeslack.New(t)
	b := newPoster(t, fs, nil)
	long := "briefbot: " + strings.Repeat("failing feed & more ", 400)
	if err := b.Notify(testContext(t), "C0ADMIN", long); err != nil {
		t.Fatal(err)
	}
	text := fs.Posts()[0].Text
	if n := len(utf16.Encode([]rune(text))); n > slack.MaxNoticeText {
		t.Errorf("notice of %d characters, want at most %d", n, slack.MaxNoticeText)
	}
	escaped := strings.TrimSpace("briefbot: " + strings.Repeat("failing feed &amp; more ", 400))
	kept, cut := strings.CutSuffix(text, "…")
	if !cut || !strings.HasPrefix(escaped, kept) || escaped[len(kept)] != ' ' {
		t.Errorf("notice ends %q, want the escaped text cut after a whole word, then …", text[len(text)-30:])
	}
}

func TestNotifyReportsFailuresAsPostErrors(t *testing.T) {
	tests := []struct {
		name          string
		inject        func(fs *fakeslack.Server)
		channel, text string
		wantTemporary bool
		wantStatus    int
	}{
		{"a 429 is temporary", func(fs *fakeslack.Server) {
			fs.FailNext("chat.postMessage", http.StatusTooManyRequests, 5*time.Second, 1)
		}, "C0ADMIN", "notice", true, http.StatusTooManyRequests},
		{"a channel the bot is not in is permanent", func(fs *fakeslack.Server) {
			fs.FailNextError("chat.postMessage", "not_in_channel", 1)
		}, "C0ADMIN", "notice", false, http.StatusForbidden},
		{"no channel is refused without a call", func(*fakeslack.Server) {}, "", "notice", false, 0},
		{"an empty notice is refused without a call", func(*fakeslack.Server) {}, "C0ADMIN", " \n", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := fakeslack.New(t)
			b := newPoster(t, fs, nil)
			tt.inject(fs)
			err := b.Notify(testContext(t), tt.channel, tt.text)
			var pe *bot.PostError
			if !errors.As(err, &pe) || pe.Temporary != tt.wantTemporary || pe.Status != tt.wantStatus {
				t.Fatalf("err = %#v, want a PostError (temporary %v, status %d)", err, tt.wantTemporary, tt.wantStatus)
			}
			calls := len(fs.Calls("chat.postMessage"))
			if want := map[bool]int{true: 1, false: 0}[tt.wantStatus != 0]; calls != want {
				t.Errorf("%d chat.postMessage calls, want %d", calls, want)
			}
		})
	}
}

// failingFeeds is a feed state reader with one source failing since two hours before now.
type failingFeeds struct{}

func (failingFeeds) FeedState(_ context.Context, source string) (store.FeedState, error) {
	return store.FeedState{Source: source, Polled: true, FailingSince: now.Add(-2 * time.Hour), Failures: 12,
		LastError: "GET https://feeds.example/rss: 503 <!here>"}, nil
}

func TestTheAdminChannelHearsOfProblemsThroughSlack(t *testing.T) {
	fs := fakeslack.New(t)
	b := newPoster(t, fs, nil)
	h := bot.NewHealth(bot.HealthOptions{
		Feeds: failingFeeds{}, Sources: []string{"wire"}, SourceFailingAfter: time.Hour,
		Admin:   bot.AdminChannel{Platform: "slack", ChannelID: "C0ADMIN"},
		Posters: map[string]bot.Poster{"slack": b},
		Clock:   fixedClock{},
	})
	if err := h.CheckSources(testContext(t)); err != nil {
		t.Fatal(err)
	}
	posts := fs.Posts()
	if len(posts) != 1 || posts[0].Channel != "C0ADMIN" {
		t.Fatalf("posts = %+v, want one notice in C0ADMIN", posts)
	}
	if p := posts[0]; !strings.Contains(p.Text, `source "wire" has been failing for 2h0m0s`) || !strings.Contains(p.Text, "503 &lt;!here&gt;") {
		t.Errorf("notice = %q", p.Text)
	}
	if ps := h.Problems(); len(ps) != 1 || !ps[0].Reported {
		t.Errorf("problems = %+v, want the source reported", ps)
	}
}

// fixedClock is the tests' clock for bot.Health.
type fixedClock struct{}

func (fixedClock) Now() time.Time { return now }
func (fixedClock) NewTimer(d time.Duration) bot.Timer {
	return bot.SystemClock().NewTimer(d)
}
