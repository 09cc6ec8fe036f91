// Package fakeslack is a fake Slack for tests that drive the real slack-go client: an httptest
// server answering the Web API methods briefbot calls, slash-command response URLs, and the
// Socket Mode websocket. It records every request for assertions and can inject failures.
//
// Web API:
//
//	fs := fakeslack.New(t)
//	api := slack.New("xoxb-test", slack.OptionAPIURL(fs.URL()))
//	_, ts, err := api.PostMessage("C1", slack.MsgOptionText("hi", false))
//	posts := fs.Posts() // posts[0].Channel == "C1", posts[0].Text == "hi", posts[0].TS == ts
//
// Failures, per method, for the next n calls:
//
//	fs.FailNext("chat.postMessage", http.StatusTooManyRequests, 30*time.Second, 1) // 429, Retry-After: 30
//	fs.FailNextError("chat.postMessage", "not_in_channel", 1)                     // 200 {"ok":false,...}
//
// Socket Mode (slack.OptionAppLevelToken("xapp-…") and socketmode.New on the client side):
//
//	env, err := fs.SendSlashCommand(ctx, fs.SlashCommand("korea 24h")) // waits for a connection
//	ack, err := fs.WaitAck(ctx, env)                                    // the client's ack payload
//	resps, err := fs.WaitResponses(ctx, env, 1)                         // follow-ups to its response_url
//	fs.DropConnections()                                                // the client must reconnect
//
// HTTP mode: NewCommandRequest builds a signed slash-command request for a handler under test.
package fakeslack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
)

// Identity of the fake workspace and its bot.
const (
	TeamID    = "T0FAKE"
	TeamName  = "Fake Newsroom"
	BotUserID = "U0BRIEFBOT"
	BotID     = "B0BRIEFBOT"
	BotName   = "briefbot"
	AppID     = "A0BRIEFBOT"
)

// Server is a fake Slack. Its methods are safe for concurrent use.
type Server struct {
	t   testing.TB
	srv *httptest.Server
	// PingEvery is how often the websocket pings the client (slack-go reconnects when it sees no
	// ping for 30 s). Set it before the first connection.
	PingEvery time.Duration

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced whenever something is recorded
	requests   []Request
	posts      []Post
	responses  []Response
	acks       []Ack
	history    map[string][]stored // channel → messages, oldest first
	users      map[string]slack.User
	failures   map[string][]failure
	conns      []*wsConn
	connects   int
	nextTS     int64
	nextEnv    int
	closed     bool
	upgrader   websocket.Upgrader
	handlersWG sync.WaitGroup
}

// Request is one recorded HTTP request to the fake.
type Request struct {
	// Method is the Web API method ("chat.postMessage"), "response_url" or "ws".
	Method string
	Path   string
	Header http.Header
	// Form holds a form-encoded body's fields (and the query string's).
	Form url.Values
	// Body is the raw body (JSON for apps.connections.open and response URLs).
	Body []byte
	// Status is the HTTP status the fake answered with.
	Status int
	At     time.Time
}

// Post is one successful chat.postMessage call.
type Post struct {
	TS       string
	Channel  string
	Text     string
	ThreadTS string
	// Blocks is the blocks JSON array as sent ("" → nil).
	Blocks   json.RawMessage
	Metadata *slack.SlackMetadata
	// Form is every field sent, for assertions on options (unfurl_links, link_names, parse, …).
	Form url.Values
}

// Texts returns the message's text and every "text" string inside its blocks, for checks on
// what a reader sees (mentions, escaping).
func (p Post) Texts() []string { return append([]string{p.Text}, blockTexts(p.Blocks)...) }

// Response is one message sent to a slash command's response_url.
type Response struct {
	// ID is the slash command's envelope (socket mode) or the id in the response URL.
	ID              string
	ResponseType    string // "in_channel" or "ephemeral" ("" means ephemeral to Slack)
	Text            string
	Blocks          json.RawMessage
	ReplaceOriginal bool
	DeleteOriginal  bool
	Body            []byte
	At              time.Time
}

// Texts returns the response's text and every "text" string inside its blocks.
func (r Response) Texts() []string { return append([]string{r.Text}, blockTexts(r.Blocks)...) }

