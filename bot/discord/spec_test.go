package discord_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/internal/fakediscord"
)

// TestTheBodiesSentConformToDiscordsAPIDescription runs every kind of call the adapter makes
// against a fake that validates each JSON body (and each HTTP answer) against
// ../shared/specs/discord-openapi.json; a body that breaks it fails the test there.
func TestTheBodiesSentConformToDiscordsAPIDescription(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	if !srv.SpecLoaded() {
		t.Skip("../shared/specs/discord-openapi.json is absent: bodies cannot be checked against Discord's API description")
	}
	router, _ := newRouter(t)

	// Command registration and the HTTP answers.
	b := newBot(t, srv, router, botOptions{mode: discord.ModeHTTP})
	if err := b.RegisterCommands(context.Background()); err != nil {
		t.Fatal(err)
	}
	endpoint := serveHTTP(t, b)
	for _, i := range []struct{ sub string }{{"help"}, {"topics"}} {
		if _, status, err := srv.PostInteraction(context.Background(), endpoint, fakediscord.Command("brief", i.sub)); err != nil || status != http.StatusOK {
			t.Fatalf("/brief %s: %d %v", i.sub, status, err)
		}
	}
	if _, status, err := srv.PostInteraction(context.Background(), endpoint, fakediscord.Command("brief", "now", "topic", "korea")); err != nil || status != http.StatusOK {
		t.Fatalf("/brief now: %d %v", status, err)
	}
	if _, status, err := srv.PostInteraction(context.Background(), endpoint, fakediscord.Autocomplete("brief", "now", "topic", "topic", "ko")); err != nil || status != http.StatusOK {
		t.Fatalf("autocomplete: %d %v", status, err)
	}

	// Messages, the gateway's callbacks, deferred edits and follow-ups.
	if _, err := b.Post(context.Background(), bot.Delivery{ChannelID: channel, Briefing: bigBriefing(12), Key: "spec"}); err != nil {
		t.Fatal(err)
	}
	h := newTestHandler()
	big := bigBriefing(12)
	h.setReply(bot.CommandNow, bot.Reply{Briefing: &big})
	g := newBot(t, srv, h, botOptions{})
	runGateway(t, srv, g)
	id, _ := srv.SendInteraction(fakediscord.Command("brief", "now", "topic", "korea"))
	answered(t, srv, id, func(r fakediscord.InteractionReply) bool { return len(r.Followups) > 0 })
	release := make(chan struct{})
	h.setRelease(release)
	slow := newBot(t, srv, h, botOptions{mode: discord.ModeHTTP, deferAfter: 1})
	id, _, _ = srv.PostInteraction(context.Background(), serveHTTP(t, slow), fakediscord.Command("brief", "help"))
	close(release)
	answered(t, srv, id, func(r fakediscord.InteractionReply) bool { return r.Original != nil && !r.Original.Deferred })

	checked := map[string]int{}
	for _, r := range srv.Requests() {
		if len(r.Body) > 0 {
			checked[r.Route]++
		}
		if r.SchemaError != "" {
			t.Errorf("%s %s: %s", r.Method, r.Path, r.SchemaError)
		}
	}
	for _, route := range []string{
		fakediscord.RouteBulkOverwriteGlobalCommands, fakediscord.RouteCreateMessage,
		fakediscord.RouteInteractionCallback, fakediscord.RouteFollowup, fakediscord.RouteEditOriginal,
	} {
		if checked[route] == 0 {
			t.Errorf("no body was checked for %s", route)
		}
	}
}
