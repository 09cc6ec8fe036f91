// Package fakediscord is a fake Discord for tests: an httptest server that speaks enough of the
// REST API (v9) and of the gateway websocket for the real discordgo client, records every request
// it receives, and fails on demand (429 with Retry-After, 5xx, dropped connections).
//
// It behaves like Discord where briefbot depends on it: message nonces with enforce_nonce
// deduplicate, an interaction must be answered within 3 seconds and only once, follow-ups need an
// answered interaction, the 2,000-character content and 6,000-character embed limits are enforced,
// and, when ../shared/specs/discord-openapi.json is found above the module root, every JSON body it
// receives is validated against Discord's OpenAPI description (a body that breaks it fails the
// test and gets Discord's 400 "Invalid Form Body").
//
// Usage with briefbot's Discord adapter:
//
//	srv := fakediscord.New(t)
//	b, _ := discord.New(discord.Config{Token: "t", ApplicationID: srv.ApplicationID(),
//		APIURL: srv.APIURL(), PublicKey: srv.PublicKey()}, router)
//	go b.Run(ctx)
//	srv.WaitFor(t, "gateway session", func() bool { return srv.Connected() > 0 })
//	id, _ := srv.SendInteraction(fakediscord.Command("brief", "now", "topic", "korea"))
//	srv.WaitFor(t, "answer", func() bool { return srv.Reply(id).Original != nil })
//
//	srv.FailNext(fakediscord.RouteCreateMessage, http.StatusTooManyRequests, 2*time.Second, 1)
//	_, err := b.Post(ctx, delivery) // a *bot.PostError with RetryAfter 2s
//	msgs := srv.Messages()["300000000000000001"]
//
// With discordgo alone, point a session's HTTP client at the fake: session.Client = srv.Client().
package fakediscord

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Routes of the fake's REST API, as ServeMux patterns under /api/v9. FailNext takes one of these
// (or "" for any route); Request.Route holds the one a request matched.
const (
	RouteGateway                     = "GET /gateway"
	RouteGatewayBot                  = "GET /gateway/bot"
	RouteCurrentUser                 = "GET /users/@me"
	RouteCreateMessage               = "POST /channels/{channel_id}/messages"
	RouteListGlobalCommands          = "GET /applications/{application_id}/commands"
	RouteBulkOverwriteGlobalCommands = "PUT /applications/{application_id}/commands"
	RouteListGuildCommands           = "GET /applications/{application_id}/guilds/{guild_id}/commands"
	RouteBulkOverwriteGuildCommands  = "PUT /applications/{application_id}/guilds/{guild_id}/commands"
	RouteInteractionCallback         = "POST /interactions/{interaction_id}/{interaction_token}/callback"
	RouteFollowup                    = "POST /webhooks/{application_id}/{interaction_token}"
	RouteEditOriginal                = "PATCH /webhooks/{application_id}/{interaction_token}/messages/@original"
	RouteDeleteOriginal              = "DELETE /webhooks/{application_id}/{interaction_token}/messages/@original"
	RouteEditFollowup                = "PATCH /webhooks/{application_id}/{interaction_token}/messages/{message_id}"
)

// Special statuses for FailNext.
const (
	// Pass lets the call through as usual: FailNext(r, Pass, 0, 1) then FailNext(r, 503, 0, 1)
	// fails the second call of r.
	Pass = 0
	// DropConnection closes the connection without an answer (a network error for the client).
	DropConnection = -1
)

// InteractionDeadline is how long Discord waits for the first answer to an interaction.
const InteractionDeadline = 3 * time.Second

// nonceWindow is how long Discord remembers an enforced nonce ("a few minutes").
const nonceWindow = 5 * time.Minute

// waitTimeout bounds WaitFor.
const waitTimeout = 10 * time.Second

// Default identities of the fake.
const (
	DefaultApplicationID = "100000000000000001"
	DefaultBotUserID     = "100000000000000002"
	DefaultGuildID       = "200000000000000001"
	DefaultChannelID     = "300000000000000001"
	DefaultUserID        = "400000000000000001"
)

