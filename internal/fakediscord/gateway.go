package fakediscord

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// heartbeatInterval is the interval the fake's hello asks for, in milliseconds (Discord's usual).
const heartbeatInterval = 41250

// maxReplay is how many dispatched events a session keeps for replay on resume.
const maxReplay = 1000

// ErrNoGateway is returned by SendInteraction when no gateway session has identified for the
// interaction's shard.
var ErrNoGateway = errors.New("fakediscord: no gateway session for the shard")

// gatewaySession is a session that identified. Like Discord, the fake keeps its recent events:
// a client that resumes gets those it missed, and an event sent while the session has no
// connection waits for the resume.
type gatewaySession struct {
	id     string
	seq    int64
	shard  [2]int
	conn   *gatewayConn // the connection serving it, nil while disconnected
	events []gatewayPayload
}

type gatewayConn struct {
	ws         *websocket.Conn
	writeMu    sync.Mutex
	heartbeats int // guarded by Server.mu
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

// serveGateway speaks the gateway: hello, identify (or resume), READY (or the missed events and
// RESUMED), heartbeat acknowledgements, then dispatches sent by SendInteraction.
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
		for _, sess := range s.sessions {
			if sess.conn == c {
				sess.conn = nil
			}
		}
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
			s.mu.Lock()
			c.heartbeats++
			s.heartbeats++
			s.notifyLocked()
			s.mu.Unlock()
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
	ready := map[string]any{
		"v": 9, "user": s.botUser(), "resume_gateway_url": s.GatewayURL(),
		"guilds": []any{}, "private_channels": []any{},
		"application": map[string]any{"id": s.appID, "flags": 0},
	}
	if id.Shard != nil {
		ready["shard"] = shard
	}

	s.mu.Lock()
	sess := &gatewaySession{id: "session-" + s.newIDLocked(), shard: shard}
	ready["session_id"] = sess.id
	s.sessions[sess.id] = sess
	s.identifies = append(s.identifies, id)
	p0 := s.eventLocked(sess, "READY", ready)
	err := c.send(p0) // under s.mu: nothing is dispatched to the session before READY
	if err == nil {
		sess.conn = c
		s.conns[c] = true
		s.notifyLocked()
	}
	s.mu.Unlock()
	return err == nil
}

func (s *Server) resume(c *gatewayConn, data json.RawMessage) bool {
	var r struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	if json.Unmarshal(data, &r) != nil || !s.authorized(r.Token) {
		c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."))
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resumes++
	sess := s.sessions[r.SessionID]
	if sess == nil {
		// Invalid session, not resumable: the client identifies anew.
		return c.send(gatewayPayload{Op: 9, Data: json.RawMessage("false")}) == nil
	}
	// The missed events in order, then RESUMED; all under s.mu so nothing overtakes them.
	for _, e := range sess.events {
		if *e.Seq > r.Seq {
			if c.send(e) != nil {
				return false
			}
		}
	}
	if c.send(s.eventLocked(sess, "RESUMED", map[string]any{})) != nil {
		return false
	}
	sess.conn = c
	s.conns[c] = true
	s.notifyLocked()
	return true
}

// eventLocked makes the session's next dispatch and keeps it for replay; the caller holds s.mu.
func (s *Server) eventLocked(sess *gatewaySession, event string, data any) gatewayPayload {
	raw, err := json.Marshal(data)
	if err != nil {
		s.t.Errorf("fakediscord: encode %s: %v", event, err)
	}
	sess.seq++
	seq := sess.seq
	p := gatewayPayload{Op: 0, Seq: &seq, Type: event, Data: raw}
	if event != "READY" && event != "RESUMED" {
		sess.events = append(sess.events, p)
		if len(sess.events) > maxReplay {
			sess.events = sess.events[1:]
		}
	}
	return p
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

// Heartbeats counts the heartbeats received (op 1) on all connections.
func (s *Server) Heartbeats() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.heartbeats
}

// DropGateway closes every gateway connection without a close frame, as a network failure
// would; discordgo reconnects and resumes, and gets the events it missed. It first waits (up to
// 5 s) for each ready connection's first heartbeat: discordgo sends one as soon as it is
// connected, and a connection dropped before it is reconnected twice by discordgo, racing itself.
func (s *Server) DropGateway() {
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.chMu.Lock()
		changed := s.changed
		s.chMu.Unlock()
		s.mu.Lock()
		waiting := false
		for c, ready := range s.conns {
			waiting = waiting || (ready && c.heartbeats == 0)
		}
		s.mu.Unlock()
		if !waiting || time.Now().After(deadline) {
			break
		}
		select {
		case <-changed:
		case <-time.After(time.Until(deadline)):
		}
	}
	s.closeGateway()
}

// closeGateway closes every gateway connection at once.
func (s *Server) closeGateway() {
	s.mu.Lock()
	conns := make([]*gatewayConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
		s.conns[c] = false
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.ws.UnderlyingConn().Close()
	}
}

// SendInteraction dispatches an interaction as INTERACTION_CREATE to the newest session of the
// shard its guild belongs to, and returns its id. A session without a connection gets it when
// it resumes. Empty ID, Token, AppID, Version and Type are filled in (Type defaults to an
// application command). ErrNoGateway when no session has identified for that shard.
func (s *Server) SendInteraction(i *discordgo.Interaction) (string, error) {
	s.register(i)
	s.mu.Lock()
	defer s.mu.Unlock()
	var target *gatewaySession
	for _, sess := range s.sessions {
		if shardOf(i.GuildID, sess.shard[1]) == sess.shard[0] && (target == nil || sess.id > target.id) {
			target = sess
		}
	}
	if target == nil {
		return i.ID, ErrNoGateway
	}
	p := s.eventLocked(target, "INTERACTION_CREATE", i)
	if target.conn != nil {
		// A failed send leaves the event for the replay on resume, as on Discord.
		_ = target.conn.send(p)
	}
	return i.ID, nil
}

// shardOf is Discord's sharding formula; direct messages go to shard 0.
func shardOf(guildID string, shards int) int {
	id, err := strconv.ParseUint(strings.TrimSpace(guildID), 10, 64)
	if err != nil || shards <= 1 {
		return 0
	}
	return int((id >> 22) % uint64(shards))
}
