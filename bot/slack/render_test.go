package slack

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/briefbot/briefbot/bot/render"
	"github.com/briefbot/briefbot/bot/render/rendertest"
	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/internal/golden"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/")

var from = time.Date(2024, 6, 4, 0, 0, 0, 0, time.UTC)

// slot is the time the late test briefings were scheduled for: 08:00 in Seoul.
var slot = time.Date(2024, 6, 4, 23, 0, 0, 0, time.UTC)

func TestRenderGolden(t *testing.T) {
	tests := []struct {
		name string
		b    briefing.Briefing
		opts RenderOptions
	}{
		{"normal", rendertest.Briefing(t, "normal"), RenderOptions{Channel: "C0123456789"}},
		{"empty", rendertest.Briefing(t, "empty"), RenderOptions{Channel: "C0123456789"}},
		{"hostile", rendertest.Briefing(t, "hostile"), RenderOptions{}},
		{"large", rendertest.Large(t), RenderOptions{}},
		{"threaded", rendertest.Briefing(t, "normal"), RenderOptions{Channel: "C0123456789", Threaded: true}},
		{"normal-seoul-time", rendertest.Briefing(t, "normal"), RenderOptions{Location: seoul(t)}},
		{"late", rendertest.Briefing(t, "normal"), RenderOptions{Channel: "C0123456789", Location: seoul(t), Late: true, Scheduled: slot}},
		{"late-empty", rendertest.Briefing(t, "empty"), RenderOptions{Channel: "C0123456789", Location: seoul(t), Late: true, Scheduled: slot}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := Render(tt.b, tt.opts)
			checkMessages(t, tt.b, msgs)
			var got bytes.Buffer
			enc := json.NewEncoder(&got)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(msgs); err != nil {
				t.Fatal(err)
			}
			golden.Compare(t, filepath.Join("testdata", tt.name+".golden.json"), got.Bytes(), *updateGolden)
		})
	}
}

func seoul(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	return loc
}

func TestRenderSplitsALargeBriefingAtStoryBoundaries(t *testing.T) {
	b := rendertest.Large(t)
	msgs := Render(b, RenderOptions{})
	if len(msgs) < 2 {
		t.Fatalf("got %d message, want the 30 stories split over several", len(msgs))
	}
	for i, m := range msgs {
		// Every message but the first starts with a story's divider: no story is cut in two.
		if _, ok := m.Blocks[0].(*slack.DividerBlock); i > 0 && !ok {
			t.Errorf("message %d starts with %T, want a story's divider", i, m.Blocks[0])
		}
	}
	last := msgs[len(msgs)-1]
	if txt := blockTexts(last.Blocks[len(last.Blocks)-1:]); !strings.Contains(txt, "12 more stories") {
		t.Errorf("last block is %q, want the 12 more stories line", txt)
	}
}

func TestRenderTrimsAStoryTooLargeForOneMessage(t *testing.T) {
	b := rendertest.Briefing(t, "normal")
	s := &b.Stories[0]
	long := strings.Repeat("word ", 2000)
	s.Lede = long
	s.Quotes = nil
	for i := range 30 {
		s.Quotes = append(s.Quotes, briefing.StoryQuote{Text: long, Speaker: "Speaker", URL: "https://a.example/" + string(rune('a'+i%26))})
	}
	msgs := Render(b, RenderOptions{})
	checkMessages(t, b, msgs)
	first := msgs[0]
	quotes := 0
	for _, bl := range first.Blocks {
		if s, ok := bl.(*slack.SectionBlock); ok && strings.HasPrefix(s.Text.Text, ">") {
			quotes++
		}
	}
	if quotes == 0 || quotes == 30 {
		t.Errorf("the first story shows %d of 30 quotes, want the top ones that fit", quotes)
	}
	if !strings.Contains(blockTexts(first.Blocks), "word word…") {
		t.Error("the long lede is not cut at a word with an ellipsis")
	}
}

