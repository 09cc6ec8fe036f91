package discord_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/internal/fakediscord"
)

func TestStartUpRegistersBriefByBulkOverwrite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, guild, route string
	}{
		{"globally without a guild", "", fakediscord.RouteBulkOverwriteGlobalCommands},
		{"in the configured guild", "200000000000000042", fakediscord.RouteBulkOverwriteGuildCommands},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fakediscord.New(t)
			b := newBot(t, srv, newTestHandler(), botOptions{mode: discord.ModeHTTP, guildID: tt.guild})
			run(t, b)
			srv.WaitFor(t, "/brief registered", func() bool {
				reqs := srv.RequestsTo(tt.route)
				return len(reqs) == 1 && reqs[0].Status == http.StatusOK
			})

			reqs := srv.RequestsTo(tt.route)
			if len(reqs) != 1 {
				t.Fatalf("%d requests to %s, want 1", len(reqs), tt.route)
			}
			var body []map[string]any
			if err := json.Unmarshal(reqs[0].Body, &body); err != nil || len(body) != 1 {
				t.Fatalf("body %s: %v", reqs[0].Body, err)
			}
			if body[0]["name"] != "brief" || body[0]["default_member_permissions"] != "2048" {
				t.Errorf("command = name %v, default_member_permissions %v; want brief, \"2048\" (Send Messages)",
					body[0]["name"], body[0]["default_member_permissions"])
			}
			cmd := srv.Commands()[0]
			if cmd.GuildID != tt.guild {
				t.Errorf("registered in guild %q, want %q", cmd.GuildID, tt.guild)
			}
			checkBriefCommand(t, cmd)
		})
	}
}

// checkBriefCommand checks /brief's subcommands and options as Discord holds them.
func checkBriefCommand(t *testing.T, cmd *discordgo.ApplicationCommand) {
	t.Helper()
	subs := map[string]*discordgo.ApplicationCommandOption{}
	var names []string
	for _, o := range cmd.Options {
		if o.Type != discordgo.ApplicationCommandOptionSubCommand {
			t.Errorf("option %q is not a subcommand", o.Name)
		}
		subs[o.Name] = o
		names = append(names, o.Name)
	}
	if got := strings.Join(names, " "); got != "now topics subscribe unsubscribe schedule help" {
		t.Errorf("subcommands = %s", got)
	}
	type opt struct {
		name                   string
		required, autocomplete bool
	}
	want := map[string][]opt{
		"now":         {{"topic", false, true}, {"window", false, false}},
		"subscribe":   {{"topic", true, true}, {"schedule", false, false}, {"timezone", false, true}},
		"unsubscribe": {{"topic", true, true}},
		"topics":      nil, "schedule": nil, "help": nil,
	}
	for sub, opts := range want {
		s := subs[sub]
		if s == nil {
			continue
		}
		if len(s.Options) != len(opts) {
			t.Errorf("%s has %d options, want %d", sub, len(s.Options), len(opts))
			continue
		}
		for i, w := range opts {
			o := s.Options[i]
			if o.Name != w.name || o.Type != discordgo.ApplicationCommandOptionString || o.Required != w.required ||
				o.Autocomplete != w.autocomplete || o.Description == "" {
				t.Errorf("%s option %d = %+v, want %+v (string, described)", sub, i, o, w)
			}
		}
	}
	if p := cmd.DefaultMemberPermissions; p == nil || *p != discordgo.PermissionSendMessages {
		t.Errorf("default_member_permissions = %v, want Send Messages", p)
	}
}

func TestBuildCommandMakesEverySpecASubcommandWithRequiredOptionsFirst(t *testing.T) {
	t.Parallel()
	specs := []bot.CommandSpec{
		{Name: "", Usage: "/brief", Description: "the channel's briefing"}, // no subcommand
		{Name: "now", Description: strings.Repeat("A long description. ", 10), Options: []bot.OptionSpec{
			{Name: "window", Description: "w"},
			{Name: "topic", Description: "t", Required: true, Autocomplete: true, Kind: "string"},
			{Name: "stories", Description: "s", Kind: "integer", Autocomplete: true},
		}},
	}
	cmd, err := discord.BuildCommand(specs)
	if err != nil {
		t.Fatal(err)
	}
	if len(cmd.Options) != 1 {
		t.Fatalf("%d subcommands, want 1 (none for the unnamed spec)", len(cmd.Options))
	}
	now := cmd.Options[0]
	if n := len([]rune(now.Description)); n > 100 || !strings.HasSuffix(now.Description, "…") {
		t.Errorf("description %q (%d characters) is not shortened to 100", now.Description, n)
	}
	var order []string
	for _, o := range now.Options {
		order = append(order, o.Name)
	}
	if got := strings.Join(order, ","); got != "topic,window,stories" {
		t.Errorf("option order = %s, want required first", got)
	}
	if st := now.Options[2]; st.Type != discordgo.ApplicationCommandOptionInteger || st.Autocomplete {
		t.Errorf("stories = %+v, want an integer without autocomplete", st)
	}
}

