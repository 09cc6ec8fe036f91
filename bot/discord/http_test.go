package discord_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/internal/fakediscord"
)

func TestAPingIsAnsweredWithAPong(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	b := newBot(t, srv, newTestHandler(), botOptions{mode: discord.ModeHTTP})
	endpoint := serveHTTP(t, b)
	body := []byte(`{"id":"1","application_id":"` + srv.ApplicationID() + `","type":1,"token":"t","version":1}`)
	resp := post(t, endpoint, body, signed(srv, time.Now(), body))
	if resp.status != http.StatusOK || strings.TrimSpace(resp.body) != `{"type":1}` || resp.contentType != "application/json" {
		t.Fatalf("answer = %d %q (%s), want 200 {\"type\":1}", resp.status, resp.body, resp.contentType)
	}
	id, status, err := srv.PostInteraction(context.Background(), endpoint, fakediscord.Ping())
	if err != nil || status != http.StatusOK || srv.Reply(id).CallbackType != discordgo.InteractionResponsePong {
		t.Fatalf("PING through the fake: status %d, err %v, reply %+v", status, err, srv.Reply(id))
	}
}

func TestABriefNowInteractionOverHTTPIsAnsweredWithTheBriefing(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	router, _ := newRouter(t)
	b := newBot(t, srv, router, botOptions{mode: discord.ModeHTTP})
	run(t, b)
	endpoint := serveHTTP(t, b)

	id, status, err := srv.PostInteraction(context.Background(), endpoint, fakediscord.Command("brief", "now", "topic", "korea"))
	if err != nil || status != http.StatusOK {
		t.Fatalf("status %d, err %v", status, err)
	}
	r := srv.Reply(id)
	if r.CallbackType != discordgo.InteractionResponseChannelMessageWithSource {
		t.Fatalf("answer type %d, want 4", r.CallbackType)
	}
	checkKoreaBriefing(t, r.Original)
	if len(srv.RequestsTo(fakediscord.RouteInteractionCallback)) != 0 {
		t.Error("the answer went through the callback route; over HTTP it is the response")
	}
	srv.WaitFor(t, "/brief registered", func() bool { return len(srv.Commands()) == 1 })
	if srv.Connected() != 0 {
		t.Error("http mode opened a gateway session")
	}
}

func TestHelpOverHTTPIsPrivate(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	router, _ := newRouter(t)
	b := newBot(t, srv, router, botOptions{mode: discord.ModeHTTP})
	endpoint := serveHTTP(t, b)
	id, status, err := srv.PostInteraction(context.Background(), endpoint, fakediscord.Command("brief", "help"))
	if err != nil || status != http.StatusOK {
		t.Fatalf("status %d, err %v", status, err)
	}
	r := srv.Reply(id)
	if r.Original == nil || !r.Original.Ephemeral() || !strings.Contains(r.Original.Content, "/brief") {
		t.Fatalf("answer = %+v", r.Original)
	}
	checkNoLiveMentions(t, *r.Original)
}

func TestASlowCommandOverHTTPIsDeferredAndFollowedUp(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	h := newTestHandler()
	h.release = make(chan struct{})
	b := newBot(t, srv, h, botOptions{mode: discord.ModeHTTP, deferAfter: 20 * time.Millisecond})
	endpoint := serveHTTP(t, b)

	id, status, err := srv.PostInteraction(context.Background(), endpoint, fakediscord.Command("brief", "now", "topic", "korea"))
	if err != nil || status != http.StatusOK {
		t.Fatalf("status %d, err %v", status, err)
	}
	r := srv.Reply(id)
	if r.CallbackType != discordgo.InteractionResponseDeferredChannelMessageWithSource || r.Original == nil || r.Original.Ephemeral() {
		t.Fatalf("first answer = %s, want a public deferred answer", r.Callback)
	}
	close(h.release)
	r = answered(t, srv, id, func(r fakediscord.InteractionReply) bool { return r.Original != nil && !r.Original.Deferred })
	checkKoreaBriefing(t, r.Original)
	if r.Original.Edits != 1 || len(r.Followups) != 0 {
		t.Errorf("%d edits of @original and %d follow-ups, want the one edit", r.Original.Edits, len(r.Followups))
	}
}

