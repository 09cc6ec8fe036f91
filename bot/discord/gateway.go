package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/briefbot/briefbot/bot/internal/pause"
)

// runGateway connects to the gateway and answers interactions until ctx is done. A failed
// connection is retried with backoff, except when Discord refuses the token or the sharding.
func (b *Bot) runGateway(ctx context.Context) error {
	remove := b.session.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		if ic.Interaction == nil || ctx.Err() != nil {
			return
		}
		b.onInteraction(ctx, ic.Interaction)
	})
	defer remove()
	// discordgo reconnects by itself; a reconnection that completes after shutdown is closed.
	removeConnect := b.session.AddHandler(func(s *discordgo.Session, _ *discordgo.Connect) {
		if ctx.Err() != nil {
			go s.Close()
		}
	})
	defer removeConnect()
	removeDisconnect := b.session.AddHandler(func(*discordgo.Session, *discordgo.Disconnect) {
		if ctx.Err() == nil {
			b.log.Warn("disconnected from the Discord gateway; reconnecting")
		}
	})
	defer removeDisconnect()
	removeResumed := b.session.AddHandler(func(*discordgo.Session, *discordgo.Resumed) {
		b.log.Info("resumed the Discord gateway session")
	})
	defer removeResumed()

	wait := time.Second
	for {
		err := b.session.Open()
		if err == nil {
			break
		}
		if fatalGatewayError(err) {
			return fmt.Errorf("discord: open gateway: %w", err)
		}
		b.log.WarnContext(ctx, "connecting to the gateway failed; retrying", slog.Any("error", err), slog.Duration("retry_in", wait))
		if !pause.For(ctx, wait) {
			return nil
		}
		wait = min(2*wait, time.Minute)
	}
	b.log.InfoContext(ctx, "connected to the Discord gateway", slog.Int("shard_id", b.session.ShardID),
		slog.Int("shard_count", b.session.ShardCount))
	<-ctx.Done()
	b.awaitFirstHeartbeat()
	if err := b.session.Close(); err != nil {
		b.log.Warn("closing the gateway connection", slog.Any("error", err))
	}
	return nil
}

// awaitFirstHeartbeat waits, at most 2 s, until discordgo has sent the session's first
// heartbeat. Closed before that, discordgo's heartbeat fails on the closed socket and starts a
// reconnection of its own; after it, closing is clean. discordgo announces the moment by no
// event, so this polls its ready flag.
func (b *Bot) awaitFirstHeartbeat() {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(2 * time.Second)
	for !b.GatewayConnected() {
		select {
		case <-tick.C:
		case <-deadline:
			return
		}
	}
}

// fatalGatewayError reports whether Discord closed the gateway for a reason a retry cannot fix:
// authentication failed (4004), invalid shard (4010), sharding required (4011), invalid API
// version (4012), invalid or disallowed intents (4013, 4014).
func fatalGatewayError(err error) bool {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4004, 4010, 4011, 4012, 4013, 4014:
			return true
		}
	}
	return errors.Is(err, discordgo.ErrWSShardBounds)
}

// onInteraction answers an interaction that arrived over the gateway; the first answer is a POST
// to its callback route.
func (b *Bot) onInteraction(ctx context.Context, i *discordgo.Interaction) {
	first := func(body any) error {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
		defer cancel()
		cctx, info := withResponseInfo(cctx)
		// The callback route of InteractionRespond, with a body of our own (see autocompleteAnswer).
		endpoint := discordgo.EndpointInteractionResponse(i.ID, i.Token)
		if _, err := b.session.RequestWithBucketID(http.MethodPost, endpoint, body, endpoint, discordgo.WithContext(cctx)); err != nil {
			return classify(withInfo(err, info))
		}
		return nil
	}
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		b.answerCommand(ctx, i, first)
	case discordgo.InteractionApplicationCommandAutocomplete:
		if err := first(b.autocomplete(ctx, i)); err != nil {
			b.log.WarnContext(ctx, "answering an autocompletion failed", slog.String("interaction_id", i.ID), slog.Any("error", err))
		}
	default:
		b.log.DebugContext(ctx, "ignoring an interaction", slog.String("interaction_id", i.ID), slog.String("type", i.Type.String()))
	}
}

// GatewayConnected reports whether the gateway session is up (for health checks); always false
// in http mode, which needs no gateway.
func (b *Bot) GatewayConnected() bool {
	b.session.RLock()
	defer b.session.RUnlock()
	return b.session.DataReady
}
