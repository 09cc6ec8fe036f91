// Package config reads briefbot's configuration: one YAML file plus environment variables.
//
// Load (or Parse) decodes the file into a typed Config on top of the defaults of Default,
// expands ${ENV_VAR} references, reads secrets from NAME_FILE files, and validates the result.
// Every problem found is reported at once, each naming the field, the bad value and the fix:
//
//	briefbot.yaml:14: channels[2].timezone: unknown time zone "Europe/Moskow" — did you mean "Europe/Moscow"?
//
// Secrets never appear in error messages; Redacted returns a copy safe to print or log.
package config

import (
	"time"
)

// Platforms a channel can be on.
const (
	PlatformSlack   = "slack"
	PlatformDiscord = "discord"
	PlatformConsole = "console"
)

// Slack connection modes (slack.mode).
const (
	SlackSocket = "socket" // socket mode: an outbound websocket, no public URL needed
	SlackHTTP   = "http"   // slash commands POSTed to /slack/commands, verified with the signing secret
)

// Discord connection modes (discord.mode).
const (
	DiscordGateway = "gateway" // the gateway websocket
	DiscordHTTP    = "http"    // interactions POSTed to /discord/interactions, Ed25519-verified
)

// When a source fetches the article page behind a feed item (sources[].fetch_page).
const (
	FetchAuto   = "auto"   // when the feed item carries only a summary
	FetchAlways = "always" // for every item
	FetchNever  = "never"  // use what the feed carries
)

// Log formats (log.format).
const (
	LogText = "text"
	LogJSON = "json"
)

// Config is briefbot's whole configuration. The yaml tags are the key names of the file: they
// are a contract with operators, documented in the README, and must not be renamed.
type Config struct {
	// Store is a file path (SQLite) or a postgres:// URL (PostgreSQL). A relative path is
	// relative to the directory of the config file.
	Store        string           `yaml:"store" aka:"database,db,dsn,storage,sqlite,postgres"`
	HTTP         HTTP             `yaml:"http" aka:"server,web"`
	Slack        Slack            `yaml:"slack"`
	Discord      Discord          `yaml:"discord"`
	Sources      []Source         `yaml:"sources" aka:"feeds,source,inputs"`
	Topics       map[string]Topic `yaml:"topics" aka:"topic"`
	Channels     []Channel        `yaml:"channels" aka:"channel,subscriptions,destinations"`
	AdminChannel AdminChannel     `yaml:"admin_channel" aka:"admin,alerts,alert_channel,admin_channels"`
	Schedule     Scheduler        `yaml:"schedule" aka:"scheduler,scheduling,delivery"`
	Retention    Retention        `yaml:"retention" aka:"retain,prune,pruning,expiry,expire,cleanup"`
	Health       Health           `yaml:"health" aka:"healthz,healthcheck"`
	Ingest       Ingest           `yaml:"ingest"`
	Log          Log              `yaml:"log" aka:"logging,logs,logger"`

	// File is the path the configuration was loaded from; "" when it came from Parse or Default.
	File string `yaml:"-"`
}

// HTTP is the HTTP server: Slack's and Discord's HTTP modes, article ingest, /metrics and
// /healthz.
type HTTP struct {
	// Listen is host:port. Empty turns the HTTP server off (allowed only when nothing needs it).
	Listen string `yaml:"listen" aka:"addr,address,bind,port,listen_addr,host"`
	// IngestToken is the bearer token of POST /api/articles; empty turns that endpoint off.
	IngestToken string `yaml:"ingest_token" aka:"token,api_token,bearer_token,auth_token"`
}

// Slack is the Slack app.
type Slack struct {
	Mode          string   `yaml:"mode"`
	BotToken      string   `yaml:"bot_token" aka:"token,oauth_token,bot"`
	AppToken      string   `yaml:"app_token" aka:"app_level_token,socket_token"`
	SigningSecret string   `yaml:"signing_secret" aka:"secret,signing_key"`
	APIURL        string   `yaml:"api_url" aka:"url,api,endpoint,base_url"`
	Admins        []string `yaml:"admins" aka:"admin,admin_users,allow,allowlist,allow_list"`
}

// Discord is the Discord application.
type Discord struct {
	Mode          string `yaml:"mode"`
	Token         string `yaml:"token" aka:"bot_token"`
	ApplicationID string `yaml:"application_id" aka:"app_id,client_id,application"`
	PublicKey     string `yaml:"public_key" aka:"key,pubkey,verify_key"`
	APIURL        string `yaml:"api_url" aka:"url,api,endpoint,base_url"`
	GuildID       string `yaml:"guild_id" aka:"guild,server_id,server"`
	// ShardID and ShardCount split the gateway connection across processes; ShardCount 0 means
	// one connection for all guilds.
	ShardID    int `yaml:"shard_id" aka:"shard"`
	ShardCount int `yaml:"shard_count" aka:"shards,num_shards"`
}

