package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// maxSecretFile caps a NAME_FILE read: a secret is a line, not a disk image.
const maxSecretFile = 64 << 10

// expander replaces ${NAME} references in values with the environment.
//
// The rules, in full:
//   - ${NAME} is the value of the environment variable NAME. When NAME is unset or empty and
//     NAME_FILE is set, it is the content of the file NAME_FILE names, without its trailing
//     line break. Both set is an error; neither set is an error unless a default is given.
//   - ${NAME:-default} is the same, but falls back to default (which may be empty) instead
//     of failing.
//   - $$ is a literal $. Any other $ is kept as it is ($5, $HOME).
type expander struct {
	getenv   func(string) string
	readFile func(name string) ([]byte, error)
}

func newExpander(getenv func(string) string) *expander {
	return &expander{getenv: getenv, readFile: readSecretFile}
}

// expand returns s with its references replaced, and the names of the variables it referred
// to. An error message names the variable but never holds a value.
func (x *expander) expand(s string) (string, []string, error) {
	if !strings.Contains(s, "$") {
		return s, nil, nil
	}
	var (
		b    strings.Builder
		vars []string
	)
	for {
		i := strings.IndexByte(s, '$')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i:]
		switch {
		case strings.HasPrefix(s, "$$"):
			b.WriteByte('$')
			s = s[2:]
		case strings.HasPrefix(s, "${"):
			end := strings.IndexByte(s, '}')
			if end < 0 {
				return "", vars, errors.New(`"${" has no closing "}" (write $${ for a literal "${")`)
			}
			ref := s[2:end]
			name, def, hasDefault := strings.Cut(ref, ":-")
			if !isEnvName(name) {
				return "", vars, fmt.Errorf("%s is not a variable reference: write ${NAME} or ${NAME:-default}, NAME being letters, digits and _ (and $$ for a literal $)", quote("${"+ref+"}"))
			}
			vars = append(vars, name)
			v, ok, err := x.lookup(name)
			switch {
			case err != nil:
				return "", vars, err
			case ok:
				b.WriteString(v)
			case hasDefault:
				b.WriteString(def)
			default:
				return "", vars, fmt.Errorf("environment variable %s is not set: set it (or %s_FILE to a file holding the value), or give a default: ${%s:-default}", name, name, name)
			}
			s = s[end+1:]
		default:
			b.WriteByte('$')
			s = s[1:]
		}
	}
	return b.String(), vars, nil
}

// lookup returns the value of NAME, or of the file NAME_FILE names; ok is false when neither
// is set.
func (x *expander) lookup(name string) (value string, ok bool, err error) {
	v, file := x.getenv(name), x.getenv(name+"_FILE")
	switch {
	case v != "" && file != "":
		return "", false, fmt.Errorf("both %s and %s_FILE are set: unset one of them", name, name)
	case v != "":
		return v, true, nil
	case file == "":
		return "", false, nil
	}
	data, err := x.readFile(file)
	if err != nil {
		return "", false, fmt.Errorf("%s_FILE: %v", name, err)
	}
	v = strings.TrimRight(string(data), "\r\n")
	if v == "" {
		return "", false, fmt.Errorf("%s_FILE names an empty file (%s): write the value into it", name, file)
	}
	return v, true, nil
}

func isEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// readSecretFile reads a secret file of at most maxSecretFile bytes.
func readSecretFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("cannot read it: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", name, err)
	}
	if len(data) > maxSecretFile {
		return nil, fmt.Errorf("%s is larger than %d bytes: it should hold one secret", name, maxSecretFile)
	}
	return data, nil
}

// secretEnv lists the secrets and the environment variable each one falls back to when the
// file leaves it empty.
func secretEnv(c *Config) []struct {
	field string
	ptr   *string
	env   string
} {
	return []struct {
		field string
		ptr   *string
		env   string
	}{
		{"http.ingest_token", &c.HTTP.IngestToken, "BRIEFBOT_INGEST_TOKEN"},
		{"slack.bot_token", &c.Slack.BotToken, "SLACK_BOT_TOKEN"},
		{"slack.app_token", &c.Slack.AppToken, "SLACK_APP_TOKEN"},
		{"slack.signing_secret", &c.Slack.SigningSecret, "SLACK_SIGNING_SECRET"},
		{"discord.token", &c.Discord.Token, "DISCORD_TOKEN"},
		{"discord.public_key", &c.Discord.PublicKey, "DISCORD_PUBLIC_KEY"},
	}
}
