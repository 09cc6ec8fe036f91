package discord_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/internal/fakediscord"
)

// BenchmarkInteractionsEndpoint measures answering a signed /brief help request over HTTP:
// signature check, freshness and replay guard, parsing, the handler, the JSON answer.
func BenchmarkInteractionsEndpoint(b *testing.B) {
	srv := fakediscord.New(b)
	bt, err := discord.New(discord.Config{
		Mode: discord.ModeHTTP, Token: "t", ApplicationID: srv.ApplicationID(), PublicKey: srv.PublicKey(),
		APIURL: srv.APIURL(),
	}, newTestHandler())
	if err != nil {
		b.Fatal(err)
	}
	handler := bt.InteractionsHandler()
	bodies := make([][]byte, b.N)
	for n := range bodies {
		i := fakediscord.Command("brief", "help")
		i.ID, i.Token, i.AppID, i.Version = strconv.Itoa(n+1), "tok", srv.ApplicationID(), 1
		bodies[n] = mustJSON(b, i)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	sigs := make([]string, b.N)
	for n, body := range bodies {
		sigs[n] = srv.Sign(ts, body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := range b.N {
		req := httptest.NewRequest(http.MethodPost, "/discord/interactions", bytes.NewReader(bodies[n]))
		req.Header.Set("X-Signature-Timestamp", ts)
		req.Header.Set("X-Signature-Ed25519", sigs[n])
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkPost measures posting a two-story briefing to the local fake (one request).
func BenchmarkPost(b *testing.B) {
	srv := fakediscord.New(b)
	bt, err := discord.New(discord.Config{Token: "t", ApplicationID: srv.ApplicationID(), APIURL: srv.APIURL()}, newTestHandler())
	if err != nil {
		b.Fatal(err)
	}
	d := bot.Delivery{ChannelID: "300000000000000009", Briefing: sampleBriefing()}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := bt.Post(context.Background(), d); err != nil {
			b.Fatal(err)
		}
	}
}