// Ack is the client's acknowledgement of a Socket Mode envelope.
type Ack struct {
	EnvelopeID string
	// Payload is the ack's payload ("" when the ack had none): for a slash command, an
	// immediate response in the shape of a Response.
	Payload json.RawMessage
	At      time.Time
}

// Response decodes the ack's payload as an immediate slash-command response.
func (a Ack) Response() (Response, bool) {
	if len(a.Payload) == 0 || string(a.Payload) == "null" {
		return Response{}, false
	}
	r, err := DecodeResponse(a.EnvelopeID, a.Payload)
	r.At = a.At
	return r, err == nil
}

type failure struct {
	status     int
	retryAfter time.Duration
	slackErr   string
}

type stored struct {
	msg      slack.Message
	metadata *slack.SlackMetadata
}

type wsConn struct {
	mu     sync.Mutex // gorilla/websocket allows one writer at a time
	conn   *websocket.Conn
	closed bool
}

func (c *wsConn) writeJSON(v any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return websocket.ErrCloseSent
	}
	_ = c.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.conn.WriteJSON(v)
}

func (c *wsConn) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.closed = true
		_ = c.conn.Close()
	}
}

// New starts a fake Slack; it stops when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		t:         t,
		PingEvery: 5 * time.Second,
		changed:   make(chan struct{}),
		history:   map[string][]stored{},
		users:     map[string]slack.User{},
		failures:  map[string][]failure{},
		// slack-go dials with "Origin: https://api.slack.com", which a default upgrader refuses.
		upgrader: websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// URL is the Web API base URL, with the trailing slash slack.OptionAPIURL needs.
func (s *Server) URL() string { return s.srv.URL + "/api/" }

// ResponseURL is the response_url the fake gives the slash command with this id.
func (s *Server) ResponseURL(id string) string { return s.srv.URL + "/response/" + url.PathEscape(id) }

// Client is an HTTP client for the fake.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close drops the websockets and stops the server; it is safe to call more than once.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	conns := s.conns
	s.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
	s.srv.Close()
	s.handlersWG.Wait()
}

// AddUser adds a workspace member for users.info.
func (s *Server) AddUser(u slack.User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.TeamID == "" {
		u.TeamID = TeamID
	}
	s.users[u.ID] = u
}

// AddMessage puts a message in a channel's history (as if posted earlier) and returns its ts.
func (s *Server) AddMessage(channel, text string, metadata *slack.SlackMetadata) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.newTS()
	msg := slack.Message{Msg: slack.Msg{Type: "message", Channel: channel, Text: text, Timestamp: ts, BotID: BotID, User: BotUserID}}
	s.history[channel] = append(s.history[channel], stored{msg: msg, metadata: metadata})
	s.notify()
	return ts
}

// AddReply puts a reply in the thread of message threadTS and returns its ts.
func (s *Server) AddReply(channel, threadTS, text string, metadata *slack.SlackMetadata) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.newTS()
	msg := slack.Message{Msg: slack.Msg{Type: "message", Channel: channel, Text: text, Timestamp: ts,
		ThreadTimestamp: threadTS, BotID: BotID, User: BotUserID}}
	s.history[channel] = append(s.history[channel], stored{msg: msg, metadata: metadata})
	s.notify()
	return ts
}

// FailNext makes the next n calls to method ("chat.postMessage", "apps.connections.open",
// "response_url", …) fail with HTTP status; a non-zero retryAfter is sent as Retry-After (whole
// seconds, rounded up).
func (s *Server) FailNext(method string, status int, retryAfter time.Duration, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures[method] = append(s.failures[method], failure{status: status, retryAfter: retryAfter})
	}
}

// FailNextError makes the next n calls to method answer HTTP 200 {"ok":false,"error":code}, as
// Slack does for not_in_channel, channel_not_found, invalid_auth and the like.
func (s *Server) FailNextError(method, code string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures[method] = append(s.failures[method], failure{status: http.StatusOK, slackErr: code})
	}
}

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Calls returns the requests made to one method.
func (s *Server) Calls(method string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Method == method {
			out = append(out, r)
		}
	}
	return out
}

// Posts returns the successful chat.postMessage calls, in order.
func (s *Server) Posts() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Post(nil), s.posts...)
}