func TestRenderThreadedPutsQuotesInReplies(t *testing.T) {
	b := rendertest.Briefing(t, "normal")
	msgs := RenderThreaded(b, RenderOptions{})
	if msgs[0].InThread {
		t.Fatal("the first message must be the thread's parent")
	}
	replies := 0
	for _, m := range msgs[1:] {
		if m.InThread {
			replies++
		}
	}
	if replies != 2 {
		t.Errorf("got %d replies, want one per story with quotes (2)", replies)
	}
	if strings.Contains(blockTexts(msgs[0].Blocks), "clear provocation") {
		t.Error("the parent message shows quotes; they belong in the replies")
	}
}

func TestRenderEmptySaysNothingNew(t *testing.T) {
	msgs := Render(rendertest.Briefing(t, "empty"), RenderOptions{})
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	if txt := blockTexts(msgs[0].Blocks); !strings.Contains(txt, "Nothing new on *korea* since <!date^1717459200^") {
		t.Errorf("blocks say %q", txt)
	}
	if msgs[0].Text != "Nothing new on korea since Tue 4 Jun 00:00 UTC." {
		t.Errorf("fallback text %q", msgs[0].Text)
	}
}

// A late briefing says when it was scheduled in a context line under its header (a date token,
// each reader's own time) and in its notification text (the channel's time); an on-time one
// says nothing of it.
func TestRenderSaysALateBriefingIsLate(t *testing.T) {
	const token = "Scheduled for <!date^1717542000^{date_short_pretty} {time}|Wed 5 Jun 08:00 KST>, delivered late"
	for _, threaded := range []bool{false, true} {
		msgs := Render(rendertest.Large(t), RenderOptions{Location: seoul(t), Threaded: threaded, Late: true, Scheduled: slot})
		checkMessages(t, rendertest.Large(t), msgs)
		if txt := blockTexts(msgs[0].Blocks[2:3]); txt != token+"\n" {
			t.Errorf("threaded %v: the line under the summary says %q, want %q", threaded, txt, token)
		}
		if !strings.HasPrefix(msgs[0].Text, "Briefing: korea (delivered late): ") {
			t.Errorf("threaded %v: fallback text %q", threaded, msgs[0].Text)
		}
		for i, m := range msgs[1:] {
			if strings.Contains(blockTexts(m.Blocks), "delivered late") {
				t.Errorf("threaded %v: message %d repeats the late note", threaded, i+1)
			}
		}
	}
	msgs := Render(rendertest.Briefing(t, "empty"), RenderOptions{Late: true})
	if txt := blockTexts(msgs[0].Blocks); !strings.HasSuffix(txt, "\nDelivered late\n") {
		t.Errorf("without the slot's time, the blocks say %q", txt)
	}
	if want := "Nothing new on korea since Tue 4 Jun 00:00 UTC. Delivered late."; msgs[0].Text != want {
		t.Errorf("fallback text %q, want %q", msgs[0].Text, want)
	}
	onTime := Render(rendertest.Briefing(t, "normal"), RenderOptions{Scheduled: slot})
	for _, m := range onTime {
		if strings.Contains(blockTexts(m.Blocks)+m.Text, "late") {
			t.Errorf("an on-time briefing says it is late: %q", blockTexts(m.Blocks))
		}
	}
}

func TestRenderDefusesHostileArticleText(t *testing.T) {
	msgs := Render(rendertest.Briefing(t, "hostile"), RenderOptions{})
	checkMessages(t, rendertest.Briefing(t, "hostile"), msgs)
	all := ""
	for _, m := range msgs {
		all += blockTexts(m.Blocks) + m.Text
	}
	for _, bad := range []string{"<!channel>", "<!here>", "<!everyone>", "<@U", "<#C", "<!subteam", "<http://evil|", "javascript:", "*bold*", "_italic_", "~strike~", "`code`", "\n> fake", "\n#"} {
		if strings.Contains(all, bad) {
			t.Errorf("rendering contains %q", bad)
		}
	}
	if !strings.Contains(all, "&lt;!channel&gt;") || !strings.Contains(all, "AT&amp;T") {
		t.Error("hostile text was dropped instead of escaped")
	}
}

