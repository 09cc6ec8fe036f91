package discord_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/internal/fakediscord"
)

const channel = "300000000000000009"

func TestPostSendsEachRenderedMessageWithANonceAndNoMentions(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	m, reg := newMetrics()
	b := newBot(t, srv, newTestHandler(), botOptions{metrics: m})
	brief := bigBriefing(12)
	want := discord.Render(brief, discord.RenderOptions{})
	if len(want) < 2 {
		t.Fatalf("the test briefing renders to %d message(s); it should need several", len(want))
	}

	id, err := b.Post(context.Background(), bot.Delivery{ChannelID: channel, Briefing: brief, Key: "s7@1741075200"})
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	got := srv.Messages()[channel]
	if len(got) != len(want) {
		t.Fatalf("posted %d messages, want %d", len(got), len(want))
	}
	if id != got[0].ID {
		t.Errorf("Post returned %q, want the first message's id %q", id, got[0].ID)
	}
	for i, msg := range got {
		if want := fmt.Sprintf("s7@1741075200.%d", i); msg.Nonce != want || !msg.EnforceNonce {
			t.Errorf("message %d: nonce %q, enforce_nonce %v; want %q, true", i, msg.Nonce, msg.EnforceNonce, want)
		}
		checkNoLiveMentions(t, msg)
		if msg.Content != want[i].Content || len(msg.Embeds) != len(want[i].Embeds) {
			t.Errorf("message %d differs from the rendering: content %q, %d embeds; want %q, %d embeds",
				i, msg.Content, len(msg.Embeds), want[i].Content, len(want[i].Embeds))
		}
	}
	if n := counter(t, reg, "briefbot_briefings_posted_total", nil); n != 0 {
		t.Errorf("briefings_posted = %v; the scheduler counts deliveries, Post must not count them again", n)
	}
}

