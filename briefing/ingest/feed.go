package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html/charset"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
)

// FetchPage says when the web page of a feed item is fetched and read instead of the text the
// feed carries.
type FetchPage string

const (
	// FetchAuto fetches the page when the item carries only a summary: no content, a short one,
	// or one cut off with "…" or "Read more".
	FetchAuto FetchPage = "auto"
	// FetchAlways fetches the page of every item.
	FetchAlways FetchPage = "always"
	// FetchNever uses what the feed carries.
	FetchNever FetchPage = "never"
)

// summaryWords is the length under which FetchAuto takes an item's text for a summary.
const summaryWords = 120

// Source is a feed polled over HTTP or a folder scanned for article files.
type Source struct {
	// Name labels the source's articles and keys its feed state.
	Name string
	// Feed is the URL of an RSS, Atom or JSON Feed; Path a folder or file. Exactly one is set.
	Feed string
	Path string
	// Every is how often the source is polled; DefaultEvery when 0.
	Every     time.Duration
	FetchPage FetchPage
	// AllowPrivate lets the source's URLs (feed, redirects, article pages) resolve to
	// private-network addresses.
	AllowPrivate bool
	// Timeout bounds one request. MaxBytes caps one feed document or page, or one file of a
	// folder (one line of a .jsonl file); when 0, a feed document has Options.FeedMaxBytes, and
	// a page or a file Options.MaxBytes.
	Timeout  time.Duration
	MaxBytes int64
}

// DefaultEvery is how often a source with no Every is polled.
const DefaultEvery = 10 * time.Minute

// Validate reports a source that cannot be polled, naming the field and the fix.
func (s Source) Validate() error {
	switch {
	case s.Name == "":
		return errors.New("ingest: source has no name")
	case s.Feed == "" && s.Path == "":
		return fmt.Errorf("ingest: source %q: set feed (the URL of an RSS, Atom or JSON Feed) or path (a folder)", s.Name)
	case s.Feed != "" && s.Path != "":
		return fmt.Errorf("ingest: source %q: set feed or path, not both", s.Name)
	case s.Every < 0:
		return fmt.Errorf("ingest: source %q: every must be positive", s.Name)
	}
	switch s.FetchPage {
	case "", FetchAuto, FetchAlways, FetchNever:
	default:
		return fmt.Errorf("ingest: source %q: fetch_page %q: want auto, always or never", s.Name, s.FetchPage)
	}
	if s.Feed != "" {
		u, err := url.Parse(s.Feed)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("ingest: source %q: feed %q is not an http or https URL", s.Name, s.Feed)
		}
	}
	return nil
}

// withDefaults fills the zero fields of a source from the ingester's options.
func (in *Ingester) withDefaults(s Source) Source {
	if s.Every <= 0 {
		s.Every = DefaultEvery
	}
	if s.FetchPage == "" {
		s.FetchPage = FetchAuto
	}
	if s.Timeout <= 0 {
		s.Timeout = in.timeout
	}
	return s
}

func (in *Ingester) feedMaxBytes(s Source) int64 {
	if s.MaxBytes > 0 {
		return s.MaxBytes
	}
	return in.feedMax
}

func (in *Ingester) pageMaxBytes(s Source) int64 {
	if s.MaxBytes > 0 {
		return s.MaxBytes
	}
	return in.maxBytes
}

// PollResult is what one poll of a feed did.
type PollResult struct {
	Report
	// NotModified: the server answered 304, the feed is unchanged since the last poll.
	NotModified bool
	// FirstPoll: this was the feed's first successful poll; its items were recorded as backlog.
	FirstPoll bool
	// State is the feed's state after the poll, as saved.
	State store.FeedState
	// Previous is the feed's state before the poll.
	Previous store.FeedState
}