func TestRequestsThatAreNotDiscordsAreRefused(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	now := time.Date(2025, 3, 4, 8, 0, 0, 0, time.UTC)
	h := newTestHandler()
	b := newBot(t, srv, h, botOptions{mode: discord.ModeHTTP, now: func() time.Time { return now }})
	endpoint := serveHTTP(t, b)
	body := interactionBody(t, srv)
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)

	tests := []struct {
		name    string
		headers map[string]string
		body    []byte
		want    int
	}{
		{"no signature", map[string]string{"X-Signature-Timestamp": unix(now)}, body, 401},
		{"no timestamp", map[string]string{"X-Signature-Ed25519": srv.Sign(unix(now), body)}, body, 401},
		{"a signature by another key", map[string]string{
			"X-Signature-Timestamp": unix(now),
			"X-Signature-Ed25519":   hex.EncodeToString(ed25519.Sign(otherKey, append([]byte(unix(now)), body...))),
		}, body, 401},
		{"a signature of another body", signed(srv, now, []byte(`{"type":1}`)), body, 401},
		{"a signature that is not hex", map[string]string{"X-Signature-Timestamp": unix(now), "X-Signature-Ed25519": "zz"}, body, 401},
		{"a timestamp six minutes old", signed(srv, now.Add(-6*time.Minute), body), body, 401},
		{"a timestamp six minutes ahead", signed(srv, now.Add(6*time.Minute), body), body, 401},
		{"a timestamp that is not a number", map[string]string{
			"X-Signature-Timestamp": "yesterday", "X-Signature-Ed25519": srv.Sign("yesterday", body),
		}, body, 401},
		{"a body over 64 KiB", nil, bytes.Repeat([]byte("x"), 65<<10), 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := tt.headers
			if headers == nil {
				headers = signed(srv, now, tt.body)
			}
			if resp := post(t, endpoint, tt.body, headers); resp.status != tt.want {
				t.Errorf("status %d (%s), want %d", resp.status, resp.body, tt.want)
			}
		})
	}
	if got := h.got(); len(got) != 0 {
		t.Errorf("refused requests reached the handler: %+v", got)
	}
}

func TestARequestFourMinutesOldIsStillServed(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	now := time.Date(2025, 3, 4, 8, 0, 0, 0, time.UTC)
	b := newBot(t, srv, newTestHandler(), botOptions{mode: discord.ModeHTTP, now: func() time.Time { return now }})
	endpoint := serveHTTP(t, b)
	body := interactionBody(t, srv)
	if resp := post(t, endpoint, body, signed(srv, now.Add(-4*time.Minute), body)); resp.status != http.StatusOK {
		t.Fatalf("status %d (%s), want 200", resp.status, resp.body)
	}
}

func TestAReplayedRequestIsRefused(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	now := time.Date(2025, 3, 4, 8, 0, 0, 0, time.UTC)
	clock := now
	h := newTestHandler()
	b := newBot(t, srv, h, botOptions{mode: discord.ModeHTTP, now: func() time.Time { return clock }})
	endpoint := serveHTTP(t, b)
	body := interactionBody(t, srv)
	headers := signed(srv, now, body)
	if resp := post(t, endpoint, body, headers); resp.status != http.StatusOK {
		t.Fatalf("first delivery: %d %s", resp.status, resp.body)
	}
	clock = now.Add(time.Minute) // within the window: only the replay guard stops it
	if resp := post(t, endpoint, body, headers); resp.status != http.StatusUnauthorized {
		t.Fatalf("replay: status %d, want 401", resp.status)
	}
	headers["X-Signature-Ed25519"] = strings.ToUpper(headers["X-Signature-Ed25519"])
	if resp := post(t, endpoint, body, headers); resp.status != http.StatusUnauthorized {
		t.Fatalf("replay with the signature in upper-case hex: status %d, want 401", resp.status)
	}
	if n := len(h.got()); n != 1 {
		t.Errorf("the handler ran %d times, want 1", n)
	}
}