func TestPostingAgainWithTheSameKeyMakesNoDuplicate(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	b := newBot(t, srv, newTestHandler(), botOptions{})
	d := bot.Delivery{ChannelID: channel, Briefing: bigBriefing(12), Key: "sub1-slot2"}
	first, err := b.Post(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	posted := len(srv.Messages()[channel])
	d.Retry = true
	again, err := b.Post(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Errorf("the retry returned message %s, want the original %s", again, first)
	}
	if n := len(srv.Messages()[channel]); n != posted {
		t.Errorf("the retry left %d messages in the channel, want %d", n, posted)
	}
	if n := len(srv.RequestsTo(fakediscord.RouteCreateMessage)); n != 2*posted {
		t.Errorf("made %d requests, want %d (each message asked twice)", n, 2*posted)
	}
}

func TestAPostInterruptedHalfwayIsCompletedByItsRetryWithoutDuplicates(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	b := newBot(t, srv, newTestHandler(), botOptions{})
	d := bot.Delivery{ChannelID: channel, Briefing: bigBriefing(12), Key: "sub1-slot3"}
	want := len(discord.Render(d.Briefing, discord.RenderOptions{}))
	// The first message goes out; the second meets a 503.
	srv.FailNext(fakediscord.RouteCreateMessage, fakediscord.Pass, 0, 1)
	srv.FailNext(fakediscord.RouteCreateMessage, http.StatusServiceUnavailable, 0, 1)
	first, err := b.Post(context.Background(), d)
	if temporary, _ := bot.IsTemporary(err); !temporary || err == nil {
		t.Fatalf("err = %v, want a temporary error", err)
	}
	if got := srv.Messages()[channel]; len(got) != 1 || first != got[0].ID {
		t.Fatalf("after the failure: %d messages, Post returned %q", len(got), first)
	}
	d.Retry = true
	again, err := b.Post(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()[channel]
	if len(got) != want || again != first {
		t.Errorf("after the retry: %d messages (want %d), first id %s (want %s)", len(got), want, again, first)
	}
}

func TestPostClassifiesFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		retryAfter time.Duration
		temporary  bool
		wantStatus int
	}{
		{"a 429 is temporary and says how long to wait", http.StatusTooManyRequests, 2 * time.Second, true, 429},
		{"a 500 is temporary", http.StatusInternalServerError, 0, true, 500},
		{"a 503 is temporary", http.StatusServiceUnavailable, 0, true, 503},
		{"a dropped connection is temporary", fakediscord.DropConnection, 0, true, 0},
		{"a 401 is permanent", http.StatusUnauthorized, 0, false, 401},
		{"a 403 (missing access) is permanent", http.StatusForbidden, 0, false, 403},
		{"a 404 (unknown channel) is permanent", http.StatusNotFound, 0, false, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fakediscord.New(t)
			b := newBot(t, srv, newTestHandler(), botOptions{})
			srv.FailNext(fakediscord.RouteCreateMessage, tt.status, tt.retryAfter, 1)
			id, err := b.Post(context.Background(), bot.Delivery{ChannelID: channel, Briefing: sampleBriefing(), Key: "k1"})
			var pe *bot.PostError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v (%T), want a *bot.PostError", err, err)
			}
			if id != "" {
				t.Errorf("id = %q after a failure", id)
			}
			if pe.Temporary != tt.temporary || pe.Status != tt.wantStatus || pe.RetryAfter != tt.retryAfter {
				t.Errorf("PostError = {Temporary %v, Status %d, RetryAfter %v}, want {%v, %d, %v}",
					pe.Temporary, pe.Status, pe.RetryAfter, tt.temporary, tt.wantStatus, tt.retryAfter)
			}
			if temp, wait := bot.IsTemporary(err); temp != tt.temporary || wait != tt.retryAfter {
				t.Errorf("IsTemporary = %v, %v", temp, wait)
			}
			if n := len(srv.RequestsTo(fakediscord.RouteCreateMessage)); n != 1 {
				t.Errorf("made %d requests; a failed post must not be retried inside Post", n)
			}
			if n := len(srv.Messages()[channel]); n != 0 {
				t.Errorf("%d messages posted", n)
			}
			if strings.Contains(err.Error(), "test-token") {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
}

func TestA502IsRetriedByDiscordgoAndPostsOnce(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	b := newBot(t, srv, newTestHandler(), botOptions{})
	srv.FailNext(fakediscord.RouteCreateMessage, http.StatusBadGateway, 0, 1)
	if _, err := b.Post(context.Background(), bot.Delivery{ChannelID: channel, Briefing: sampleBriefing(), Key: "k502"}); err != nil {
		t.Fatalf("Post: %v", err)
	}
	if n := len(srv.Messages()[channel]); n != 1 {
		t.Errorf("%d messages posted, want 1", n)
	}
}

func TestRepeated502sEndInATemporaryError(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	b := newBot(t, srv, newTestHandler(), botOptions{})
	srv.FailNext(fakediscord.RouteCreateMessage, http.StatusBadGateway, 0, 10)
	_, err := b.Post(context.Background(), bot.Delivery{ChannelID: channel, Briefing: sampleBriefing(), Key: "k502"})
	var pe *bot.PostError
	if !errors.As(err, &pe) || !pe.Temporary || pe.Status != http.StatusBadGateway {
		t.Fatalf("err = %#v, want a temporary PostError with status 502", err)
	}
}

func TestAForbiddenChannelIsNeverRetried(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	b := newBot(t, srv, newTestHandler(), botOptions{})
	srv.FailNext(fakediscord.RouteCreateMessage, http.StatusForbidden, 0, 1)
	_, err := b.Post(context.Background(), bot.Delivery{ChannelID: channel, Briefing: bigBriefing(12), Key: "k403"})
	if temporary, _ := bot.IsTemporary(err); temporary || err == nil {
		t.Fatalf("err = %v, want a permanent error", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("made %d requests after a 403, want exactly 1", n)
	}
}

func TestPostRefusesAChannelIDThatIsNotADiscordID(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	b := newBot(t, srv, newTestHandler(), botOptions{})
	_, err := b.Post(context.Background(), bot.Delivery{ChannelID: "../../users/@me", Briefing: sampleBriefing()})
	if temporary, _ := bot.IsTemporary(err); temporary || err == nil {
		t.Fatalf("err = %v, want a permanent error", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("made %d requests", n)
	}
}

func TestAnOnDemandPostStillCarriesANonce(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	b := newBot(t, srv, newTestHandler(), botOptions{})
	if _, err := b.Post(context.Background(), bot.Delivery{ChannelID: channel, Briefing: sampleBriefing()}); err != nil {
		t.Fatal(err)
	}
	reqs := srv.RequestsTo(fakediscord.RouteCreateMessage)
	var body struct {
		Nonce        string `json:"nonce"`
		EnforceNonce bool   `json:"enforce_nonce"`
	}
	if len(reqs) != 1 || json.Unmarshal(reqs[0].Body, &body) != nil || body.Nonce == "" || len(body.Nonce) > 25 || !body.EnforceNonce {
		t.Fatalf("body = %+v from %d requests", body, len(reqs))
	}
}

func TestPostGivesUpWhenItsContextEnds(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	b := newBot(t, srv, newTestHandler(), botOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := b.Post(ctx, bot.Delivery{ChannelID: channel, Briefing: sampleBriefing(), Key: "k"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