// PollFeed polls a feed once, with its saved state: a conditional GET (ETag, Last-Modified),
// its items stored, and the outcome recorded (a failure counts towards the source's backoff and
// its failing time). The first successful poll of a feed stores its items as backlog (see
// StatusBacklog). It returns an error when the feed could not be fetched or parsed, or its
// state not saved; refused items are only listed in the report.
func (in *Ingester) PollFeed(ctx context.Context, src Source) (PollResult, error) {
	if err := src.Validate(); err != nil {
		return PollResult{}, err
	}
	if src.Feed == "" {
		return PollResult{}, fmt.Errorf("ingest: source %q is not a feed", src.Name)
	}
	src = in.withDefaults(src)
	prev, err := in.loadState(ctx, src)
	if err != nil {
		return PollResult{}, fmt.Errorf("ingest: poll %s: %w", src.Name, err)
	}
	st := prev
	now := in.now().UTC()
	st.LastPoll = now
	res := PollResult{Previous: prev, FirstPoll: !prev.Polled}

	resp, feed, err := in.fetchFeed(ctx, src, st.ETag, st.LastModified)
	if err != nil {
		if ctx.Err() != nil {
			// Shutting down is not the feed's fault.
			return res, fmt.Errorf("ingest: poll %s: %w", src.Name, ctx.Err())
		}
		return in.pollFailed(ctx, "poll", src, src.Feed, res, st, err)
	}

	complete := true
	if resp.NotModified {
		res.NotModified = true
		res.FirstPoll = false
		if resp.ETag != "" {
			st.ETag = resp.ETag
		}
	} else {
		var rep Report
		rep, complete = in.ingestItems(ctx, src, feed, resp.URL, itemOptions{backlog: !prev.Polled, remember: true})
		res.Report = rep
		if complete {
			// Remember the validators only once every item was handled: after a store failure
			// the next poll must fetch the feed again rather than hear "not modified".
			st.ETag, st.LastModified = resp.ETag, resp.LastModified
		}
	}
	if complete {
		st.Polled = true
	}
	if prev.Failures > 0 {
		in.log.Info("ingest: source recovered", "source", src.Name, "failures", prev.Failures,
			"failing_for", now.Sub(prev.FailingSince).Round(time.Second).String())
	}
	return in.pollSucceeded(ctx, "poll", src, res, st)
}

// IngestFeed fetches a feed once and stores its items, without feed state: no conditional GET,
// no backlog, no backoff (`briefbot ingest URL`). src.Name may be empty: the feed's title is
// used.
func (in *Ingester) IngestFeed(ctx context.Context, src Source) (Report, error) {
	src = in.withDefaults(src)
	var rep Report
	resp, feed, err := in.fetchFeed(ctx, src, "", "")
	if err != nil {
		in.fail(src.Name, src.Feed, err)
		rep.Add(Result{Item: src.Feed, Status: StatusRefused, Reason: reasonText(err)})
		return rep, fmt.Errorf("ingest: feed %s: %w", src.Feed, err)
	}
	if src.Name == "" {
		src.Name = feedName(feed, resp.URL)
	}
	rep, _ = in.ingestItems(ctx, src, feed, resp.URL, itemOptions{})
	return rep, ctx.Err()
}

func (in *Ingester) loadState(ctx context.Context, src Source) (store.FeedState, error) {
	st, err := in.st.FeedState(ctx, src.Name)
	if errors.Is(err, store.ErrNotFound) {
		st, err = store.FeedState{}, nil
	}
	if err != nil {
		return st, fmt.Errorf("load feed state: %w", err)
	}
	if st.URL != location(src) {
		// A new source, or the source now points elsewhere: start afresh (a new feed's first
		// poll records its back catalogue too), keeping the failure record.
		st = store.FeedState{Failures: st.Failures, FailingSince: st.FailingSince, LastError: st.LastError,
			LastPoll: st.LastPoll}
	}
	st.Source, st.URL = src.Name, location(src)
	return st, nil
}

// pollFailed ends a poll of src (op is "poll" for a feed, "scan" for a folder) that failed on
// item, the feed's URL or the folder's path: the failure is logged, listed as refused, and
// counted in the source's saved state st towards its backoff and failing time.
func (in *Ingester) pollFailed(ctx context.Context, op string, src Source, item string, res PollResult, st store.FeedState, err error) (PollResult, error) {
	in.fail(src.Name, item, err)
	res.Add(Result{Item: item, Status: StatusRefused, Reason: reasonText(err)})
	st.Failures++
	if st.FailingSince.IsZero() {
		st.FailingSince = st.LastPoll
	}
	st.LastError = reasonText(err)
	res.State = st
	return res, errors.Join(fmt.Errorf("ingest: %s %s: %w", op, src.Name, err), in.putState(ctx, st))
}

