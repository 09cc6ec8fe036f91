// Package rendertest holds the briefings the renderers' tests render, for Slack, Discord and
// the console alike. They were written for these tests.
package rendertest

import (
	"embed"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/briefbot/briefbot/briefing"
)

//go:embed briefings/*.json
var briefings embed.FS

// Briefing returns a test briefing by name:
//
//	normal   three stories of a Korea briefing, 2 more left out
//	empty    nothing in the window
//	hostile  an article that tries every trick: mentions, formatting, links, markup
func Briefing(t testing.TB, name string) briefing.Briefing {
	t.Helper()
	data, err := briefings.ReadFile("briefings/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var b briefing.Briefing
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b
}

// Large needs several messages on every platform: the normal briefing's stories ten times over,
// each headline numbered, and 12 more stories left out.
func Large(t testing.TB) briefing.Briefing {
	t.Helper()
	b := Briefing(t, "normal")
	stories := b.Stories
	b.Stories = nil
	for i := range 10 {
		for _, s := range stories {
			s.Headline += " (" + strconv.Itoa(i+1) + ")"
			b.Stories = append(b.Stories, s)
		}
	}
	b.More = 12
	return b
}
