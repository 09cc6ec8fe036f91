package bot

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot/config"
)

// ErrUsage is what every *UsageError matches with errors.Is: the command's arguments are wrong,
// and the error's text, meant for the user, says why and how to write it.
var ErrUsage = errors.New("bad command arguments")

// UsageError is a malformed command. Its Error text is written for the person who typed the
// command: what is wrong, then the usage line.
type UsageError struct {
	Command string // the command it concerns ("" when the command itself is unknown)
	Problem string // one sentence, ending with a full stop
	Usage   string // the command's usage line
}

func (e *UsageError) Error() string {
	if e.Usage == "" {
		return e.Problem
	}
	return e.Problem + " Usage: `" + e.Usage + "`"
}

// Is makes errors.Is(err, ErrUsage) true for every *UsageError.
func (e *UsageError) Is(target error) bool { return target == ErrUsage }

func usageError(command, format string, args ...any) *UsageError {
	return &UsageError{Command: command, Problem: fmt.Sprintf(format, args...), Usage: usageOf(command)}
}

// Limits on what ParseText accepts.
const (
	maxCommandText = 1000 // characters of a whole command
	maxTopicText   = 200  // characters of a topic or search
)

// ParseText parses the text form of /brief, as Slack and the console pass it (everything after
// "/brief"):
//
//	""                                  this channel's topics (Command "")
//	"3d"                                this channel's topics over a window
//	"korea", "korea 24h", "\"north korea\" 3d", "lavrov 1w"
//	                                    a topic or search words, optional window (Command "now")
//	"now korea 24h"                     the same, spelled as the Discord subcommand
//	"topics" · "schedule" · "help [command]"
//	"subscribe korea [cron|@daily|HH:MM] [timezone]"
//	                                    cron is 5 fields, quoted or not: subscribe korea 0 8 * * 1-5 Asia/Seoul
//	"unsubscribe korea"
//
// The command words, with the other spellings taken for them (sub, unsub, schedules, ?), are
// config.CommandWord's, which also keeps topics from being named for them. A word that is also
// a command name is taken as a topic when quoted (`/brief "topics"`). Quoted phrases stay quoted
// in Topic ("\"north korea\""), so that a search keeps them as phrases; a quoted topic name
// still names its topic.
// ParseText checks the shape of the command only; the router validates windows' ranges,
// schedules, time zones and topic names. The returned error is a *UsageError whose text is meant
// for the user.
func ParseText(text string) (Request, error) {
	toks, err := tokenize(text)
	if err != nil {
		return Request{}, err
	}
	if len(toks) == 0 {
		return Request{Command: CommandChannel}, nil
	}
	first, rest := toks[0], toks[1:]
	if first.quoted {
		return parseBrief(CommandNow, toks)
	}
	command, ok := config.CommandWord(strings.ToLower(first.text))
	if !ok {
		return parseBrief(CommandNow, toks)
	}
	switch command {
	case CommandHelp:
		switch len(rest) {
		case 0:
			return Request{Command: CommandHelp}, nil
		case 1:
			about := strings.ToLower(rest[0].text)
			if c, ok := config.CommandWord(about); ok {
				about = c // help sub explains subscribe
			}
			return Request{Command: CommandHelp, Topic: about}, nil
		}
		return Request{}, usageError(CommandHelp, "`help` takes at most one command name.")
	case CommandTopics:
		if len(rest) > 0 {
			return Request{}, usageError(CommandTopics, "`topics` takes no arguments.")
		}
		return Request{Command: CommandTopics}, nil
	case CommandSchedule:
		if len(rest) > 0 {
			return Request{}, usageError(CommandSchedule, "`schedule` takes no arguments; to change one, use `subscribe`.")
		}
		return Request{Command: CommandSchedule}, nil
	case CommandSubscribe:
		return parseSubscribe(rest)
	case CommandUnsubscribe:
		if len(rest) == 0 {
			return Request{}, usageError(CommandUnsubscribe, "Name the topic to unsubscribe from.")
		}
		topic := joinTopic(rest)
		if err := checkTopicText(CommandUnsubscribe, topic); err != nil {
			return Request{}, err
		}
		return Request{Command: CommandUnsubscribe, Topic: topic}, nil
	case CommandNow:
		return parseBrief(CommandNow, rest)
	}
	return parseBrief(CommandNow, toks)
}

// parseBrief parses "[topic words] [window]".
func parseBrief(command string, toks []token) (Request, error) {
	var window string
	if n := len(toks); n > 0 && !toks[n-1].quoted && windowPattern.MatchString(toks[n-1].text) {
		window = strings.ToLower(toks[n-1].text)
		toks = toks[:n-1]
		if _, err := ParseWindow(window); err != nil {
			return Request{}, usageError(CommandNow, "%s", sentence(err.Error()))
		}
	}
	topic := joinTopic(toks)
	if topic == "" {
		return Request{Command: CommandChannel, Window: window}, nil
	}
	if err := checkTopicText(command, topic); err != nil {
		return Request{}, err
	}
	return Request{Command: command, Topic: topic, Window: window}, nil
}

