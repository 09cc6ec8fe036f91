package daemon_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/briefbot/briefbot/internal/daemon"
	"github.com/briefbot/briefbot/internal/fakediscord"
)

// messageText is everything a reader sees of a Discord message: content and embeds.
func messageText(m fakediscord.Message) string {
	parts := []string{m.Content}
	for _, e := range m.Embeds {
		parts = append(parts, e.Title, e.Description)
		for _, f := range e.Fields {
			parts = append(parts, f.Name, f.Value)
		}
		if e.Footer != nil {
			parts = append(parts, e.Footer.Text)
		}
		if e.Author != nil {
			parts = append(parts, e.Author.Name)
		}
	}
	return strings.Join(parts, "\n")
}

func TestTheDaemonOnDiscordDeliversASlotAndAnswersBriefOverTheGateway(t *testing.T) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Skipf("no time zone data for Asia/Seoul: %v", err)
	}
	fd := fakediscord.New(t, fakediscord.WithToken(testDiscordToken))
	clock := newFakeClock(time.Date(2026, 12, 1, 18, 29, 55, 0, seoul))
	cfg := parseConfig(t, fmt.Sprintf(`
store: %q
http: {listen: "127.0.0.1:0", ingest_token: %s}
discord:
  mode: gateway
  token: %s
  application_id: %q
  api_url: %s
  guild_id: %q
topics:
  economy: {query: '"central bank" OR inflation OR rates'}
channels:
  - {platform: discord, id: %q, topics: [economy], schedule: "18:30", timezone: Asia/Seoul}
`, filepath.Join(t.TempDir(), "briefbot.db"), testIngestToken, testDiscordToken, fd.ApplicationID(), fd.APIURL(),
		fakediscord.DefaultGuildID, fakediscord.DefaultChannelID))
	app, err := daemon.New(cfg, daemon.Options{Clock: clock, Logger: testLogger(t), Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, app)
	fd.WaitFor(t, "the gateway connection and /brief registered", func() bool {
		return fd.Connected() > 0 && len(fd.Commands()) > 0
	})
	if code, body := r.postArticles(t, clock.Now(), testIngestToken); code != http.StatusOK {
		t.Fatalf("POST /api/articles: %d %s", code, body)
	}

	// The 18:30 Asia/Seoul slot.
	var posted []fakediscord.Message
	for step := 0; step < 60 && len(posted) == 0; step++ {
		clock.Advance(5 * time.Second)
		deadline := time.Now().Add(250 * time.Millisecond)
		for len(posted) == 0 && time.Now().Before(deadline) {
			for _, m := range fd.Messages()[fakediscord.DefaultChannelID] {
				if m.Via == "channel" {
					posted = append(posted, m)
				}
			}
			if len(posted) == 0 {
				time.Sleep(10 * time.Millisecond) // polling the fake, which has no change signal
			}
		}
	}
	if len(posted) == 0 {
		t.Fatalf("no scheduled post by %s", clock.Now())
	}
	text := messageText(posted[0])
	for _, want := range []string{"Bank of Arland holds rates", "Ilse Brandt"} {
		if !strings.Contains(text, want) {
			t.Errorf("the scheduled briefing lacks %q:\n%s", want, text)
		}
	}
	for _, m := range posted {
		if !m.MentionsSuppressed() {
			t.Errorf("a briefing was posted with allowed_mentions %+v: it could ping", m.AllowedMentions)
		}
		if m.Nonce == "" || !m.EnforceNonce {
			t.Errorf("a scheduled post has no enforced nonce (the duplicate guard of a retry)")
		}
	}

	// /brief now topic:drought over the gateway.
	id, err := fd.SendInteraction(fakediscord.Command("brief", "now", "topic", "drought"))
	if err != nil {
		t.Fatal(err)
	}
	var answer string
	fd.WaitFor(t, "the answer to /brief now topic:drought", func() bool {
		reply := fd.Reply(id)
		var texts []string
		if reply.Original != nil && !reply.Original.Deferred {
			texts = append(texts, messageText(*reply.Original))
		}
		for _, f := range reply.Followups {
			texts = append(texts, messageText(f))
		}
		answer = strings.Join(texts, "\n")
		return strings.Contains(answer, "Tomas Reyes")
	})
	if !strings.Contains(answer, "Eastern Arland") {
		t.Errorf("/brief now topic:drought answered:\n%s", answer)
	}
	if reply := fd.Reply(id); reply.CallbackType != discordgo.InteractionResponseChannelMessageWithSource &&
		reply.CallbackType != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		t.Errorf("the interaction was answered with type %d", reply.CallbackType)
	}

	if _, health := r.get(t, "/healthz"); !strings.Contains(health, `"discord": "gateway, connected"`) {
		t.Errorf("/healthz does not report the gateway connected:\n%s", health)
	}
	// The slot's outcome is recorded (and counted) just after its post: wait for it.
	r.waitMetric(t, `briefbot_slots_total{outcome="delivered"} 1`)
	_, metrics := r.get(t, "/metrics")
	for _, want := range []string{
		`briefbot_briefings_posted_total{kind="scheduled",platform="discord"} 1`,
		`briefbot_slots_total{outcome="delivered"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	r.stop()
	checkNoLeaks(t)
}
