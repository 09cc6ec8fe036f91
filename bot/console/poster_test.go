package console

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/render/rendertest"
	"github.com/briefbot/briefbot/internal/golden"
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

// A late delivery's post says when the briefing was scheduled, in the channel's zone.
func TestPosterSaysWhenALateBriefingWasScheduled(t *testing.T) {
	var out bytes.Buffer
	p := NewPoster(&out, RenderOptions{})
	d := bot.Delivery{ChannelID: "korea-desk", Briefing: rendertest.Briefing(t, "normal"), Late: true, Scheduled: slot,
		Location: seoul(t)}
	if _, err := p.Post(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	golden.Compare(t, filepath.Join("testdata", "post-late.golden.txt"), out.Bytes(), *updateGolden)
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

// A briefing posted to a channel shows its times in the channel's zone (Delivery.Location), as
// Slack and Discord do; without one, in the Poster's (UTC by default).
func TestPosterShowsTimesInTheChannelsZone(t *testing.T) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		poster   RenderOptions
		location *time.Location
		golden   string
		since    string // the time the header shows
	}{
		{"no zone: UTC", RenderOptions{}, nil, "post-utc", "since Tue 4 Jun 00:00 UTC"},
		{"the channel's zone", RenderOptions{}, seoul, "post-seoul", "since Tue 4 Jun 09:00 KST"},
		{"the channel's zone over the poster's", RenderOptions{Location: seoul}, newYork, "post-new-york", "since Mon 3 Jun 20:00 EDT"},
		{"the poster's zone when the channel has none", RenderOptions{Location: seoul}, nil, "post-seoul", "since Tue 4 Jun 09:00 KST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			p := NewPoster(&out, tt.poster)
			d := bot.Delivery{ChannelID: "korea-desk", Briefing: rendertest.Briefing(t, "normal"), Location: tt.location}
			if _, err := p.Post(t.Context(), d); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), tt.since) {
				t.Errorf("the post does not say %q:\n%s", tt.since, out.String())
			}
			golden.Compare(t, filepath.Join("testdata", tt.golden+".golden.txt"), out.Bytes(), *updateGolden)
		})
	}
}