// parseSubscribe parses "topic [schedule] [timezone]" where the schedule is a quoted or unquoted
// 5-field cron spec, a descriptor (@daily) or HH:MM. "@every 6h" and "8am" are taken as schedules
// too, so that the router can say why they are refused.
func parseSubscribe(toks []token) (Request, error) {
	if len(toks) == 0 {
		return Request{}, usageError(CommandSubscribe, "Name the topic to subscribe this channel to.")
	}
	// The topic is every word before the schedule starts (topics may have several words).
	i := 1
	for i < len(toks) && !scheduleStartsAt(toks, i) {
		i++
	}
	topicToks, rest := toks[:i], toks[i:]
	var schedule, timezone string
	if len(rest) == 0 && len(topicToks) > 1 && looksLikeTimezone(topicToks[len(topicToks)-1]) {
		// "subscribe korea Asia/Seoul": a time zone without a schedule.
		timezone = topicToks[len(topicToks)-1].text
		topicToks = topicToks[:len(topicToks)-1]
	}
	if len(rest) > 0 {
		var n int
		schedule, n = takeSchedule(rest)
		rest = rest[n:]
		switch len(rest) {
		case 0:
		case 1:
			timezone = rest[0].text
		default:
			return Request{}, usageError(CommandSubscribe,
				"After the schedule `%s` I expected at most a time zone, not `%s`.", schedule, codeSafe(joinTokens(rest)))
		}
	}
	topic := joinTopic(topicToks)
	if err := checkTopicText(CommandSubscribe, topic); err != nil {
		return Request{}, err
	}
	return Request{Command: CommandSubscribe, Topic: topic, Schedule: schedule, Timezone: timezone}, nil
}

var (
	// windowPattern is the syntax of a window: a number and a unit (minutes, hours, days, weeks).
	windowPattern = regexp.MustCompile(`(?i)^[0-9]{1,6}(m|min|h|d|w)$`)
	// looseClock and ampmPattern are anything written like a time of day, valid or not (25:00,
	// 8am), so that the schedule's validation, not the topic's, says what is wrong.
	looseClock  = regexp.MustCompile(`^[0-9]{1,2}:[0-9]{1,2}$`)
	ampmPattern = regexp.MustCompile(`(?i)^[0-9]{1,2}(:[0-9]{2})?\s*[ap]\.?m\.?$`)
	// A cron field: the first (minutes) is numeric or *; the others may use names (MON-FRI, JAN).
	cronFirstField = regexp.MustCompile(`^[0-9*?][0-9*?/,\-]*$`)
	cronField      = regexp.MustCompile(`^[0-9A-Za-z*?/,\-]+$`)
)

// scheduleStartsAt reports whether a schedule starts at toks[i].
func scheduleStartsAt(toks []token, i int) bool {
	t := toks[i]
	switch {
	case strings.HasPrefix(t.text, "@"), looseClock.MatchString(t.text), ampmPattern.MatchString(t.text):
		return true
	case t.quoted:
		return len(strings.Fields(t.text)) == 5 || strings.HasPrefix(strings.TrimSpace(t.text), "@")
	}
	if len(toks)-i < 5 || !cronFirstField.MatchString(t.text) {
		return false
	}
	for _, f := range toks[i+1 : i+5] {
		if f.quoted || !cronField.MatchString(f.text) {
			return false
		}
	}
	return true
}

// takeSchedule returns the schedule at the start of toks and how many tokens it used.
func takeSchedule(toks []token) (string, int) {
	t := toks[0]
	switch {
	case t.quoted:
		return strings.Join(strings.Fields(t.text), " "), 1
	case strings.EqualFold(t.text, "@every") && len(toks) > 1:
		return "@every " + toks[1].text, 2
	case strings.HasPrefix(t.text, "@"), looseClock.MatchString(t.text), ampmPattern.MatchString(t.text):
		return t.text, 1
	}
	return joinTokens(toks[:5]), 5
}

func looksLikeTimezone(t token) bool {
	if t.quoted {
		return false
	}
	if strings.Contains(t.text, "/") && !strings.ContainsAny(t.text, "*,") {
		return true
	}
	switch strings.ToUpper(t.text) {
	case "UTC", "GMT", "ETC/UTC":
		return true
	}
	return false
}

func checkTopicText(command, topic string) error {
	if utf8.RuneCountInString(topic) > maxTopicText {
		return usageError(command, "That topic is too long (at most %d characters).", maxTopicText)
	}
	return nil
}

