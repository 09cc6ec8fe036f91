package ingest

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestPollFeedRecordsTheFirstPollAsBacklogThenStoresOnlyWhatIsNew(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	srv := newFeedServer(t)
	serveFixtures(t, srv)
	src := Source{Name: "gazette", Feed: srv.URL + "/rss.xml", AllowPrivate: true}

	// First poll: the back catalogue is stored, but as backlog, not as news.
	res, err := e.in.PollFeed(e.ctx, src)
	if err != nil {
		t.Fatalf("first poll: %v", err)
	}
	if !res.FirstPoll || res.Backlog != 3 || res.New != 0 || res.Failed != 0 {
		t.Fatalf("first poll report = %+v, want 3 backlog items and nothing new", res.Report)
	}
	if e.count() != 3 {
		t.Fatalf("stored %d articles, want 3", e.count())
	}
	if got := e.metric("briefbot_articles_ingested_total", map[string]string{"source": "gazette", "status": "backlog"}); got != 3 {
		t.Errorf("backlog metric = %v, want 3", got)
	}
	st, err := e.store.FeedState(e.ctx, "gazette")
	if err != nil {
		t.Fatal(err)
	}
	if !st.Polled || st.ETag == "" || st.LastModified == "" || st.URL != src.Feed || !st.LastSuccess.Equal(e.clock.Now()) {
		t.Errorf("feed state after the first poll = %+v, want polled with validators", st)
	}

	// The item with its whole text in the feed: canonical URL, date and quotes from the feed.
	wall := e.byHeadline("Harbour council approves & funds the new sea wall")
	if want := srv.URL + "/articles/sea-wall"; wall.URL != want {
		t.Errorf("sea wall URL = %q, want %q (tracking parameters dropped)", wall.URL, want)
	}
	if want := time.Date(2024, 2, 12, 9, 30, 0, 0, time.UTC); !wall.Published.Equal(want) {
		t.Errorf("sea wall published = %v, want %v", wall.Published, want)
	}
	if strings.Contains(wall.Text, "trackPageView") || !strings.Contains(wall.Text, "Maria Okafor") {
		t.Errorf("sea wall text kept the script or lost the article:\n%s", wall.Text)
	}
	if len(wall.Quotes) == 0 {
		t.Errorf("sea wall: no quotes extracted at ingest")
	}
	// The summary-only item: its page was fetched and read with readability.
	rail := e.byHeadline("Rail strike called off after late-night talks")
	if !strings.Contains(rail.Text, "Helen Marsh") || strings.Contains(rail.Text, "All rights reserved") {
		t.Errorf("rail strike text is not the page's article:\n%s", rail.Text)
	}
	if srv.hitCount("/articles/rail-strike") != 1 {
		t.Errorf("rail strike page fetched %d times, want 1", srv.hitCount("/articles/rail-strike"))
	}
	// The item without a date: its first-seen time.
	lib := e.byHeadline("Library opens late on Thursdays")
	if !lib.Published.Equal(e.clock.Now()) || !lib.FirstSeen.Equal(e.clock.Now()) {
		t.Errorf("undated item: published %v, first seen %v; want both %v", lib.Published, lib.FirstSeen, e.clock.Now())
	}

	// Second poll, feed unchanged: a conditional GET answered 304, nothing stored.
	e.clock.Advance(10 * time.Minute)
	res, err = e.in.PollFeed(e.ctx, src)
	if err != nil {
		t.Fatalf("second poll: %v", err)
	}
	if !res.NotModified || res.Total() != 0 {
		t.Errorf("second poll = %+v (not modified %v), want 304 and no items", res.Report, res.NotModified)
	}
	if got := srv.lastHeader("/rss.xml", "If-None-Match"); got != st.ETag {
		t.Errorf("If-None-Match = %q, want the saved ETag %q", got, st.ETag)
	}
	if got := srv.lastHeader("/rss.xml", "If-Modified-Since"); got != st.LastModified {
		t.Errorf("If-Modified-Since = %q, want %q", got, st.LastModified)
	}

	// Third poll: one new item is news; the others are neither re-read nor their pages fetched.
	feed := fixture(t, "rss.xml", srv.URL)
	feed = bytes.Replace(feed, []byte("<item>"), []byte(`<item>
    <title>Ferry timetable extended for the summer</title>
    <link>`+srv.URL+`/articles/ferry</link>
    <pubDate>Mon, 04 Mar 2024 11:00:00 +0000</pubDate>
    <description><![CDATA[<p>The ferry to the islands will run every hour from May to September, the harbour office said.</p><p>"We expect more visitors than ever this year," harbour master Ingrid Solberg said. "An hourly boat means nobody waits on the quay for long." The office added that two extra crews had been hired for the season, that the evening crossing would leave at ten instead of eight, and that bicycles would travel free on weekdays. Tickets can be bought on board, at the quay or online, and season passes will go on sale in April at the same price as last year, the office said in its announcement on Monday morning, which also listed the dates of the festival crossings and the special late boats planned for the regatta weekend in July.</p>]]></description>
  </item>
  <item>`), 1)
	srv.set("/rss.xml", "application/rss+xml", feed)
	e.clock.Advance(10 * time.Minute)
	res, err = e.in.PollFeed(e.ctx, src)
	if err != nil {
		t.Fatalf("third poll: %v", err)
	}
	if res.New != 1 || res.Duplicates != 3 || res.Backlog != 0 || res.Failed != 0 {
		t.Errorf("third poll report = %+v, want 1 new and 3 duplicates", res.Report)
	}
	if srv.hitCount("/articles/rail-strike") != 1 {
		t.Errorf("the page of an unchanged item was fetched again (%d times)", srv.hitCount("/articles/rail-strike"))
	}

	// Fourth poll: an item edited at its source is updated in place, not stored twice.
	edited := bytes.Replace(feed, []byte("for the next fifty years"), []byte("for the next sixty years"), 1)
	srv.set("/rss.xml", "application/rss+xml", edited)
	e.clock.Advance(10 * time.Minute)
	res, err = e.in.PollFeed(e.ctx, src)
	if err != nil {
		t.Fatalf("fourth poll: %v", err)
	}
	if res.Updated != 1 || res.New != 0 {
		t.Errorf("fourth poll report = %+v, want 1 updated", res.Report)
	}
	if e.count() != 4 {
		t.Errorf("stored %d articles, want 4", e.count())
	}
	if !strings.Contains(e.byHeadline("Harbour council approves & funds the new sea wall").Text, "sixty years") {
		t.Errorf("the edited article was not updated in place")
	}
}

