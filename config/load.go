package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// EnvConfig is the environment variable that names the config file when --config is not given.
const EnvConfig = "BRIEFBOT_CONFIG"

// maxFileSize caps a config file; a real one is a few kilobytes.
const maxFileSize = 4 << 20

// DefaultFile is the config file read from the working directory when neither --config nor
// $BRIEFBOT_CONFIG names one.
const DefaultFile = "briefbot.yaml"

// PathFrom returns the config file path: the --config flag's value when given, else
// $BRIEFBOT_CONFIG, else DefaultFile when the working directory holds such a file, else ""
// (no file).
func PathFrom(flagValue string, getenv func(string) string) string {
	if flagValue != "" {
		return flagValue
	}
	if getenv != nil {
		if p := getenv(EnvConfig); p != "" {
			return p
		}
	}
	if fi, err := os.Stat(DefaultFile); err == nil && fi.Mode().IsRegular() {
		return DefaultFile
	}
	return ""
}

// Load reads, decodes and validates the config file at path. An empty path means no file: the
// defaults of Default, with secrets from the environment (SLACK_BOT_TOKEN, …).
//
// Relative paths in the file (store, sources[].path) are made relative to the file's
// directory. A configuration with problems returns an *Error listing them all.
func Load(path string, getenv func(string) string) (*Config, error) {
	if path == "" {
		return parse(nil, getenv, "")
	}
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return parse(data, getenv, path)
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("config: %s does not exist (give --config PATH or set %s; examples/briefbot.yaml is a start): %w", path, EnvConfig, fs.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("config: read %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("config: %s is larger than %d MB: is it the right file?", path, maxFileSize>>20)
	}
	return data, nil
}

// Parse decodes and validates a configuration held in memory. Relative paths stay relative
// to the working directory. A configuration with problems returns an *Error listing them all.
func Parse(data []byte, getenv func(string) string) (*Config, error) {
	return parse(data, getenv, "")
}

func parse(data []byte, getenv func(string) string, file string) (*Config, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	ps := newProblems()
	cfg := Default()
	x := newExpander(getenv)
	d := &decoder{ps: ps, x: x, vars: map[string][]string{}, set: map[string]bool{}, merging: map[*yaml.Node]bool{}}
	if root := parseYAML(data, ps); root != nil {
		d.value(root, reflect.ValueOf(cfg).Elem(), "")
	}
	secretsFromEnv(cfg, x, ps, d.vars)
	folderMaxBytes(cfg, d.set)
	normalise(cfg)
	if file != "" {
		resolvePaths(cfg, filepath.Dir(file))
	}
	if cfg.Schedule.ReplicaID == "" {
		cfg.Schedule.ReplicaID = defaultReplicaID()
	}
	validate(cfg, ps, d.vars)
	if len(ps.list) > 0 {
		return nil, &Error{File: file, Problems: ps.sorted()}
	}
	cfg.File = file
	return cfg, nil
}

var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML parses data into its one document's root node; nil when the file is empty or
// does not parse (the problem is recorded).
func parseYAML(data []byte, ps *problems) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		line, msg := 0, strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlErrLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		ps.addAt(line, "", "not valid YAML: %s%s", msg, yamlHint(data, line))
		return nil
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		line := 0
		if err == nil {
			line = more.Line
		}
		ps.addAt(line, "", "the file holds more than one YAML document (a --- line): keep one")
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return doc.Content[0]
	}
	return nil
}

// yamlHint adds advice for the YAML mistakes config files make most: a value starting with a
// character YAML reserves (an unquoted cron spec or descriptor) and tabs.
func yamlHint(data []byte, line int) string {
	lines := strings.Split(string(data), "\n")
	for _, l := range []int{line - 1, line - 2} {
		if l < 0 || l >= len(lines) {
			continue
		}
		text := lines[l]
		if strings.HasPrefix(strings.TrimLeft(text, " "), "\t") {
			return " (indent with spaces: YAML does not allow tabs)"
		}
		_, v, ok := strings.Cut(text, ": ")
		v = strings.TrimSpace(v)
		switch {
		case !ok || v == "":
		case v[0] == '*':
			return ` (a value starting with * must be quoted, e.g. schedule: "*/30 * * * *")`
		case v[0] == '@':
			return ` (a value starting with @ must be quoted, e.g. schedule: "@daily")`
		case v[0] == '`' || v[0] == '%':
			return fmt.Sprintf(" (a value starting with %c must be quoted)", v[0])
		}
	}
	return ""
}

