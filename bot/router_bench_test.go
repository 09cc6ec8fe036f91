package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
)

func BenchmarkParseText(b *testing.B) {
	texts := []string{"korea", `"north korea" 3d`, "subscribe korea 0 8 * * 1-5 Asia/Seoul", "help", "unsubscribe korea"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := bot.ParseText(texts[i%len(texts)]); err != nil {
			b.Fatal(err)
		}
	}
}

// benchStore holds n invented articles over the week before now, a third of them on Korea, each
// analysed by the quote engine.
func benchStore(b *testing.B, n int) store.Store {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	for _, tp := range testTopics {
		if err := st.PutTopic(ctx, tp); err != nil {
			b.Fatal(err)
		}
	}
	places := []string{"Korea", "the harbour", "the grain market", "the railway", "the border"}
	var batch []*briefing.Article
	for i := range n {
		place := places[0]
		if i%3 != 0 {
			place = places[1+i%4]
		}
		text := fmt.Sprintf(`Officials meet over %[1]s, round %[2]d

City, June %[3]d - Officials met on day %[2]d to discuss %[1]s and the delays of the last month, the ministry said.

"We will settle the matter of %[1]s before the summer, round %[2]d or not," said Envoy Number%[2]d, who leads the talks.

A further meeting is planned. Analysts said the talks were slow but steady.`, place, i, 1+i%28)
		pub := now.Add(-time.Duration(i%(7*24)) * time.Hour)
		a := &briefing.Article{Source: fmt.Sprintf("Outlet %d", i%9), URL: fmt.Sprintf("https://outlet.example/%d", i),
			Headline: fmt.Sprintf("Officials meet over %s, round %d", place, i), Text: text, Published: pub, FirstSeen: pub}
		briefing.Analyze(a, briefing.AnalyzeOptions{})
		batch = append(batch, a)
	}
	if _, err := st.SaveArticles(ctx, batch); err != nil {
		b.Fatal(err)
	}
	return st
}

// BenchmarkRouterBrief measures /brief korea (search, assembly, reply) over a store of 3,000
// articles; the answer must stay far inside Slack's and Discord's 3-second deadline.
func BenchmarkRouterBrief(b *testing.B) {
	st := benchStore(b, 3000)
	r, err := bot.NewRouter(bot.RouterConfig{Store: st, Briefer: &bot.Briefer{Store: st}, Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	for _, window := range []string{"24h", "1w"} {
		b.Run(window, func(b *testing.B) {
			req := bot.Request{Platform: "slack", ChannelID: "C1", Command: bot.CommandNow, Topic: "korea", Window: window}
			for b.Loop() {
				if reply := r.Handle(context.Background(), req); reply.Briefing == nil {
					b.Fatalf("no briefing: %+v", reply)
				}
			}
		})
	}
}