func TestPollFeedReadsAtom(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	srv := newFeedServer(t)
	serveFixtures(t, srv)
	src := Source{Name: "courier", Feed: srv.URL + "/atom.xml", AllowPrivate: true, FetchPage: FetchNever}
	res, err := e.in.PollFeed(e.ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if res.Backlog != 2 || res.Failed != 0 {
		t.Fatalf("report = %+v, want 2 backlog items", res.Report)
	}
	dam := e.byHeadline("Dam inspection finds no cracks")
	if want := srv.URL + "/courier/dam-inspection"; dam.URL != want {
		t.Errorf("relative link resolved to %q, want %q (no fragment)", dam.URL, want)
	}
	if want := time.Date(2024, 3, 1, 7, 15, 0, 0, time.UTC); !dam.Published.Equal(want) {
		t.Errorf("published = %v, want the published time %v rather than the updated one", dam.Published, want)
	}
	if dam.Source != "courier" {
		t.Errorf("source = %q, want courier", dam.Source)
	}
	bus := e.byHeadline("Valley bus routes to change in April")
	if want := time.Date(2024, 3, 2, 6, 0, 0, 0, time.UTC); !bus.Published.Equal(want) {
		t.Errorf("an entry with only an updated time: published = %v, want %v", bus.Published, want)
	}
	if len(bus.Quotes) == 0 || bus.Quotes[0].Speaker == "" {
		t.Errorf("bus routes: quotes %+v, want Omar Haddad's quote attributed", bus.Quotes)
	}
}

// Each kind of bad input fails the poll with a clear reason, is counted, backs the feed off and
// leaves what is stored alone.
func TestPollFeedRefusesBadInputWithoutLosingStoredArticles(t *testing.T) {
	t.Parallel()
	huge := append([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>`), bytes.Repeat([]byte("<item><title>x</title></item>"), 50_000)...)
	tests := []struct {
		name       string
		doc        doc
		wantReason string // in the error and FeedState.LastError
		wantCode   string // the failure metric's reason
	}{
		{"a truncated feed", doc{body: []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Cut</title><item><title>half`)}, "malformed feed", "malformed_feed"},
		{"binary junk", doc{body: bytes.Repeat([]byte{0x89, 0x50, 0x00, 0xff, 0x13, 0x07}, 2000)}, "not an RSS, Atom or JSON feed", "malformed_feed"},
		{"an HTML page instead of a feed", doc{body: []byte("<!DOCTYPE html><html><body><p>Moved</p></body></html>"), contentType: "text/html"}, "not an RSS, Atom or JSON feed", "malformed_feed"},
		{"a feed over the size cap", doc{body: huge}, "feed larger than 1 MB", "too_large"},
		{"a server error", doc{status: 503}, "HTTP 503 Service Unavailable", "http_status"},
		{"a server that never answers", doc{delay: make(chan struct{})}, "no complete answer within 200ms", "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Options{FeedMaxBytes: 1 << 20, Timeout: 200 * time.Millisecond})
			srv := newFeedServer(t)
			serveFixtures(t, srv)
			src := Source{Name: "gazette", Feed: srv.URL + "/rss.xml", AllowPrivate: true}
			if _, err := e.in.PollFeed(e.ctx, src); err != nil {
				t.Fatalf("good poll: %v", err)
			}
			before := e.articles()

			srv.setDoc("/rss.xml", tt.doc)
			for i := 1; i <= 2; i++ {
				e.clock.Advance(10 * time.Minute)
				res, err := e.in.PollFeed(e.ctx, src)
				if err == nil || !strings.Contains(err.Error(), tt.wantReason) {
					t.Fatalf("poll %d: err = %v, want one saying %q", i, err, tt.wantReason)
				}
				if res.Failed != 1 || len(res.Failures) != 1 || res.Failures[0].Item != src.Feed {
					t.Errorf("poll %d: report = %+v, want the feed listed as failed", i, res.Report)
				}
			}
			st, err := e.store.FeedState(e.ctx, "gazette")
			if err != nil {
				t.Fatal(err)
			}
			if st.Failures != 2 || !strings.Contains(st.LastError, tt.wantReason) || !st.FailingSince.Equal(e.clock.Now().Add(-10*time.Minute)) {
				t.Errorf("feed state = %+v, want 2 failures since the first failed poll", st)
			}
			if got := e.failures("gazette", tt.wantCode); got != 2 {
				t.Errorf("failure metric %s = %v, want 2", tt.wantCode, got)
			}
			after := e.articles()
			if len(after) != len(before) {
				t.Fatalf("stored articles went from %d to %d", len(before), len(after))
			}
			for i := range after {
				if after[i].ID != before[i].ID || after[i].Text != before[i].Text {
					t.Errorf("article %d changed after a failed poll", after[i].ID)
				}
			}

			// The feed comes back: the failure record is cleared.
			if tt.doc.delay != nil {
				close(tt.doc.delay)
			}
			serveFixtures(t, srv)
			e.clock.Advance(10 * time.Minute)
			res, err := e.in.PollFeed(e.ctx, src)
			if err != nil {
				t.Fatalf("recovery poll: %v", err)
			}
			if res.Previous.Failures != 2 || res.State.Failures != 0 || !res.State.FailingSince.IsZero() || res.State.LastError != "" {
				t.Errorf("recovery: previous %+v, now %+v; want the failures cleared", res.Previous, res.State)
			}
		})
	}
}

