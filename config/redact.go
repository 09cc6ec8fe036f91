package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Redacted returns a copy of c with every secret replaced by a placeholder that keeps only
// the kind of token ("xoxb-…(redacted)"), and the password of a postgres:// store URL hidden.
// It is what `briefbot check` prints and what may be logged.
func (c *Config) Redacted() *Config {
	r := c.clone()
	for _, s := range secretEnv(r) {
		*s.ptr = redactSecret(*s.ptr)
	}
	r.Store = redactDSN(r.Store)
	return r
}

// String returns the configuration as YAML, redacted.
func (c *Config) String() string { return string(c.Redacted().YAML()) }

// LogValue summarises the configuration for log/slog, without secrets.
func (c *Config) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("store", redactDSN(c.Store)),
		slog.String("http_listen", c.HTTP.Listen),
		slog.Bool("slack", c.SlackEnabled()),
		slog.Bool("discord", c.DiscordEnabled()),
		slog.Int("sources", len(c.Sources)),
		slog.Int("topics", len(c.Topics)),
		slog.Int("channels", len(c.Channels)),
		slog.String("replica_id", c.Schedule.ReplicaID),
	}
	if c.File != "" {
		attrs = append([]slog.Attr{slog.String("file", c.File)}, attrs...)
	}
	return slog.GroupValue(attrs...)
}

// YAML writes the configuration as a config file would, every key present (defaults
// included), durations as 10m and sizes as 5MB. It does not redact: call it on Redacted()
// for anything a person or a log will see. Parse reads the output back to an equal Config.
func (c *Config) YAML() []byte {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(encode(reflect.ValueOf(c).Elem())); err != nil {
		// Encoding a node tree of plain scalars cannot fail.
		panic(fmt.Sprintf("config: encode: %v", err))
	}
	return b.Bytes()
}

func redactSecret(s string) string {
	if s == "" {
		return ""
	}
	return slackPrefix.FindString(s) + "…(redacted)"
}

var (
	dsnUserPassword = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*://[^:/@]*:)(.*)@`)
	dsnPassword     = regexp.MustCompile(`(?i)(password=)[^&\s]*`)
)

// redactDSN hides the password of a database URL (postgres://user:xxxxx@host/db), in the
// user part or in a password= parameter. It works on the text, so a URL that does not parse
// is redacted too.
func redactDSN(dsn string) string {
	dsn = dsnUserPassword.ReplaceAllString(dsn, "${1}xxxxx@")
	return dsnPassword.ReplaceAllString(dsn, "${1}xxxxx")
}

func (c *Config) clone() *Config {
	r := *c
	r.Slack.Admins = slices.Clone(c.Slack.Admins)
	r.Sources = slices.Clone(c.Sources)
	r.Topics = maps.Clone(c.Topics)
	r.Channels = slices.Clone(c.Channels)
	for i := range r.Channels {
		r.Channels[i].Topics = slices.Clone(c.Channels[i].Topics)
	}
	return &r
}

// encode turns a config value into a YAML node, keys in the order of the struct fields and
// topic names sorted.
func encode(v reflect.Value) *yaml.Node {
	switch {
	case v.Type() == durationType:
		return scalarNode("!!str", FormatDuration(time.Duration(v.Int())))
	case v.Type() == byteSizeType:
		return scalarNode("!!str", v.Interface().(ByteSize).String())
	}
	switch v.Kind() {
	case reflect.Struct:
		n := &yaml.Node{Kind: yaml.MappingNode}
		for _, f := range fieldsOf(v.Type()) {
			n.Content = append(n.Content, scalarNode("!!str", f.name), encode(v.Field(f.index)))
		}
		return n
	case reflect.Map:
		n := &yaml.Node{Kind: yaml.MappingNode}
		keys := make([]string, 0, v.Len())
		for _, k := range v.MapKeys() {
			keys = append(keys, k.String())
		}
		sortStrings(keys)
		for _, k := range keys {
			n.Content = append(n.Content, scalarNode("!!str", k), encode(v.MapIndex(reflect.ValueOf(k))))
		}
		return n
	case reflect.Slice:
		n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for i := range v.Len() {
			item := encode(v.Index(i))
			if item.Kind == yaml.MappingNode {
				n.Style = 0
			}
			n.Content = append(n.Content, item)
		}
		return n
	case reflect.Bool:
		return scalarNode("!!bool", strconv.FormatBool(v.Bool()))
	case reflect.Int:
		return scalarNode("!!int", strconv.FormatInt(v.Int(), 10))
	case reflect.String:
		// $ is written $$, as Parse would otherwise read ${…} in it.
		return scalarNode("!!str", strings.ReplaceAll(v.String(), "$", "$$"))
	}
	panic(fmt.Sprintf("config: no encoding for %s", v.Type()))
}

func scalarNode(tag, value string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value}
}
