package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefing/store"
)

// Limits validation enforces.
const (
	MaxStories      = 20
	minIngestToken  = 16
	minFeedEvery    = time.Minute
	minFolderEvery  = time.Second
	minLease        = 10 * time.Second
	maxTopicNameLen = 32
)

var (
	slackUserID    = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	slackChannelID = regexp.MustCompile(`^[CGD][A-Z0-9]{2,}$`)
	snowflake      = regexp.MustCompile(`^[0-9]{17,20}$`)
	hex64          = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
	slackPrefix    = regexp.MustCompile(`^(xox[a-z]|xapp)-`)
)

// validator checks a decoded Config; each problem is recorded once per field.
type validator struct {
	cfg  *Config
	ps   *problems
	vars map[string][]string
}

func validate(cfg *Config, ps *problems, vars map[string][]string) {
	v := &validator{cfg: cfg, ps: ps, vars: vars}
	v.store()
	v.http()
	v.slack()
	v.discord()
	v.sources()
	v.topics()
	v.channels()
	v.adminChannel()
	v.scheduler()
	v.retention()
	v.rest()
}

// problem records a problem unless the field, or a field it is part of, has one already
// (from decoding, say): one problem is enough to fix at a time.
func (v *validator) problem(field, format string, args ...any) {
	for f := field; f != ""; f = parentPath(f) {
		if v.ps.fields[f] {
			return
		}
	}
	v.ps.addf(field, format, args...)
}

// envHint names the variable that would set a field: the one the file refers to, else the
// field's own fallback variable.
func (v *validator) envHint(field, fallback string) string {
	if vs := v.vars[field]; len(vs) > 0 {
		return vs[0]
	}
	return fallback
}

func (v *validator) store() {
	s := v.cfg.Store
	switch {
	case s == "":
		v.problem("store", "required: a file path for SQLite (briefbot.db) or a postgres:// URL")
	case strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://"):
		u, err := url.Parse(s)
		if err != nil || u.Path == "" && u.Query().Get("dbname") == "" {
			v.problem("store", "%s is not a PostgreSQL URL: write postgres://user:password@host:5432/dbname", quote(redactDSN(s)))
		}
	case strings.Contains(s, "://"):
		scheme, _, _ := strings.Cut(s, "://")
		v.problem("store", "unsupported database %s: use a file path (SQLite) or a postgres:// URL", quote(scheme))
	case strings.HasPrefix(s, "host=") || strings.HasPrefix(s, "dbname=") || strings.HasPrefix(s, "user="):
		v.problem("store", "looks like a PostgreSQL keyword DSN: write it as a URL, postgres://user:password@host:5432/dbname")
	}
}

func (v *validator) http() {
	h := v.cfg.HTTP
	if h.Listen == "" {
		if why := v.httpReason(); why != "" {
			v.problem("http.listen", "required because %s: set host:port, e.g. 0.0.0.0:8080", why)
		}
	} else if host, port, err := net.SplitHostPort(h.Listen); err != nil {
		v.problem("http.listen", "%s is not host:port: write e.g. 127.0.0.1:8080, or :8080 for every interface", quote(h.Listen))
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		v.problem("http.listen", "port %s is not a number from 0 to 65535", quote(port))
	} else if host != "" && net.ParseIP(host) == nil && strings.ContainsAny(host, " /") {
		v.problem("http.listen", "%s is not a host name or IP address", quote(host))
	}
	v.secretShape("http.ingest_token", h.IngestToken)
	if t := h.IngestToken; t != "" && utf8.RuneCountInString(t) < minIngestToken {
		v.problem("http.ingest_token", "too short (%d characters): use at least %d random characters, e.g. the output of: openssl rand -hex 32", utf8.RuneCountInString(t), minIngestToken)
	}
}

func (v *validator) httpReason() string {
	c := v.cfg
	switch {
	case c.SlackEnabled() && c.Slack.Mode == SlackHTTP:
		return "slack.mode is http (Slack posts slash commands to /slack/commands)"
	case c.DiscordEnabled() && c.Discord.Mode == DiscordHTTP:
		return "discord.mode is http (Discord posts interactions to /discord/interactions)"
	case c.HTTP.IngestToken != "":
		return "http.ingest_token is set (POST /api/articles)"
	}
	return ""
}

