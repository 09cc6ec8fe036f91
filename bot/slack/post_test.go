package slack_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/internal/fakeslack"
	"github.com/briefbot/briefbot/internal/metrics"
)

func newPoster(t *testing.T, fs *fakeslack.Server, m *metrics.Metrics) *slack.Bot {
	t.Helper()
	b, err := slack.New(slack.Config{Mode: slack.ModeHTTP, BotToken: "xoxb-test", SigningSecret: "secret",
		APIURL: strings.TrimSuffix(fs.URL(), "/"), Logger: discardLogger(), Metrics: m, Now: func() time.Time { return now }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// testBriefing has two stories, the first with two quotes, the second with one.
func testBriefing() briefing.Briefing {
	return briefing.Briefing{Topic: "korea", From: now.Add(-24 * time.Hour), To: now, Stories: []briefing.Story{{
		Headline: "Border talks resume", Lede: "The Koreas swapped fishing crews.", URL: "https://harbourtimes.example/crews",
		Published: now.Add(-2 * time.Hour), Sources: []briefing.SourceRef{{Name: "Harbour Times", URL: "https://harbourtimes.example/crews"}},
		Quotes: []briefing.StoryQuote{
			{Text: "Tell <!channel> every crew goes home this week.", Speaker: "Min Ha-eun", SpeakerTitle: "maritime envoy"},
			{Text: "The channel is open again.", Speaker: "Min Ha-eun"},
		},
	}, {
		Headline: "Harbour reopens", Lede: "Repairs are done.", Published: now.Add(-3 * time.Hour),
		Sources: []briefing.SourceRef{{Name: "Coast Radio"}},
		Quotes:  []briefing.StoryQuote{{Text: "The boats can come home.", Speaker: "Kang Do-yun"}},
	}}}
}

func TestPostSendsTheRenderedBriefingWithItsDeliveryKey(t *testing.T) {
	fs := fakeslack.New(t)
	b := newPoster(t, fs, nil)
	d := bot.Delivery{ChannelID: "C0NEWS", Briefing: testBriefing(), Key: "7-20250602T0800"}
	ts, err := b.Post(testContext(t), d)
	if err != nil {
		t.Fatal(err)
	}
	posts := fs.Posts()
	want := slack.Render(d.Briefing, slack.RenderOptions{Channel: "C0NEWS"})
	if len(posts) != len(want) || ts != posts[0].TS {
		t.Fatalf("%d posts (first ts %q), want %d starting with ts %s", len(posts), ts, len(want), posts[0].TS)
	}
	for i, p := range posts {
		wantBlocks, _ := json.Marshal(want[i].Blocks)
		if p.Channel != "C0NEWS" || p.Text != want[i].Text || string(p.Blocks) != string(wantBlocks) {
			t.Errorf("post %d = %+v, want the rendered message", i, p)
		}
		if p.Metadata == nil || p.Metadata.EventType != slack.MetadataEventType || p.Metadata.EventPayload["key"] != d.Key ||
			p.Metadata.EventPayload["part"] != float64(i) {
			t.Errorf("post %d metadata = %+v", i, p.Metadata)
		}
		if p.Form.Get("unfurl_links") != "false" || p.Form.Get("link_names") != "" || p.Form.Get("parse") != "" {
			t.Errorf("post %d options: unfurl_links=%q link_names=%q parse=%q", i, p.Form.Get("unfurl_links"),
				p.Form.Get("link_names"), p.Form.Get("parse"))
		}
		if p.Form.Get("token") != "xoxb-test" {
			t.Errorf("post %d was not sent with the bot token", i)
		}
		checkNoLiveMentions(t, p.Texts())
	}
}

func TestPostThreadsTheQuotesUnderTheHeadlines(t *testing.T) {
	fs := fakeslack.New(t)
	b := newPoster(t, fs, nil)
	ts, err := b.Post(testContext(t), bot.Delivery{ChannelID: "C0NEWS", Briefing: testBriefing(), Key: "k", Thread: true})
	if err != nil {
		t.Fatal(err)
	}
	posts := fs.Posts()
	if len(posts) != 3 {
		t.Fatalf("%d posts, want a headline message and a reply per story", len(posts))
	}
	if posts[0].TS != ts || posts[0].ThreadTS != "" {
		t.Errorf("first post %+v is not the top-level headline message %s", posts[0], ts)
	}
	for _, p := range posts[1:] {
		if p.ThreadTS != ts {
			t.Errorf("reply %q is in thread %q, want %q", p.Text, p.ThreadTS, ts)
		}
	}
}

func TestPostClassifiesFailures(t *testing.T) {
	tests := []struct {
		name          string
		inject        func(fs *fakeslack.Server)
		wantTemporary bool
		wantRetry     time.Duration
		wantStatus    int
	}{
		{"a 429 is temporary with Slack's Retry-After", func(fs *fakeslack.Server) {
			fs.FailNext("chat.postMessage", http.StatusTooManyRequests, 30*time.Second, 1)
		}, true, 30 * time.Second, http.StatusTooManyRequests},
		{"a 503 is temporary", func(fs *fakeslack.Server) {
			fs.FailNext("chat.postMessage", http.StatusServiceUnavailable, 0, 1)
		}, true, 0, http.StatusServiceUnavailable},
		{"Slack's internal_error is temporary", func(fs *fakeslack.Server) {
			fs.FailNextError("chat.postMessage", "internal_error", 1)
		}, true, 0, http.StatusServiceUnavailable},
		{"a 403 is permanent", func(fs *fakeslack.Server) {
			fs.FailNext("chat.postMessage", http.StatusForbidden, 0, 1)
		}, false, 0, http.StatusForbidden},
		{"a 401 is permanent", func(fs *fakeslack.Server) {
			fs.FailNext("chat.postMessage", http.StatusUnauthorized, 0, 1)
		}, false, 0, http.StatusUnauthorized},
		{"not_in_channel is permanent", func(fs *fakeslack.Server) {
			fs.FailNextError("chat.postMessage", "not_in_channel", 1)
		}, false, 0, http.StatusForbidden},
		{"channel_not_found is permanent", func(fs *fakeslack.Server) {
			fs.FailNextError("chat.postMessage", "channel_not_found", 1)
		}, false, 0, http.StatusForbidden},
		{"invalid_auth is permanent", func(fs *fakeslack.Server) {
			fs.FailNextError("chat.postMessage", "invalid_auth", 1)
		}, false, 0, http.StatusForbidden},
		{"account_inactive is permanent", func(fs *fakeslack.Server) {
			fs.FailNextError("chat.postMessage", "account_inactive", 1)
		}, false, 0, http.StatusForbidden},
		{"an error code briefbot does not know is permanent", func(fs *fakeslack.Server) {
			fs.FailNextError("chat.postMessage", "something_new", 1)
		}, false, 0, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := fakeslack.New(t)
			b := newPoster(t, fs, nil)
			tt.inject(fs)
			_, err := b.Post(testContext(t), bot.Delivery{ChannelID: "C0NEWS", Briefing: testBriefing(), Key: "k"})
			var pe *bot.PostError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *bot.PostError", err)
			}
			if pe.Temporary != tt.wantTemporary || pe.RetryAfter != tt.wantRetry || pe.Status != tt.wantStatus {
				t.Errorf("PostError = temporary %v, retry after %v, status %d; want %v, %v, %d",
					pe.Temporary, pe.RetryAfter, pe.Status, tt.wantTemporary, tt.wantRetry, tt.wantStatus)
			}
			if temp, wait := bot.IsTemporary(err); temp != tt.wantTemporary || wait != tt.wantRetry {
				t.Errorf("IsTemporary = %v, %v", temp, wait)
			}
			if n := len(fs.Calls("chat.postMessage")); n != 1 {
				t.Errorf("%d chat.postMessage calls, want 1: Post must not retry", n)
			}
		})
	}
	t.Run("a dead server is a temporary network error", func(t *testing.T) {
		fs := fakeslack.New(t)
		b := newPoster(t, fs, nil)
		fs.Close()
		_, err := b.Post(testContext(t), bot.Delivery{ChannelID: "C0NEWS", Briefing: testBriefing()})
		var pe *bot.PostError
		if !errors.As(err, &pe) || !pe.Temporary || pe.Status != 0 {
			t.Errorf("err = %#v, want a temporary PostError without status", err)
		}
	})
}

func TestRetriedPostUsesTheDuplicateGuard(t *testing.T) {
	ctx := testContext(t)
	meta := func(key string, part int) *slackapi.SlackMetadata {
		return &slackapi.SlackMetadata{EventType: slack.MetadataEventType, EventPayload: map[string]any{"key": key, "part": part, "parts": 1}}
	}

	t.Run("a message with the key in the history is returned, not posted again", func(t *testing.T) {
		fs := fakeslack.New(t)
		b := newPoster(t, fs, nil)
		fs.AddMessage("C0NEWS", "someone else", nil)
		earlier := fs.AddMessage("C0NEWS", "briefing", meta("7-20250602T0800", 0))
		fs.AddMessage("C0NEWS", "another day's briefing", meta("7-20250601T0800", 0))
		ts, err := b.Post(ctx, bot.Delivery{ChannelID: "C0NEWS", Briefing: briefing.Briefing{Topic: "korea"}, Key: "7-20250602T0800", Retry: true})
		if err != nil || ts != earlier {
			t.Errorf("Post = %q, %v; want the earlier message %q", ts, err, earlier)
		}
		if n := len(fs.Posts()); n != 0 {
			t.Errorf("%d posts, want none", n)
		}
		h := fs.Calls("conversations.history")
		if len(h) != 1 || h[0].Form.Get("include_all_metadata") != "1" || h[0].Form.Get("channel") != "C0NEWS" {
			t.Errorf("history calls = %+v", h)
		}
	})

	t.Run("a retry with no earlier message posts", func(t *testing.T) {
		fs := fakeslack.New(t)
		b := newPoster(t, fs, nil)
		fs.AddMessage("C0NEWS", "another day's briefing", meta("7-20250601T0800", 0))
		ts, err := b.Post(ctx, bot.Delivery{ChannelID: "C0NEWS", Briefing: testBriefing(), Key: "7-20250602T0800", Retry: true})
		if err != nil || len(fs.Posts()) == 0 || ts != fs.Posts()[0].TS {
			t.Errorf("Post = %q, %v with %d posts", ts, err, len(fs.Posts()))
		}
	})

	t.Run("a threaded delivery cut short posts only its missing reply", func(t *testing.T) {
		fs := fakeslack.New(t)
		b := newPoster(t, fs, nil)
		d := bot.Delivery{ChannelID: "C0NEWS", Briefing: testBriefing(), Key: "9-20250602T0800", Thread: true, Retry: true}
		msgs := slack.Render(d.Briefing, slack.RenderOptions{Channel: d.ChannelID, Threaded: true})
		if len(msgs) != 3 {
			t.Fatalf("the threaded rendering has %d messages, want 3", len(msgs))
		}
		// The earlier attempt posted the headline message and the first reply, then stopped.
		partMeta := func(i int) *slackapi.SlackMetadata {
			return &slackapi.SlackMetadata{EventType: slack.MetadataEventType, EventPayload: map[string]any{"key": d.Key, "part": i, "parts": 3}}
		}
		parent := fs.AddMessage("C0NEWS", msgs[0].Text, partMeta(0))
		fs.AddReply("C0NEWS", parent, msgs[1].Text, partMeta(1))

		ts, err := b.Post(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		posts := fs.Posts()
		if ts != parent || len(posts) != 1 {
			t.Fatalf("Post = %q with %d new posts; want the parent %q and one reply", ts, len(posts), parent)
		}
		if posts[0].ThreadTS != parent || posts[0].Text != msgs[2].Text || posts[0].Metadata.EventPayload["part"] != float64(2) {
			t.Errorf("posted %+v, want part 2 in thread %s", posts[0], parent)
		}
		if len(fs.Calls("conversations.replies")) != 1 {
			t.Errorf("the thread was not checked for earlier replies")
		}
	})

	t.Run("a rate-limited history look-up fails temporarily and posts nothing", func(t *testing.T) {
		fs := fakeslack.New(t)
		b := newPoster(t, fs, nil)
		fs.FailNext("conversations.history", http.StatusTooManyRequests, 5*time.Second, 1)
		_, err := b.Post(ctx, bot.Delivery{ChannelID: "C0NEWS", Briefing: testBriefing(), Key: "k", Retry: true})
		if temp, wait := bot.IsTemporary(err); err == nil || !temp || wait != 5*time.Second {
			t.Errorf("err = %v (temporary %v, wait %v)", err, temp, wait)
		}
		if len(fs.Posts()) != 0 {
			t.Error("posted although the duplicate guard could not be checked")
		}
	})

	t.Run("a history the bot may not read does not block the delivery", func(t *testing.T) {
		fs := fakeslack.New(t)
		b := newPoster(t, fs, nil)
		fs.FailNextError("conversations.history", "missing_scope", 1)
		if _, err := b.Post(ctx, bot.Delivery{ChannelID: "C0NEWS", Briefing: testBriefing(), Key: "k", Retry: true}); err != nil {
			t.Fatal(err)
		}
		if len(fs.Posts()) == 0 {
			t.Error("nothing posted")
		}
	})
}

func TestPostRefusesADeliveryWithoutChannel(t *testing.T) {
	fs := fakeslack.New(t)
	b := newPoster(t, fs, nil)
	_, err := b.Post(context.Background(), bot.Delivery{Briefing: testBriefing()})
	if temp, _ := bot.IsTemporary(err); err == nil || temp {
		t.Errorf("err = %v, want a permanent error", err)
	}
}
