package discord

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot"
)

// CommandName is the one application command briefbot registers; its subcommands are the
// router's commands.
const CommandName = "brief"

const commandDescription = "Key-quote news briefings: brief a topic now, or schedule briefings for this channel."

// commandPermissions is /brief's default_member_permissions: members who may send messages in
// the channel. Discord applies this to the whole command, so it cannot be Manage Channels
// without hiding "/brief now" from readers; subscribe and unsubscribe check Manage Channels when
// they run instead (IsAdmin).
const commandPermissions = int64(discordgo.PermissionSendMessages)

// adminPermissions are the permissions that allow changing a channel's subscriptions.
const adminPermissions = int64(discordgo.PermissionManageChannels | discordgo.PermissionAdministrator)

// Discord's limits on command definitions.
const (
	maxDescription = 100
	maxOptions     = 25
)

var optionName = regexp.MustCompile(`^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$`)

// BuildCommand returns the /brief command with one subcommand per spec (specs without a name,
// such as the channel's own briefing, have none). It fails on a spec Discord would refuse.
func BuildCommand(specs []bot.CommandSpec) (*discordgo.ApplicationCommand, error) {
	perms := commandPermissions
	cmd := &discordgo.ApplicationCommand{
		Type:                     discordgo.ChatApplicationCommand,
		Name:                     CommandName,
		Description:              commandDescription,
		DefaultMemberPermissions: &perms,
	}
	for _, spec := range specs {
		if spec.Name == "" {
			continue
		}
		sub, err := buildSubcommand(spec)
		if err != nil {
			return nil, err
		}
		cmd.Options = append(cmd.Options, sub)
	}
	if len(cmd.Options) == 0 {
		return nil, fmt.Errorf("discord: /%s has no subcommands", CommandName)
	}
	if len(cmd.Options) > maxOptions {
		return nil, fmt.Errorf("discord: /%s has %d subcommands; Discord allows %d", CommandName, len(cmd.Options), maxOptions)
	}
	return cmd, nil
}

func buildSubcommand(spec bot.CommandSpec) (*discordgo.ApplicationCommandOption, error) {
	if !optionName.MatchString(spec.Name) {
		return nil, fmt.Errorf("discord: subcommand name %q: Discord needs 1 to 32 lowercase letters, digits, - or _", spec.Name)
	}
	sub := &discordgo.ApplicationCommandOption{
		Type:        discordgo.ApplicationCommandOptionSubCommand,
		Name:        spec.Name,
		Description: shorten(orDefault(spec.Description, spec.Usage, spec.Name), maxDescription),
	}
	if len(spec.Options) > maxOptions {
		return nil, fmt.Errorf("discord: subcommand %q has %d options; Discord allows %d", spec.Name, len(spec.Options), maxOptions)
	}
	// Discord wants required options first; the text form's order is kept otherwise.
	var required, optional []*discordgo.ApplicationCommandOption
	for _, o := range spec.Options {
		if !optionName.MatchString(o.Name) {
			return nil, fmt.Errorf("discord: option %q of %q: Discord needs 1 to 32 lowercase letters, digits, - or _", o.Name, spec.Name)
		}
		typ, err := optionType(o.Kind)
		if err != nil {
			return nil, fmt.Errorf("discord: option %q of %q: %w", o.Name, spec.Name, err)
		}
		opt := &discordgo.ApplicationCommandOption{
			Type:         typ,
			Name:         o.Name,
			Description:  shorten(orDefault(o.Description, o.Name), maxDescription),
			Required:     o.Required,
			Autocomplete: o.Autocomplete && typ == discordgo.ApplicationCommandOptionString,
		}
		if typ == discordgo.ApplicationCommandOptionString {
			opt.MaxLength = maxOptionValue
		}
		if o.Required {
			required = append(required, opt)
		} else {
			optional = append(optional, opt)
		}
	}
	sub.Options = append(required, optional...)
	return sub, nil
}

// maxOptionValue caps string option values (topics, schedules, zones are short).
const maxOptionValue = 200

func optionType(kind string) (discordgo.ApplicationCommandOptionType, error) {
	switch strings.ToLower(kind) {
	case "", "string":
		return discordgo.ApplicationCommandOptionString, nil
	case "integer", "int":
		return discordgo.ApplicationCommandOptionInteger, nil
	case "number", "float":
		return discordgo.ApplicationCommandOptionNumber, nil
	case "boolean", "bool":
		return discordgo.ApplicationCommandOptionBoolean, nil
	}
	return 0, fmt.Errorf("unknown kind %q (string, integer, number or boolean)", kind)
}

func orDefault(values ...string) string {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// shorten cuts s to at most n characters at a word boundary, ending it with "…".
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)[:n-1]
	cut := string(runes)
	if i := strings.LastIndexAny(cut, " \t\n"); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.-") + "…"
}

// RegisterCommands replaces the application's commands with /brief, in the configured guild
// (instant) or globally (Discord may take up to an hour to show changes everywhere). Errors are
// *bot.PostError so the caller can tell a bad token from a passing failure.
func (b *Bot) RegisterCommands(ctx context.Context) error {
	cmd, err := BuildCommand(b.h.Commands())
	if err != nil {
		return &bot.PostError{Err: err}
	}
	ctx, info := withResponseInfo(ctx)
	created, err := b.session.ApplicationCommandBulkOverwrite(b.cfg.ApplicationID, b.cfg.GuildID,
		[]*discordgo.ApplicationCommand{cmd}, discordgo.WithContext(ctx))
	if err != nil {
		pe := classify(withInfo(err, info))
		pe.Err = fmt.Errorf("discord: register /%s: %w", CommandName, pe.Err)
		return pe
	}
	scope := "global"
	if b.cfg.GuildID != "" {
		scope = "guild " + b.cfg.GuildID
	}
	b.log.InfoContext(ctx, "registered /brief", slog.String("scope", scope), slog.Int("commands", len(created)),
		slog.Int("subcommands", len(cmd.Options)))
	return nil
}
