package slack_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/internal/fakeslack"
)

// BenchmarkHTTPCommand measures a signed /brief command through CommandsHandler: signature
// check, replay memory, parsing, the router and the inline JSON answer.
func BenchmarkHTTPCommand(b *testing.B) {
	for _, text := range []string{"help", "korea"} {
		b.Run(text, func(b *testing.B) {
			fs := fakeslack.New(b)
			router := newRouter(b)
			bt, err := slack.New(slack.Config{Mode: slack.ModeHTTP, BotToken: "xoxb-test", SigningSecret: signingSecret,
				APIURL: fs.URL(), Logger: discardLogger()}, router)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = bt.Close() })
			h := bt.CommandsHandler()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				cmd := fs.SlashCommand(text)
				cmd.TriggerID = strconv.Itoa(i) // a new signature each time: no replay
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, fakeslack.NewCommandRequest("http://bot/slack/commands", signingSecret, cmd, time.Now()))
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