// Source is where articles come from: a feed polled over HTTP or a folder of files.
type Source struct {
	// Name labels the articles of the source ("tass"); unique among sources.
	Name string `yaml:"name" aka:"id,label,title"`
	// Feed is the URL of an RSS, Atom or JSON Feed; Path a folder of .txt, .md, .html, .json
	// and .jsonl files. Exactly one of them is set.
	Feed string `yaml:"feed" aka:"url,rss,atom,link,href,feed_url"`
	Path string `yaml:"path" aka:"dir,directory,folder,files,glob"`
	// Every is how often the source is polled (a feed) or scanned (a folder).
	Every time.Duration `yaml:"every" aka:"interval,period,frequency,poll,poll_interval,refresh,schedule"`
	// FetchPage is auto, always or never (FetchAuto…).
	FetchPage string `yaml:"fetch_page" aka:"fetch,fetch_full,full_text,fulltext,scrape"`
	// AllowPrivate lets the source's URLs resolve to private-network addresses.
	AllowPrivate bool `yaml:"allow_private" aka:"private,allow_local,allow_internal"`
	// Timeout bounds one HTTP request of the source.
	Timeout time.Duration `yaml:"timeout" aka:"request_timeout,deadline"`
	// MaxBytes caps, for a feed, one response (the feed document or an article page), 10MB by
	// default; for a folder, one file (one line of a .jsonl file), ingest.max_bytes by default.
	// A larger file is refused; the folder's other files are read.
	MaxBytes ByteSize `yaml:"max_bytes" aka:"max_size,limit,size_limit,max_body"`
}

// Topic is a named search over the stored articles.
type Topic struct {
	Query string `yaml:"query" aka:"q,search,terms,keywords,match,filter"`
}

// Channel subscribes one chat channel to topics on a schedule.
type Channel struct {
	// Name is an optional label used in logs and in `briefbot check`.
	Name     string `yaml:"name" aka:"label,title,description"`
	Platform string `yaml:"platform" aka:"type,kind,service"`
	// ID is the platform's channel ID (Slack C0123456789, Discord 1234567890123456789).
	ID     string   `yaml:"id" aka:"channel,channel_id,chat,chat_id"`
	Topics []string `yaml:"topics" aka:"topic,subjects"`
	// Schedule is a cron spec, a descriptor such as @daily, or HH:MM; empty means no scheduled
	// briefings (the channel still answers /brief with its topics).
	Schedule string `yaml:"schedule" aka:"cron,when,at,time,every,crontab"`
	// Timezone is the IANA zone the schedule runs in (ResolveTimezone: any case; validation
	// rewrites it in the IANA spelling).
	Timezone string `yaml:"timezone" aka:"tz,time_zone,zone,location"`
	// Stories is the most stories one briefing shows.
	Stories int `yaml:"stories" aka:"max_stories,limit,count,size,story"`
	// SkipEmpty posts nothing when there is no news (instead of "nothing new on … since …").
	SkipEmpty bool `yaml:"skip_empty" aka:"skip,quiet,skip_if_empty,omit_empty"`
	// Thread posts the quotes in a thread under a headline message (Slack).
	Thread bool `yaml:"thread" aka:"threads,threaded,in_thread"`

	loc *time.Location // the loaded Timezone, set by validation
}

// AdminChannel is where briefbot reports trouble (failing sources, failed posts).
type AdminChannel struct {
	Platform string `yaml:"platform" aka:"type,kind,service"`
	ID       string `yaml:"id" aka:"channel,channel_id"`
}

// Scheduler tunes scheduled delivery (the schedule section).
type Scheduler struct {
	// Grace is how late a missed slot is still delivered (marked late) after downtime; older
	// slots are recorded as skipped. 0 turns catch-up off.
	Grace time.Duration `yaml:"grace" aka:"catch_up,catchup,grace_period,late"`
	// MaxWindow caps the time a scheduled briefing covers (since the previous delivery).
	MaxWindow time.Duration `yaml:"max_window" aka:"window,lookback,max_age"`
	// Lease is how long a claimed slot stays claimed before another replica may retry it.
	Lease time.Duration `yaml:"lease" aka:"claim,claim_lease,lease_time,ttl"`
	// ReplicaID names this process in the delivery ledger; default hostname-pid.
	ReplicaID string `yaml:"replica_id" aka:"replica,instance,instance_id,owner,node_id"`
}

// Retention says how long the store keeps what it records (the retention section). `briefbot
// run` deletes what is older every hour.
type Retention struct {
	// Articles is how long an article is kept after it was first seen; its quotes, speakers and
	// search entries go with it. 0 keeps articles for ever.
	Articles time.Duration `yaml:"articles" aka:"article,keep_articles,article_age"`
	// Ledger is how long a delivery-ledger row (a slot: one scheduled firing of a subscription
	// and its outcome) is kept after its slot time. 0 keeps the ledger for ever.
	Ledger time.Duration `yaml:"ledger" aka:"slots,deliveries,delivery_ledger,history,keep_ledger"`
}

// Health tunes /healthz.
type Health struct {
	// SourceFailingAfter is how long a source may fail before /healthz reports it and the admin
	// channel hears of it.
	SourceFailingAfter time.Duration `yaml:"source_failing_after" aka:"failing_after,source_timeout,stale_after"`
}