// platformReason says why a platform is needed: "channels[0] posts to Slack".
func (v *validator) platformReason(platform, name, tokenField string) string {
	for i, ch := range v.cfg.Channels {
		if ch.Platform == platform {
			return fmt.Sprintf("channels[%d] posts to %s", i, name)
		}
	}
	if v.cfg.AdminChannel.Platform == platform {
		return "admin_channel is on " + name
	}
	return tokenField + " is set"
}

// secretShape catches secrets pasted with spaces or line breaks.
func (v *validator) secretShape(field, value string) bool {
	if strings.IndexFunc(value, unicode.IsSpace) >= 0 {
		v.problem(field, "holds spaces or line breaks: copy the value again, without them")
		return false
	}
	return true
}

func (v *validator) slack() {
	c, s := v.cfg, v.cfg.Slack
	if s.Mode != SlackSocket && s.Mode != SlackHTTP {
		v.problem("slack.mode", "%s is not one of %s", quote(s.Mode), oneOf(SlackSocket, SlackHTTP))
	}
	v.apiURL("slack.api_url", s.APIURL)
	for i, id := range s.Admins {
		if !slackUserID.MatchString(id) {
			v.problem(fmt.Sprintf("slack.admins[%d]", i), "%s is not a Slack user ID: use the member ID (like U012ABCDEF) from the user's profile, under \"Copy member ID\"", quote(id))
		}
	}
	if v.secretShape("slack.bot_token", s.BotToken) && s.BotToken != "" {
		v.tokenPrefix("slack.bot_token", s.BotToken, "xoxb-", "bot token", "copy the Bot User OAuth Token from the app's OAuth & Permissions page")
	}
	if v.secretShape("slack.app_token", s.AppToken) && s.AppToken != "" {
		v.tokenPrefix("slack.app_token", s.AppToken, "xapp-", "app-level token", "create one with the connections:write scope on the app's Basic Information page")
	}
	v.secretShape("slack.signing_secret", s.SigningSecret)
	if !c.SlackEnabled() {
		return
	}
	if s.BotToken == "" {
		v.problem("slack.bot_token", "required because %s (set %s)", v.platformReason(PlatformSlack, "Slack", "slack.bot_token"), v.envHint("slack.bot_token", "SLACK_BOT_TOKEN"))
	}
	switch s.Mode {
	case SlackSocket:
		if s.AppToken == "" {
			v.problem("slack.app_token", "required in socket mode (set %s): an app-level token with the connections:write scope, from the app's Basic Information page", v.envHint("slack.app_token", "SLACK_APP_TOKEN"))
		}
	case SlackHTTP:
		if s.SigningSecret == "" {
			v.problem("slack.signing_secret", "required in http mode (set %s): the Signing Secret from the app's Basic Information page", v.envHint("slack.signing_secret", "SLACK_SIGNING_SECRET"))
		}
	}
}

// tokenPrefix checks a Slack token's kind by its prefix, naming the kind it has instead
// (the prefix alone, never the token).
func (v *validator) tokenPrefix(field, token, want, kind, fix string) {
	if strings.HasPrefix(token, want) {
		return
	}
	if got := slackPrefix.FindString(token); got != "" {
		v.problem(field, "not %s %s: it starts with %q where %s %s starts with %q: %s", article(kind), kind, got, article(kind), kind, want, fix)
		return
	}
	v.problem(field, "does not look like %s %s (it should start with %q): %s", article(kind), kind, want, fix)
}

// article is the indefinite article before a word: "an" before a vowel, else "a".
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiouAEIOU", rune(word[0])) {
		return "an"
	}
	return "a"
}

func (v *validator) apiURL(field, raw string) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.problem(field, "%s is not an http(s) URL", quote(raw))
	}
}

