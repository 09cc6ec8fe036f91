package console

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/render/rendertest"
)

func TestPosterWritesEachPostWholeWithItsID(t *testing.T) {
	var out bytes.Buffer
	p := NewPoster(&out, RenderOptions{})
	b := rendertest.Briefing(t, "normal")
	const posts = 40
	ids := make(chan string, posts)
	var wg sync.WaitGroup
	for i := range posts {
		wg.Go(func() {
			id, err := p.Post(t.Context(), bot.Delivery{ChannelID: fmt.Sprintf("ch%d", i), Briefing: b})
			if err != nil {
				t.Error(err)
			}
			ids <- id
		})
	}
	wg.Wait()
	close(ids)
	seen := make(map[string]bool)
	for id := range ids {
		if seen[id] || !regexp.MustCompile(`^console-\d+$`).MatchString(id) {
			t.Errorf("id %q repeated or malformed", id)
		}
		seen[id] = true
	}
	// Every post is its header line followed by the whole rendering: nothing interleaved.
	want := Render(b, RenderOptions{})
	heads := regexp.MustCompile(`(?m)^── console-\d+ · ch\d+ ─+\n`)
	parts := heads.Split(out.String(), -1)
	if len(parts) != posts+1 || parts[0] != "" {
		t.Fatalf("output has %d posts, want %d", len(parts)-1, posts)
	}
	for i, part := range parts[1:] {
		if part != want+"\n" {
			t.Fatalf("post %d is not the whole rendering:\n%s", i, part)
		}
	}
}

func TestPosterDoesNotPostADeliveryTwice(t *testing.T) {
	var out bytes.Buffer
	p := NewPoster(&out, RenderOptions{})
	d := bot.Delivery{ChannelID: "general", Briefing: rendertest.Briefing(t, "empty"), Key: "sub1-20240604T0800"}
	first, err := p.Post(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	d.Retry = true
	again, err := p.Post(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	if again != first || strings.Count(out.String(), "Nothing new") != 1 {
		t.Errorf("retry returned %q (first %q) and wrote %d posts", again, first, strings.Count(out.String(), "Nothing new"))
	}
	other, _ := p.Post(t.Context(), bot.Delivery{ChannelID: "general", Briefing: d.Briefing, Key: "sub1-20240605T0800"})
	if other == first {
		t.Error("a different delivery got the same id")
	}
}

func TestPosterForgetsTheOldestKeys(t *testing.T) {
	p := NewPoster(io.Discard, RenderOptions{})
	b := rendertest.Briefing(t, "empty")
	first, _ := p.Post(t.Context(), bot.Delivery{Briefing: b, Key: "k0"})
	for i := 1; i <= rememberedKeys; i++ {
		if _, err := p.Post(t.Context(), bot.Delivery{Briefing: b, Key: fmt.Sprintf("k%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if len(p.sent) != rememberedKeys {
		t.Errorf("remembers %d keys, want %d", len(p.sent), rememberedKeys)
	}
	if again, _ := p.Post(t.Context(), bot.Delivery{Briefing: b, Key: "k0"}); again == first {
		t.Error("the oldest key is still remembered")
	}
}

func TestPosterMarksLateDeliveries(t *testing.T) {
	var out bytes.Buffer
	p := NewPoster(&out, RenderOptions{})
	if _, err := p.Post(t.Context(), bot.Delivery{ChannelID: "general", Briefing: rendertest.Briefing(t, "empty"), Late: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "── console-1 · general · late ─") {
		t.Errorf("header %q", strings.SplitN(out.String(), "\n", 2)[0])
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestPosterReportsWriteFailures(t *testing.T) {
	p := NewPoster(failingWriter{}, RenderOptions{})
	_, err := p.Post(t.Context(), bot.Delivery{Briefing: rendertest.Briefing(t, "empty")})
	var pe *bot.PostError
	if !errors.As(err, &pe) || pe.Temporary {
		t.Fatalf("got %v, want a permanent *bot.PostError", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := p.Post(ctx, bot.Delivery{Briefing: rendertest.Briefing(t, "empty")}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: got %v", err)
	}
}

func TestPosterNamesItsPlatform(t *testing.T) {
	if got := NewPoster(io.Discard, RenderOptions{}).Platform(); got != "console" {
		t.Errorf("Platform() = %q", got)
	}
}