func TestOnlyPostIsAllowed(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	b := newBot(t, srv, newTestHandler(), botOptions{mode: discord.ModeHTTP})
	endpoint := serveHTTP(t, b)
	resp, err := http.Get(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET = %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

func TestASignedButMalformedBodyIsABadRequest(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	b := newBot(t, srv, newTestHandler(), botOptions{mode: discord.ModeHTTP})
	endpoint := serveHTTP(t, b)
	for _, body := range []string{`{"type":`, `{"type":2,"data":{"name":"brief","options":[{"name":"now","type":3}]}}`, `{"type":99}`} {
		resp := post(t, endpoint, []byte(body), signed(srv, time.Now(), []byte(body)))
		switch {
		case body == `{"type":99}` && resp.status != http.StatusBadRequest:
			t.Errorf("%s: status %d, want 400", body, resp.status)
		case resp.status != http.StatusOK && resp.status != http.StatusBadRequest:
			t.Errorf("%s: status %d", body, resp.status)
		}
	}
}

// FuzzInteractionsEndpoint feeds signed arbitrary bodies to the endpoint: it must answer 200 or
// 400, never panic, and answer commands only with valid JSON.
func FuzzInteractionsEndpoint(f *testing.F) {
	for _, s := range []string{
		`{"type":1}`,
		`{"type":2,"id":"1","token":"t","channel_id":"3","data":{"name":"brief","options":[{"name":"now","type":1,"options":[{"name":"topic","type":3,"value":"korea"}]}]}}`,
		`{"type":2,"data":{"name":"brief","options":[{"name":"help","type":1}]},"member":{"permissions":"16","user":{"id":"9"}}}`,
		`{"type":4,"data":{"name":"brief","options":[{"name":"now","type":1,"options":[{"name":"topic","type":3,"value":"k","focused":true}]}]}}`,
		`{"type":2,"data":null}`, `{"type":2,"data":{"options":[null]}}`, `[]`, `null`,
	} {
		f.Add([]byte(s))
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	f.Fuzz(func(t *testing.T, body []byte) {
		// A new bot each time: its replay guard would refuse a body the fuzzer repeats.
		b, err := discord.New(discord.Config{
			Mode: discord.ModeHTTP, Token: "t", ApplicationID: "100000000000000001",
			PublicKey: hex.EncodeToString(pub), APIURL: "http://127.0.0.1:1/api/", DeferAfter: time.Minute,
		}, newTestHandler())
		if err != nil {
			t.Fatal(err)
		}
		handler := b.InteractionsHandler()
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ := http.NewRequest(http.MethodPost, "/discord/interactions", bytes.NewReader(body))
		req.Header.Set("X-Signature-Timestamp", ts)
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...))))
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
			t.Fatalf("status %d for %q", rec.Code, body)
		}
		if rec.Code == http.StatusOK && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("invalid JSON answer %q for %q", rec.Body.String(), body)
		}
	})
}

// interactionBody is a signed-ready /brief help interaction.
func interactionBody(t *testing.T, srv *fakediscord.Server) []byte {
	t.Helper()
	i := fakediscord.Command("brief", "help")
	i.ID, i.Token, i.AppID, i.Version = "700000000000000001", "tok", srv.ApplicationID(), 1
	body, err := json.Marshal(i)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// signed returns the headers Discord would send with body at time at.
func signed(srv *fakediscord.Server, at time.Time, body []byte) map[string]string {
	return map[string]string{"X-Signature-Timestamp": unix(at), "X-Signature-Ed25519": srv.Sign(unix(at), body)}
}

type answer struct {
	status      int
	body        string
	contentType string
}

func post(t *testing.T, url string, body []byte, headers map[string]string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: string(raw), contentType: resp.Header.Get("Content-Type")}
}