func (v *validator) discord() {
	c, d := v.cfg, v.cfg.Discord
	if d.Mode != DiscordGateway && d.Mode != DiscordHTTP {
		v.problem("discord.mode", "%s is not one of %s", quote(d.Mode), oneOf(DiscordGateway, DiscordHTTP))
	}
	v.apiURL("discord.api_url", d.APIURL)
	if d.ApplicationID != "" && !snowflake.MatchString(d.ApplicationID) {
		v.problem("discord.application_id", "%s is not a Discord ID (17 to 20 digits): copy the Application ID from the application's General Information page", quote(d.ApplicationID))
	}
	if d.GuildID != "" && !snowflake.MatchString(d.GuildID) {
		v.problem("discord.guild_id", "%s is not a Discord ID (17 to 20 digits): in Discord, turn on Developer Mode and use \"Copy Server ID\"", quote(d.GuildID))
	}
	if v.secretShape("discord.token", d.Token) && d.Token != "" && strings.Count(d.Token, ".") != 2 {
		v.problem("discord.token", "does not look like a bot token (three parts separated by dots): copy it from the application's Bot page")
	}
	if v.secretShape("discord.public_key", d.PublicKey) && d.PublicKey != "" && !hex64.MatchString(d.PublicKey) {
		v.problem("discord.public_key", "must be 64 hex characters (this one has %d characters): copy the Public Key from the application's General Information page", utf8.RuneCountInString(d.PublicKey))
	}
	switch {
	case d.ShardCount < 0:
		v.problem("discord.shard_count", "%d is negative: use 0 (one connection) or the number of shards", d.ShardCount)
	case d.ShardID < 0:
		v.problem("discord.shard_id", "%d is negative: shards count from 0", d.ShardID)
	case d.ShardCount == 0 && d.ShardID != 0:
		v.problem("discord.shard_id", "set shard_count too (shard_id counts from 0 to shard_count-1)")
	case d.ShardCount > 0 && d.ShardID >= d.ShardCount:
		v.problem("discord.shard_id", "%d is out of range for shard_count %d: use 0 to %d", d.ShardID, d.ShardCount, d.ShardCount-1)
	}
	if !c.DiscordEnabled() {
		return
	}
	why := v.platformReason(PlatformDiscord, "Discord", "discord.token")
	if d.Token == "" {
		v.problem("discord.token", "required because %s (set %s)", why, v.envHint("discord.token", "DISCORD_TOKEN"))
	}
	if d.ApplicationID == "" {
		v.problem("discord.application_id", "required because %s: copy the Application ID from the application's General Information page", why)
	}
	if d.Mode == DiscordHTTP && d.PublicKey == "" {
		v.problem("discord.public_key", "required in http mode (set %s): the Public Key from the application's General Information page", v.envHint("discord.public_key", "DISCORD_PUBLIC_KEY"))
	}
}

func (v *validator) sources() {
	names := map[string]int{}
	for i, s := range v.cfg.Sources {
		at := fmt.Sprintf("sources[%d]", i)
		switch {
		case s.Name == "":
			v.problem(at+".name", "required: a short label such as \"tass\", stored with each article")
		case names[strings.ToLower(s.Name)] > 0:
			v.problem(at+".name", "%s is already the name of sources[%d]: give each source its own name", quote(s.Name), names[strings.ToLower(s.Name)]-1)
		default:
			names[strings.ToLower(s.Name)] = i + 1
		}
		switch {
		case s.Feed != "" && s.Path != "":
			v.problem(at, "has both feed and path: a source is one feed or one folder; make two sources")
		case s.Feed == "" && s.Path == "":
			v.problem(at, "set feed (the URL of an RSS, Atom or JSON Feed) or path (a folder of articles)")
		case s.Feed != "":
			v.feedURL(at+".feed", s)
		}
		minEvery := minFeedEvery
		if s.Feed == "" {
			minEvery = minFolderEvery
		}
		switch {
		case s.Every <= 0:
			v.problem(at+".every", "must be more than 0, e.g. 10m")
		case s.Every < minEvery && s.Feed != "":
			v.problem(at+".every", "%s is too often: poll a feed at most once a minute (1m or more)", FormatDuration(s.Every))
		case s.Every < minEvery:
			v.problem(at+".every", "%s is too often: scan a folder at most once a second", FormatDuration(s.Every))
		}
		if s.FetchPage != FetchAuto && s.FetchPage != FetchAlways && s.FetchPage != FetchNever {
			v.problem(at+".fetch_page", "%s is not one of %s", quote(s.FetchPage), oneOf(FetchAuto, FetchAlways, FetchNever))
		}
		if s.Timeout <= 0 {
			v.problem(at+".timeout", "must be more than 0, e.g. 30s")
		}
		if s.MaxBytes <= 0 {
			v.problem(at+".max_bytes", "must be more than 0, e.g. 10MB")
		}
	}
}

