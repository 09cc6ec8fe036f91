package fakediscord

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// maxBody caps the request bodies the fake reads (Discord's own limit is larger; no briefbot
// body comes near it).
const maxBody = 8 << 20

// Message is a message as the fake holds it: posted to a channel, or answering an interaction.
type Message struct {
	ID        string
	ChannelID string
	// Via says how it was made: "channel" (POST /channels/…/messages), "interaction" (the
	// interaction's response), or "followup" (a webhook follow-up).
	Via           string
	InteractionID string
	// Deferred is true while a deferred response (type 5) has not been edited.
	Deferred        bool
	Edits           int
	Content         string
	Embeds          []*discordgo.MessageEmbed
	AllowedMentions *discordgo.MessageAllowedMentions
	Flags           discordgo.MessageFlags
	Nonce           string
	EnforceNonce    bool
	// Body is the JSON body that made (or last edited) the message.
	Body      json.RawMessage
	Timestamp time.Time
}

// Ephemeral reports whether only the invoking user sees the message (flag 64).
func (m Message) Ephemeral() bool { return m.Flags&discordgo.MessageFlagsEphemeral != 0 }

// MentionsSuppressed reports whether the message was sent with allowed_mentions {"parse": []} and
// no user or role allowed: nothing in it can ping anyone.
func (m Message) MentionsSuppressed() bool {
	am := m.AllowedMentions
	return am != nil && am.Parse != nil && len(am.Parse) == 0 && len(am.Users) == 0 &&
		len(am.Roles) == 0 && !am.RepliedUser
}

type message struct {
	Message
	interaction *interaction
}

type nonceEntry struct {
	msg *message
	at  time.Time
}

// Messages returns the messages in each channel, by channel id, oldest first; ephemeral
// interaction answers included (see Message.Ephemeral), deleted ones not.
func (s *Server) Messages() map[string][]Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string][]Message, len(s.messages))
	for ch, msgs := range s.messages {
		for _, m := range msgs {
			out[ch] = append(out[ch], m.Message)
		}
	}
	return out
}

// messageBody is the part of a message-creating body the fake understands.
type messageBody struct {
	Type            *int                                        `json:"type"` // interaction callbacks
	Content         *string                                     `json:"content"`
	Embeds          *[]*discordgo.MessageEmbed                  `json:"embeds"`
	AllowedMentions *discordgo.MessageAllowedMentions           `json:"allowed_mentions"`
	Flags           discordgo.MessageFlags                      `json:"flags"`
	Nonce           json.RawMessage                             `json:"nonce"`
	EnforceNonce    bool                                        `json:"enforce_nonce"`
	Choices         []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
}

func (b messageBody) nonce() string {
	var str string
	if json.Unmarshal(b.Nonce, &str) == nil {
		return str
	}
	var n json.Number
	if json.Unmarshal(b.Nonce, &n) == nil {
		return n.String()
	}
	return ""
}

// decodeMessage decodes a message body and checks it as Discord would (requireContent: a new
// message, which must say something). A refused body gets Discord's error written to w, and its
// status returned; status is 0 for a good body.
func decodeMessage(w http.ResponseWriter, body []byte, requireContent bool) (b messageBody, status int) {
	if err := json.Unmarshal(body, &b); err != nil {
		return b, writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
	}
	if p := b.problem(requireContent); p != "" {
		return b, writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body: "+p)
	}
	return b, 0
}

// problem says why Discord would refuse the message, "" when it would not.
func (b messageBody) problem(requireContent bool) string {
	content, embeds := "", []*discordgo.MessageEmbed(nil)
	if b.Content != nil {
		content = *b.Content
	}
	if b.Embeds != nil {
		embeds = *b.Embeds
	}
	if requireContent && content == "" && len(embeds) == 0 {
		return "Cannot send an empty message"
	}
	if n := utf8.RuneCountInString(content); n > 2000 {
		return fmt.Sprintf("content: Must be 2000 or fewer in length (got %d)", n)
	}
	if len(embeds) > 10 {
		return "embeds: Must be 10 or fewer in length"
	}
	if n := embedChars(embeds); n > 6000 {
		return fmt.Sprintf("embeds: Embed size exceeds maximum size of 6000 (got %d)", n)
	}
	return ""
}