func TestBuildCommandRefusesSpecsDiscordWouldRefuse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		specs []bot.CommandSpec
	}{
		{"an upper-case subcommand", []bot.CommandSpec{{Name: "Now", Description: "d"}}},
		{"a subcommand name with a space", []bot.CommandSpec{{Name: "sub scribe", Description: "d"}}},
		{"an option of unknown kind", []bot.CommandSpec{{Name: "now", Options: []bot.OptionSpec{{Name: "topic", Kind: "user"}}}}},
		{"no subcommand at all", []bot.CommandSpec{{Name: ""}}},
		{"a name longer than 32", []bot.CommandSpec{{Name: strings.Repeat("a", 33)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := discord.BuildCommand(tt.specs); err == nil {
				t.Error("BuildCommand accepted it")
			}
		})
	}
}

func TestRunStopsWhenDiscordRefusesTheToken(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t, fakediscord.WithToken("another-token"))
	b := newBot(t, srv, newTestHandler(), botOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := b.Run(ctx)
	var pe *bot.PostError
	if !errors.As(err, &pe) || pe.Temporary || pe.Status != http.StatusUnauthorized {
		t.Fatalf("Run = %v, want a permanent 401", err)
	}
	if srv.Connected() != 0 || len(srv.Identifies()) != 0 {
		t.Error("Run connected to the gateway with a refused token")
	}
}

func TestATemporaryRegistrationFailureDoesNotStopTheBot(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	srv.FailNext(fakediscord.RouteBulkOverwriteGlobalCommands, http.StatusServiceUnavailable, 0, 1)
	b := newBot(t, srv, newTestHandler(), botOptions{})
	run(t, b)
	srv.WaitFor(t, "the gateway session", func() bool { return srv.Connected() == 1 })
	id, err := srv.SendInteraction(fakediscord.Command("brief", "help"))
	if err != nil {
		t.Fatal(err)
	}
	answered(t, srv, id, nil)
}

func TestCheckSaysWhoTheBotIs(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	b := newBot(t, srv, newTestHandler(), botOptions{})
	got, err := b.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "briefbot") || !strings.Contains(got, fakediscord.DefaultBotUserID) ||
		!strings.Contains(got, "/brief not registered globally") {
		t.Errorf("Check before registration = %q", got)
	}
	if reqs := srv.RequestsTo(fakediscord.RouteCurrentUser); len(reqs) != 1 || reqs[0].Header.Get("Authorization") != "Bot test-token" {
		t.Errorf("requests = %+v", reqs)
	}
	if err := b.RegisterCommands(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Check(context.Background()); err != nil || !strings.Contains(got, "/brief registered globally") {
		t.Errorf("Check after registration = %q, %v", got, err)
	}

	bad := fakediscord.New(t, fakediscord.WithToken("other"))
	b = newBot(t, bad, newTestHandler(), botOptions{})
	if _, err := b.Check(context.Background()); err == nil || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "test-token") {
		t.Errorf("Check with a refused token = %v", err)
	}
}

func TestNewExplainsWhatIsWrongWithTheConfig(t *testing.T) {
	t.Parallel()
	good := discord.Config{Token: "t", ApplicationID: "100000000000000001"}
	key := strings.Repeat("ab", 32)
	tests := []struct {
		name   string
		change func(*discord.Config)
		field  string
	}{
		{"an unknown mode", func(c *discord.Config) { c.Mode = "socket" }, "discord.mode"},
		{"no token", func(c *discord.Config) { c.Token = "Bot " }, "discord.token"},
		{"an application id that is not a number", func(c *discord.Config) { c.ApplicationID = "briefbot" }, "discord.application_id"},
		{"http mode without a public key", func(c *discord.Config) { c.Mode = "http" }, "discord.public_key"},
		{"a public key that is not hex", func(c *discord.Config) { c.PublicKey = "zz" + key[2:] }, "discord.public_key"},
		{"a public key too short", func(c *discord.Config) { c.PublicKey = key[:62] }, "discord.public_key"},
		{"an API URL that is not http", func(c *discord.Config) { c.APIURL = "ftp://discord.example/" }, "discord.api_url"},
		{"a guild id that is not a number", func(c *discord.Config) { c.GuildID = "my-guild" }, "discord.guild_id"},
		{"a shard beyond the count", func(c *discord.Config) { c.ShardID, c.ShardCount = 2, 2 }, "shard"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := good
			tt.change(&cfg)
			_, err := discord.New(cfg, newTestHandler())
			if !errors.Is(err, discord.ErrConfig) || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("New = %v, want an ErrConfig naming %s", err, tt.field)
			}
		})
	}
	if _, err := discord.New(good, newTestHandler()); err != nil {
		t.Errorf("a minimal gateway config is refused: %v", err)
	}
	http := good
	http.Mode, http.PublicKey = "HTTP", key
	if _, err := discord.New(http, newTestHandler()); err != nil {
		t.Errorf("a minimal http config is refused: %v", err)
	}
	if _, err := discord.New(good, nil); !errors.Is(err, discord.ErrConfig) {
		t.Errorf("New without a handler = %v", err)
	}
}