// pollSucceeded ends a successful poll of src (op as for pollFailed): the source's failures are
// forgotten and its state st saved.
func (in *Ingester) pollSucceeded(ctx context.Context, op string, src Source, res PollResult, st store.FeedState) (PollResult, error) {
	st.LastSuccess = st.LastPoll
	st.Failures, st.FailingSince, st.LastError = 0, time.Time{}, ""
	res.State = st
	if err := in.putState(ctx, st); err != nil {
		return res, fmt.Errorf("ingest: %s %s: %w", op, src.Name, err)
	}
	return res, nil
}

func (in *Ingester) putState(ctx context.Context, st store.FeedState) error {
	// The outcome of a poll is recorded even when the poller is shutting down.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := in.st.PutFeedState(ctx, st); err != nil {
		return fmt.Errorf("save feed state: %w", err)
	}
	return nil
}

// fetchFeed fetches and parses a feed document; feed is nil when the server answered 304.
func (in *Ingester) fetchFeed(ctx context.Context, src Source, etag, lastModified string) (*fetchResponse, *gofeed.Feed, error) {
	resp, err := in.fetch.get(ctx, fetchRequest{
		URL:          src.Feed,
		AllowPrivate: src.AllowPrivate,
		Timeout:      src.Timeout,
		MaxBytes:     in.feedMaxBytes(src),
		What:         "feed",
		Accept:       "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
		ETag:         etag,
		LastModified: lastModified,
	})
	if err != nil || resp.NotModified {
		return resp, nil, err
	}
	feed, err := ParseFeed(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	return resp, feed, nil
}

// ParseFeed parses an RSS, Atom or JSON Feed document with gofeed. Invalid UTF-8 and control
// characters in a document declared as UTF-8 are repaired first; a document the parser cannot
// read is refused with the parser's reason. It never panics.
func ParseFeed(data []byte) (feed *gofeed.Feed, err error) {
	defer func() {
		if r := recover(); r != nil {
			feed, err = nil, refuse("malformed_feed", "malformed feed: the parser failed (%v)", r)
		}
	}()
	data = repairFeedText(data)
	feed, err = gofeed.NewParser().Parse(bytes.NewReader(data))
	switch {
	case errors.Is(err, gofeed.ErrFeedTypeNotDetected):
		return nil, refuse("malformed_feed", "not an RSS, Atom or JSON feed")
	case err != nil:
		return nil, refuse("malformed_feed", "malformed feed: %s", clip(err.Error(), 300))
	case feed == nil:
		return nil, refuse("malformed_feed", "malformed feed: no feed in the document")
	}
	return feed, nil
}

var xmlEncoding = regexp.MustCompile(`(?i)^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']`)

// repairFeedText makes a document declared as UTF-8 (or not declared) valid: invalid sequences
// become U+FFFD and control characters XML forbids are dropped. A document in another declared
// encoding is left to the parser's charset conversion.
func repairFeedText(data []byte) []byte {
	head := data
	if len(head) > 512 {
		head = head[:512]
	}
	if m := xmlEncoding.FindSubmatch(head); m != nil {
		if enc := strings.ToLower(string(m[1])); enc != "utf-8" && enc != "utf8" {
			return data
		}
	}
	bad := !utf8.Valid(data)
	if !bad {
		bad = bytes.ContainsFunc(data, isForbiddenControl)
	}
	if !bad {
		return data
	}
	data = bytes.ToValidUTF8(data, []byte("\uFFFD"))
	return bytes.Map(func(r rune) rune {
		if isForbiddenControl(r) {
			return -1
		}
		return r
	}, data)
}

func isForbiddenControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF
}

