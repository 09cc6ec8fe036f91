package discord

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/briefbot/briefbot/bot/render"
	"github.com/briefbot/briefbot/bot/render/rendertest"
	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/internal/golden"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/")

// slot is the time the late test briefings were scheduled for: 08:00 in Seoul.
var slot = time.Date(2024, 6, 4, 23, 0, 0, 0, time.UTC)

func TestRenderGolden(t *testing.T) {
	late := RenderOptions{Late: true, Scheduled: slot}
	tests := []struct {
		name, briefing string
		opts           RenderOptions
	}{
		{"normal", "normal", RenderOptions{}},
		{"empty", "empty", RenderOptions{}},
		{"hostile", "hostile", RenderOptions{}},
		{"large", "large", RenderOptions{}},
		{"late", "large", late},
		{"late-empty", "empty", late},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b briefing.Briefing
			if tt.briefing == "large" {
				b = rendertest.Large(t)
			} else {
				b = rendertest.Briefing(t, tt.briefing)
			}
			msgs := Render(b, tt.opts)
			checkMessages(t, b, msgs)
			validateAgainstSpec(t, "MessageCreateRequest", msgs)
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

func TestRenderAllowsNoMentions(t *testing.T) {
	msgs := Render(rendertest.Briefing(t, "normal"), RenderOptions{})
	body, err := json.Marshal(msgs[0])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(body, []byte(`"allowed_mentions":{"parse":[]`)) {
		t.Errorf("body %s lacks allowed_mentions {\"parse\":[]}", body)
	}
}

func TestRenderSplitsALargeBriefingAtStoryBoundaries(t *testing.T) {
	b := rendertest.Large(t)
	msgs := Render(b, RenderOptions{})
	if len(msgs) < 3 {
		t.Fatalf("got %d messages, want the 30 stories over at least 3", len(msgs))
	}
	n := 0
	for i, m := range msgs {
		for _, e := range m.Embeds {
			want := b.Stories[n].Headline
			if !strings.HasPrefix(e.Title, strings.Fields(want)[0]) {
				t.Errorf("message %d embed %q, want story %d %q", i, e.Title, n, want)
			}
			n++
		}
		if i > 0 && !strings.Contains(m.Content, "("+strconv.Itoa(i+1)+"/"+strconv.Itoa(len(msgs))+")") {
			t.Errorf("message %d content %q does not say which part it is", i, m.Content)
		}
	}
	if !strings.Contains(msgs[len(msgs)-1].Content, "12 more stories") {
		t.Errorf("last content %q, want the 12 more stories line", msgs[len(msgs)-1].Content)
	}
}

func TestRenderTrimsAStoryTooLargeForOneEmbed(t *testing.T) {
	b := rendertest.Briefing(t, "normal")
	s := &b.Stories[0]
	long := strings.Repeat("word ", 2000)
	s.Lede = long
	s.Quotes = nil
	for range 12 {
		s.Quotes = append(s.Quotes, briefing.StoryQuote{Text: long, Speaker: "Speaker", URL: "https://a.example/q"})
	}
	msgs := Render(b, RenderOptions{})
	checkMessages(t, b, msgs)
	d := msgs[0].Embeds[0].Description
	if got := strings.Count(d, "> “"); got == 0 || got == 12 {
		t.Errorf("the story shows %d of 12 quotes, want the top ones that fit", got)
	}
	if !strings.Contains(d, "word word…") {
		t.Error("the long texts are not cut at a word with an ellipsis")
	}
}

func TestRenderEmptySaysNothingNew(t *testing.T) {
	msgs := Render(rendertest.Briefing(t, "empty"), RenderOptions{})
	if len(msgs) != 1 || len(msgs[0].Embeds) != 0 {
		t.Fatalf("got %+v, want one message without embeds", msgs)
	}
	if want := "Nothing new on **korea** since <t:1717459200:f>."; msgs[0].Content != want {
		t.Errorf("content %q, want %q", msgs[0].Content, want)
	}
}

// A late briefing says when it was scheduled on a subtext line of its first message's content,
// after the count of stories, with a timestamp each reader sees in their own time zone; the
// messages after the first and an on-time briefing say nothing of it.
func TestRenderSaysALateBriefingIsLate(t *testing.T) {
	const note = "\n-# Scheduled for <t:1717542000:f>, delivered late"
	b := rendertest.Large(t)
	msgs := Render(b, RenderOptions{Late: true, Scheduled: slot})
	checkMessages(t, b, msgs)
	if len(msgs) < 2 {
		t.Fatalf("got %d message, want several", len(msgs))
	}
	if want := "**Briefing: korea** · top 30 of 42 stories since <t:1717459200:f>" + note; msgs[0].Content != want {
		t.Errorf("first message's content %q, want %q", msgs[0].Content, want)
	}
	for i, m := range msgs[1:] {
		if strings.Contains(m.Content, "late") {
			t.Errorf("message %d repeats the late note: %q", i+1, m.Content)
		}
	}
	if got := Render(rendertest.Briefing(t, "empty"), RenderOptions{Late: true})[0].Content; !strings.HasSuffix(got, ".\n-# Delivered late") {
		t.Errorf("without the slot's time, the content is %q", got)
	}
	for _, m := range Render(b, RenderOptions{Scheduled: slot}) {
		if strings.Contains(m.Content, "late") {
			t.Errorf("an on-time briefing says it is late: %q", m.Content)
		}
	}

	// However long the topic, the note is never cut.
	b.Topic = strings.Repeat("korea ", 400)
	msgs = Render(b, RenderOptions{Late: true, Scheduled: slot})
	checkMessages(t, b, msgs)
	if !strings.HasSuffix(msgs[0].Content, note) {
		t.Errorf("with a long topic, the content ends %q", msgs[0].Content[max(0, len(msgs[0].Content)-80):])
	}
}

func TestRenderDefusesHostileArticleText(t *testing.T) {
	b := rendertest.Briefing(t, "hostile")
	msgs := Render(b, RenderOptions{})
	checkMessages(t, b, msgs)
	all := allText(msgs)
	for _, bad := range []string{"@everyone", "@here", "<@U", "<#C", "<!", "[x](http", "javascript:", "*bold*", "_italic_", "~strike~", "`code`", "||spoiler||", "\n>", "\n#", " # heading"} {
		if strings.Contains(strings.ReplaceAll(all, "\n> ", "\n"), bad) {
			t.Errorf("rendering contains %q", bad)
		}
	}
	if !strings.Contains(all, `\*bold\*`) || !strings.Contains(all, "@\u200beveryone") {
		t.Error("hostile text was dropped instead of escaped")
	}
}

func TestInteractionResponseIsTheSameMessage(t *testing.T) {
	m := Render(rendertest.Briefing(t, "normal"), RenderOptions{})[0]
	for _, ephemeral := range []bool{false, true} {
		resp := m.InteractionResponse(ephemeral)
		if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || resp.Data.Content != m.Content || len(resp.Data.Embeds) != len(m.Embeds) {
			t.Errorf("response %+v does not carry the message", resp)
		}
		if got := resp.Data.Flags&discordgo.MessageFlagsEphemeral != 0; got != ephemeral {
			t.Errorf("ephemeral flag %v, want %v", got, ephemeral)
		}
		if resp.Data.AllowedMentions == nil || resp.Data.AllowedMentions.Parse == nil {
			t.Error("the response allows mentions")
		}
		validateAgainstSpec(t, "CreateMessageInteractionCallbackRequest", []any{resp})
		params := m.WebhookParams(ephemeral)
		if params.Content != m.Content || params.AllowedMentions == nil || (params.Flags != 0) != ephemeral {
			t.Errorf("follow-up %+v does not carry the message", params)
		}
	}
}

// Property: for random briefings, every message respects every limit and no story is lost.
func TestRenderRespectsEveryLimitForRandomBriefings(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for i := range randomBriefings() {
		b := randomBriefing(rng)
		late := rng.IntN(2) == 0
		msgs := Render(b, RenderOptions{Late: late, Scheduled: slot})
		if !checkMessages(t, b, msgs) {
			t.Fatalf("briefing %d (late %v) breaks a limit", i, late)
		}
		if i%5 == 0 {
			validateAgainstSpec(t, "MessageCreateRequest", msgs)
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
	f.Add(uint64(21), uint64(22))
	f.Add(uint64(1), uint64(2))
	f.Fuzz(func(t *testing.T, seed1, seed2 uint64) {
		b := randomBriefing(rand.New(rand.NewPCG(seed1, seed2)))
		late := seed2%2 == 1
		if !checkMessages(t, b, Render(b, RenderOptions{Late: late, Scheduled: slot})) {
			t.Fatalf("the briefing of seeds %d, %d (late %v) breaks a limit", seed1, seed2, late)
		}
	})
}

func randomBriefing(rng *rand.Rand) briefing.Briefing {
	alphabet := []string{"a", "b", "word", " ", " ", "  ", "\n", "<", ">", "&", "*", "_", "~", "`", "|", "@", "#", "[", "]", "(", ")", "\\", "-", "1.", "é", "漢", "😀", "@everyone", "<@123>", "[x](http://e)", "http://x.example/?a=1&b=2"}
	text := func(max int) string {
		n := rng.IntN(max + 1)
		var b strings.Builder
		for b.Len() < n {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	b := briefing.Briefing{Topic: text(300), From: time.Unix(1717459200, 0).UTC(), More: rng.IntN(3)}
	for range rng.IntN(40) {
		s := briefing.Story{Headline: text(600), Lede: text(2500), URL: "https://a.example/" + text(30) + strings.Repeat("x", rng.IntN(2)*3000), Published: time.Unix(1717459200+rng.Int64N(1e6), 0)}
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

func allText(msgs []Message) string {
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString(m.Content + "\n")
		for _, e := range m.Embeds {
			b.WriteString(e.Title + "\n" + e.Description + "\n")
			if e.Footer != nil {
				b.WriteString(e.Footer.Text + "\n")
			}
		}
	}
	return b.String()
}

// ourMarkup matches the only places a '<' or an unescaped '[' may appear: our timestamp tokens
// and masked links.
var (
	ourToken = regexp.MustCompile(`^<t:\d+:f>`)
	ourLink  = regexp.MustCompile(`^\[[^\[\]]*(\\.[^\[\]\\]*)*\]\(https?://[^\s()<>]+\)`)
)

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
	stories := 0
	for i, m := range msgs {
		if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(m.AllowedMentions.Parse) != 0 {
			fail("message %d allows mentions: %+v", i, m.AllowedMentions)
		}
		if n := render.TextLen(m.Content); n > MaxContent || n == 0 && len(m.Embeds) == 0 {
			fail("message %d content is %d characters", i, n)
		}
		if len(m.Embeds) > MaxEmbeds {
			fail("message %d has %d embeds", i, len(m.Embeds))
		}
		ok = checkMarkdown(t, m.Content) && ok
		total := 0
		for j, e := range m.Embeds {
			stories++
			total += embedText(e)
			if n := render.TextLen(e.Title); n > MaxTitle || n == 0 {
				fail("message %d embed %d title is %d characters", i, j, n)
			}
			if n := render.TextLen(e.Description); n > MaxDescription {
				fail("message %d embed %d description is %d characters", i, j, n)
			}
			if e.Footer != nil && render.TextLen(e.Footer.Text) > MaxFooter {
				fail("message %d embed %d footer is %d characters", i, j, render.TextLen(e.Footer.Text))
			}
			if e.Author != nil && render.TextLen(e.Author.Name) > MaxAuthor {
				fail("message %d embed %d author is %d characters", i, j, render.TextLen(e.Author.Name))
			}
			if len(e.Fields) > MaxFields {
				fail("message %d embed %d has %d fields", i, j, len(e.Fields))
			}
			for _, f := range e.Fields {
				if render.TextLen(f.Name) > MaxFieldName || render.TextLen(f.Value) > MaxFieldValue {
					fail("message %d embed %d field too long", i, j)
				}
			}
			if len(e.URL) > maxURL {
				fail("message %d embed %d URL is %d bytes", i, j, len(e.URL))
			}
			ok = checkMarkdown(t, e.Title) && checkMarkdown(t, e.Description) && ok
		}
		if total > MaxEmbedsText {
			fail("message %d embeds hold %d characters", i, total)
		}
	}
	if stories != len(b.Stories) {
		fail("%d stories rendered, want all %d", stories, len(b.Stories))
	}
	return ok
}

// checkMarkdown checks that article text cannot have produced markup: every '<' is one of our
// timestamps or is defused by a zero-width space, every '@' is defused, and every unescaped '['
// opens one of our links.
func checkMarkdown(t *testing.T, s string) bool {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("invalid UTF-8 in %q", s)
		return false
	}
	escaped := false
	for i, r := range s {
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case r == '<' && !strings.HasPrefix(s[i+1:], "\u200b") && !ourToken.MatchString(s[i:]):
			t.Errorf("undefused '<' at %q", s[i:min(len(s), i+40)])
			return false
		case r == '@' && !strings.HasPrefix(s[i+1:], "\u200b"):
			t.Errorf("undefused '@' at %q", s[i:min(len(s), i+40)])
			return false
		case r == '[' && !ourLink.MatchString(s[i:]):
			t.Errorf("unescaped '[' at %q", s[i:min(len(s), i+60)])
			return false
		}
	}
	return true
}

// The Discord API's OpenAPI description, read from the shared specs when present.
var (
	specOnce    sync.Once
	specDoc     any
	specErr     error
	specSchemas sync.Map // name → *jsonschema.Schema
)

func specPath() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "specs", "discord-openapi.json"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the package")
		}
		dir = parent
	}
}

// validateAgainstSpec validates each body against a request schema of Discord's OpenAPI
// description (../shared/specs/discord-openapi.json from the repository's root); it skips when
// the description is absent.
func validateAgainstSpec[T any](t *testing.T, schemaName string, bodies []T) {
	t.Helper()
	specOnce.Do(func() {
		path, err := specPath()
		if err != nil {
			specErr = err
			return
		}
		f, err := os.Open(path)
		if err != nil {
			specErr = err
			return
		}
		defer f.Close()
		specDoc, specErr = jsonschema.UnmarshalJSON(f)
	})
	if errors.Is(specErr, fs.ErrNotExist) {
		t.Skipf("Discord's OpenAPI description is absent (%v): payloads not validated against it", specErr)
	}
	if specErr != nil {
		t.Fatalf("read Discord's OpenAPI description: %v", specErr)
	}
	var sch *jsonschema.Schema
	if s, ok := specSchemas.Load(schemaName); ok {
		sch = s.(*jsonschema.Schema)
	} else {
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		const base = "https://discord.example/openapi.json"
		if err := c.AddResource(base, specDoc); err != nil {
			t.Fatal(err)
		}
		var err error
		if sch, err = c.Compile(base + "#/components/schemas/" + schemaName); err != nil {
			t.Fatalf("compile %s: %v", schemaName, err)
		}
		specSchemas.Store(schemaName, sch)
	}
	for i, body := range bodies {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("body %d is not a valid %s: %v\n%s", i, schemaName, err, data)
		}
	}
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
		{"a cut never splits a masked link", "see [the full story](https://a.example/x) now", 30, "see…"},
		{"a cut never splits an escape", `abc\*\*def`, 6, "abc\\*…"},
		{"a cut never splits a timestamp", "since <t:1717459200:f> today", 15, "since…"},
		{"an escaped bracket is no link", `a \[b c\] d e f`, 9, `a \[b…`},
		{"a word too long is cut at a character", "abcdefghij", 5, "abcd…"},
		{"multi-unit characters count as Discord's limit does", "😀😀 😀😀", 5, "😀😀…"},
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
	f.Add("see [the full story](https://a.example/x) now \\* then", 20)
	f.Add(`abc\*\*def`, 6)
	f.Add("😀😀 😀😀 <t:1:f>", 5)
	f.Fuzz(func(t *testing.T, s string, max int) {
		max = max%5000 + 1
		if max < 1 {
			max += 5000
		}
		s = escapeMarkdown(s)
		s = "[" + s + "](https://a.example/x) " + s + " <t:1717459200:f> " + s
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
		if trailing := len(kept) - len(strings.TrimRight(kept, `\`)); trailing%2 == 1 {
			t.Fatalf("cut inside an escape: %q", kept)
		}
		if strings.HasPrefix(kept, "[") && !strings.Contains(kept, "](https://a.example/x)") {
			t.Fatalf("cut inside the link: %q", kept)
		}
		if i := strings.LastIndex(kept, "<t:"); i >= 0 && !strings.Contains(kept[i:], ">") {
			t.Fatalf("cut inside the timestamp: %q", kept)
		}
	})
}

func FuzzEscapeMarkdown(f *testing.F) {
	f.Add("@everyone <@123> <#1> *b* _i_ ~~s~~ `c` ||x|| [x](http://e) \n# h\n> q\n- l")
	f.Add("1. first \xff")
	f.Fuzz(func(t *testing.T, s string) {
		got := escapeMarkdown(s)
		if strings.ContainsAny(got, "\n\r\t") {
			t.Fatalf("escapeMarkdown(%q) = %q keeps line breaks", s, got)
		}
		if !checkMarkdown(t, got) {
			t.Fatalf("escapeMarkdown(%q) = %q", s, got)
		}
		escaped := false
		for _, r := range got {
			switch {
			case escaped:
				escaped = false
			case r == '\\':
				escaped = true
			case strings.ContainsRune("*_~`|>#[]", r):
				t.Fatalf("escapeMarkdown(%q) = %q leaves %q unescaped", s, got, r)
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