// Server is a running fake Discord. Its methods are safe for concurrent use.
type Server struct {
	t        testing.TB
	srv      *httptest.Server
	appID    string
	token    string // the bot token required, without "Bot "; "" accepts any
	now      func() time.Time
	pub      ed25519.PublicKey
	priv     ed25519.PrivateKey
	upgrader websocket.Upgrader
	spec     *spec // nil when the OpenAPI description is absent

	// Lock order: mu, then reqMu, then chMu.
	reqMu    sync.Mutex
	requests []Request
	chMu     sync.Mutex
	changed  chan struct{} // closed and replaced on every change of state

	mu           sync.Mutex
	lastID       uint64
	failures     map[string][]failure
	messages     map[string][]*message // by channel id, in posting order
	nonces       map[string]nonceEntry // by channel id + "\x00" + nonce
	commands     map[string][]byte     // registered commands as JSON, by scope ("" global, else guild id)
	interactions map[string]*interaction
	conns        map[*gatewayConn]bool
	identifies   []discordgo.Identify
	resumes      int
	heartbeats   int
	sessions     map[string]*gatewaySession
}

// Option changes a Server made by New.
type Option func(*Server)

// WithToken makes the fake accept only this bot token (without the "Bot " prefix) on REST calls
// and on the gateway; by default any "Bot …" token is accepted.
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithApplicationID sets the application's id (default DefaultApplicationID).
func WithApplicationID(id string) Option { return func(s *Server) { s.appID = id } }

// WithClock sets the clock used for message timestamps, nonce expiry and the timestamps of signed
// interaction requests (default time.Now). The 3-second interaction deadline uses real time.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// New starts a fake Discord that is closed when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatalf("fakediscord: generate key: %v", err)
	}
	s := &Server{
		t:            t,
		appID:        DefaultApplicationID,
		now:          time.Now,
		pub:          pub,
		priv:         priv,
		changed:      make(chan struct{}),
		lastID:       1_300_000_000_000_000_000,
		failures:     map[string][]failure{},
		messages:     map[string][]*message{},
		nonces:       map[string]nonceEntry{},
		commands:     map[string][]byte{},
		interactions: map[string]*interaction{},
		conns:        map[*gatewayConn]bool{},
		sessions:     map[string]*gatewaySession{},
	}
	for _, opt := range opts {
		opt(s)
	}
	s.spec, err = loadSpec()
	if err != nil {
		t.Logf("fakediscord: request bodies are not checked against Discord's API description: %v", err)
	}

	api := http.NewServeMux()
	s.route(api, RouteGateway, true, s.getGateway)
	s.route(api, RouteGatewayBot, true, s.getGatewayBot)
	s.route(api, RouteCurrentUser, true, s.getCurrentUser)
	s.route(api, RouteCreateMessage, true, s.createMessage)
	s.route(api, RouteListGlobalCommands, true, s.listCommands)
	s.route(api, RouteBulkOverwriteGlobalCommands, true, s.overwriteCommands)
	s.route(api, RouteListGuildCommands, true, s.listCommands)
	s.route(api, RouteBulkOverwriteGuildCommands, true, s.overwriteCommands)
	s.route(api, RouteInteractionCallback, false, s.interactionCallback)
	s.route(api, RouteFollowup, false, s.createFollowup)
	s.route(api, RouteEditOriginal, false, s.editMessage)
	s.route(api, RouteDeleteOriginal, false, s.deleteOriginal)
	s.route(api, RouteEditFollowup, false, s.editMessage)
	s.route(api, "/", false, func(w http.ResponseWriter, _ *http.Request, _ []byte) int {
		return writeError(w, http.StatusNotFound, 0, "404: Not Found")
	})

	root := http.NewServeMux()
	root.Handle("/api/v9/", http.StripPrefix("/api/v9", api))
	root.HandleFunc("/gw", s.serveGateway)
	root.HandleFunc("/gw/", s.serveGateway)
	s.srv = httptest.NewServer(root)
	t.Cleanup(s.Close)
	return s
}

// Close drops the gateway connections and stops the server. It is called when the test ends.
func (s *Server) Close() {
	s.closeGateway()
	s.srv.Close()
}

// URL is the fake's base URL (http://127.0.0.1:PORT).
func (s *Server) URL() string { return s.srv.URL }

// APIURL is the value for discord.api_url: REST calls to https://discord.com/api/… go to
// APIURL()+"…".
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// GatewayURL is the websocket URL that GET /gateway returns.
func (s *Server) GatewayURL() string { return "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/gw" }

