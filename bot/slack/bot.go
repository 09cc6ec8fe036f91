// Package slack connects briefbot to Slack with slack-go: it posts briefings (bot.Poster),
// answers /brief over Socket Mode or signed HTTP requests, and renders briefings as Block Kit.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/internal/replay"
	"github.com/briefbot/briefbot/internal/metrics"
)

// Connection modes.
const (
	ModeSocket = "socket" // an outbound websocket; needs the app-level token
	ModeHTTP   = "http"   // Slack POSTs commands to /slack/commands; needs the signing secret
)

// DefaultAPIURL is Slack's Web API.
const DefaultAPIURL = "https://slack.com/api/"

// Config is how briefbot reaches Slack (the slack section of the config file).
type Config struct {
	Mode          string // ModeSocket (default) or ModeHTTP
	BotToken      string // xoxb-…, for the Web API
	AppToken      string // xapp-…, socket mode
	SigningSecret string // HTTP mode
	// APIURL is the Web API base (GovSlack, proxies, tests); a trailing slash is added.
	APIURL string
	// Admins are user IDs allowed to change subscriptions besides workspace admins and owners.
	Admins     []string
	HTTPClient *http.Client
	Logger     *slog.Logger
	Metrics    *metrics.Metrics
	Now        func() time.Time
}

// CommandHandler answers /brief commands; *bot.Router is the real one.
type CommandHandler interface {
	Handle(ctx context.Context, req bot.Request) bot.Reply
}

// Option tunes a Bot; the defaults suit production.
type Option func(*Bot)

// WithAckBudget sets how long a command may take to answer inline before it is acknowledged
// and followed up through its response_url (default 2s, inside Slack's 3-second deadline).
func WithAckBudget(d time.Duration) Option { return func(b *Bot) { b.ackBudget = d } }

// How commands are worked on.
const (
	// commandTimeout bounds the work of one command, follow-up included.
	commandTimeout = 2 * time.Minute
	// adminTTL is how long a users.info admin answer is trusted.
	adminTTL = 5 * time.Minute
	// maxConcurrentCommands caps the commands worked on at once; more are answered "busy".
	maxConcurrentCommands = 32
)

// Bot is briefbot on one Slack workspace.
type Bot struct {
	cfg     Config
	api     *slack.Client
	handler CommandHandler
	log     *slog.Logger
	now     func() time.Time

	ackBudget time.Duration
	slots     chan struct{} // a semaphore over commands in progress

	// base is the parent context of command work, cancelled by Close.
	base     context.Context
	stop     context.CancelFunc
	inflight sync.WaitGroup

	adminMu    sync.Mutex
	adminCache map[string]adminEntry

	replays *replay.Cache // HTTP mode: signatures seen recently
	envSeen *replay.Cache // socket mode: envelopes seen recently (Slack redelivers unacked ones)
}

type adminEntry struct {
	admin bool
	until time.Time
}

// Errors New returns for a config that cannot work.
var (
	ErrNoBotToken = errors.New("slack: bot_token is required")
	ErrBadMode    = errors.New("slack: mode must be socket or http")
)