// secretsFromEnv fills each secret the file leaves empty from its environment variable
// (SLACK_BOT_TOKEN, …, or the file named by SLACK_BOT_TOKEN_FILE, …).
func secretsFromEnv(cfg *Config, x *expander, ps *problems, vars map[string][]string) {
	for _, s := range secretEnv(cfg) {
		if *s.ptr != "" {
			continue
		}
		vars[s.field] = append(vars[s.field], s.env)
		v, _, err := x.lookup(s.env)
		if err != nil {
			ps.addf(s.field, "%v", err)
			continue
		}
		*s.ptr = strings.TrimSpace(v)
	}
}

// normalise tidies values whose spelling does not matter: enumerations in lower case, API
// URLs ending in a slash, Discord's "Bot " token prefix, the console channel's ID.
func normalise(cfg *Config) {
	lower := func(s *string) { *s = strings.ToLower(*s) }
	lower(&cfg.Slack.Mode)
	lower(&cfg.Discord.Mode)
	lower(&cfg.Log.Level)
	lower(&cfg.Log.Format)
	if cfg.Log.Level == "warning" {
		cfg.Log.Level = "warn"
	}
	for _, u := range []*string{&cfg.Slack.APIURL, &cfg.Discord.APIURL} {
		if *u != "" && !strings.HasSuffix(*u, "/") {
			*u += "/"
		}
	}
	cfg.Discord.Token = strings.TrimPrefix(cfg.Discord.Token, "Bot ")
	for i := range cfg.Sources {
		lower(&cfg.Sources[i].FetchPage)
	}
	for i := range cfg.Channels {
		ch := &cfg.Channels[i]
		lower(&ch.Platform)
		if ch.Platform == PlatformConsole && ch.ID == "" {
			ch.ID = PlatformConsole
		}
		if ch.Timezone == "" {
			ch.Timezone = DefaultTimezone
		}
	}
	lower(&cfg.AdminChannel.Platform)
	if cfg.AdminChannel.Platform == PlatformConsole && cfg.AdminChannel.ID == "" {
		cfg.AdminChannel.ID = PlatformConsole
	}
}

// folderMaxBytes gives each folder source that sets no max_bytes the cap of ingest.max_bytes
// for its files (a feed's default, DefaultSourceMaxBytes, is for feed documents and pages).
func folderMaxBytes(cfg *Config, set map[string]bool) {
	if cfg.Ingest.MaxBytes <= 0 {
		return // reported at ingest.max_bytes
	}
	for i := range cfg.Sources {
		s := &cfg.Sources[i]
		if s.Path != "" && s.Feed == "" && !set[fmt.Sprintf("sources[%d].max_bytes", i)] {
			s.MaxBytes = cfg.Ingest.MaxBytes
		}
	}
}

// resolvePaths makes the store file and source folders relative to dir.
func resolvePaths(cfg *Config, dir string) {
	if isStoreFile(cfg.Store) && !filepath.IsAbs(cfg.Store) && !strings.HasPrefix(cfg.Store, "file:") && cfg.Store != ":memory:" {
		cfg.Store = filepath.Join(dir, cfg.Store)
	}
	for i := range cfg.Sources {
		if p := cfg.Sources[i].Path; p != "" && !filepath.IsAbs(p) {
			cfg.Sources[i].Path = filepath.Join(dir, p)
		}
	}
}

// isStoreFile reports whether store names a SQLite file rather than a database URL.
func isStoreFile(store string) bool {
	return store != "" && !strings.Contains(store, "://")
}

func defaultReplicaID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "briefbot"
	}
	return host + "-" + strconv.Itoa(os.Getpid())
}