// Ingest tunes POST /api/articles.
type Ingest struct {
	// MaxBytes caps one request body, and one file of a folder source that sets no max_bytes.
	MaxBytes ByteSize `yaml:"max_bytes" aka:"max_size,limit,size_limit,max_body"`
}

// Log configures log/slog.
type Log struct {
	Level  string `yaml:"level" aka:"lvl,verbosity"`
	Format string `yaml:"format" aka:"fmt,output,style,encoding"`
}

// Defaults of keys the file leaves out.
const (
	DefaultStore              = "briefbot.db"
	DefaultListen             = "127.0.0.1:8080"
	DefaultSlackAPIURL        = "https://slack.com/api/"
	DefaultDiscordAPIURL      = "https://discord.com/api/"
	DefaultEvery              = 10 * time.Minute
	DefaultSourceTimeout      = 30 * time.Second
	DefaultSourceMaxBytes     = 10 * MB // a feed's; a folder's is ingest.max_bytes
	DefaultStories            = 5
	DefaultTimezone           = "UTC"
	DefaultGrace              = 6 * time.Hour
	DefaultMaxWindow          = 24 * time.Hour
	DefaultLease              = 2 * time.Minute
	DefaultSourceFailingAfter = time.Hour
	DefaultIngestMaxBytes     = 5 * MB
	DefaultLedgerRetention    = 90 * 24 * time.Hour
)

// Default returns the configuration briefbot runs with when there is no config file: SQLite in
// ./briefbot.db, the HTTP server on 127.0.0.1:8080, no Slack, no Discord, no sources, topics or
// channels (the console demo). ReplicaID is left empty; Parse fills it.
func Default() *Config {
	return &Config{
		Store: DefaultStore,
		HTTP:  HTTP{Listen: DefaultListen},
		Slack: Slack{Mode: SlackSocket, APIURL: DefaultSlackAPIURL},
		Discord: Discord{
			Mode:   DiscordGateway,
			APIURL: DefaultDiscordAPIURL,
		},
		Schedule: Scheduler{
			Grace:     DefaultGrace,
			MaxWindow: DefaultMaxWindow,
			Lease:     DefaultLease,
		},
		Retention: Retention{Ledger: DefaultLedgerRetention},
		Health:    Health{SourceFailingAfter: DefaultSourceFailingAfter},
		Ingest:    Ingest{MaxBytes: DefaultIngestMaxBytes},
		Log:       Log{Level: "info", Format: LogText},
	}
}

// setDefaults fills a new sources[] entry before its keys are decoded.
func (s *Source) setDefaults() {
	s.Every = DefaultEvery
	s.FetchPage = FetchAuto
	s.Timeout = DefaultSourceTimeout
	s.MaxBytes = DefaultSourceMaxBytes
}

// setDefaults fills a new channels[] entry before its keys are decoded.
func (c *Channel) setDefaults() {
	c.Timezone = DefaultTimezone
	c.Stories = DefaultStories
}

// defaulter is a type whose new values start from defaults rather than zero.
type defaulter interface{ setDefaults() }

// IsFeed reports whether the source is a feed (rather than a folder).
func (s Source) IsFeed() bool { return s.Feed != "" }

// Location returns the channel's time zone (UTC when the zone cannot be loaded, which a
// validated Config rules out).
func (c Channel) Location() *time.Location {
	if c.loc != nil {
		return c.loc
	}
	loc, err := LoadTimezone(c.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Label names the channel for logs: its name, or platform:id.
func (c Channel) Label() string {
	if c.Name != "" {
		return c.Name
	}
	return c.Platform + ":" + c.ID
}

// IsSet reports whether an admin channel is configured.
func (a AdminChannel) IsSet() bool { return a.Platform != "" || a.ID != "" }

// SlackEnabled reports whether briefbot connects to Slack: a bot token is configured or a
// channel (or the admin channel) is on Slack.
func (c *Config) SlackEnabled() bool {
	return c.Slack.BotToken != "" || c.usesPlatform(PlatformSlack)
}

// DiscordEnabled reports whether briefbot connects to Discord: a token is configured or a
// channel (or the admin channel) is on Discord.
func (c *Config) DiscordEnabled() bool {
	return c.Discord.Token != "" || c.usesPlatform(PlatformDiscord)
}

func (c *Config) usesPlatform(p string) bool {
	if c.AdminChannel.Platform == p {
		return true
	}
	for _, ch := range c.Channels {
		if ch.Platform == p {
			return true
		}
	}
	return false
}

// HTTPNeeded reports whether something needs the HTTP server besides /metrics and /healthz.
func (c *Config) HTTPNeeded() bool {
	return c.SlackEnabled() && c.Slack.Mode == SlackHTTP ||
		c.DiscordEnabled() && c.Discord.Mode == DiscordHTTP ||
		c.HTTP.IngestToken != ""
}

// TopicNames returns the configured topic names, sorted.
func (c *Config) TopicNames() []string {
	names := make([]string, 0, len(c.Topics))
	for name := range c.Topics {
		names = append(names, name)
	}
	sortStrings(names)
	return names
}