// embedChars counts the characters Discord adds up against the 6,000 limit.
func embedChars(embeds []*discordgo.MessageEmbed) int {
	n := 0
	count := func(s string) { n += utf8.RuneCountInString(s) }
	for _, e := range embeds {
		if e == nil {
			continue
		}
		count(e.Title)
		count(e.Description)
		for _, f := range e.Fields {
			if f != nil {
				count(f.Name)
				count(f.Value)
			}
		}
		if e.Footer != nil {
			count(e.Footer.Text)
		}
		if e.Author != nil {
			count(e.Author.Name)
		}
	}
	return n
}

func (m *message) apply(b messageBody, body []byte) {
	if b.Content != nil {
		m.Content = *b.Content
	}
	if b.Embeds != nil {
		m.Embeds = *b.Embeds
	}
	if b.AllowedMentions != nil {
		m.AllowedMentions = b.AllowedMentions
	}
	m.Body = slices.Clone(body)
}

func (s *Server) getGateway(w http.ResponseWriter, _ *http.Request, _ []byte) int {
	return writeJSON(w, http.StatusOK, map[string]any{"url": s.GatewayURL()})
}

func (s *Server) getGatewayBot(w http.ResponseWriter, _ *http.Request, _ []byte) int {
	return writeJSON(w, http.StatusOK, map[string]any{
		"url":    s.GatewayURL(),
		"shards": 1,
		"session_start_limit": map[string]any{
			"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1,
		},
	})
}

func (s *Server) getCurrentUser(w http.ResponseWriter, _ *http.Request, _ []byte) int {
	return writeJSON(w, http.StatusOK, s.botUser())
}

func (s *Server) botUser() map[string]any {
	return map[string]any{
		"id": DefaultBotUserID, "username": "briefbot", "discriminator": "0", "bot": true,
		"global_name": nil, "avatar": nil,
	}
}

func (s *Server) createMessage(w http.ResponseWriter, r *http.Request, body []byte) int {
	b, status := decodeMessage(w, body, true)
	if status != 0 {
		return status
	}
	channel := r.PathValue("channel_id")
	nonce := b.nonce()

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	key := channel + "\x00" + nonce
	if e, ok := s.nonces[key]; ok && b.EnforceNonce && nonce != "" && now.Sub(e.at) < nonceWindow {
		return writeJSON(w, http.StatusOK, s.messageJSON(e.msg))
	}
	m := &message{Message: Message{
		ID: s.newIDLocked(), ChannelID: channel, Via: "channel", Flags: b.Flags,
		Nonce: nonce, EnforceNonce: b.EnforceNonce, Timestamp: now,
	}}
	m.apply(b, body)
	s.messages[channel] = append(s.messages[channel], m)
	if nonce != "" && b.EnforceNonce {
		s.nonces[key] = nonceEntry{msg: m, at: now}
	}
	s.notifyLocked()
	return writeJSON(w, http.StatusOK, s.messageJSON(m))
}

// messageJSON renders m as Discord returns a message; the caller holds s.mu.
func (s *Server) messageJSON(m *message) map[string]any {
	embeds := m.Embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	out := map[string]any{
		"id": m.ID, "channel_id": m.ChannelID, "type": 0, "content": m.Content, "embeds": embeds,
		"author": s.botUser(), "timestamp": m.Timestamp.UTC().Format(time.RFC3339Nano),
		"edited_timestamp": nil, "tts": false, "mention_everyone": false, "mentions": []any{},
		"mention_roles": []any{}, "attachments": []any{}, "pinned": false, "flags": m.Flags,
		"components": []any{},
	}
	if m.Nonce != "" {
		out["nonce"] = m.Nonce
	}
	if m.interaction != nil {
		out["type"] = 20 // CHAT_INPUT_COMMAND
		out["webhook_id"] = s.appID
		out["application_id"] = s.appID
	}
	return out
}

var commandName = regexp.MustCompile(`^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$`)

func (s *Server) listCommands(w http.ResponseWriter, r *http.Request, _ []byte) int {
	if r.PathValue("application_id") != s.appID {
		return writeError(w, http.StatusForbidden, 50001, "Missing Access")
	}
	s.mu.Lock()
	raw := s.commands[r.PathValue("guild_id")]
	s.mu.Unlock()
	if raw == nil {
		raw = []byte("[]")
	}
	return writeRaw(w, http.StatusOK, raw)
}

