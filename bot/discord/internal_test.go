package discord

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefing"
)

func TestNoncesAreDistinctPerMessageAndFitDiscordsLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key string
	}{
		{"a short key", "s1@1741075200"},
		{"a key of 25 characters", strings.Repeat("k", 25)},
		{"a key longer than a nonce", strings.Repeat("x", 60)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			seen := map[string]bool{}
			for i := range 12 {
				n := nonceFor(tt.key, i)
				if len(n) > maxNonce || seen[n] {
					t.Errorf("nonce %d = %q (%d bytes, repeated %v)", i, n, len(n), seen[n])
				}
				seen[n] = true
				if again := nonceFor(tt.key, i); again != n {
					t.Errorf("nonce %d is not stable: %q then %q", i, n, again)
				}
			}
		})
	}
	if nonceFor(strings.Repeat("x", 60), 0) == nonceFor(strings.Repeat("x", 59)+"y", 0) {
		t.Error("two long keys share a nonce")
	}
}

func TestSplitTextCutsAtLineBreaksWithinTheLimit(t *testing.T) {
	t.Parallel()
	line := strings.Repeat("word ", 30) + "\n" // 151 characters
	text := strings.Repeat(line, 30)
	parts := splitText(text, MaxContent)
	if len(parts) < 3 {
		t.Fatalf("%d parts for %d characters", len(parts), len(text))
	}
	var joined strings.Builder
	for i, p := range parts {
		if n := utf8.RuneCountInString(p); n > MaxContent || n == 0 {
			t.Errorf("part %d has %d characters", i, n)
		}
		if i < len(parts)-1 && !strings.HasSuffix(p, "word") {
			t.Errorf("part %d does not end at a line's end: %q", i, p[len(p)-10:])
		}
		joined.WriteString(p)
	}
	if strings.Count(joined.String(), "word") != strings.Count(text, "word") {
		t.Error("words were lost in the split")
	}
	if got := splitText(strings.Repeat("é", 4500), MaxContent); len(got) != 3 || utf8.RuneCountInString(got[0]) != MaxContent {
		t.Errorf("text without breaks: %d parts", len(got))
	}
}

func TestShortenEndsAtAWordWithAnEllipsis(t *testing.T) {
	t.Parallel()
	got := shorten("Brief a topic, or any search words, over a window (default 24h); no topic: this channel's topics and more.", 100)
	if n := utf8.RuneCountInString(got); n > 100 || !strings.HasSuffix(got, "…") || strings.HasSuffix(got, " …") {
		t.Errorf("shorten = %q (%d characters)", got, n)
	}
	if got := shorten("short", 100); got != "short" {
		t.Errorf("shorten changed a short text: %q", got)
	}
}

// FuzzRequestFrom reads arbitrary interaction JSON as the gateway would deliver it.
func FuzzRequestFrom(f *testing.F) {
	f.Add([]byte(`{"type":2,"channel_id":"1","data":{"name":"brief","options":[{"name":"now","type":1,"options":[{"name":"topic","type":3,"value":"korea"}]}]},"member":{"permissions":"16","user":{"id":"2","username":"a"}}}`))
	f.Add([]byte(`{"type":2,"data":{"name":"brief","options":[{"name":"now","type":1,"options":[null,{"name":"window","type":4,"value":3}]}]},"user":{"id":"2"}}`))
	f.Add([]byte(`{"type":2,"data":{"name":"brief","options":[]}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var i discordgo.Interaction
		if err := json.Unmarshal(raw, &i); err != nil {
			return
		}
		req, err := requestFrom(&i)
		if err != nil {
			return
		}
		if req.Platform != platform || !utf8.ValidString(req.Topic) || utf8.RuneCountInString(req.Topic) > maxOptionValue {
			t.Fatalf("request = %+v", req)
		}
	})
}

func TestAReplyIsRenderedWithinDiscordsLimits(t *testing.T) {
	t.Parallel()
	b := &Bot{}
	long := strings.Repeat("A sentence of the router's reply. ", 150) // about 5,000 characters
	brief := briefing.Briefing{Topic: "korea", Stories: []briefing.Story{{Headline: "H", Lede: "L"}}}
	tests := []struct {
		name          string
		reply         bot.Reply
		wantEphemeral bool
		minMessages   int
	}{
		{"short text is one private message", bot.Reply{Text: "Subscribed."}, true, 1},
		{"text is private even when not marked so", bot.Reply{Ephemeral: false, Text: "Topics: korea"}, true, 1},
		{"long text is split", bot.Reply{Ephemeral: true, Text: long}, true, 3},
		{"an empty reply still says something", bot.Reply{}, true, 1},
		{"a briefing is public", bot.Reply{Briefing: &brief}, false, 1},
		{"a briefing with a long note leads with the note", bot.Reply{Briefing: &brief, Text: long}, false, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msgs, ephemeral := b.replyMessages(tt.reply)
			if ephemeral != tt.wantEphemeral || len(msgs) < tt.minMessages {
				t.Fatalf("%d messages, ephemeral %v; want at least %d, %v", len(msgs), ephemeral, tt.minMessages, tt.wantEphemeral)
			}
			for i, m := range msgs {
				if n := utf8.RuneCountInString(m.Content); n > MaxContent || (n == 0 && len(m.Embeds) == 0) {
					t.Errorf("message %d: %d characters of content, %d embeds", i, n, len(m.Embeds))
				}
				if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(m.AllowedMentions.Parse) != 0 {
					t.Errorf("message %d allows mentions: %+v", i, m.AllowedMentions)
				}
			}
		})
	}
}