func (v *validator) feedURL(field string, s Source) {
	u, err := url.Parse(s.Feed)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.problem(field, "%s is not an http(s) URL", quote(s.Feed))
		return
	}
	if s.AllowPrivate {
		return
	}
	host := u.Hostname()
	private := strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost")
	if ip, err := netip.ParseAddr(host); err == nil {
		ip = ip.Unmap()
		private = ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsUnspecified()
	}
	if private {
		v.problem(field, "%s is a private-network address: set allow_private: true on this source to fetch it", host)
	}
}

func (v *validator) topics() {
	for _, name := range v.cfg.TopicNames() {
		at := "topics." + name
		switch {
		case !validTopicName(name):
			v.problem(at, "a topic name is lower-case letters, digits, - and _, at most %d characters (it is typed in /brief NAME): try %q", maxTopicNameLen, fixTopicName(name))
		case isCommand(name):
			v.problem(at, "%q is a /brief command: choose another topic name", name)
		case isCommandWord(name):
			command, _ := CommandWord(name)
			v.problem(at, "%q is a /brief command (another name for %s): choose another topic name", name, command)
		}
		q := v.cfg.Topics[name].Query
		if strings.TrimSpace(q) == "" {
			v.problem(at+".query", "required: the words to search for, e.g. 'korea OR pyongyang'")
		} else if _, err := store.ParseQuery(q); err != nil {
			v.problem(at+".query", "%s is not a valid topic query (%s): %s", quote(q), queryProblem(err), queryFix)
		}
	}
}

// queryFix is how a topic query is written, for the message about one that does not parse.
const queryFix = `write words and "phrases" side by side (all must match), OR between alternatives and - before exclusions, e.g. 'korea OR pyongyang -sport'`

// queryProblem is what the store's parser found wrong with a topic query: "position 7: OR needs
// a term on each side".
func queryProblem(err error) string {
	var qe *store.QueryError
	if !errors.As(err, &qe) {
		return err.Error()
	}
	if qe.Pos <= 0 {
		return qe.Msg
	}
	return fmt.Sprintf("position %d: %s", qe.Pos, qe.Msg)
}

func validTopicName(name string) bool {
	if name == "" || utf8.RuneCountInString(name) > maxTopicNameLen {
		return false
	}
	for i, r := range name {
		switch {
		case unicode.IsLower(r), unicode.IsDigit(r), unicode.IsLetter(r) && !unicode.IsUpper(r) && !unicode.IsTitle(r):
		case (r == '-' || r == '_') && i > 0:
		default:
			return false
		}
	}
	return true
}

// fixTopicName suggests a valid topic name for name.
func fixTopicName(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case b.Len() > 0:
			b.WriteRune('-')
		}
	}
	fixed := strings.Trim(b.String(), "-")
	for strings.Contains(fixed, "--") {
		fixed = strings.ReplaceAll(fixed, "--", "-")
	}
	if r := []rune(fixed); len(r) > maxTopicNameLen {
		fixed = strings.TrimRight(string(r[:maxTopicNameLen]), "-")
	}
	if fixed == "" {
		return "news"
	}
	if isCommandWord(fixed) {
		return fixed + "-news" // "Sub" is not to become sub, which /brief takes as subscribe
	}
	return fixed
}