func (s *Server) overwriteCommands(w http.ResponseWriter, r *http.Request, body []byte) int {
	if r.PathValue("application_id") != s.appID {
		return writeError(w, http.StatusForbidden, 50001, "Missing Access")
	}
	var cmds []*discordgo.ApplicationCommand
	if err := json.Unmarshal(body, &cmds); err != nil {
		return writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
	}
	if p := commandsProblem(cmds); p != "" {
		return writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body: "+p)
	}
	guild := r.PathValue("guild_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range cmds {
		c.ID = s.newIDLocked()
		c.ApplicationID = s.appID
		c.GuildID = guild
		c.Version = s.newIDLocked()
		if c.Type == 0 {
			c.Type = discordgo.ChatApplicationCommand
		}
	}
	raw, err := json.Marshal(cmds)
	if err != nil {
		return writeError(w, http.StatusInternalServerError, 0, err.Error())
	}
	s.commands[guild] = raw
	s.notifyLocked()
	return writeRaw(w, http.StatusOK, raw)
}

// commandsProblem checks the rules Discord applies beyond the JSON shape.
func commandsProblem(cmds []*discordgo.ApplicationCommand) string {
	seen := map[string]bool{}
	for _, c := range cmds {
		if c == nil || !commandName.MatchString(c.Name) {
			return "name: Command name is invalid"
		}
		if seen[c.Name] {
			return "Application command names must be unique"
		}
		seen[c.Name] = true
		if p := optionsProblem(c.Name, c.Options); p != "" {
			return p
		}
	}
	return ""
}

func optionsProblem(path string, opts []*discordgo.ApplicationCommandOption) string {
	if len(opts) > 25 {
		return path + ": Must be 25 or fewer in length"
	}
	seen := map[string]bool{}
	optional, subcommands, values := false, 0, 0
	for _, o := range opts {
		if o == nil || !commandName.MatchString(o.Name) {
			return path + ": option name is invalid"
		}
		if seen[o.Name] {
			return path + ": option names must be unique"
		}
		seen[o.Name] = true
		if o.Description == "" || utf8.RuneCountInString(o.Description) > 100 {
			return path + "." + o.Name + ": description must be 1 to 100 characters"
		}
		switch o.Type {
		case discordgo.ApplicationCommandOptionSubCommand, discordgo.ApplicationCommandOptionSubCommandGroup:
			subcommands++
			if p := optionsProblem(path+"."+o.Name, o.Options); p != "" {
				return p
			}
		default:
			values++
			if o.Required && optional {
				return path + ": Required options must be placed before non-required options"
			}
			optional = optional || !o.Required
			if o.Autocomplete && len(o.Choices) > 0 {
				return path + "." + o.Name + ": Autocomplete cannot be set with choices"
			}
		}
	}
	if subcommands > 0 && values > 0 {
		return path + ": Sub-command and sub-command group option types are mutually exclusive to all other types"
	}
	return ""
}

// interaction is an interaction sent by the fake and what the bot answered.
type interaction struct {
	id, token, channelID string
	typ                  discordgo.InteractionType
	sentAt               time.Time // real time: the answer deadline
	callbackType         discordgo.InteractionResponseType
	callback             json.RawMessage
	choices              []*discordgo.ApplicationCommandOptionChoice
	original             *message
	followups            []*message
}

// InteractionReply is what the bot answered to one interaction.
type InteractionReply struct {
	ID string
	// CallbackType is the first answer's type (1 pong, 4 message, 5 deferred, 8 autocomplete
	// choices), 0 while unanswered; Callback its JSON body.
	CallbackType discordgo.InteractionResponseType
	Callback     json.RawMessage
	Choices      []*discordgo.ApplicationCommandOptionChoice
	// Original is the response message (nil before an answer, for autocomplete, or once deleted);
	// Followups the follow-up messages in order.
	Original  *Message
	Followups []Message
}

// Reply returns what the bot answered to the interaction with this id.
func (s *Server) Reply(interactionID string) InteractionReply {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.interactions[interactionID]
	if in == nil {
		return InteractionReply{ID: interactionID}
	}
	out := InteractionReply{
		ID: in.id, CallbackType: in.callbackType, Callback: slices.Clone(in.callback),
		Choices: slices.Clone(in.choices),
	}
	if in.original != nil {
		m := in.original.Message
		out.Original = &m
	}
	for _, f := range in.followups {
		out.Followups = append(out.Followups, f.Message)
	}
	return out
}

