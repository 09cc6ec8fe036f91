package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/briefbot/briefbot/bot/internal/pause"
)

// drainTimeout is how long Run lets commands in progress finish after its context ended.
const drainTimeout = 10 * time.Second

// Run serves Slack until ctx ends. In socket mode it holds the Socket Mode websocket,
// reconnecting after drops with backoff, and answers slash commands; in HTTP mode commands
// arrive at CommandsHandler and Run only waits. When ctx ends it gives commands in progress a
// few seconds to finish and returns nil; it returns an error when Slack refuses the tokens.
func (b *Bot) Run(ctx context.Context) error {
	if b.cfg.Mode == ModeHTTP {
		<-ctx.Done()
		b.drain(drainTimeout)
		return nil
	}
	smc := socketmode.New(b.api, socketmode.OptionLog(slog.NewLogLogger(b.log.Handler(), slog.LevelDebug)))
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { b.socketEvents(runCtx, smc) })
	defer func() {
		cancel()
		wg.Wait()
		b.drain(drainTimeout)
	}()

	backoff := time.Second
	for {
		err := smc.RunContext(runCtx)
		if ctx.Err() != nil {
			return nil
		}
		if isAuthError(err) {
			b.log.Error("socket mode refused", slog.Any("error", err))
			return fmt.Errorf("slack: socket mode: %w", explain(err))
		}
		b.log.Warn("socket mode stopped; reconnecting", slog.Any("error", err), slog.Duration("backoff", backoff))
		if !pause.For(ctx, backoff) {
			return nil
		}
		backoff = min(2*backoff, time.Minute)
	}
}

// drain waits for commands in progress, then cancels what is left.
func (b *Bot) drain(timeout time.Duration) {
	done := make(chan struct{})
	go func() {
		b.inflight.Wait()
		close(done)
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		b.log.Warn("commands still in progress at shutdown are cancelled")
		b.stop()
		<-done
	}
}

func isAuthError(err error) bool {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "invalid_auth", "account_inactive", "not_authed", "token_revoked", "not_allowed_token_type":
			return true
		}
	}
	return false
}

// socketEvents reads the Socket Mode client's events: slash commands are answered, other
// envelopes acknowledged, connection changes logged.
func (b *Bot) socketEvents(ctx context.Context, smc *socketmode.Client) {
	for {
		var evt socketmode.Event
		select {
		case <-ctx.Done():
			return
		case evt = <-smc.Events:
		}
		switch evt.Type {
		case socketmode.EventTypeSlashCommand:
			b.socketCommand(smc, evt)
		case socketmode.EventTypeEventsAPI, socketmode.EventTypeInteractive:
			if evt.Request != nil {
				_ = smc.Ack(*evt.Request)
			}
		case socketmode.EventTypeConnected:
			b.log.Info("socket mode connected")
		case socketmode.EventTypeConnectionError:
			b.log.Warn("socket mode connection failed; retrying", slog.Any("error", eventError(evt)))
		case socketmode.EventTypeInvalidAuth:
			b.log.Error("socket mode: the app token was refused")
		case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage, socketmode.EventTypeErrorWriteFailed:
			b.log.Warn("socket mode message error", slog.String("event", string(evt.Type)), slog.Any("error", eventError(evt)))
		default:
			b.log.Debug("socket mode event", slog.String("event", string(evt.Type)))
		}
	}
}

// socketCommand answers a slash command that came over the socket, in a goroutine of its own,
// acknowledging its envelope with the answer (or bare, when the answer follows later).
func (b *Bot) socketCommand(smc *socketmode.Client, evt socketmode.Event) {
	cmd, ok := evt.Data.(slack.SlashCommand)
	if !ok || evt.Request == nil {
		return
	}
	req := *evt.Request
	if !b.envSeen.First(req.EnvelopeID, b.now()) {
		// Slack redelivers an envelope it did not see acknowledged: answer once.
		b.log.Info("slash command delivered again; ignored", slog.String("envelope_id", req.EnvelopeID))
		_ = smc.Ack(req)
		return
	}
	ack := func(p *slack.WebhookMessage) {
		var err error
		if p == nil {
			err = smc.Ack(req)
		} else if err = smc.Ack(req, p); err != nil {
			err = errors.Join(err, smc.Ack(req))
		}
		if err != nil {
			b.log.Error("acknowledging a slash command failed", slog.String("envelope_id", req.EnvelopeID), slog.Any("error", err))
		}
	}
	b.inflight.Go(func() { b.answer(cmd, ack) })
}

func eventError(evt socketmode.Event) error {
	switch d := evt.Data.(type) {
	case *slack.ConnectionErrorEvent:
		return d.ErrorObj
	case *slack.IncomingEventError:
		return d.ErrorObj
	case *socketmode.ErrorBadMessage:
		return d.Cause
	case *socketmode.ErrorWriteFailed:
		return d.Cause
	case error:
		return d
	}
	return fmt.Errorf("%v", evt.Data)
}