// ApplicationID is the application's id.
func (s *Server) ApplicationID() string { return s.appID }

// PublicKey is the application's Ed25519 public key in hex, the value for discord.public_key.
func (s *Server) PublicKey() string { return hexString(s.pub) }

// SpecLoaded reports whether request bodies are validated against Discord's OpenAPI description.
func (s *Server) SpecLoaded() bool { return s.spec != nil }

// Client returns an HTTP client that sends discordgo's requests (https://discord.com/api/…) to
// the fake, for tests that drive discordgo directly.
func (s *Server) Client() *http.Client {
	target, _ := url.Parse(s.APIURL())
	return &http.Client{Timeout: 10 * time.Second, Transport: rewriteTransport{target: target}}
}

type rewriteTransport struct{ target *url.URL }

func (rt rewriteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	const discordAPI = "https://discord.com/api/"
	if u := r.URL.String(); strings.HasPrefix(u, discordAPI) {
		next, err := url.Parse(rt.target.String() + strings.TrimPrefix(u, discordAPI))
		if err != nil {
			return nil, err
		}
		r = r.Clone(r.Context())
		r.URL, r.Host = next, next.Host
	}
	return http.DefaultTransport.RoundTrip(r)
}

// Request is one REST request the fake received.
type Request struct {
	Method string
	// Path is the request's path, /api/v9/…; Route the pattern it matched (a Route constant,
	// "/" when none).
	Path   string
	Route  string
	Query  url.Values
	Header http.Header
	Body   []byte
	// Status is what the fake answered: 0 while it is being answered, or for a dropped connection.
	// A request is listed from its arrival, so any state it changed is seen with it.
	Status int
	// SchemaError says how the body broke Discord's API description, "" when it did not (or was
	// not checked).
	SchemaError string
}

// Requests returns every REST request received so far, oldest first.
func (s *Server) Requests() []Request {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	return slices.Clone(s.requests)
}

// RequestsTo returns the requests that matched route, oldest first.
func (s *Server) RequestsTo(route string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Route == route {
			out = append(out, r)
		}
	}
	return out
}

// WaitFor blocks until cond holds, re-checking it whenever the fake's state changes (a request,
// a gateway connection), and fails the test after 10 seconds. Call it from the test's goroutine.
func (s *Server) WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	for {
		s.chMu.Lock()
		changed := s.changed
		s.chMu.Unlock()
		if cond() {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("fakediscord: timed out after %s waiting for %s", waitTimeout, what)
		}
	}
}

// notifyLocked wakes WaitFor. (It takes its own lock; the name says it may be called under s.mu.)
func (s *Server) notifyLocked() {
	s.chMu.Lock()
	defer s.chMu.Unlock()
	close(s.changed)
	s.changed = make(chan struct{})
}

// newIDLocked returns a fresh snowflake-like id; the caller holds s.mu.
func (s *Server) newIDLocked() string {
	s.lastID++
	return strconv.FormatUint(s.lastID, 10)
}

type failure struct {
	status     int
	retryAfter time.Duration
}

// FailNext makes the next n calls of route (a Route constant, or "" for any route) fail with
// status: 429 answers like Discord's rate limiter (retry_after in the body, Retry-After and
// X-RateLimit-* headers, retryAfter long); DropConnection closes the connection unanswered; Pass
// lets the call through; any other status answers with a Discord error body. Calls queue up, so
// a script of failures can be built call by call.
func (s *Server) FailNext(route string, status int, retryAfter time.Duration, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures[route] = append(s.failures[route], failure{status: status, retryAfter: retryAfter})
	}
}

func (s *Server) popFailureLocked(route string) (failure, bool) {
	for _, key := range []string{route, ""} {
		if q := s.failures[key]; len(q) > 0 {
			s.failures[key] = q[1:]
			return q[0], true
		}
	}
	return failure{}, false
}

// handlerFunc answers a request whose body has been read and returns the status it wrote.
type handlerFunc func(w http.ResponseWriter, r *http.Request, body []byte) int