// ParseWindow parses a window such as "90m", "24h", "3d" or "1w" (at least a minute, at most
// 366 days).
func ParseWindow(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if !windowPattern.MatchString(s) {
		return 0, fmt.Errorf("window %q is not a number and a unit such as 24h, 3d or 1w", s)
	}
	digits := strings.TrimRight(s, "abcdefghijklmnopqrstuvwxyz")
	unitText := s[len(digits):]
	n, err := strconv.Atoi(digits)
	if err != nil {
		return 0, fmt.Errorf("window %q: %w", s, err)
	}
	unit := map[string]time.Duration{
		"m": time.Minute, "min": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour,
	}[unitText]
	const maxWindow = 366 * 24 * time.Hour
	if n < 1 {
		return 0, fmt.Errorf("window %q must be at least 1m", s)
	}
	if time.Duration(n) > maxWindow/unit {
		return 0, fmt.Errorf("window %q is longer than a year", s)
	}
	return time.Duration(n) * unit, nil
}

// token is one word of a command; quoted says it was written in quotation marks.
type token struct {
	text   string
	quoted bool
}

// closingQuote maps each opening quotation mark the tokenizer knows to its closing mark. Chat
// clients turn straight quotes into curly ones, so both are accepted.
var closingQuote = map[rune]rune{'"': '"', '“': '”', '„': '“', '«': '»', '\'': '\'', '‘': '’'}

// tokenize splits a command into words, keeping quoted phrases ("north korea") together. A
// quotation mark opens a phrase only at the start of a word, so apostrophes (Xi's) stay text.
func tokenize(text string) ([]token, error) {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	if utf8.RuneCountInString(text) > maxCommandText {
		return nil, &UsageError{Problem: fmt.Sprintf("That command is too long (at most %d characters).", maxCommandText)}
	}
	var (
		toks  []token
		cur   strings.Builder
		inTok bool
	)
	flush := func(quoted bool) {
		if inTok || quoted {
			toks = append(toks, token{text: cur.String(), quoted: quoted})
		}
		cur.Reset()
		inTok = false
	}
	runes := []rune(text)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			flush(false)
			continue
		}
		closing, isQuote := closingQuote[r]
		if !isQuote || inTok {
			cur.WriteRune(r)
			inTok = true
			continue
		}
		// A quoted phrase: up to the closing mark (a curly opening also closes with a straight one).
		end := -1
		for j := i + 1; j < len(runes); j++ {
			if runes[j] == closing || (r != '\'' && r != '‘' && runes[j] == '"') || (r == '"' && runes[j] == '”') {
				end = j
				break
			}
		}
		if end < 0 {
			if r == '\'' || r == '‘' {
				// A lone apostrophe at a word's start ('90s) is text.
				cur.WriteRune(r)
				inTok = true
				continue
			}
			return nil, &UsageError{Problem: "A quotation mark is not closed."}
		}
		phrase := strings.Join(strings.FieldsFunc(string(runes[i+1:end]), func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsControl(r)
		}), " ")
		cur.WriteString(phrase)
		flush(true)
		i = end
	}
	flush(false)
	return toks, nil
}

func joinTokens(toks []token) string {
	parts := make([]string, 0, len(toks))
	for _, t := range toks {
		if t.text != "" {
			parts = append(parts, t.text)
		}
	}
	return strings.Join(parts, " ")
}

// joinTopic writes the words of a topic back as one search text, quoted phrases in straight
// double quotes ("north korea"), which the store's query language reads as phrases.
func joinTopic(toks []token) string {
	parts := make([]string, 0, len(toks))
	for _, t := range toks {
		text := t.text
		if t.quoted {
			text = strings.ReplaceAll(text, `"`, "")
			if strings.TrimSpace(text) == "" {
				continue
			}
			text = `"` + text + `"`
		}
		if text != "" {
			parts = append(parts, text)
		}
	}
	return strings.Join(parts, " ")
}

// unquote removes one pair of double quotes around s: a quoted topic name is still its name.
func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// codeSafe makes s safe to show between backticks.
func codeSafe(s string) string {
	s = strings.ReplaceAll(s, "`", "'")
	if utf8.RuneCountInString(s) > 80 {
		s = string([]rune(s)[:79]) + "…"
	}
	return s
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// sentence makes an error's text a sentence of a reply: capitalised, and ending with a full stop
// unless it ends with its own punctuation ("Did you mean Europe/Moscow?" gets no extra ".").
func sentence(s string) string { return capitalize(endSentence(s)) }

// endSentence ends s with a full stop unless it ends with its own punctuation.
func endSentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	switch r {
	case '.', '?', '!', '…':
		return s
	}
	return s + "."
}
