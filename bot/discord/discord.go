// Package discord is briefbot on Discord, through discordgo: it posts briefings to channels (the
// bot.Poster of the scheduler), registers the /brief command, and answers it either over the
// gateway (a bot token, no public URL needed) or as an HTTP interactions endpoint (requests signed
// with the application's Ed25519 key).
//
// Every request goes through discordgo and its per-route rate-limit buckets; the configured API
// URL is applied by the HTTP client's transport, so no package-level state of discordgo changes.
package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/internal/pause"
	"github.com/briefbot/briefbot/bot/internal/replay"
	"github.com/briefbot/briefbot/internal/metrics"
)

// Modes of receiving interactions.
const (
	// ModeGateway receives interactions over the gateway websocket.
	ModeGateway = "gateway"
	// ModeHTTP receives them as signed POST requests on InteractionsHandler.
	ModeHTTP = "http"
)

// DefaultAPIURL is Discord's REST API root, without the version.
const DefaultAPIURL = "https://discord.com/api/"

// platform is this adapter's name in requests, logs and metrics.
const platform = "discord"

// Defaults of Config.
const (
	defaultDeferAfter = 1500 * time.Millisecond
	defaultTimeout    = 20 * time.Second
)

// ErrConfig is what every configuration error from New matches with errors.Is.
var ErrConfig = errors.New("discord: invalid configuration")

// Config configures a Bot. Token and ApplicationID are required; PublicKey too in http mode.
type Config struct {
	// Mode is ModeGateway (default) or ModeHTTP.
	Mode string
	// Token is the bot token, with or without the "Bot " prefix.
	Token         string
	ApplicationID string
	// PublicKey is the application's Ed25519 public key in hex (http mode).
	PublicKey string
	// APIURL replaces https://discord.com/api/ for every REST call (proxies, tests).
	APIURL string
	// GuildID registers /brief in one guild (instant) instead of globally.
	GuildID string
	// ShardID and ShardCount shard the gateway connection (ShardCount 0 or 1: no sharding).
	ShardID, ShardCount int
	// HTTPClient is the client whose transport and timeout REST calls use (default: a 20 s
	// timeout over http.DefaultTransport).
	HTTPClient *http.Client
	Logger     *slog.Logger
	Metrics    *metrics.Metrics
	// Now is the clock for signature timestamps (default time.Now).
	Now func() time.Time
	// DeferAfter is how long a command may take before its answer is deferred (an "is thinking"
	// placeholder, then the answer as an edit); Discord allows 3 s for the first answer. Default
	// 1.5 s.
	DeferAfter time.Duration
}

// CommandHandler answers /brief; *bot.Router satisfies it.
type CommandHandler interface {
	Handle(ctx context.Context, req bot.Request) bot.Reply
	Commands() []bot.CommandSpec
	// Complete returns topic names for autocompletion of a topic option.
	Complete(ctx context.Context, prefix string) []string
}

// TimezoneCompleter is optionally implemented by a CommandHandler to autocomplete a timezone
// option; *bot.Router does.
type TimezoneCompleter interface {
	CompleteTimezone(prefix string) []string
}

// Bot is briefbot's Discord adapter.
type Bot struct {
	cfg       Config
	h         CommandHandler
	session   *discordgo.Session
	publicKey ed25519.PublicKey
	log       *slog.Logger
	replays   *replay.Cache
	inflight  tracker

	running atomic.Bool // Run has been called
}

var _ bot.Poster = (*Bot)(nil)

// New checks cfg and prepares a Bot; it connects to nothing until Run, Post or Check.
func New(cfg Config, h CommandHandler) (*Bot, error) {
	if h == nil {
		return nil, fmt.Errorf("%w: no command handler", ErrConfig)
	}
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	b := &Bot{cfg: cfg, h: h, log: cfg.Logger.With(slog.String("component", "discord")), replays: replay.New(2*maxClockSkew, maxRemembered)}
	if cfg.PublicKey != "" {
		key, err := hex.DecodeString(cfg.PublicKey)
		if err != nil || len(key) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: discord.public_key must be the application's public key, 64 hex characters "+
				"(Developer Portal → General Information → Public Key)", ErrConfig)
		}
		b.publicKey = key
	}

	session, err := discordgo.New("Bot " + cfg.Token)
	if err != nil {
		return nil, fmt.Errorf("discord: new session: %w", err)
	}
	api, _ := url.Parse(cfg.APIURL) // checked by setDefaults
	client := *cfg.HTTPClient
	base := client.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	client.Transport = &apiTransport{api: api, base: base}
	session.Client = &client
	// A 429 comes back as *discordgo.RateLimitError instead of an unbounded sleep: the caller
	// decides whether to wait.
	session.ShouldRetryOnRateLimit = false
	session.StateEnabled = false
	session.Identify.Intents = discordgo.IntentsGuilds // interactions need no intent; no message content
	if cfg.ShardCount > 1 {
		session.ShardID, session.ShardCount = cfg.ShardID, cfg.ShardCount
	}
	b.session = session
	return b, nil
}