func TestMsgOptionsPostTheMessageThroughSlackGo(t *testing.T) {
	m := Render(rendertest.Briefing(t, "normal"), RenderOptions{})[0]
	m.Metadata = &slack.SlackMetadata{EventType: "briefbot_delivery", EventPayload: map[string]any{"key": "k1"}}
	form := make(chan url.Values, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		form <- r.PostForm
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true,"channel":"C1","ts":"1717459200.000100"}`)
	}))
	defer srv.Close()
	api := slack.New("xoxb-test", slack.OptionAPIURL(srv.URL+"/"))
	if _, _, err := api.PostMessageContext(t.Context(), "C1", m.MsgOptions("123.456")...); err != nil {
		t.Fatal(err)
	}
	values := <-form
	for key, want := range map[string]string{"text": m.Text, "unfurl_links": "false", "unfurl_media": "false", "thread_ts": "123.456"} {
		if got := values.Get(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if !strings.Contains(values.Get("metadata"), `"key":"k1"`) {
		t.Errorf("metadata %q lacks the key", values.Get("metadata"))
	}
	want, err := json.Marshal(m.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	if got := values.Get("blocks"); got != string(want) {
		t.Errorf("blocks sent\n%s\nwant\n%s", got, want)
	}
}

// Property: for random briefings, every message respects every limit and no story is lost.
func TestRenderRespectsEveryLimitForRandomBriefings(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for i := range randomBriefings() {
		b := randomBriefing(rng)
		for _, threaded := range []bool{false, true} {
			late := rng.IntN(2) == 0
			msgs := Render(b, RenderOptions{Threaded: threaded, Late: late, Scheduled: slot})
			if !checkMessages(t, b, msgs) {
				t.Fatalf("briefing %d (threaded %v, late %v) breaks a limit", i, threaded, late)
			}
		}
	}
}

// randomBriefings is how many random briefings the property test renders: 40, or 10 with -short
// or the race detector (rendering has no concurrency for it to check, and it slows rendering
// about tenfold). FuzzRenderRespectsEveryLimit explores as long as it is asked to.
func randomBriefings() int {
	if raceEnabled || testing.Short() {
		return 10
	}
	return 40
}

// FuzzRenderRespectsEveryLimit renders random briefings from fuzzed seeds (go test -fuzz).
func FuzzRenderRespectsEveryLimit(f *testing.F) {
	f.Add(uint64(11), uint64(12), false)
	f.Add(uint64(1), uint64(2), true)
	f.Fuzz(func(t *testing.T, seed1, seed2 uint64, threaded bool) {
		b := randomBriefing(rand.New(rand.NewPCG(seed1, seed2)))
		late := seed2%2 == 1
		if !checkMessages(t, b, Render(b, RenderOptions{Threaded: threaded, Late: late, Scheduled: slot})) {
			t.Fatalf("the briefing of seeds %d, %d (threaded %v, late %v) breaks a limit", seed1, seed2, threaded, late)
		}
	})
}

func randomBriefing(rng *rand.Rand) briefing.Briefing {
	alphabet := []string{"a", "b", "word", " ", " ", "  ", "\n", "<", ">", "&", "*", "_", "~", "`", "|", "@", "é", "漢", "😀", "<!channel>", "&amp;", "[x](http://e)", "http://x.example/?a=1&b=2"}
	text := func(max int) string {
		n := rng.IntN(max + 1)
		var b strings.Builder
		for b.Len() < n {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	b := briefing.Briefing{Topic: text(200), From: from, More: rng.IntN(3)}
	for range rng.IntN(40) {
		s := briefing.Story{Headline: text(400), Lede: text(2500), URL: "https://a.example/" + text(30) + strings.Repeat("x", rng.IntN(2)*3000), Published: from.Add(time.Duration(rng.IntN(1e6)) * time.Second)}
		for range rng.IntN(30) {
			s.Sources = append(s.Sources, briefing.SourceRef{Name: text(100), URL: "https://s.example/" + text(80)})
		}
		for range rng.IntN(8) {
			s.Quotes = append(s.Quotes, briefing.StoryQuote{Text: text(1500), Speaker: text(200), SpeakerTitle: text(300), URL: "https://q.example/#:~:text=" + text(100), Outlets: rng.IntN(5)})
		}
		b.Stories = append(b.Stories, s)
	}
	return b
}

var ourTokens = regexp.MustCompile(`^<(https?://[^|<>\s]+\|[^<>]*|!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>]*)>`)

// checkMessages checks every limit and the safety of the markup; it reports whether all held.
func checkMessages(t *testing.T, b briefing.Briefing, msgs []Message) bool {
	t.Helper()
	ok := true
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf(format, args...)
		ok = false
	}
	if len(msgs) == 0 {
		fail("no messages")
	}
	dividers := 0
	for i, m := range msgs {
		if _, err := json.Marshal(m); err != nil {
			fail("message %d does not marshal: %v", i, err)
		}
		if len(m.Blocks) == 0 || len(m.Blocks) > MaxBlocks {
			fail("message %d has %d blocks", i, len(m.Blocks))
		}
		if n := blockText(m.Blocks); n > MaxBlockText {
			fail("message %d holds %d characters of block text", i, n)
		}
		if n := render.TextLen(m.Text); n == 0 || n >= 4000 {
			fail("message %d fallback text is %d characters", i, n)
		}
		if m.UnfurlLinks || m.UnfurlMedia {
			fail("message %d unfurls", i)
		}
		for _, bl := range m.Blocks {
			switch bl := bl.(type) {
			case *slack.HeaderBlock:
				if n := render.TextLen(bl.Text.Text); n > MaxHeaderText || bl.Text.Type != slack.PlainTextType {
					fail("message %d header is %d characters of %s", i, n, bl.Text.Type)
				}
			case *slack.SectionBlock:
				if n := render.TextLen(bl.Text.Text); n > MaxSectionText {
					fail("message %d section is %d characters", i, n)
				}
				ok = checkMrkdwn(t, bl.Text.Text) && ok
			case *slack.ContextBlock:
				els := bl.ContextElements.Elements
				if len(els) == 0 || len(els) > MaxContextElements {
					fail("message %d context has %d elements", i, len(els))
				}
				for _, e := range els {
					txt := e.(*slack.TextBlockObject).Text
					if render.TextLen(txt) > MaxSectionText {
						fail("message %d context element is %d characters", i, render.TextLen(txt))
					}
					ok = checkMrkdwn(t, txt) && ok
				}
			case *slack.DividerBlock:
				dividers++
			default:
				fail("unexpected block %T", bl)
			}
		}
	}
	if !b.Empty() && dividers != len(b.Stories) {
		fail("%d stories rendered, want all %d", dividers, len(b.Stories))
	}
	return ok
}

// checkMrkdwn checks that every '<' in the text opens a link or date token we made, and that
// the text is valid UTF-8.
func checkMrkdwn(t *testing.T, s string) bool {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("invalid UTF-8 in %q", s)
		return false
	}
	for i := strings.IndexByte(s, '<'); i >= 0; {
		if !ourTokens.MatchString(s[i:]) {
			t.Errorf("unexpected markup at %q", s[i:min(len(s), i+60)])
			return false
		}
		next := strings.IndexByte(s[i+1:], '<')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return true
}

func blockTexts(blocks []slack.Block) string {
	var b strings.Builder
	for _, bl := range blocks {
		switch bl := bl.(type) {
		case *slack.HeaderBlock:
			b.WriteString(bl.Text.Text + "\n")
		case *slack.SectionBlock:
			b.WriteString(bl.Text.Text + "\n")
		case *slack.ContextBlock:
			for _, e := range bl.ContextElements.Elements {
				b.WriteString(e.(*slack.TextBlockObject).Text + "\n")
			}
		}
	}
	return b.String()
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"text that fits is unchanged", "short text", 10, "short text"},
		{"text is cut at the last word that fits", "the quick brown fox", 12, "the quick…"},
		{"a cut never splits a link", "see <https://a.example/x|the full story> now", 30, "see…"},
		{"a cut never splits an entity", "AT&amp;T and B&amp;Q", 10, "AT&amp;T…"},
		{"a long word is cut outside an entity", "abc&amp;defghij", 6, "abc…"},
		{"a word too long is cut at a character", "abcdefghij", 5, "abcd…"},
		{"line breaks are places to cut", "first line\nsecond line", 15, "first line…"},
		{"multi-unit characters count as Slack counts them", "😀😀 😀😀", 5, "😀😀…"},
		{"nothing fits in zero", "abc", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := truncate(tt.in, tt.max); got != tt.want {
				t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

func FuzzTruncate(f *testing.F) {
	f.Add("see <https://a.example/x|the full story> now &amp; then", 20)
	f.Add("abc&amp;defghij", 6)
	f.Add("😀😀 😀😀", 5)
	f.Fuzz(func(t *testing.T, s string, max int) {
		max = max%5000 + 1
		if max < 1 {
			max += 5000
		}
		s = escapeText(s) // truncate works on escaped text with our own links around it
		s = "<https://a.example/x|" + s + "> " + s
		got := truncate(s, max)
		if render.TextLen(got) > max {
			t.Fatalf("truncate(%q, %d) = %q is %d long", s, max, got, render.TextLen(got))
		}
		if render.TextLen(s) <= max {
			if got != s {
				t.Fatalf("text that fits changed: %q -> %q", s, got)
			}
			return
		}
		kept, found := strings.CutSuffix(got, render.Ellipsis)
		if !found || !strings.HasPrefix(s, kept) {
			t.Fatalf("%q is not a prefix of %q followed by an ellipsis", got, s)
		}
		if strings.Count(kept, "<") != strings.Count(kept, ">") {
			t.Fatalf("cut inside a link: %q", kept)
		}
		if amp := strings.LastIndexByte(kept, '&'); amp >= 0 && !strings.Contains(kept[amp:], ";") {
			t.Fatalf("cut inside an entity: %q", kept)
		}
		rest := s[len(kept):]
		if kept != "" && !strings.HasPrefix(rest, " ") && !strings.HasPrefix(rest, "\n") && strings.ContainsAny(s[:len(kept)], " \n") {
			// A cut inside a word is allowed only when no space came before it... outside a link.
			if i := strings.LastIndexAny(kept, " \n"); i >= 0 && strings.Count(kept[:i], "<") == strings.Count(kept[:i], ">") {
				t.Fatalf("cut mid-word: %q | %q", kept, rest[:min(len(rest), 20)])
			}
		}
	})
}

func FuzzEscapeText(f *testing.F) {
	f.Add("<!channel> & *b* _i_ ~s~ `c` \n> q")
	f.Add("\xff<@U1>")
	f.Fuzz(func(t *testing.T, s string) {
		got := escapeText(s)
		if !utf8.ValidString(got) || strings.ContainsAny(got, "<>*_~`\n\t\r") {
			t.Fatalf("escapeText(%q) = %q holds markup", s, got)
		}
		for i := strings.IndexByte(got, '&'); i >= 0; i = strings.IndexByte(got[i+1:], '&') + i + 1 {
			rest := got[i:]
			if !strings.HasPrefix(rest, "&amp;") && !strings.HasPrefix(rest, "&lt;") && !strings.HasPrefix(rest, "&gt;") {
				t.Fatalf("bare & in %q", got)
			}
			if !strings.Contains(got[i+1:], "&") {
				break
			}
		}
	})
}

// BenchmarkRender renders a five-story briefing of three quotes each, the default budget.
func BenchmarkRender(b *testing.B) {
	br := rendertest.Large(b)
	br.Stories = br.Stories[:5]
	b.ReportAllocs()
	for b.Loop() {
		if msgs := Render(br, RenderOptions{}); len(msgs) != 1 {
			b.Fatalf("%d messages", len(msgs))
		}
	}
}