// Responses returns the messages sent to response URLs, in order.
func (s *Server) Responses() []Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Response(nil), s.responses...)
}

// Acks returns the Socket Mode acknowledgements received, in order.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Ack(nil), s.acks...)
}

// Connects counts the Socket Mode websocket connections made so far.
func (s *Server) Connects() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connects
}

// DropConnections closes every open Socket Mode websocket, as a network failure would.
func (s *Server) DropConnections() {
	s.mu.Lock()
	conns := s.conns
	s.conns = nil
	s.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
}

// WaitFor blocks until cond returns true (checked whenever the fake records something) or ctx
// ends. cond may call the Server's methods.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("fakeslack: waiting: %w", ctx.Err())
		}
	}
}

// WaitConnected waits until at least n websocket connections were made and one is open.
func (s *Server) WaitConnected(ctx context.Context, n int) error {
	return s.WaitFor(ctx, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.connects >= n && len(s.conns) > 0
	})
}

// WaitPosts waits for at least n posts and returns them all.
func (s *Server) WaitPosts(ctx context.Context, n int) ([]Post, error) {
	err := s.WaitFor(ctx, func() bool { return len(s.Posts()) >= n })
	return s.Posts(), err
}

// WaitAck waits for the acknowledgement of an envelope.
func (s *Server) WaitAck(ctx context.Context, envelopeID string) (Ack, error) {
	var ack Ack
	err := s.WaitFor(ctx, func() bool {
		for _, a := range s.Acks() {
			if a.EnvelopeID == envelopeID {
				ack = a
				return true
			}
		}
		return false
	})
	return ack, err
}

// WaitResponses waits until at least n messages were sent to the response URL with this id and
// returns them.
func (s *Server) WaitResponses(ctx context.Context, id string, n int) ([]Response, error) {
	var got []Response
	err := s.WaitFor(ctx, func() bool {
		got = got[:0]
		for _, r := range s.Responses() {
			if r.ID == id {
				got = append(got, r)
			}
		}
		return len(got) >= n
	})
	return got, err
}

// SlashCommand returns a /brief command with text from a member of a channel of the fake
// workspace, with a response URL of its own (its id is the TriggerID).
func (s *Server) SlashCommand(text string) slack.SlashCommand {
	s.mu.Lock()
	s.nextEnv++
	id := fmt.Sprintf("cmd-%d", s.nextEnv)
	s.mu.Unlock()
	return slack.SlashCommand{
		TeamID: TeamID, TeamDomain: "fake-newsroom", ChannelID: "C0NEWSDESK", ChannelName: "newsdesk",
		UserID: "U0READER", UserName: "reader", Command: "/brief", Text: text,
		ResponseURL: s.ResponseURL(id), TriggerID: id, APIAppID: AppID,
	}
}

// SendSlashCommand delivers a slash command over the newest open Socket Mode connection
// (waiting for one) and returns its envelope id. The command's response URL is its TriggerID's
// (see SlashCommand), so WaitResponses(ctx, cmd.TriggerID, n) finds the follow-ups; the envelope
// id equals the TriggerID when one is set.
func (s *Server) SendSlashCommand(ctx context.Context, cmd slack.SlashCommand) (string, error) {
	if err := s.WaitFor(ctx, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.conns) > 0
	}); err != nil {
		return "", err
	}
	s.mu.Lock()
	conn := s.conns[len(s.conns)-1]
	env := cmd.TriggerID
	if env == "" {
		s.nextEnv++
		env = fmt.Sprintf("env-%d", s.nextEnv)
	}
	s.mu.Unlock()
	err := conn.writeJSON(map[string]any{
		"type": "slash_commands", "envelope_id": env, "payload": cmd, "accepts_response_payload": true,
	})
	if err != nil {
		return "", fmt.Errorf("fakeslack: send slash command: %w", err)
	}
	return env, nil
}

// NewCommandRequest builds the POST Slack sends to a slash command's request URL, signed with
// secret at time at (X-Slack-Request-Timestamp and X-Slack-Signature).
func NewCommandRequest(target, secret string, cmd slack.SlashCommand, at time.Time) *http.Request {
	body := CommandForm(cmd).Encode()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	ts := strconv.FormatInt(at.Unix(), 10)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", Sign(secret, ts, []byte(body)))
	return req
}

