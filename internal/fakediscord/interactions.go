package fakediscord

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Command returns the interaction Discord sends when a guild member runs a chat-input command:
// Command("brief", "now", "topic", "korea", "window", "24h") is /brief now topic:korea window:24h.
// Options come as name, value pairs of strings. The member (DefaultUserID, "reader") may view and
// send messages in DefaultChannelID of DefaultGuildID; change the fields to taste
// (i.Member.Permissions |= discordgo.PermissionManageChannels for an admin).
func Command(name, subcommand string, options ...string) *discordgo.Interaction {
	return newInteraction(discordgo.InteractionApplicationCommand, name, subcommand, "", options)
}

// Autocomplete returns the interaction Discord sends while a member types option focused of
// /name subcommand; options are name, value pairs and include the focused one.
func Autocomplete(name, subcommand, focused string, options ...string) *discordgo.Interaction {
	return newInteraction(discordgo.InteractionApplicationCommandAutocomplete, name, subcommand, focused, options)
}

// Ping returns the PING Discord sends to check an interactions endpoint.
func Ping() *discordgo.Interaction {
	return &discordgo.Interaction{Type: discordgo.InteractionPing}
}

func newInteraction(typ discordgo.InteractionType, name, subcommand, focused string, options []string) *discordgo.Interaction {
	var opts []*discordgo.ApplicationCommandInteractionDataOption
	for i := 0; i+1 < len(options); i += 2 {
		opts = append(opts, &discordgo.ApplicationCommandInteractionDataOption{
			Name: options[i], Type: discordgo.ApplicationCommandOptionString, Value: options[i+1],
			Focused: options[i] == focused && focused != "",
		})
	}
	if subcommand != "" {
		opts = []*discordgo.ApplicationCommandInteractionDataOption{{
			Name: subcommand, Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts,
		}}
	}
	return &discordgo.Interaction{
		Type:      typ,
		GuildID:   DefaultGuildID,
		ChannelID: DefaultChannelID,
		Member: &discordgo.Member{
			GuildID:     DefaultGuildID,
			User:        &discordgo.User{ID: DefaultUserID, Username: "reader"},
			Permissions: discordgo.PermissionViewChannel | discordgo.PermissionSendMessages,
		},
		Locale: discordgo.EnglishUS,
		Data: discordgo.ApplicationCommandInteractionData{
			ID: "500000000000000001", Name: name, CommandType: discordgo.ChatApplicationCommand,
			Options: opts,
		},
	}
}

// register fills in an interaction's ids and remembers it for its answers.
func (s *Server) register(i *discordgo.Interaction) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i.ID == "" {
		i.ID = s.newIDLocked()
	}
	if i.Token == "" {
		var b [24]byte
		rand.Read(b[:])
		i.Token = "aW50ZXJhY3Rpb24" + hex.EncodeToString(b[:])
	}
	if i.AppID == "" {
		i.AppID = s.appID
	}
	if i.Version == 0 {
		i.Version = 1
	}
	if i.Type == 0 {
		i.Type = discordgo.InteractionApplicationCommand
	}
	s.interactions[i.ID] = &interaction{
		id: i.ID, token: i.Token, channelID: i.ChannelID, typ: i.Type, sentAt: time.Now(),
	}
}

// Sign returns the X-Signature-Ed25519 header Discord would send with this timestamp and body.
func (s *Server) Sign(timestamp string, body []byte) string {
	return hex.EncodeToString(ed25519.Sign(s.priv, append([]byte(timestamp), body...)))
}

// PostInteraction delivers an interaction to an HTTP interactions endpoint as Discord does:
// signed with the application's key, timestamped by the fake's clock, answered within the
// 3-second deadline. A 200 answer is taken as the interaction's first answer (see Reply). It
// returns the interaction's id and the endpoint's status; err is for a failed request or an
// answer that is not valid JSON.
func (s *Server) PostInteraction(ctx context.Context, endpoint string, i *discordgo.Interaction) (id string, status int, err error) {
	s.register(i)
	body, err := json.Marshal(i)
	if err != nil {
		return i.ID, 0, fmt.Errorf("fakediscord: encode interaction: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, InteractionDeadline)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return i.ID, 0, fmt.Errorf("fakediscord: %w", err)
	}
	ts := strconv.FormatInt(s.now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Discord-Interactions/1.0 (+https://discord.com)")
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("X-Signature-Ed25519", s.Sign(ts, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return i.ID, 0, fmt.Errorf("fakediscord: post interaction: %w", err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return i.ID, resp.StatusCode, fmt.Errorf("fakediscord: read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return i.ID, resp.StatusCode, nil
	}
	if problem := s.spec.validate(RouteInteractionCallback, answer); problem != "" {
		s.t.Errorf("fakediscord: the answer to interaction %s breaks Discord's API description: %s\nbody: %s",
			i.ID, problem, answer)
	}
	s.mu.Lock()
	in := s.interactions[i.ID]
	s.mu.Unlock()
	if _, err := s.answer(in, answer); err != nil {
		return i.ID, resp.StatusCode, fmt.Errorf("fakediscord: answer to interaction %s refused: %w (body %s)", i.ID, err, answer)
	}
	return i.ID, resp.StatusCode, nil
}