// New checks the config and returns a Bot. h answers commands; it may be nil for a Bot that only
// posts.
func New(cfg Config, h CommandHandler, opts ...Option) (*Bot, error) {
	if cfg.Mode == "" {
		cfg.Mode = ModeSocket
	}
	switch {
	case cfg.BotToken == "":
		return nil, ErrNoBotToken
	case cfg.Mode != ModeSocket && cfg.Mode != ModeHTTP:
		return nil, fmt.Errorf("%w, not %q", ErrBadMode, cfg.Mode)
	case cfg.Mode == ModeSocket && cfg.AppToken == "":
		return nil, errors.New("slack: socket mode needs app_token (an app-level token with connections:write)")
	case cfg.Mode == ModeSocket && !strings.HasPrefix(cfg.AppToken, "xapp-"):
		return nil, errors.New("slack: app_token must be an app-level token (xapp-…)")
	case cfg.Mode == ModeHTTP && cfg.SigningSecret == "":
		return nil, errors.New("slack: http mode needs signing_secret (Basic Information → App Credentials)")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if !strings.HasSuffix(cfg.APIURL, "/") {
		cfg.APIURL += "/"
	}
	if !strings.HasPrefix(cfg.APIURL, "https://") && !strings.HasPrefix(cfg.APIURL, "http://") {
		return nil, fmt.Errorf("slack: api_url %q is not an http(s) URL", cfg.APIURL)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.Admins = slices.Clone(cfg.Admins)

	apiOpts := []slack.Option{slack.OptionAPIURL(cfg.APIURL), slack.OptionHTTPClient(cfg.HTTPClient)}
	if cfg.AppToken != "" {
		apiOpts = append(apiOpts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	base, stop := context.WithCancel(context.Background())
	b := &Bot{
		cfg:        cfg,
		api:        slack.New(cfg.BotToken, apiOpts...),
		handler:    h,
		log:        cfg.Logger.With(slog.String("component", "slack")),
		now:        cfg.Now,
		ackBudget:  2 * time.Second,
		slots:      make(chan struct{}, maxConcurrentCommands),
		base:       base,
		stop:       stop,
		adminCache: map[string]adminEntry{},
	}
	for _, o := range opts {
		o(b)
	}
	if b.ackBudget <= 0 || b.ackBudget >= 3*time.Second {
		stop()
		return nil, fmt.Errorf("slack: ack budget %s must be under Slack's 3s deadline", b.ackBudget)
	}
	// A signature is only accepted within 5 minutes of its timestamp either way, so remembering
	// each for 10 minutes refuses every replay.
	b.replays = replay.New(10*time.Minute, 100_000)
	b.envSeen = replay.New(10*time.Minute, 10_000)
	return b, nil
}

// Platform is "slack".
func (b *Bot) Platform() string { return "slack" }

// Mode is the connection mode, ModeSocket or ModeHTTP.
func (b *Bot) Mode() string { return b.cfg.Mode }

// Close cancels command work still in progress and waits for it; it is safe to call more than
// once. Run returns by itself when its context ends.
func (b *Bot) Close() error {
	b.stop()
	b.inflight.Wait()
	return nil
}

// Check verifies the bot token (auth.test) and, in socket mode, the app token
// (apps.connections.open), and says who the bot is.
func (b *Bot) Check(ctx context.Context) (string, error) {
	auth, err := b.api.AuthTestContext(ctx)
	if err != nil {
		return "", fmt.Errorf("slack: auth.test: %w", explain(err))
	}
	msg := fmt.Sprintf("slack: bot @%s (%s) in workspace %q (%s, %s)", auth.User, auth.UserID, auth.Team, auth.TeamID, auth.URL)
	switch b.cfg.Mode {
	case ModeSocket:
		if _, _, err := b.api.StartSocketModeContext(ctx); err != nil {
			return msg, fmt.Errorf("slack: app token (apps.connections.open): %w", explain(err))
		}
		msg += "; socket mode: app token accepted"
	case ModeHTTP:
		msg += "; http mode: slash commands are expected at POST /slack/commands"
	}
	return msg, nil
}

// explain adds the usual fix to the Slack errors an operator meets at set-up.
func explain(err error) error {
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		return err
	}
	hint := map[string]string{
		"invalid_auth":           "the token is wrong or was revoked: copy it again from OAuth & Permissions (xoxb-…) or Basic Information → App-Level Tokens (xapp-…)",
		"not_authed":             "no token was sent",
		"token_revoked":          "the token was revoked: reinstall the app",
		"account_inactive":       "the app or its bot user was deactivated",
		"missing_scope":          "a scope is missing: add it under OAuth & Permissions and reinstall the app",
		"not_allowed_token_type": "this token type cannot call the method (bot_token must be xoxb-…, app_token xapp-…)",
	}[se.Err]
	if hint == "" {
		return err
	}
	return fmt.Errorf("%w (%s)", err, hint)
}

// isAdmin reports whether a user may change subscriptions: listed in admins, or a workspace
// admin or owner per users.info (cached). When Slack cannot say, the answer is no.
func (b *Bot) isAdmin(ctx context.Context, userID string) bool {
	if slices.Contains(b.cfg.Admins, userID) {
		return true
	}
	now := b.now()
	b.adminMu.Lock()
	e, ok := b.adminCache[userID]
	b.adminMu.Unlock()
	if ok && now.Before(e.until) {
		return e.admin
	}
	u, err := b.api.GetUserInfoContext(ctx, userID)
	if err != nil {
		b.log.WarnContext(ctx, "admin check failed", slog.String("user_id", userID), slog.Any("error", err))
		return false
	}
	admin := u.IsAdmin || u.IsOwner || u.IsPrimaryOwner
	b.adminMu.Lock()
	if len(b.adminCache) >= 10_000 {
		clear(b.adminCache)
	}
	b.adminCache[userID] = adminEntry{admin: admin, until: now.Add(adminTTL)}
	b.adminMu.Unlock()
	return admin
}
