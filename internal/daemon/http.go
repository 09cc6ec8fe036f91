package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/briefbot/briefbot/config"
)

// Limits of the HTTP server.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 30 * time.Second
	// writeTimeout leaves a slash command its 3 s and a large ingest request time to be stored.
	writeTimeout   = 60 * time.Second
	idleTimeout    = 2 * time.Minute
	maxHeaderBytes = 64 << 10
	// healthTimeout bounds the store ping of /healthz.
	healthTimeout = 2 * time.Second
	// minBodyCap is the smallest body cap: Slack and Discord requests are a few kilobytes.
	minBodyCap = 1 << 20
)

// Endpoint is one route of the HTTP server, for `briefbot check` and logs.
type Endpoint struct {
	Method, Path, What string
}

// Endpoints lists the routes the App serves for cfg.
func Endpoints(cfg *config.Config) []Endpoint {
	var eps []Endpoint
	if cfg.SlackEnabled() && cfg.Slack.Mode == config.SlackHTTP {
		eps = append(eps, Endpoint{"POST", "/slack/commands", "Slack slash commands (signed with slack.signing_secret)"})
	}
	if cfg.DiscordEnabled() && cfg.Discord.Mode == config.DiscordHTTP {
		eps = append(eps, Endpoint{"POST", "/discord/interactions", "Discord interactions (Ed25519, discord.public_key)"})
	}
	if cfg.HTTP.IngestToken != "" {
		eps = append(eps, Endpoint{"POST", "/api/articles", "article ingest (Authorization: Bearer http.ingest_token)"})
	} else {
		eps = append(eps, Endpoint{"POST", "/api/articles", "article ingest: off (set http.ingest_token to turn it on)"})
	}
	return append(eps,
		Endpoint{"GET", "/metrics", "Prometheus metrics"},
		Endpoint{"GET", "/healthz", "health: 200 when the store answers, 503 when not"},
	)
}

// buildHTTP makes the HTTP server and binds its listener (none when http.listen is "" and no
// override is given).
func (a *App) buildHTTP() error {
	listen := a.cfg.HTTP.Listen
	if a.opts.Listen != "" {
		listen = a.opts.Listen
	}
	if listen == "" {
		a.log.Info("HTTP server off (http.listen is empty): no /metrics, no /healthz")
		return nil
	}
	mux := http.NewServeMux()
	if a.slack != nil && a.cfg.Slack.Mode == config.SlackHTTP {
		mux.Handle("/slack/commands", a.slack.CommandsHandler())
	}
	if a.discord != nil && a.cfg.Discord.Mode == config.DiscordHTTP {
		mux.Handle("/discord/interactions", a.discord.InteractionsHandler())
	}
	mux.Handle("/api/articles", a.ingester.Handler(a.cfg.HTTP.IngestToken))
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.registry, promhttp.HandlerOpts{
		Registry:          a.registry,
		EnableOpenMetrics: true,
		Timeout:           10 * time.Second,
	}))
	mux.HandleFunc("GET /healthz", a.serveHealth)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not found: briefbot serves /healthz, /metrics, /api/articles, /slack/commands and /discord/interactions", http.StatusNotFound)
	})

	bodyCap := max(int64(a.cfg.Ingest.MaxBytes), minBodyCap)
	a.server = &http.Server{
		Handler:           a.withBodyCap(bodyCap, a.withAccessLog(mux)),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("daemon: listen on %s (http.listen): %w", listen, err)
	}
	a.listener = ln
	return nil
}

// serveHTTP serves until ctx ends, then shuts the server down: no new connections, and requests
// in progress get the shutdown timeout to finish.
func (a *App) serveHTTP(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- a.server.Serve(a.listener) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", a.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), a.opts.ShutdownTimeout)
	defer cancel()
	err := a.server.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		a.log.Warn("HTTP shutdown: requests still in progress were cut off", slog.Any("error", err))
		a.server.Close()
	}
	return nil
}

// withBodyCap refuses request bodies over limit (each endpoint may cap lower). POST
// /api/articles refuses an announced body over its own cap (ingest.max_bytes, at most limit)
// itself, unread, with the JSON error its clients parse; here it is only capped.
func (a *App) withBodyCap(limit int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit && r.URL.Path != "/api/articles" {
			http.Error(w, fmt.Sprintf("request body larger than %d bytes", limit), http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// withAccessLog logs each request at debug level.
func (a *App) withAccessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.log.Enabled(r.Context(), slog.LevelDebug) {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		a.log.LogAttrs(r.Context(), slog.LevelDebug, "http request", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Int("status", sw.status),
			slog.Duration("took", time.Since(start)), slog.String("remote_addr", r.RemoteAddr))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Health is the body of /healthz.
type Health struct {
	// Status is "ok", "degraded" (briefbot works, but a source or channel has a problem) or
	// "unavailable" (the store does not answer: HTTP 503).
	Status string `json:"status"`
	// Store is "ok" or the error of the store's ping.
	Store   string  `json:"store"`
	Version string  `json:"version"`
	Replica string  `json:"replica"`
	Uptime  float64 `json:"uptime_seconds"`
	// Platforms maps each platform to its mode ("socket", "http", "gateway, connected", "stdout").
	Platforms map[string]string `json:"platforms"`
	Problems  []HealthProblem   `json:"problems"`
}

// HealthProblem is a problem the health monitor knows of.
type HealthProblem struct {
	Kind     string    `json:"kind"` // source, channel or delivery
	Name     string    `json:"name"`
	Since    time.Time `json:"since"`
	Detail   string    `json:"detail"`
	Count    int       `json:"count,omitempty"`
	Reported bool      `json:"reported"`
}

// serveHealth answers /healthz: 200 with the state of briefbot while the store answers, 503
// when it does not.
func (a *App) serveHealth(w http.ResponseWriter, r *http.Request) {
	h := Health{Status: "ok", Store: "ok", Version: versionOr(a.opts.Version), Replica: a.opts.ReplicaID,
		Uptime: a.clock.Now().Sub(a.started).Seconds(), Platforms: map[string]string{}, Problems: []HealthProblem{}}
	if a.slack != nil {
		h.Platforms[config.PlatformSlack] = a.cfg.Slack.Mode
	}
	if a.discord != nil {
		mode := a.cfg.Discord.Mode
		if mode == config.DiscordGateway {
			if a.discord.GatewayConnected() {
				mode += ", connected"
			} else {
				mode += ", not connected"
			}
		}
		h.Platforms[config.PlatformDiscord] = mode
	}
	if _, ok := a.posters[config.PlatformConsole]; ok {
		h.Platforms[config.PlatformConsole] = "stdout"
	}
	for _, p := range a.health.Problems() {
		h.Problems = append(h.Problems, HealthProblem{Kind: p.Kind, Name: p.Name, Since: p.Since,
			Detail: p.Detail, Count: p.Count, Reported: p.Reported})
	}
	if len(h.Problems) > 0 {
		h.Status = "degraded"
	}
	ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
	defer cancel()
	code := http.StatusOK
	if err := a.store.Ping(ctx); err != nil {
		h.Status, h.Store, code = "unavailable", err.Error(), http.StatusServiceUnavailable
		a.log.Warn("healthz: the store does not answer", slog.Any("error", err))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(h) // the client has gone away
}

func versionOr(v string) string {
	if v == "" {
		return "dev"
	}
	return v
}
