package ingest

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz targets for every parser of outside input: run with go test -fuzz=FuzzNAME.

func FuzzParseFeedItems(f *testing.F) {
	for _, name := range []string{"rss.xml", "atom.xml"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`<rss version="2.0"><channel><item><title>&lt;b&gt;x</title><link>/rel</link><guid isPermaLink="true">http://a/b</guid></item></channel></rss>`))
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","content_html":"<p>x</p>","url":"https://a.example/1"}]}`))
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><item><title>caf\xe9</title></item></channel></rss>"))
	base, _ := url.Parse("https://feeds.example/rss")
	f.Fuzz(func(t *testing.T, data []byte) {
		feed, err := ParseFeed(data)
		if err != nil {
			return
		}
		for _, item := range feed.Items {
			a, err := ItemArticle(item, base, "fuzz")
			if err != nil {
				continue
			}
			if !utf8.ValidString(a.Headline) || !utf8.ValidString(a.Text) {
				t.Errorf("invalid UTF-8 in %q / %q", a.Headline, a.Text)
			}
			if a.URL != "" {
				if c, err := CanonicalURL(a.URL); err != nil || c != a.URL {
					t.Errorf("item URL %q is not canonical (%q, %v)", a.URL, c, err)
				}
			}
		}
	})
}

func FuzzDecodeArticle(f *testing.F) {
	f.Add([]byte(jsonArticle))
	f.Add([]byte(`{"title":"t","html":"<p>Text of <b>the</b> article.</p>","url":"https://a.example/x","published":"2024-01-02T03:04:05+02:00"}`))
	f.Add([]byte(`{"title":"t","body":"b\u0000\ud800","published":"2024-13-45"}`))
	f.Add([]byte(`[{"title":"t"}]`))
	f.Add([]byte("{\"body\":\"\xff\xfe\"}"))
	in := New(nil, Options{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		a, err := DecodeArticle(raw, "fuzz", 1<<20)
		if err != nil {
			if err.Error() == "" {
				t.Error("an empty reason")
			}
			return
		}
		if err := in.prepare(a, "fuzz"); err != nil {
			return
		}
		if !utf8.ValidString(a.Text) || strings.IndexByte(a.Text, 0) >= 0 || a.Hash == "" || a.Published.IsZero() {
			t.Errorf("prepared article not storable: %+v", a)
		}
		if a.BodyStart < 0 || a.BodyStart > len(a.Text) {
			t.Errorf("body start %d outside the text (%d bytes)", a.BodyStart, len(a.Text))
		}
	})
}

func FuzzJSONL(f *testing.F) {
	f.Add([]byte(jsonlArticles))
	f.Add([]byte("\n\n{}\n[1]\n{\"title\":\"x\",\"body\":\"y\"}\r\n"))
	f.Add([]byte(strings.Repeat("{", 5000)))
	e := newEnv(f, Options{MaxBytes: 4096})
	f.Fuzz(func(t *testing.T, data []byte) {
		s := e.in.newSink()
		e.in.ingestJSONL(e.ctx, s, bytes.NewReader(data), File{Path: "fuzz.jsonl", Source: "fuzz"}, e.in.maxBytes)
		s.flush(e.ctx)
		if lines := bytes.Count(data, []byte("\n")) + 1; s.rep.Total() > lines {
			t.Errorf("%d results for %d lines", s.rep.Total(), lines)
		}
		for _, f := range s.rep.Failures {
			if f.Reason == "" || !strings.HasPrefix(f.Item, "fuzz.jsonl:") {
				t.Errorf("refusal without a reason or line: %+v", f)
			}
		}
	})
}

func FuzzCanonicalURL(f *testing.F) {
	for _, s := range []string{"https://Example.com:443/a/../b?utm_source=x&b=2&a=1#f", "http://[::1]:80/", "https://a.example/%zz", "HTTP://x.example?;&&="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := CanonicalURL(raw)
		if err != nil {
			return
		}
		again, err := CanonicalURL(c)
		if err != nil || again != c {
			t.Errorf("CanonicalURL(%q) = %q, but CanonicalURL(%q) = %q, %v", raw, c, c, again, err)
		}
	})
}

func FuzzHTMLText(f *testing.F) {
	f.Add("<p>One</p><p>Two &amp; three</p><script>x</script>")
	f.Add("<svg><p>hidden</svg>shown")
	f.Fuzz(func(t *testing.T, s string) {
		out := htmlText(s)
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Errorf("htmlText made invalid UTF-8 of valid input: %q", out)
		}
	})
}
