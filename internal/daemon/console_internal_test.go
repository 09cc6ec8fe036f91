package daemon

import (
	"bytes"
	"context"
	"testing"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefing"
)

func TestConsoleNoticesAreOneLineWithoutControlCharactersAndBriefingsUseTheConsoleLayout(t *testing.T) {
	var out bytes.Buffer
	c := newConsolePlatform(&out, 0)
	if err := c.Notify(context.Background(), "console", "source \"tass\" failed:\n\x1b[31mHTTP 503\x1b[0m"); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "[briefbot notice] source \"tass\" failed: [31mHTTP 503 [0m\n"; got != want {
		t.Errorf("notice written as %q, want %q", got, want)
	}
	out.Reset()
	id, err := c.Post(context.Background(), bot.Delivery{ChannelID: "console", Briefing: briefing.Briefing{Topic: "korea"}})
	if err != nil || id == "" {
		t.Fatalf("Post: %q, %v", id, err)
	}
	if !bytes.Contains(out.Bytes(), []byte("Nothing new on korea")) {
		t.Errorf("an empty briefing posted as %q", out.String())
	}
}