func (cfg *Config) setDefaults() error {
	cfg.Mode = strings.ToLower(strings.TrimSpace(cfg.Mode))
	switch cfg.Mode {
	case "":
		cfg.Mode = ModeGateway
	case ModeGateway, ModeHTTP:
	default:
		return fmt.Errorf("%w: discord.mode is %q; use %q or %q", ErrConfig, cfg.Mode, ModeGateway, ModeHTTP)
	}
	cfg.Token = strings.TrimSpace(cfg.Token)
	if cfg.Token == "Bot" || strings.HasPrefix(cfg.Token, "Bot ") {
		cfg.Token = strings.TrimSpace(cfg.Token[len("Bot"):])
	}
	if cfg.Token == "" {
		return fmt.Errorf("%w: discord.token is empty; set it to the bot token (Developer Portal → Bot → Reset Token)", ErrConfig)
	}
	if !isSnowflake(cfg.ApplicationID) {
		return fmt.Errorf("%w: discord.application_id must be the application's numeric id (Developer Portal → General Information)", ErrConfig)
	}
	if cfg.GuildID != "" && !isSnowflake(cfg.GuildID) {
		return fmt.Errorf("%w: discord.guild_id %q is not a numeric id; leave it empty to register /brief globally", ErrConfig, cfg.GuildID)
	}
	cfg.PublicKey = strings.TrimSpace(cfg.PublicKey)
	if cfg.Mode == ModeHTTP && cfg.PublicKey == "" {
		return fmt.Errorf("%w: discord.public_key is needed in http mode (Developer Portal → General Information → Public Key)", ErrConfig)
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if !strings.HasSuffix(cfg.APIURL, "/") {
		cfg.APIURL += "/"
	}
	if u, err := url.Parse(cfg.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: discord.api_url %q is not an http(s) URL such as %s", ErrConfig, cfg.APIURL, DefaultAPIURL)
	}
	if cfg.ShardCount < 0 || cfg.ShardID < 0 || (cfg.ShardCount > 1 && cfg.ShardID >= cfg.ShardCount) ||
		(cfg.ShardCount <= 1 && cfg.ShardID != 0) {
		return fmt.Errorf("%w: shard %d of %d: the shard id must be below the shard count", ErrConfig, cfg.ShardID, cfg.ShardCount)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: defaultTimeout}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DeferAfter <= 0 {
		cfg.DeferAfter = defaultDeferAfter
	}
	return nil
}

// isSnowflake reports whether s looks like a Discord id: 1 to 20 digits.
func isSnowflake(s string) bool {
	if len(s) == 0 || len(s) > 20 {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// Platform names the platform: "discord".
func (b *Bot) Platform() string { return platform }

// Check verifies the token with GET /users/@me, looks up /brief among the application's commands
// in the configured scope, and says what it found, for `briefbot check`.
func (b *Bot) Check(ctx context.Context) (string, error) {
	u, err := b.session.User("@me", discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("discord: check token: %w", describe(err))
	}
	scope := "globally"
	if b.cfg.GuildID != "" {
		scope = "in guild " + b.cfg.GuildID
	}
	cmds, err := b.session.ApplicationCommands(b.cfg.ApplicationID, b.cfg.GuildID, discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("discord: list the commands of application %s: %w", b.cfg.ApplicationID, describe(err))
	}
	registered := fmt.Sprintf("/%s not registered %s yet (briefbot registers it when it starts)", CommandName, scope)
	for _, c := range cmds {
		if c.Name == CommandName {
			registered = fmt.Sprintf("/%s registered %s", CommandName, scope)
		}
	}
	return fmt.Sprintf("discord: signed in as %s (user %s), application %s, %s mode, %s",
		u.Username, u.ID, b.cfg.ApplicationID, b.cfg.Mode, registered), nil
}

// Run registers /brief and serves interactions until ctx is done: over the gateway in gateway
// mode (discordgo reconnects and resumes by itself), through InteractionsHandler in http mode.
// On return, answers in progress have finished (or 10 s have passed). A rejected token or
// invalid command list is an error; a temporary failure to register is retried in the
// background.
func (b *Bot) Run(ctx context.Context) error {
	if !b.running.CompareAndSwap(false, true) {
		return errors.New("discord: Run called twice")
	}

	if err := b.RegisterCommands(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // shut down while registering
		}
		if temporary, _ := bot.IsTemporary(err); !temporary {
			return err
		}
		b.log.WarnContext(ctx, "registering /brief failed; retrying in the background", slog.Any("error", err))
		go b.keepRegistering(ctx)
	}

	if b.cfg.Mode == ModeGateway {
		if err := b.runGateway(ctx); err != nil {
			return err
		}
	} else {
		b.log.InfoContext(ctx, "serving Discord interactions over HTTP")
		<-ctx.Done()
	}
	b.drain()
	return nil
}

// drain waits for answers in progress, at most 10 s.
func (b *Bot) drain() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if n := b.inflight.wait(ctx); n > 0 {
		b.log.Warn("shutting down with answers still in progress", slog.Int("in_progress", n))
	}
}

// keepRegistering retries registration with backoff until it succeeds, fails for good, or ctx
// ends.
func (b *Bot) keepRegistering(ctx context.Context) {
	wait := 5 * time.Second
	for {
		if !pause.For(ctx, wait) {
			return
		}
		err := b.RegisterCommands(ctx)
		if err == nil {
			return
		}
		temporary, retryAfter := bot.IsTemporary(err)
		if !temporary {
			b.log.ErrorContext(ctx, "registering /brief failed", slog.Any("error", err))
			return
		}
		wait = min(max(2*wait, retryAfter), 10*time.Minute)
		b.log.WarnContext(ctx, "registering /brief failed; will retry", slog.Any("error", err), slog.Duration("retry_in", wait))
	}
}

// apiTransport sends discordgo's requests for https://discord.com/api/… to the configured API
// URL, and notes the status and Retry-After of each answer for error classification.
type apiTransport struct {
	api  *url.URL
	base http.RoundTripper
}

func (t *apiTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if rest, ok := strings.CutPrefix(r.URL.String(), DefaultAPIURL); ok && t.api.String() != DefaultAPIURL {
		target, err := url.Parse(t.api.String() + rest)
		if err != nil {
			return nil, fmt.Errorf("discord: rewrite %s: %w", r.URL.Path, err)
		}
		r = r.Clone(r.Context())
		r.URL, r.Host = target, ""
	}
	resp, err := t.base.RoundTrip(r)
	if info, ok := r.Context().Value(responseInfoKey{}).(*responseInfo); ok && resp != nil {
		info.set(resp)
	}
	return resp, err
}

// responseInfo is what the transport saw of the last answer to a call: discordgo's errors do not
// always carry it (a 502 after its retries, a 429 whose body is not JSON).
type responseInfo struct {
	mu         sync.Mutex
	status     int
	retryAfter time.Duration
}

type responseInfoKey struct{}

func (i *responseInfo) set(resp *http.Response) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.status = resp.StatusCode
	i.retryAfter = 0
	if s, err := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64); err == nil && s > 0 {
		i.retryAfter = time.Duration(s * float64(time.Second))
	}
}

func (i *responseInfo) get() (int, time.Duration) {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.status, i.retryAfter
}

// withResponseInfo returns a context under which the transport records the call's answer.
func withResponseInfo(ctx context.Context) (context.Context, *responseInfo) {
	info := &responseInfo{}
	return context.WithValue(ctx, responseInfoKey{}, info), info
}

// tracker counts answers in progress so shutdown can wait for them.
type tracker struct {
	mu      sync.Mutex
	n       int
	changed chan struct{}
}

func (t *tracker) add() {
	t.mu.Lock()
	t.n++
	t.mu.Unlock()
}

func (t *tracker) done() {
	t.mu.Lock()
	t.n--
	if t.changed != nil {
		close(t.changed)
		t.changed = nil
	}
	t.mu.Unlock()
}

// wait blocks until nothing is in progress or ctx ends, and returns how many still are.
func (t *tracker) wait(ctx context.Context) int {
	for {
		t.mu.Lock()
		if t.n == 0 {
			t.mu.Unlock()
			return 0
		}
		if t.changed == nil {
			t.changed = make(chan struct{})
		}
		changed := t.changed
		t.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			t.mu.Lock()
			defer t.mu.Unlock()
			return t.n
		}
	}
}