func TestPollFeedRepairsInvalidUTF8(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	srv := newFeedServer(t)
	feed := fixture(t, "atom.xml", srv.URL)
	// Latin-1 bytes in a document declared as UTF-8, and a control character XML forbids.
	feed = bytes.Replace(feed, []byte("Engineers who spent"), []byte("Engineers \xe9\xe8 who\x0b spent"), 1)
	srv.set("/atom.xml", "application/atom+xml", feed)
	res, err := e.in.PollFeed(e.ctx, Source{Name: "courier", Feed: srv.URL + "/atom.xml", AllowPrivate: true, FetchPage: FetchNever})
	if err != nil {
		t.Fatal(err)
	}
	if res.Backlog != 2 {
		t.Fatalf("report = %+v, want both entries stored", res.Report)
	}
	dam := e.byHeadline("Dam inspection finds no cracks")
	if !utf8.ValidString(dam.Text) || !strings.Contains(dam.Text, "Engineers \uFFFD who spent") {
		t.Errorf("text not repaired: %q", dam.Text[:60])
	}
}

func TestPollFeedRefusesBadItemsAndKeepsTheRest(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	srv := newFeedServer(t)
	srv.set("/rss.xml", "application/rss+xml", []byte(`<?xml version="1.0"?>
<rss version="2.0"><channel><title>Mixed</title>
<item><title>Only a title, a dead link and no text</title><link>`+srv.URL+`/gone</link></item>
<item></item>
<item><title>A proper item</title><link>`+srv.URL+`/ok</link><description>`+strings.Repeat("Word after word of a proper article. ", 30)+`</description></item>
</channel></rss>`))
	res, err := e.in.PollFeed(e.ctx, Source{Name: "mixed", Feed: srv.URL + "/rss.xml", AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Backlog != 1 || res.Failed != 2 {
		t.Fatalf("report = %+v, want 1 stored and 2 refused", res.Report)
	}
	if !strings.Contains(res.Failures[0].Reason, "HTTP 404") || !strings.Contains(res.Failures[1].Reason, "no title, text or link") {
		t.Errorf("reasons = %+v", res.Failures)
	}
	if e.count() != 1 {
		t.Errorf("stored %d, want 1", e.count())
	}
}

func TestFetchPageModes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mode      FetchPage
		wantPages int // page fetches for the RSS fixture's three items
	}{
		{FetchNever, 0},
		{FetchAuto, 1},   // only the summary-only item
		{FetchAlways, 3}, // every item (two pages are missing: the feed's text is kept)
	}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			e := newEnv(t, Options{})
			srv := newFeedServer(t)
			serveFixtures(t, srv)
			res, err := e.in.IngestFeed(e.ctx, Source{Name: "gazette", Feed: srv.URL + "/rss.xml", AllowPrivate: true, FetchPage: tt.mode})
			if err != nil {
				t.Fatal(err)
			}
			pages := srv.hitCount("/articles/rail-strike") + srv.hitCount("/articles/sea-wall") + srv.hitCount("/articles/library-hours")
			if pages != tt.wantPages {
				t.Errorf("fetched %d pages, want %d", pages, tt.wantPages)
			}
			if res.New != 3 || res.Failed != 0 {
				t.Errorf("report = %+v, want 3 new", res)
			}
			rail := e.byHeadline("Rail strike called off after late-night talks")
			if fromPage := strings.Contains(rail.Text, "Helen Marsh"); fromPage != (tt.mode != FetchNever) {
				t.Errorf("rail strike text from the page = %v:\n%s", fromPage, rail.Text)
			}
		})
	}
}