// feedName names a feed's articles when the source gives no name: the feed's title, else the
// host it came from.
func feedName(feed *gofeed.Feed, feedURL string) string {
	if t := cleanLine(htmlText(feed.Title)); t != "" {
		return clip(t, 100)
	}
	if u, err := url.Parse(feedURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "feed"
}

// itemOptions say how the items of one feed document are ingested.
type itemOptions struct {
	backlog  bool // the feed's first poll
	remember bool // skip items unchanged since the last poll, and remember this poll's items
}

// ingestItems stores the items of a feed document. complete is false when an item could not be
// stored for a reason that may pass (the store failed, or ctx was cancelled), so the next poll
// must see the items again.
func (in *Ingester) ingestItems(ctx context.Context, src Source, feed *gofeed.Feed, feedURL string, opts itemOptions) (rep Report, complete bool) {
	base, _ := url.Parse(feedURL)
	complete = true
	current := make(map[string]string, len(feed.Items))
	for i, item := range feed.Items {
		if ctx.Err() != nil {
			return rep, false
		}
		if item == nil {
			continue
		}
		key, sig := itemKey(item, base, i), itemSignature(item)
		if opts.remember && in.seen.unchanged(src.Name, key, sig) {
			// Unchanged since the last poll: already stored, and its page need not be fetched
			// again.
			current[key] = sig
			rep.Add(Result{Item: key, Status: StatusDuplicate})
			in.metrics.ArticleIngested(src.Name, string(StatusDuplicate), 0)
			continue
		}
		res := in.ingestItem(ctx, src, item, base, key, opts.backlog)
		rep.Add(res)
		switch {
		case res.Status != StatusRefused:
			current[key] = sig
		case ctx.Err() != nil || res.retry:
			complete = false
		}
	}
	if opts.remember && complete {
		in.seen.replace(src.Name, current)
	}
	return rep, complete
}

// ingestItem turns one feed item into an article, fetching its page when the source asks for
// it, and saves it.
func (in *Ingester) ingestItem(ctx context.Context, src Source, item *gofeed.Item, base *url.URL, key string, backlog bool) Result {
	a, err := ItemArticle(item, base, src.Name)
	if err != nil {
		return in.refused(Result{Item: key}, src.Name, err)
	}
	if a.URL != "" && wantPage(src.FetchPage, a.Text) {
		page, err := in.fetchPage(ctx, src, a.URL)
		switch {
		case err != nil && a.Text == "":
			return in.refused(Result{Item: key}, src.Name, fmt.Errorf("the item has no text and its page could not be read: %w", err))
		case err != nil:
			// The feed's summary is still worth storing.
			in.metrics.IngestFailed(src.Name, "page_"+reasonCode(err))
			in.log.Warn("ingest: article page not read, storing the feed's text", "source", src.Name,
				"url", a.URL, "reason", reasonCode(err), "err", err.Error())
		case len(page.Body()) >= len(a.Text):
			a.Text, a.BodyStart = page.Text, page.BodyStart
			if a.Headline == "" {
				a.Headline = page.Headline
			}
			if a.Published.IsZero() {
				a.Published = page.Published
			}
		}
	}
	return in.save(ctx, a, saveOptions{source: src.Name, item: key, backlog: backlog})
}

// wantPage reports whether an item's page should be read, given the text the feed carries.
func wantPage(mode FetchPage, text string) bool {
	switch mode {
	case FetchNever:
		return false
	case FetchAlways:
		return true
	}
	return looksLikeSummary(text)
}

var readMore = regexp.MustCompile(`(?i)(…|\.\.\.|\[…\]|\[\.\.\.\]|read more|continue reading|read the full (story|article)|the post .* appeared first on .*)\s*\W*\s*$`)

// looksLikeSummary reports whether a feed item's text is a summary rather than the article:
// empty, shorter than summaryWords words, or cut off with an ellipsis or a "Read more" link.
func looksLikeSummary(text string) bool {
	if len(strings.Fields(text)) < summaryWords {
		return true
	}
	tail := text
	if len(tail) > 200 {
		tail = tail[len(tail)-200:]
	}
	return readMore.MatchString(tail)
}

// fetchPage fetches an item's web page and reduces it to the article's text with readability.
func (in *Ingester) fetchPage(ctx context.Context, src Source, pageURL string) (*briefing.Article, error) {
	max := in.pageMaxBytes(src)
	resp, err := in.fetch.get(ctx, fetchRequest{
		URL: pageURL, AllowPrivate: src.AllowPrivate, Timeout: src.Timeout, MaxBytes: max,
		What: "page", Accept: "text/html, application/xhtml+xml;q=0.9, */*;q=0.1",
	})
	if err != nil {
		return nil, err
	}
	return pageArticle(resp.Body, resp.ContentType, resp.URL, src.Name, max)
}

// pageArticle reads an HTML page into an article: its charset converted to UTF-8, binary data
// and non-HTML documents refused.
func pageArticle(body []byte, contentType, pageURL, source string, maxBytes int64) (*briefing.Article, error) {
	mt := mediaType(contentType)
	if mt == "" {
		mt = mediaType(http.DetectContentType(body))
	}
	if mt != "text/html" && mt != "application/xhtml+xml" {
		return nil, refuse("not_html", "page is not HTML (%s)", mt)
	}
	r, err := charset.NewReader(bytes.NewReader(body), contentType)
	if err != nil {
		return nil, refuse("bad_charset", "page charset: %v", err)
	}
	text, err := io.ReadAll(io.LimitReader(r, 4*maxBytes))
	if err != nil {
		return nil, refuse("bad_charset", "page charset: %v", err)
	}
	if looksBinary(string(text)) {
		return nil, refuse("binary", "page is binary data, not HTML")
	}
	a, err := briefing.ArticleFromHTML(text, pageURL, briefing.ReadOptions{MaxBytes: len(text) + 1, Source: source})
	if err != nil {
		return nil, refuse("no_content", "page: %s", reasonText(err))
	}
	return a, nil
}

// ItemArticle converts a feed item to an article (without fetching anything): the headline from
// its title, the URL from its link (resolved against base and made canonical; the GUID when it is
// a permalink), the time it was published (or updated), the text of its content (or summary)
// reduced from HTML. Text may be empty when the item carries none. It never panics.
func ItemArticle(item *gofeed.Item, base *url.URL, source string) (*briefing.Article, error) {
	if item == nil {
		return nil, refuse("bad_item", "empty feed item")
	}
	a := &briefing.Article{
		Source:   source,
		Headline: cleanLine(htmlText(item.Title)),
		URL:      itemLink(item, base),
	}
	switch {
	case item.PublishedParsed != nil:
		a.Published = item.PublishedParsed.UTC()
	case item.UpdatedParsed != nil:
		a.Published = item.UpdatedParsed.UTC()
	}
	a.Text = htmlText(strings.ToValidUTF8(item.Content, "\uFFFD"))
	if a.Text == "" {
		a.Text = htmlText(strings.ToValidUTF8(item.Description, "\uFFFD"))
	}
	if a.Headline == "" && a.Text == "" && a.URL == "" {
		return nil, refuse("bad_item", "feed item has no title, text or link")
	}
	return a, nil
}

// itemLink returns an item's canonical link, "" when it has none that is an http(s) URL.
func itemLink(item *gofeed.Item, base *url.URL) string {
	candidates := append([]string{item.Link}, item.Links...)
	candidates = append(candidates, item.GUID)
	for _, c := range candidates {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		u, err := url.Parse(c)
		if err != nil {
			continue
		}
		if base != nil && c != item.GUID {
			u = base.ResolveReference(u)
		}
		if link, err := CanonicalURL(u.String()); err == nil {
			return link
		}
	}
	return ""
}

// itemKey identifies an item across polls: its link, else its GUID, else a hash of its title.
func itemKey(item *gofeed.Item, base *url.URL, index int) string {
	if link := itemLink(item, base); link != "" {
		return link
	}
	if g := strings.TrimSpace(item.GUID); g != "" {
		return "guid:" + clip(g, 200)
	}
	if t := cleanLine(item.Title); t != "" {
		return "title:" + clip(t, 200)
	}
	return fmt.Sprintf("item #%d", index+1)
}

// itemSignature changes when an item's content changes.
func itemSignature(item *gofeed.Item) string {
	h := sha256.New()
	for _, s := range []string{item.Title, item.Link, item.Content, item.Description, item.Published, item.Updated} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// seenItems remembers, per source, the items of the last poll and their signatures, so an
// unchanged item is neither fetched nor analysed again. It holds only the current items of each
// feed.
type seenItems struct {
	mu      sync.Mutex
	sources map[string]map[string]string
}

func newSeenItems() *seenItems { return &seenItems{sources: map[string]map[string]string{}} }

func (s *seenItems) unchanged(source, key, sig string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.sources[source][key]
	return ok && old == sig
}

func (s *seenItems) replace(source string, items map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sources[source] = items
}