func (s *Server) interactionCallback(w http.ResponseWriter, r *http.Request, body []byte) int {
	s.mu.Lock()
	in := s.interactions[r.PathValue("interaction_id")]
	s.mu.Unlock()
	if in == nil || in.token != r.PathValue("interaction_token") {
		return writeError(w, http.StatusNotFound, 10062, "Unknown interaction")
	}
	status, err := s.answer(in, body)
	if err != nil {
		return writeError(w, status, errorCodeFor(err), err.Error())
	}
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent
}

var (
	errAcknowledged = errors.New("Interaction has already been acknowledged.")
	errUnknown      = errors.New("Unknown interaction")
	errInvalidJSON  = errors.New("The request body contains invalid JSON.")
	errEmpty        = errors.New("Cannot send an empty message")
)

func errorCodeFor(err error) int {
	switch {
	case errors.Is(err, errAcknowledged):
		return 40060
	case errors.Is(err, errUnknown):
		return 10062
	case errors.Is(err, errInvalidJSON):
		return 50109
	case errors.Is(err, errEmpty):
		return 50006
	}
	return 50035
}

// answer applies the first answer to an interaction, as Discord does: once, within the deadline.
func (s *Server) answer(in *interaction, body []byte) (int, error) {
	var b messageBody
	if err := json.Unmarshal(body, &b); err != nil || b.Type == nil {
		return http.StatusBadRequest, errInvalidJSON
	}
	var data messageBody
	var wrapper struct {
		Data json.RawMessage `json:"data"`
	}
	_ = json.Unmarshal(body, &wrapper)
	if len(wrapper.Data) > 0 && string(wrapper.Data) != "null" {
		if err := json.Unmarshal(wrapper.Data, &data); err != nil {
			return http.StatusBadRequest, errInvalidJSON
		}
	}
	typ := discordgo.InteractionResponseType(*b.Type)

	s.mu.Lock()
	defer s.mu.Unlock()
	if in.callbackType != 0 {
		return http.StatusBadRequest, errAcknowledged
	}
	if late := time.Since(in.sentAt); late > InteractionDeadline {
		s.t.Logf("fakediscord: interaction %s answered %s after it was sent; Discord allows %s", in.id, late.Round(time.Millisecond), InteractionDeadline)
		return http.StatusNotFound, errUnknown
	}
	switch typ {
	case discordgo.InteractionResponsePong:
		if in.typ != discordgo.InteractionPing {
			return http.StatusBadRequest, errors.New("type: PONG answers only a PING")
		}
	case discordgo.InteractionResponseChannelMessageWithSource:
		if p := data.problem(true); p != "" {
			return http.StatusBadRequest, errors.New(p)
		}
		fallthrough
	case discordgo.InteractionResponseDeferredChannelMessageWithSource:
		if in.typ != discordgo.InteractionApplicationCommand {
			return http.StatusBadRequest, errors.New("type: a message answers only a command")
		}
		m := &message{interaction: in, Message: Message{
			ID: s.newIDLocked(), ChannelID: in.channelID, Via: "interaction", InteractionID: in.id,
			Deferred:  typ == discordgo.InteractionResponseDeferredChannelMessageWithSource,
			Flags:     data.Flags & (discordgo.MessageFlagsEphemeral | discordgo.MessageFlagsSuppressEmbeds),
			Timestamp: s.now(),
		}}
		m.apply(data, wrapper.Data)
		in.original = m
		s.messages[in.channelID] = append(s.messages[in.channelID], m)
	case discordgo.InteractionApplicationCommandAutocompleteResult:
		if in.typ != discordgo.InteractionApplicationCommandAutocomplete {
			return http.StatusBadRequest, errors.New("type: choices answer only an autocomplete")
		}
		if data.Choices == nil {
			return http.StatusBadRequest, errors.New("data.choices: This field is required")
		}
		if len(data.Choices) > 25 {
			return http.StatusBadRequest, errors.New("data.choices: Must be 25 or fewer in length")
		}
		in.choices = data.Choices
	default:
		return http.StatusBadRequest, fmt.Errorf("type: %d is not an answer briefbot's fake knows", typ)
	}
	in.callbackType = typ
	in.callback = slices.Clone(body)
	s.notifyLocked()
	return http.StatusNoContent, nil
}