func TestIngestFeedNamesTheSourceAfterTheFeed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	srv := newFeedServer(t)
	serveFixtures(t, srv)
	rep, err := e.in.IngestFeed(e.ctx, Source{Feed: srv.URL + "/atom.xml", AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.New != 2 {
		t.Fatalf("report = %+v", rep)
	}
	if got := e.byHeadline("Dam inspection finds no cracks").Source; got != "Valley Courier" {
		t.Errorf("source = %q, want the feed's title", got)
	}
	// Running it again adds nothing.
	rep, err = e.in.IngestFeed(e.ctx, Source{Feed: srv.URL + "/atom.xml", AllowPrivate: true})
	if err != nil || rep.New != 0 || rep.Duplicates != 2 {
		t.Errorf("second run: %+v, %v; want 2 duplicates", rep, err)
	}
}

func TestSummaryDetection(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("The council met and talked about the budget again. ", 20)
	tests := []struct {
		name string
		text string
		want bool
	}{
		{"no text", "", true},
		{"a one-line summary", "Union and operator reach a deal hours before the walkout.", true},
		{"a whole article", long, false},
		{"a long text cut off with an ellipsis", long + "And then…", true},
		{"a long text ending in read more", long + "Read more »", true},
		{"a long text with the WordPress footer", long + "The post Budget talks appeared first on Northport Gazette.", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := looksLikeSummary(tt.text); got != tt.want {
				t.Errorf("looksLikeSummary = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestItemArticleRefusesItemsWithNothingToStore(t *testing.T) {
	t.Parallel()
	_, err := ItemArticle(nil, nil, "x")
	if err == nil {
		t.Error("a nil item was accepted")
	}
	feed, err := ParseFeed([]byte(`<rss version="2.0"><channel><title>t</title><item><guid isPermaLink="true">https://Example.com:443/a?utm_source=x#top</guid><description>Text.</description></item><item><guid>not-a-link</guid></item></channel></rss>`))
	if err != nil {
		t.Fatal(err)
	}
	a, err := ItemArticle(feed.Items[0], nil, "x")
	if err != nil || a.URL != "https://example.com/a" || a.Text != "Text." {
		t.Errorf("permalink GUID item: %+v, %v; want its GUID as the canonical URL", a, err)
	}
	if _, err := ItemArticle(feed.Items[1], nil, "x"); err == nil || !strings.Contains(err.Error(), "no title, text or link") {
		t.Errorf("empty item: err = %v", err)
	}
}

func TestParseFeedRefusalsMatchTheirCodes(t *testing.T) {
	t.Parallel()
	_, err := ParseFeed([]byte("hello"))
	var r *refusal
	if !errors.As(err, &r) || r.code != "malformed_feed" {
		t.Errorf("err = %v, want a malformed_feed refusal", err)
	}
}

func TestHTMLText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"paragraphs", "<p>One\n two.</p><p>Three.</p>", "One two.\n\nThree."},
		{"entities", "Fish &amp; chips &#8220;hot&#8221;", "Fish & chips \u201chot\u201d"},
		{"scripts and styles dropped", "<style>p{}</style><p>Text</p><script>x()</script>", "Text"},
		{"line breaks", "a<br>b<br/><br/>c", "a b\n\nc"},
		{"plain text keeps its paragraphs", "First line\nwrapped.\n\nSecond.", "First line wrapped.\n\nSecond."},
		{"broken markup", "<p>Open <b>bold <i>never closed", "Open bold never closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := htmlText(tt.in); got != tt.want {
				t.Errorf("htmlText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
