package discord_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/briefing/store"
	"github.com/briefbot/briefbot/internal/fakediscord"
)

const adminChannel = "300000000000000077"

func TestNotifyPostsEscapedTextThatPingsNobody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want string
	}{
		{"a notice is sent as it is written",
			`briefbot: source "tass" works again (it failed for 2h0m0s).`, `briefbot: source "tass" works again (it failed for 2h0m0s).`},
		{"mentions in a feed's error text are defused",
			"briefbot: source \"x\" failed: @everyone <@123456789012345678> @here",
			"briefbot: source \"x\" failed: @\u200beveryone <\u200b@\u200b123456789012345678\\> @\u200bhere"},
		{"markdown in a source's name stays text",
			"briefbot: source \"*top_news*\" failed: `500` ~~down~~",
			"briefbot: source \"\\*top\\_news\\*\" failed: \\`500\\` \\~\\~down\\~\\~"},
		{"line breaks make one line, so nothing starts a heading",
			"briefbot: failed\n# heading\n> quote", "briefbot: failed \\# heading \\> quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fakediscord.New(t)
			b := newBot(t, srv, newTestHandler(), botOptions{})
			if err := b.Notify(context.Background(), adminChannel, tt.text); err != nil {
				t.Fatal(err)
			}
			msgs := srv.Messages()[adminChannel]
			if len(msgs) != 1 {
				t.Fatalf("%d messages, want 1", len(msgs))
			}
			m := msgs[0]
			if m.Content != tt.want || len(m.Embeds) != 0 {
				t.Errorf("content %q with %d embeds, want %q", m.Content, len(m.Embeds), tt.want)
			}
			checkNoLiveMentions(t, m)
		})
	}
}

func TestNotifyCutsALongNoticeToDiscordsLimit(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	b := newBot(t, srv, newTestHandler(), botOptions{})
	if err := b.Notify(context.Background(), adminChannel, "briefbot: "+strings.Repeat("the feed keeps failing ", 200)); err != nil {
		t.Fatal(err)
	}
	content := srv.Messages()[adminChannel][0].Content
	full := strings.TrimSpace("briefbot: " + strings.Repeat("the feed keeps failing ", 200))
	kept, cut := strings.CutSuffix(content, "…")
	if n := len(utf16.Encode([]rune(content))); n > discord.MaxContent || !cut || !strings.HasPrefix(full, kept) || full[len(kept)] != ' ' {
		t.Errorf("notice of %d characters ending %q; want at most %d, cut after a word", n, content[len(content)-20:], discord.MaxContent)
	}
}

func TestNotifyReportsFailuresAsPostErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		status        int
		channel, text string
		wantTemporary bool
		wantStatus    int
		wantRequests  int
	}{
		{"a 429 is temporary", http.StatusTooManyRequests, adminChannel, "notice", true, 429, 1},
		{"a channel the bot may not see is permanent", http.StatusForbidden, adminChannel, "notice", false, 403, 1},
		{"a channel id that is no Discord id is refused without a request", fakediscord.Pass, "C0ADMIN", "notice", false, 0, 0},
		{"an empty notice is refused without a request", fakediscord.Pass, adminChannel, "  ", false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fakediscord.New(t)
			b := newBot(t, srv, newTestHandler(), botOptions{})
			if tt.status != fakediscord.Pass {
				srv.FailNext(fakediscord.RouteCreateMessage, tt.status, time.Second, 1)
			}
			err := b.Notify(context.Background(), tt.channel, tt.text)
			var pe *bot.PostError
			if !errors.As(err, &pe) || pe.Temporary != tt.wantTemporary || pe.Status != tt.wantStatus {
				t.Fatalf("err = %v, want a PostError (temporary %v, status %d)", err, tt.wantTemporary, tt.wantStatus)
			}
			if n := len(srv.RequestsTo(fakediscord.RouteCreateMessage)); n != tt.wantRequests {
				t.Errorf("%d requests, want %d", n, tt.wantRequests)
			}
		})
	}
}

// failingFeeds is a feed state reader with every source failing since two hours before at.
type failingFeeds struct{ at time.Time }

func (f failingFeeds) FeedState(_ context.Context, source string) (store.FeedState, error) {
	return store.FeedState{Source: source, Polled: true, FailingSince: f.at.Add(-2 * time.Hour), Failures: 12,
		LastError: "GET https://feeds.example/rss: 503 @everyone"}, nil
}

// fixedClock is a bot.Clock stopped at one time.
type fixedClock struct{ at time.Time }

func (c fixedClock) Now() time.Time                     { return c.at }
func (c fixedClock) NewTimer(d time.Duration) bot.Timer { return bot.SystemClock().NewTimer(d) }

func TestTheAdminChannelHearsOfProblemsThroughDiscord(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	b := newBot(t, srv, newTestHandler(), botOptions{})
	at := time.Date(2025, 3, 4, 8, 0, 0, 0, time.UTC)
	h := bot.NewHealth(bot.HealthOptions{
		Feeds: failingFeeds{at}, Sources: []string{"wire"}, SourceFailingAfter: time.Hour,
		Admin:   bot.AdminChannel{Platform: "discord", ChannelID: adminChannel},
		Posters: map[string]bot.Poster{"discord": b},
		Clock:   fixedClock{at},
	})
	if err := h.CheckSources(context.Background()); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()[adminChannel]
	if len(msgs) != 1 {
		t.Fatalf("%d messages in the admin channel, want 1", len(msgs))
	}
	if c := msgs[0].Content; !strings.Contains(c, `source "wire" has been failing for 2h0m0s`) || !strings.Contains(c, "503 @\u200beveryone") {
		t.Errorf("notice = %q", c)
	}
	checkNoLiveMentions(t, msgs[0])
	if ps := h.Problems(); len(ps) != 1 || !ps[0].Reported {
		t.Errorf("problems = %+v, want the source reported", ps)
	}
}
