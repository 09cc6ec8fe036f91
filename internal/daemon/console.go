package daemon

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/console"
)

// consolePlatform is the console as a chat platform: briefings written by console.Poster, and
// notices for an admin channel on the console, on one writer.
type consolePlatform struct {
	*console.Poster
	w io.Writer
}

var (
	_ bot.Poster   = consolePlatform{}
	_ bot.Notifier = consolePlatform{}
)

func newConsolePlatform(w io.Writer, width int) consolePlatform {
	lw := &lockedWriter{w: w}
	return consolePlatform{Poster: console.NewPoster(lw, console.RenderOptions{Width: width}), w: lw}
}

// Notify writes a notice meant for the admin channel.
func (c consolePlatform) Notify(_ context.Context, _ string, text string) error {
	_, err := fmt.Fprintf(c.w, "[briefbot notice] %s\n", oneLine(text))
	return err
}

// lockedWriter serialises writes to w, so that a notice and a briefing never interleave.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// oneLine makes text one printable line: no control characters (a notice may quote a feed's
// error text, which must not drive the terminal).
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return strings.Join(strings.Fields(s), " ")
}
