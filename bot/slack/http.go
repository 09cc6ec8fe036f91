package slack

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/slack-go/slack"
)

// maxCommandBody caps a slash command request; Slack's are a few hundred bytes.
const maxCommandBody = 64 << 10

// CommandsHandler serves POST /slack/commands (HTTP mode). A request is answered only when its
// signature (X-Slack-Signature over the body, with the signing secret) is valid, its timestamp
// within 5 minutes, and its signature not seen before: otherwise 401 (bad, missing or stale
// signature) or 409 (a replay). The answer follows the same 3-second rule as socket mode.
// Slack's certificate checks (ssl_check=1) get an empty 200 and do nothing.
func (b *Bot) CommandsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCommandBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "cannot read request", http.StatusBadRequest)
			return
		}
		if form, err := url.ParseQuery(string(body)); err == nil && form.Get("ssl_check") == "1" {
			// Slack checking the certificate of the request URL: answer, do nothing.
			w.WriteHeader(http.StatusOK)
			return
		}
		log := b.log.With(slog.String("remote_addr", r.RemoteAddr))
		verifier, err := slack.NewSecretsVerifier(r.Header, b.cfg.SigningSecret)
		if err == nil {
			_, _ = verifier.Write(body)
			err = verifier.Ensure()
		}
		if err != nil {
			log.Warn("slash command refused: bad signature", slog.Any("error", err))
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		if !b.replays.First(r.Header.Get("X-Slack-Signature"), b.now()) {
			log.Warn("slash command refused: replayed request")
			http.Error(w, "replayed request", http.StatusConflict)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		cmd, err := slack.SlashCommandParse(r)
		if err != nil {
			http.Error(w, "malformed slash command", http.StatusBadRequest)
			return
		}
		b.answer(cmd, func(p *slack.WebhookMessage) {
			if p == nil {
				w.WriteHeader(http.StatusOK)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			_ = json.NewEncoder(w).Encode(p)
		})
	})
}