// route registers h for pattern with recording, injected failures, authentication and body
// validation around it.
func (s *Server) route(mux *http.ServeMux, pattern string, auth bool, h handlerFunc) {
	mux.HandleFunc(pattern, func(rw http.ResponseWriter, r *http.Request) {
		body, err := readBody(r)
		idx := s.addRequest(Request{
			Method: r.Method,
			Path:   "/api/v9" + r.URL.Path,
			Route:  pattern,
			Query:  r.URL.Query(),
			Header: r.Header.Clone(),
			Body:   body,
		})
		// The status is recorded as it is written, before the client can see the answer.
		w := &statusWriter{ResponseWriter: rw, record: func(status int) { s.setStatus(idx, status, "") }}
		if err != nil {
			writeError(w, http.StatusRequestEntityTooLarge, 40005, "Request entity too large")
			return
		}
		s.mu.Lock()
		f, failing := s.popFailureLocked(pattern)
		s.mu.Unlock()
		if failing && f.status != Pass {
			s.fail(w, f)
			return
		}
		if auth && !s.authorized(r.Header.Get("Authorization")) {
			writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
			return
		}
		if len(body) > 0 {
			if problem := s.spec.validate(pattern, body); problem != "" {
				s.setStatus(idx, 0, problem)
				s.t.Errorf("fakediscord: %s /api/v9%s: the body breaks Discord's API description: %s\nbody: %s",
					r.Method, r.URL.Path, problem, body)
				writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
				return
			}
		}
		h(w, r, body)
	})
}

func (s *Server) addRequest(r Request) int {
	s.reqMu.Lock()
	s.requests = append(s.requests, r)
	idx := len(s.requests) - 1
	s.reqMu.Unlock()
	s.notifyLocked()
	return idx
}

// setStatus records the answer's status (when not 0) and schema problem (when not "").
func (s *Server) setStatus(idx, status int, schemaError string) {
	s.reqMu.Lock()
	if status != 0 {
		s.requests[idx].Status = status
	}
	if schemaError != "" {
		s.requests[idx].SchemaError = schemaError
	}
	s.reqMu.Unlock()
	s.notifyLocked()
}

// statusWriter reports the status of an answer when it is written.
type statusWriter struct {
	http.ResponseWriter
	record func(status int)
	wrote  bool
}

func (w *statusWriter) WriteHeader(status int) {
	if !w.wrote {
		w.wrote = true
		w.record(status)
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (DropConnection hijacks it).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) authorized(header string) bool {
	token, ok := strings.CutPrefix(header, "Bot ")
	if !ok || token == "" {
		return false
	}
	return s.token == "" || token == s.token
}

// fail answers with an injected failure and returns the status written (0 when dropped).
func (s *Server) fail(w http.ResponseWriter, f failure) int {
	switch f.status {
	case DropConnection:
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
			return 0
		}
		panic(http.ErrAbortHandler)
	case http.StatusTooManyRequests:
		secs := f.retryAfter.Seconds()
		h := w.Header()
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
		h.Set("X-RateLimit-Limit", "5")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(s.now().Add(f.retryAfter).UnixMilli())/1000, 'f', 3, 64))
		h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
		h.Set("X-RateLimit-Bucket", "fakebucket")
		h.Set("X-RateLimit-Scope", "user")
		return writeJSON(w, http.StatusTooManyRequests, map[string]any{
			"message":     "You are being rate limited.",
			"retry_after": secs,
			"global":      false,
			"code":        0,
		})
	}
	return writeError(w, f.status, errorCode(f.status), http.StatusText(f.status))
}

func errorCode(status int) int {
	switch status {
	case http.StatusForbidden:
		return 50001 // Missing Access
	case http.StatusNotFound:
		return 10003 // Unknown Channel
	}
	return 0
}

// Commands returns the registered application commands, global ones first, then each guild's
// (GuildID set) in guild id order; each with the id and version Discord assigned.
func (s *Server) Commands() []*discordgo.ApplicationCommand {
	s.mu.Lock()
	scopes := make([]string, 0, len(s.commands))
	for scope := range s.commands {
		scopes = append(scopes, scope)
	}
	sort.Strings(scopes)
	raw := make([][]byte, len(scopes))
	for i, scope := range scopes {
		raw[i] = s.commands[scope]
	}
	s.mu.Unlock()
	var out []*discordgo.ApplicationCommand
	for _, r := range raw {
		var cmds []*discordgo.ApplicationCommand
		if err := json.Unmarshal(r, &cmds); err != nil {
			s.t.Errorf("fakediscord: decode stored commands: %v", err)
		}
		out = append(out, cmds...)
	}
	return out
}