// byTokenLocked finds an answered interaction by application id and token; the caller holds s.mu.
func (s *Server) byTokenLocked(appID, token string) *interaction {
	if appID != s.appID {
		return nil
	}
	for _, in := range s.interactions {
		if in.token == token && in.callbackType != 0 {
			return in
		}
	}
	return nil
}

func (s *Server) createFollowup(w http.ResponseWriter, r *http.Request, body []byte) int {
	b, status := decodeMessage(w, body, true)
	if status != 0 {
		return status
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.byTokenLocked(r.PathValue("application_id"), r.PathValue("interaction_token"))
	if in == nil {
		return writeError(w, http.StatusNotFound, 10015, "Unknown Webhook")
	}
	m := &message{interaction: in, Message: Message{
		ID: s.newIDLocked(), ChannelID: in.channelID, Via: "followup", InteractionID: in.id,
		Flags:     b.Flags & (discordgo.MessageFlagsEphemeral | discordgo.MessageFlagsSuppressEmbeds),
		Timestamp: s.now(),
	}}
	m.apply(b, body)
	in.followups = append(in.followups, m)
	s.messages[in.channelID] = append(s.messages[in.channelID], m)
	s.notifyLocked()
	if r.URL.Query().Get("wait") != "true" {
		w.WriteHeader(http.StatusNoContent)
		return http.StatusNoContent
	}
	return writeJSON(w, http.StatusOK, s.messageJSON(m))
}

// editMessage edits the original response (@original) or a follow-up by id.
func (s *Server) editMessage(w http.ResponseWriter, r *http.Request, body []byte) int {
	b, status := decodeMessage(w, body, false)
	if status != 0 {
		return status
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.byTokenLocked(r.PathValue("application_id"), r.PathValue("interaction_token"))
	if in == nil {
		return writeError(w, http.StatusNotFound, 10015, "Unknown Webhook")
	}
	var m *message
	if id := r.PathValue("message_id"); id == "" {
		m = in.original
	} else {
		for _, f := range in.followups {
			if f.ID == id {
				m = f
			}
		}
	}
	if m == nil {
		return writeError(w, http.StatusNotFound, 10008, "Unknown Message")
	}
	m.apply(b, body)
	m.Deferred = false
	m.Edits++
	s.notifyLocked()
	return writeJSON(w, http.StatusOK, s.messageJSON(m))
}

func (s *Server) deleteOriginal(w http.ResponseWriter, r *http.Request, _ []byte) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.byTokenLocked(r.PathValue("application_id"), r.PathValue("interaction_token"))
	if in == nil || in.original == nil {
		return writeError(w, http.StatusNotFound, 10008, "Unknown Message")
	}
	ch := in.original.ChannelID
	s.messages[ch] = slices.DeleteFunc(s.messages[ch], func(m *message) bool { return m == in.original })
	in.original = nil
	s.notifyLocked()
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent
}

func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxBody {
		return nil, errors.New("body too large")
	}
	return body, nil
}

// writeJSON writes v with the rate-limit headers Discord sends on every answer.
func writeJSON(w http.ResponseWriter, status int, v any) int {
	raw, err := json.Marshal(v)
	if err != nil {
		status, raw = http.StatusInternalServerError, []byte(`{"message":"fake: encode","code":0}`)
	}
	return writeRaw(w, status, raw)
}

func writeRaw(w http.ResponseWriter, status int, raw []byte) int {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if h.Get("X-RateLimit-Limit") == "" {
		h.Set("X-RateLimit-Limit", "5")
		h.Set("X-RateLimit-Remaining", "4")
		h.Set("X-RateLimit-Reset-After", "1.000")
		h.Set("X-RateLimit-Bucket", "fakebucket")
	}
	w.WriteHeader(status)
	w.Write(raw)
	return status
}

func writeError(w http.ResponseWriter, status, code int, msg string) int {
	return writeJSON(w, status, map[string]any{"message": msg, "code": code})
}

func hexString(b []byte) string { return hex.EncodeToString(b) }
