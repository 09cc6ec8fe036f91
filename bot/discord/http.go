package discord

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Limits of the HTTP interactions endpoint.
const (
	// maxInteractionBody caps a request body; interactions of /brief are a few kilobytes.
	maxInteractionBody = 64 << 10
	// maxClockSkew is how far a request's signed timestamp may be from now.
	maxClockSkew = 5 * time.Minute
	// maxRemembered bounds the request signatures remembered (for twice maxClockSkew) to refuse
	// replays; past it, requests are refused rather than a signature forgotten early.
	maxRemembered = 100_000
)

// InteractionsHandler serves POST /discord/interactions, the application's Interactions Endpoint
// URL. Requests must carry a valid Ed25519 signature of the application's public key over their
// timestamp and body (401 otherwise), a timestamp within 5 minutes of the bot's clock, and must
// not repeat a request already served (401); bodies over 64 KiB get 413. A PING is answered
// {"type":1}; commands are answered in the response, or deferred and followed up when slow.
func (b *Bot) InteractionsHandler() http.Handler { return http.HandlerFunc(b.serveInteraction) }

func (b *Bot) serveInteraction(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if b.publicKey == nil {
		http.Error(w, "interactions endpoint not configured: set discord.public_key", http.StatusServiceUnavailable)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxInteractionBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read request body", http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if !discordgo.VerifyInteraction(r, b.publicKey) {
		b.refuse(w, r, "invalid request signature")
		return
	}
	now := b.cfg.Now()
	ts, err := strconv.ParseInt(r.Header.Get("X-Signature-Timestamp"), 10, 64)
	if err != nil {
		b.refuse(w, r, "invalid request timestamp")
		return
	}
	if skew := now.Sub(time.Unix(ts, 0)); skew > maxClockSkew || skew < -maxClockSkew {
		b.refuse(w, r, "stale request timestamp")
		return
	}
	// Keyed by the signature's bytes: the same signature spelt in upper-case hex is the same replay.
	sig, _ := hex.DecodeString(r.Header.Get("X-Signature-Ed25519")) // valid: VerifyInteraction decoded it
	if !b.replays.First(string(sig), now) {
		b.refuse(w, r, "replayed request")
		return
	}

	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil {
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	switch i.Type {
	case discordgo.InteractionPing:
		writeJSON(w, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
	case discordgo.InteractionApplicationCommand:
		b.answerCommand(r.Context(), &i, func(body any) error { return writeJSON(w, body) })
	case discordgo.InteractionApplicationCommandAutocomplete:
		writeJSON(w, b.autocomplete(r.Context(), &i))
	default:
		http.Error(w, "unsupported interaction type", http.StatusBadRequest)
	}
}

// refuse answers 401 to a request that is not Discord's, or not fresh.
func (b *Bot) refuse(w http.ResponseWriter, r *http.Request, why string) {
	b.log.InfoContext(r.Context(), "refused an interactions request", slog.String("reason", why),
		slog.String("remote_addr", r.RemoteAddr))
	http.Error(w, why, http.StatusUnauthorized)
}

func writeJSON(w http.ResponseWriter, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(raw)
	return err
}