// Sign computes Slack's v0 request signature of body sent at timestamp (Unix seconds).
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	_, _ = fmt.Fprintf(mac, "v0:%s:", timestamp)
	_, _ = mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// CommandForm is the form Slack posts for a slash command.
func CommandForm(cmd slack.SlashCommand) url.Values {
	return url.Values{
		"token": {cmd.Token}, "team_id": {cmd.TeamID}, "team_domain": {cmd.TeamDomain},
		"channel_id": {cmd.ChannelID}, "channel_name": {cmd.ChannelName}, "user_id": {cmd.UserID},
		"user_name": {cmd.UserName}, "command": {cmd.Command}, "text": {cmd.Text},
		"response_url": {cmd.ResponseURL}, "trigger_id": {cmd.TriggerID}, "api_app_id": {cmd.APIAppID},
	}
}

// serve routes a request: /api/METHOD, /response/ID, /ws.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/ws":
		s.serveWebsocket(w, r)
	case strings.HasPrefix(r.URL.Path, "/response/"):
		id, _ := url.PathUnescape(strings.TrimPrefix(r.URL.Path, "/response/"))
		s.serveResponseURL(w, r, id)
	case strings.HasPrefix(r.URL.Path, "/api/"):
		s.serveAPI(w, r, strings.TrimPrefix(r.URL.Path, "/api/"))
	default:
		http.NotFound(w, r)
	}
}

// record stores a request; status is filled in by the caller through the returned index.
func (s *Server) record(method string, r *http.Request, body []byte, form url.Values) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{
		Method: method, Path: r.URL.Path, Header: r.Header.Clone(), Form: form, Body: body, At: time.Now(),
	})
	s.notify()
	return len(s.requests) - 1
}

func (s *Server) setStatus(i, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[i].Status = status
	s.notify()
}

// takeFailure pops the next injected failure for method.
func (s *Server) takeFailure(method string) (failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.failures[method]
	if len(q) == 0 {
		return failure{}, false
	}
	s.failures[method] = q[1:]
	return q[0], true
}