// isCommand reports whether name is a /brief command's own name (help, subscribe…).
func isCommand(name string) bool {
	command, ok := CommandWord(name)
	return ok && command == name
}

// isCommandWord reports whether /brief takes name as a command (subscribe, sub…).
func isCommandWord(name string) bool {
	_, ok := CommandWord(name)
	return ok
}

func (v *validator) channels() {
	type dest struct{ platform, id, topic string }
	first := map[dest]int{}
	for i := range v.cfg.Channels {
		ch := &v.cfg.Channels[i]
		at := fmt.Sprintf("channels[%d]", i)
		v.channelTarget(at, ch.Platform, ch.ID)
		if len(ch.Topics) == 0 {
			v.problem(at+".topics", "required: the topics to brief, e.g. [korea]")
		}
		seen := map[string]bool{}
		for j, t := range ch.Topics {
			tat := fmt.Sprintf("%s.topics[%d]", at, j)
			if _, ok := v.cfg.Topics[t]; !ok {
				v.problem(tat, "%s", v.unknownTopic(t))
				continue
			}
			if seen[t] {
				v.problem(tat, "%q is listed twice", t)
				continue
			}
			seen[t] = true
			k := dest{ch.Platform, ch.ID, t}
			if prev, dup := first[k]; dup {
				v.problem(tat, "channels[%d] already sends %q to this channel: a channel gets each topic once", prev, t)
				continue
			}
			first[k] = i
		}
		if ch.Schedule != "" {
			if _, _, err := ParseSchedule(ch.Schedule); err != nil {
				v.problem(at+".schedule", "%v", err)
			}
		}
		if tz, loc, err := ResolveTimezone(ch.Timezone); err != nil {
			v.problem(at+".timezone", "%v", err)
		} else {
			ch.Timezone, ch.loc = tz, loc // in the IANA spelling, as /brief subscribe stores it
		}
		if ch.Stories < 1 || ch.Stories > MaxStories {
			v.problem(at+".stories", "%d is out of range: use 1 to %d", ch.Stories, MaxStories)
		}
		switch {
		case ch.Thread && ch.Platform == PlatformConsole:
			v.problem(at+".thread", "the console has no threads: remove thread from this channel")
		case ch.Thread && ch.Platform == PlatformDiscord:
			v.problem(at+".thread", "thread is a Slack-only option (Discord briefings are posted as messages in the channel): remove thread from this channel")
		}
	}
}

func (v *validator) unknownTopic(t string) string {
	names := v.cfg.TopicNames()
	if len(names) == 0 {
		return fmt.Sprintf("unknown topic %s: define it under topics: (%s: {query: '…'})", quote(t), t)
	}
	if best, ok := closest(t, names); ok {
		return fmt.Sprintf("unknown topic %s — did you mean %q?", quote(t), best)
	}
	if len(names) > 8 {
		names = append(names[:8:8], "…")
	}
	return fmt.Sprintf("unknown topic %s: define it under topics:, or use one of %s", quote(t), strings.Join(names, ", "))
}

// channelTarget checks a platform and channel ID pair (of channels[] or admin_channel).
func (v *validator) channelTarget(at, platform, id string) {
	switch platform {
	case "":
		v.problem(at+".platform", "required: one of %s", oneOf(PlatformSlack, PlatformDiscord, PlatformConsole))
	case PlatformSlack:
		switch {
		case id == "":
			v.problem(at+".id", "required: the Slack channel ID (like C0123456789), at the bottom of the channel's About tab")
		case strings.HasPrefix(id, "#"):
			v.problem(at+".id", "%s is a channel name: use the channel's ID (like C0123456789), at the bottom of its About tab", quote(id))
		case !slackChannelID.MatchString(id):
			v.problem(at+".id", "%s is not a Slack channel ID (like C0123456789): find it at the bottom of the channel's About tab", quote(id))
		}
	case PlatformDiscord:
		switch {
		case id == "":
			v.problem(at+".id", "required: the Discord channel ID (17 to 20 digits): turn on Developer Mode and use \"Copy Channel ID\"")
		case !snowflake.MatchString(id):
			v.problem(at+".id", "%s is not a Discord channel ID (17 to 20 digits): turn on Developer Mode and use \"Copy Channel ID\"", quote(id))
		}
	case PlatformConsole:
	default:
		v.problem(at+".platform", "%s is not one of %s", quote(platform), oneOf(PlatformSlack, PlatformDiscord, PlatformConsole))
	}
}

