package slack_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/internal/fakeslack"
)

// checkSentAsBody fails unless p is m as chat.postMessage received it: every form field is the
// body's field of that name, and the form has no other field but the token.
func checkSentAsBody(t *testing.T, p fakeslack.Post, m slack.Message) {
	t.Helper()
	body, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		t.Fatal(err)
	}
	for name, raw := range fields {
		var want string
		if err := json.Unmarshal(raw, &want); err != nil {
			want = string(raw) // blocks, metadata and booleans go as JSON text in the form
		}
		if got := p.Form.Get(name); got != want {
			t.Errorf("form field %s = %.200q, want %.200q", name, got, want)
		}
	}
	for name := range p.Form {
		if _, ok := fields[name]; !ok && name != "token" {
			t.Errorf("form field %s = %q is not in the body", name, p.Form.Get(name))
		}
	}
}

func TestPostSendsExactlyItsPostBodies(t *testing.T) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		d    bot.Delivery
	}{
		{"an on-demand briefing", bot.Delivery{ChannelID: "C0NEWS", Briefing: testBriefing()}},
		{"a scheduled briefing carries its key", bot.Delivery{ChannelID: "C0NEWS", Briefing: testBriefing(), Key: "bb1.sxk7a0"}},
		{"a briefing in a channel's time zone", bot.Delivery{ChannelID: "C0NEWS", Briefing: testBriefing(), Location: seoul}},
		{"an empty briefing", bot.Delivery{ChannelID: "C0NEWS", Briefing: briefing.Briefing{Topic: "korea",
			From: now.Add(-24 * time.Hour), To: now}, Key: "bb1.sxk7a1", Location: seoul}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := fakeslack.New(t)
			b := newPoster(t, fs, nil)
			if _, err := b.Post(testContext(t), tt.d); err != nil {
				t.Fatal(err)
			}
			want := slack.PostBodies(tt.d)
			posts := fs.Posts()
			if len(posts) != len(want) {
				t.Fatalf("%d posts, want %d", len(posts), len(want))
			}
			for i := range posts {
				checkSentAsBody(t, posts[i], want[i])
			}
		})
	}
}

func TestPostWritesTimesInTheChannelsTimeZone(t *testing.T) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	empty := briefing.Briefing{Topic: "korea", From: now.Add(-24 * time.Hour), To: now}
	tests := []struct {
		name          string
		b             briefing.Briefing
		loc           *time.Location
		want, notWant string
	}{
		{"an empty briefing says since when in the channel's time", empty, seoul, "Nothing new on korea since Sun 1 Jun 18:00 KST.", "UTC"},
		{"date tokens fall back to the channel's time", testBriefing(), seoul, "|Sun 1 Jun 18:00 KST>", "UTC"},
		{"a channel without time zone reads UTC", testBriefing(), nil, "|Sun 1 Jun 09:00 UTC>", "KST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := fakeslack.New(t)
			b := newPoster(t, fs, nil)
			if _, err := b.Post(testContext(t), bot.Delivery{ChannelID: "C0NEWS", Briefing: tt.b, Location: tt.loc}); err != nil {
				t.Fatal(err)
			}
			var texts []string
			for _, p := range fs.Posts() {
				texts = append(texts, p.Texts()...)
			}
			all := strings.Join(texts, "\n")
			if !strings.Contains(all, tt.want) || strings.Contains(all, tt.notWant) {
				t.Errorf("posted text lacks %q or holds %q:\n%s", tt.want, tt.notWant, all)
			}
		})
	}
}
