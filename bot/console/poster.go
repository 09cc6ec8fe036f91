package console

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/briefbot/briefbot/bot"
)

// rememberedKeys is how many recent delivery keys a Poster remembers for its duplicate guard.
const rememberedKeys = 1024

// Poster writes briefings to a terminal (or any io.Writer). It is safe for concurrent use: each
// post is written whole, never interleaved with another.
type Poster struct {
	opts RenderOptions

	mu   sync.Mutex
	w    io.Writer
	n    int               // posts written
	sent map[string]string // delivery key → message id, for the duplicate guard
	keys []string          // the keys in sent, oldest first
}

var _ bot.Poster = (*Poster)(nil)

// NewPoster returns a Poster writing to w with the layout opts.
func NewPoster(w io.Writer, opts RenderOptions) *Poster {
	return &Poster{w: w, opts: opts, sent: make(map[string]string)}
}

// Platform names the platform: "console".
func (p *Poster) Platform() string { return "console" }

// Post writes the briefing under a line naming the channel (and "late" for a late delivery,
// whose briefing also says when it was scheduled) and returns a message id such as
// "console-1". Times are shown in the channel's zone (d.Location), else in the Poster's. A
// delivery whose Key was posted already (a retry after a crash) is not written again: the
// earlier id is returned, as a platform's duplicate guard would.
func (p *Poster) Post(ctx context.Context, d bot.Delivery) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	opts := p.opts
	if d.Location != nil {
		opts.Location = d.Location
	}
	opts.Late, opts.Scheduled = d.Late, d.Scheduled
	text := Render(d.Briefing, opts)

	p.mu.Lock()
	defer p.mu.Unlock()
	if id, ok := p.sent[d.Key]; ok && d.Key != "" {
		return id, nil
	}
	id := fmt.Sprintf("console-%d", p.n+1)
	head := "── " + id
	if ch := clean(d.ChannelID); ch != "" {
		head += " · " + ch
	}
	if d.Late {
		head += " · late"
	}
	head += " " + strings.Repeat("─", max(3, p.width()-len([]rune(head))-1))
	if _, err := io.WriteString(p.w, head+"\n"+text+"\n"); err != nil {
		return "", &bot.PostError{Err: fmt.Errorf("console: write %s: %w", id, err)}
	}
	p.n++
	if d.Key != "" {
		p.remember(d.Key, id)
	}
	return id, nil
}

func (p *Poster) width() int {
	if p.opts.Width <= 0 {
		return DefaultWidth
	}
	return max(p.opts.Width, minWidth)
}

// remember records a key's message id, forgetting the oldest beyond rememberedKeys.
func (p *Poster) remember(key, id string) {
	p.sent[key] = id
	p.keys = append(p.keys, key)
	if len(p.keys) > rememberedKeys {
		delete(p.sent, p.keys[0])
		p.keys = p.keys[1:]
	}
}