func (v *validator) adminChannel() {
	if a := v.cfg.AdminChannel; a.IsSet() {
		v.channelTarget("admin_channel", a.Platform, a.ID)
	}
}

func (v *validator) scheduler() {
	s := v.cfg.Schedule
	if s.Grace < 0 {
		v.problem("schedule.grace", "must not be negative (0 turns catch-up off)")
	}
	if s.MaxWindow <= 0 {
		v.problem("schedule.max_window", "must be more than 0, e.g. 24h")
	}
	if s.Lease < minLease {
		v.problem("schedule.lease", "%s is too short: a claim must outlast one post with its retries; use %s or more", FormatDuration(s.Lease), FormatDuration(minLease))
	}
	if strings.IndexFunc(s.ReplicaID, unicode.IsSpace) >= 0 {
		v.problem("schedule.replica_id", "%s holds spaces: use letters, digits, - and _", quote(s.ReplicaID))
	}
}

// MinLedgerRetention is the shortest retention.ledger but 0: catch-up after downtime looks back
// 7 days for missed slots, and one whose ledger row is gone could be posted again; a day more
// leaves room for the hourly pruning and for clocks.
const MinLedgerRetention = 8 * 24 * time.Hour

// MinArticleRetention is the shortest retention.articles but 0 that these schedule settings
// allow: a scheduled briefing covers the articles first seen up to max_window before its slot,
// and is posted up to grace late; a day more leaves room for the hourly pruning and for clocks.
// Pruning sooner would empty briefings.
func (s Scheduler) MinArticleRetention() time.Duration {
	return max(s.MaxWindow, 0) + max(s.Grace, 0) + 24*time.Hour
}

func (v *validator) retention() {
	r, s := v.cfg.Retention, v.cfg.Schedule
	switch least := s.MinArticleRetention(); {
	case r.Articles < 0:
		v.problem("retention.articles", "must not be negative (0 keeps articles for ever)")
	case r.Articles > 0 && r.Articles < least:
		v.problem("retention.articles", "%s is too short: a scheduled briefing covers the articles first seen up to schedule.max_window (%s) "+
			"before its slot and may be posted up to schedule.grace (%s) late; use 0 (keep articles for ever) or %s or more (max_window + grace + 1d)",
			FormatDuration(r.Articles), FormatDuration(s.MaxWindow), FormatDuration(s.Grace), FormatDuration(least))
	}
	switch {
	case r.Ledger < 0:
		v.problem("retention.ledger", "must not be negative (0 keeps the ledger for ever)")
	case r.Ledger > 0 && r.Ledger < MinLedgerRetention:
		v.problem("retention.ledger", "%s is too short: catch-up after downtime looks back 7 days for missed briefings, and one whose record "+
			"is gone could be posted twice; use %s or more (0 keeps the ledger for ever)", FormatDuration(r.Ledger), FormatDuration(MinLedgerRetention))
	}
}

func (v *validator) rest() {
	c := v.cfg
	if c.Health.SourceFailingAfter <= 0 {
		v.problem("health.source_failing_after", "must be more than 0, e.g. 1h")
	}
	if c.Ingest.MaxBytes <= 0 {
		v.problem("ingest.max_bytes", "must be more than 0, e.g. 5MB")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		v.problem("log.level", "%s is not one of debug, info, warn, error", quote(c.Log.Level))
	}
	if c.Log.Format != LogText && c.Log.Format != LogJSON {
		v.problem("log.format", "%s is not one of %s", quote(c.Log.Format), oneOf(LogText, LogJSON))
	}
}
