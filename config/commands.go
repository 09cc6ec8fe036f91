package config

import (
	"maps"
	"slices"
)

// commandWords are the words /brief takes as its commands, each with the command it names: the
// commands' own names and the other spellings typed for them.
var commandWords = map[string]string{
	"help":        "help",
	"?":           "help",
	"-h":          "help",
	"--help":      "help",
	"now":         "now",
	"schedule":    "schedule",
	"schedules":   "schedule",
	"subscribe":   "subscribe",
	"sub":         "subscribe",
	"topics":      "topics",
	"unsubscribe": "unsubscribe",
	"unsub":       "unsubscribe",
}

// CommandWord reports whether /brief takes word (in lower case) as a command, and which: "sub"
// names "subscribe". The router parses /brief's text with it, and a topic named one of these
// words is refused, since /brief NAME would run the command instead.
func CommandWord(word string) (command string, ok bool) {
	command, ok = commandWords[word]
	return command, ok
}

// CommandWords returns the words /brief takes as commands, sorted.
func CommandWords() []string {
	return slices.Sorted(maps.Keys(commandWords))
}