// writeFailure answers with an injected failure and returns the status.
func writeFailure(w http.ResponseWriter, f failure) int {
	if f.slackErr != "" {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": f.slackErr})
		return http.StatusOK
	}
	if f.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(f.retryAfter.Seconds()))))
	}
	if f.status == http.StatusTooManyRequests {
		writeJSON(w, f.status, map[string]any{"ok": false, "error": "ratelimited"})
		return f.status
	}
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(f.status)
	_, _ = io.WriteString(w, "<html><body>fake failure</body></html>")
	return f.status
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, method string) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	form := url.Values{}
	for k, v := range r.URL.Query() {
		form[k] = v
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if v, err := url.ParseQuery(string(body)); err == nil {
			for k, vs := range v {
				form[k] = vs
			}
		}
	}
	i := s.record(method, r, body, form)
	if f, ok := s.takeFailure(method); ok {
		s.setStatus(i, writeFailure(w, f))
		return
	}
	token := form.Get("token")
	if auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		token = auth
	}
	status := http.StatusOK
	defer func() { s.setStatus(i, status) }()
	if token == "" {
		writeJSON(w, status, map[string]any{"ok": false, "error": "not_authed"})
		return
	}
	switch method {
	case "auth.test":
		writeJSON(w, status, map[string]any{"ok": true, "url": "https://fake-newsroom.slack.com/", "team": TeamName,
			"user": BotName, "team_id": TeamID, "user_id": BotUserID, "bot_id": BotID})
	case "apps.connections.open":
		if !strings.HasPrefix(token, "xapp-") {
			writeJSON(w, status, map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		writeJSON(w, status, map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/ws"})
	case "chat.postMessage":
		writeJSON(w, status, s.postMessage(form))
	case "conversations.history":
		writeJSON(w, status, s.conversationHistory(form))
	case "conversations.replies":
		writeJSON(w, status, s.conversationReplies(form))
	case "users.info":
		s.mu.Lock()
		u, ok := s.users[form.Get("user")]
		s.mu.Unlock()
		if !ok {
			writeJSON(w, status, map[string]any{"ok": false, "error": "user_not_found"})
			return
		}
		writeJSON(w, status, map[string]any{"ok": true, "user": u})
	default:
		writeJSON(w, status, map[string]any{"ok": false, "error": "unknown_method"})
	}
}

func (s *Server) postMessage(form url.Values) map[string]any {
	channel := form.Get("channel")
	if channel == "" {
		return map[string]any{"ok": false, "error": "channel_not_found"}
	}
	if form.Get("text") == "" && form.Get("blocks") == "" {
		return map[string]any{"ok": false, "error": "no_text"}
	}
	var meta *slack.SlackMetadata
	if m := form.Get("metadata"); m != "" {
		meta = &slack.SlackMetadata{}
		if err := json.Unmarshal([]byte(m), meta); err != nil {
			return map[string]any{"ok": false, "error": "invalid_metadata_format"}
		}
	}
	var blocks json.RawMessage
	if b := form.Get("blocks"); b != "" {
		if !json.Valid([]byte(b)) {
			return map[string]any{"ok": false, "error": "invalid_blocks_format"}
		}
		blocks = json.RawMessage(b)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.newTS()
	msg := slack.Message{Msg: slack.Msg{Type: "message", Channel: channel, Text: form.Get("text"), Timestamp: ts,
		ThreadTimestamp: form.Get("thread_ts"), BotID: BotID, User: BotUserID}}
	s.history[channel] = append(s.history[channel], stored{msg: msg, metadata: meta})
	s.posts = append(s.posts, Post{TS: ts, Channel: channel, Text: form.Get("text"), ThreadTS: form.Get("thread_ts"),
		Blocks: blocks, Metadata: meta, Form: form})
	s.notify()
	return map[string]any{"ok": true, "channel": channel, "ts": ts, "message": msg.Msg}
}

// conversationHistory lists a channel's top-level messages, newest first; metadata only with
// include_all_metadata, as Slack does.
func (s *Server) conversationHistory(form url.Values) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	msgs, ok := s.history[form.Get("channel")]
	if !ok && form.Get("channel") == "" {
		return map[string]any{"ok": false, "error": "channel_not_found"}
	}
	limit, _ := strconv.Atoi(form.Get("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	withMeta := form.Get("include_all_metadata") == "1" || form.Get("include_all_metadata") == "true"
	var out []map[string]any
	for i := len(msgs) - 1; i >= 0 && len(out) < limit; i-- {
		m := msgs[i]
		if m.msg.ThreadTimestamp != "" && m.msg.ThreadTimestamp != m.msg.Timestamp {
			continue // replies live in the thread
		}
		if oldest := form.Get("oldest"); oldest != "" && tsLess(m.msg.Timestamp, oldest) {
			continue
		}
		out = append(out, messageJSON(m, withMeta))
	}
	return map[string]any{"ok": true, "messages": out, "has_more": false}
}

func (s *Server) conversationReplies(form url.Values) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	parent := form.Get("ts")
	withMeta := form.Get("include_all_metadata") == "1" || form.Get("include_all_metadata") == "true"
	var out []map[string]any
	for _, m := range s.history[form.Get("channel")] {
		if m.msg.Timestamp == parent || m.msg.ThreadTimestamp == parent {
			out = append(out, messageJSON(m, withMeta))
		}
	}
	if len(out) == 0 {
		return map[string]any{"ok": false, "error": "thread_not_found"}
	}
	return map[string]any{"ok": true, "messages": out, "has_more": false}
}

func messageJSON(m stored, withMeta bool) map[string]any {
	out := map[string]any{"type": "message", "text": m.msg.Text, "ts": m.msg.Timestamp, "user": m.msg.User, "bot_id": m.msg.BotID}
	if m.msg.ThreadTimestamp != "" {
		out["thread_ts"] = m.msg.ThreadTimestamp
	}
	if withMeta && m.metadata != nil {
		out["metadata"] = m.metadata
	}
	return out
}

func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request, id string) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	i := s.record("response_url", r, body, nil)
	if f, ok := s.takeFailure("response_url"); ok {
		s.setStatus(i, writeFailure(w, f))
		return
	}
	resp, err := DecodeResponse(id, body)
	if err != nil || r.Method != http.MethodPost {
		s.setStatus(i, http.StatusBadRequest)
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.responses = append(s.responses, resp)
	s.notify()
	s.mu.Unlock()
	s.setStatus(i, http.StatusOK)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// DecodeResponse reads a slash-command answer (a response_url body, an ack payload or an HTTP
// answer) as a Response with this id.
func DecodeResponse(id string, body []byte) (Response, error) {
	var p struct {
		ResponseType    string          `json:"response_type"`
		Text            string          `json:"text"`
		Blocks          json.RawMessage `json:"blocks"`
		ReplaceOriginal bool            `json:"replace_original"`
		DeleteOriginal  bool            `json:"delete_original"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return Response{}, err
	}
	if string(p.Blocks) == "null" {
		p.Blocks = nil
	}
	return Response{ID: id, ResponseType: p.ResponseType, Text: p.Text, Blocks: p.Blocks,
		ReplaceOriginal: p.ReplaceOriginal, DeleteOriginal: p.DeleteOriginal, Body: body, At: time.Now()}, nil
}

func (s *Server) serveWebsocket(w http.ResponseWriter, r *http.Request) {
	i := s.record("ws", r, nil, nil)
	if f, ok := s.takeFailure("ws"); ok {
		s.setStatus(i, writeFailure(w, f))
		return
	}
	c, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.setStatus(i, http.StatusBadRequest)
		return
	}
	conn := &wsConn{conn: c}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		conn.close()
		return
	}
	s.handlersWG.Add(1)
	defer s.handlersWG.Done()
	s.connects++
	s.conns = append(s.conns, conn)
	ping := s.PingEvery
	s.requests[i].Status = http.StatusSwitchingProtocols
	s.notify()
	s.mu.Unlock()

	done := make(chan struct{})
	defer func() {
		close(done)
		conn.close()
		s.mu.Lock()
		for j, other := range s.conns {
			if other == conn {
				s.conns = append(s.conns[:j], s.conns[j+1:]...)
				break
			}
		}
		s.notify()
		s.mu.Unlock()
	}()
	_ = conn.writeJSON(map[string]any{"type": "hello", "num_connections": 1,
		"debug_info": map[string]any{"host": "fakeslack"}, "connection_info": map[string]any{"app_id": AppID}})
	go s.pingLoop(conn, ping, done)
	for {
		_, data, err := c.ReadMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &ack) != nil || ack.EnvelopeID == "" {
			continue
		}
		s.mu.Lock()
		s.acks = append(s.acks, Ack{EnvelopeID: ack.EnvelopeID, Payload: ack.Payload, At: time.Now()})
		s.notify()
		s.mu.Unlock()
	}
}

// pingLoop pings the client at once and then every interval, as Slack does.
func (s *Server) pingLoop(conn *wsConn, every time.Duration, done <-chan struct{}) {
	ping := func() bool {
		conn.mu.Lock()
		defer conn.mu.Unlock()
		if conn.closed {
			return false
		}
		return conn.conn.WriteControl(websocket.PingMessage, []byte("fakeslack"), time.Now().Add(5*time.Second)) == nil
	}
	if !ping() {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			if !ping() {
				return
			}
		}
	}
}

// newTS returns a fresh message timestamp, from the wall clock as Slack's are, always
// increasing; s.mu must be held.
func (s *Server) newTS() string {
	s.nextTS = max(s.nextTS+1, time.Now().UnixMicro())
	return fmt.Sprintf("%d.%06d", s.nextTS/1_000_000, s.nextTS%1_000_000)
}

// notify wakes WaitFor; s.mu must be held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func tsLess(a, b string) bool {
	fa, _ := strconv.ParseFloat(a, 64)
	fb, _ := strconv.ParseFloat(b, 64)
	return fa < fb
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// blockTexts collects every string under a "text" key in a blocks JSON document.
func blockTexts(blocks json.RawMessage) []string {
	if len(blocks) == 0 {
		return nil
	}
	var doc any
	if json.Unmarshal(blocks, &doc) != nil {
		return nil
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if str, ok := v[k].(string); ok && k == "text" {
					out = append(out, str)
					continue
				}
				walk(v[k])
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(doc)
	return out
}
