package discord_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/internal/fakediscord"
)

// sameJSON reports whether two JSON documents hold the same values.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("%v: %s", err, a)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return reflect.DeepEqual(va, vb)
}

func TestPostSendsExactlyItsPostBodies(t *testing.T) {
	t.Parallel()
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	empty := sampleBriefing()
	empty.Stories = nil
	tests := []struct {
		name string
		d    bot.Delivery
	}{
		{"a scheduled briefing of several messages", bot.Delivery{ChannelID: channel, Briefing: bigBriefing(12), Key: "bb1.sxk7a0"}},
		{"a briefing in a channel's time zone", bot.Delivery{ChannelID: channel, Briefing: sampleBriefing(), Key: "bb2.sxk7a0", Location: seoul}},
		{"an empty briefing", bot.Delivery{ChannelID: channel, Briefing: empty, Key: "bb3.sxk7a0", Location: seoul}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fakediscord.New(t)
			b := newBot(t, srv, newTestHandler(), botOptions{})
			if _, err := b.Post(context.Background(), tt.d); err != nil {
				t.Fatal(err)
			}
			want := discord.PostBodies(tt.d)
			got := srv.Messages()[channel]
			if len(got) != len(want) {
				t.Fatalf("%d messages, want %d", len(got), len(want))
			}
			for i := range got {
				if body := mustJSON(t, want[i]); !sameJSON(t, got[i].Body, body) {
					t.Errorf("message %d sent\n%s\nwant\n%s", i, got[i].Body, body)
				}
			}
		})
	}
}

func TestPostBodiesCarryANonceOnlyForAKey(t *testing.T) {
	t.Parallel()
	for _, key := range []string{"", "bb1.sxk7a0"} {
		for i, m := range discord.PostBodies(bot.Delivery{ChannelID: channel, Briefing: bigBriefing(12), Key: key}) {
			if (m.Nonce != "") != (key != "") || m.EnforceNonce != (key != "") {
				t.Errorf("key %q, message %d: nonce %q, enforce_nonce %v", key, i, m.Nonce, m.EnforceNonce)
			}
			if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(m.AllowedMentions.Parse) != 0 {
				t.Errorf("key %q, message %d: allowed_mentions %+v, want {\"parse\":[]}", key, i, m.AllowedMentions)
			}
		}
	}
}

func TestPostBodiesWriteTheWindowAsATimestampEveryReaderSeesInTheirZone(t *testing.T) {
	t.Parallel()
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	b := briefing.Briefing{Topic: "korea", From: time.Date(2025, 3, 3, 8, 0, 0, 0, time.UTC)}
	for _, loc := range []*time.Location{nil, time.UTC, seoul} {
		msgs := discord.PostBodies(bot.Delivery{ChannelID: channel, Briefing: b, Location: loc})
		if want := "Nothing new on **korea** since <t:1740988800:f>."; len(msgs) != 1 || msgs[0].Content != want {
			t.Errorf("location %v: %+v, want one message %q", loc, msgs, want)
		}
	}
}
