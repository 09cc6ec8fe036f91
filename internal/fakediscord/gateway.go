package fakediscord

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// heartbeatInterval is the interval the fake's hello asks for, in milliseconds (Discord's usual).
const heartbeatInterval = 41250

// ErrNoGateway is returned by SendInteraction when no gateway session is connected for the
// interaction's shard.
var ErrNoGateway = errors.New("fakediscord: no gateway session connected")

// gatewaySession is a session that identified: resuming it continues its sequence.
type gatewaySession struct {
	id    string
	seq   int64
	shard [2]int
}

type gatewayConn struct {
	ws      *websocket.Conn
	writeMu sync.Mutex
	session *gatewaySession // nil until identified or resumed
}

func (c *gatewayConn) send(v any) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	return c.ws.WriteJSON(v)
}

type gatewayPayload struct {
	Op   int             `json:"op"`
	Data json.RawMessage `json:"d"`
	Seq  *int64          `json:"s,omitempty"`
	Type string          `json:"t,omitempty"`
}

// serveGateway speaks the gateway: hello, identify (or resume), READY (or RESUMED), heartbeat
// acknowledgements, then dispatches sent by SendInteraction.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gatewayConn{ws: ws}
	s.mu.Lock()
	s.conns[c] = false
	s.mu.Unlock()
	defer func() {
		ws.Close()
		s.mu.Lock()
		delete(s.conns, c)
		s.notifyLocked()
		s.mu.Unlock()
	}()

	hello, _ := json.Marshal(map[string]any{"heartbeat_interval": heartbeatInterval})
	if c.send(gatewayPayload{Op: 10, Data: hello}) != nil {
		return
	}
	for {
		var p gatewayPayload
		if err := ws.ReadJSON(&p); err != nil {
			return
		}
		switch p.Op {
		case 1: // heartbeat
			if c.send(gatewayPayload{Op: 11}) != nil {
				return
			}
		case 2: // identify
			if !s.identify(c, p.Data) {
				return
			}
		case 6: // resume
			if !s.resume(c, p.Data) {
				return
			}
		}
	}
}

func (s *Server) identify(c *gatewayConn, data json.RawMessage) bool {
	// Only the fields Discord acts on: discordgo's own Identify does not decode what it encodes.
	var p struct {
		Token          string                       `json:"token"`
		Properties     discordgo.IdentifyProperties `json:"properties"`
		Compress       bool                         `json:"compress"`
		LargeThreshold int                          `json:"large_threshold"`
		Shard          *[2]int                      `json:"shard"`
		Intents        discordgo.Intent             `json:"intents"`
	}
	if err := json.Unmarshal(data, &p); err != nil {
		c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4002, "Error while decoding payload."))
		return false
	}
	id := discordgo.Identify{Token: p.Token, Properties: p.Properties, Compress: p.Compress,
		LargeThreshold: p.LargeThreshold, Shard: p.Shard, Intents: p.Intents}
	if !s.authorized(id.Token) {
		c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."))
		return false
	}
	shard := [2]int{0, 1}
	if id.Shard != nil {
		shard = *id.Shard
	}
	if shard[1] < 1 || shard[0] < 0 || shard[0] >= shard[1] {
		c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4010, "Invalid shard."))
		return false
	}
	s.mu.Lock()
	sess := &gatewaySession{id: "session-" + s.newIDLocked(), shard: shard}
	s.sessions[sess.id] = sess
	s.identifies = append(s.identifies, id)
	s.mu.Unlock()

	ready := map[string]any{
		"v": 9, "user": s.botUser(), "session_id": sess.id, "resume_gateway_url": s.GatewayURL(),
		"guilds": []any{}, "private_channels": []any{},
		"application": map[string]any{"id": s.appID, "flags": 0},
	}
	if id.Shard != nil {
		ready["shard"] = shard
	}
	return s.dispatch(c, sess, "READY", ready) == nil
}

func (s *Server) resume(c *gatewayConn, data json.RawMessage) bool {
	var r struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
	}
	if json.Unmarshal(data, &r) != nil || !s.authorized(r.Token) {
		c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."))
		return false
	}
	s.mu.Lock()
	sess := s.sessions[r.SessionID]
	s.resumes++
	s.mu.Unlock()
	if sess == nil {
		// Invalid session, not resumable: the client identifies anew.
		return c.send(gatewayPayload{Op: 9, Data: json.RawMessage("false")}) == nil
	}
	return s.dispatch(c, sess, "RESUMED", map[string]any{}) == nil
}

// dispatch sends an op 0 event on c with the session's next sequence number; READY and RESUMED
// make the connection ready for SendInteraction.
func (s *Server) dispatch(c *gatewayConn, sess *gatewaySession, event string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	s.mu.Lock()
	sess.seq++
	seq := sess.seq
	if event == "READY" || event == "RESUMED" {
		c.session = sess
		s.conns[c] = true
		s.notifyLocked()
	}
	s.mu.Unlock()
	return c.send(gatewayPayload{Op: 0, Seq: &seq, Type: event, Data: raw})
}

// Connected counts the gateway sessions connected and ready (identified or resumed).
func (s *Server) Connected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, ready := range s.conns {
		if ready {
			n++
		}
	}
	return n
}

// Identifies returns the identify payloads received (op 2), oldest first.
func (s *Server) Identifies() []discordgo.Identify {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]discordgo.Identify(nil), s.identifies...)
}

// Resumes counts the resume requests received (op 6).
func (s *Server) Resumes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resumes
}

// DropGateway closes every gateway connection without a close frame, as a network failure
// would; discordgo reconnects and resumes.
func (s *Server) DropGateway() {
	s.mu.Lock()
	conns := make([]*gatewayConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.ws.UnderlyingConn().Close()
	}
}

// SendInteraction dispatches an interaction over the gateway as INTERACTION_CREATE, to the
// session of the shard its guild belongs to, and returns its id. Empty ID, Token, AppID, Version
// and Type are filled in (Type defaults to an application command). ErrNoGateway when no session
// is ready for that shard.
func (s *Server) SendInteraction(i *discordgo.Interaction) (string, error) {
	s.register(i)
	s.mu.Lock()
	var target *gatewayConn
	for c, ready := range s.conns {
		if ready && c.session != nil && shardOf(i.GuildID, c.session.shard[1]) == c.session.shard[0] {
			target = c
			break
		}
	}
	s.mu.Unlock()
	if target == nil {
		return i.ID, ErrNoGateway
	}
	return i.ID, s.dispatch(target, target.session, "INTERACTION_CREATE", i)
}

// shardOf is Discord's sharding formula; direct messages go to shard 0.
func shardOf(guildID string, shards int) int {
	id, err := strconv.ParseUint(strings.TrimSpace(guildID), 10, 64)
	if err != nil || shards <= 1 {
		return 0
	}
	return int((id >> 22) % uint64(shards))
}
