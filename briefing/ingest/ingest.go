// Package ingest turns outside input into stored articles: RSS and Atom feeds polled over HTTP,
// folders of article files, and articles POSTed to the HTTP API.
//
// Every article goes the same way: its URL is made canonical, its text repaired (valid UTF-8, no
// binary junk), its date settled (none → the time it was first seen), its content hashed, its
// quotes extracted once, and then it is saved; the store deduplicates by canonical URL and
// content hash and links near-duplicates across sources into one story. Bad input is refused
// item by item, with a logged and counted reason, and never stops the rest.
package ingest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
	"github.com/briefbot/briefbot/internal/metrics"
)

// Saver is what ingest needs of the store.
type Saver interface {
	SaveArticle(ctx context.Context, a *briefing.Article) (store.SaveResult, error)
	// FeedState returns store.ErrNotFound (or a zero state) for a source never polled.
	FeedState(ctx context.Context, source string) (store.FeedState, error)
	PutFeedState(ctx context.Context, st store.FeedState) error
}

// Defaults of Options and Source fields left zero.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultFeedMaxBytes = 10 << 20
	DefaultMaxBytes     = briefing.DefaultMaxBytes // one file, article page or API request body
	DefaultUserAgent    = "briefbot/1.0 (+https://github.com/briefbot/briefbot)"
	// DefaultAPISource names articles POSTed without a source.
	DefaultAPISource = "api"
	// MaxRedirects is how many redirects one fetch follows.
	MaxRedirects = 5
)

// Options configure an Ingester. Every field may be left zero.
type Options struct {
	// Now is the clock; time.Now when nil.
	Now     func() time.Time
	Logger  *slog.Logger
	Metrics *metrics.Metrics
	// HTTPClient makes the outbound fetches. When its Transport is an *http.Transport (or nil),
	// ingest uses a clone of it whose dialer refuses private-network addresses for sources that
	// do not allow them; any other RoundTripper is used as it is, and only URLs naming a private
	// IP literally are refused. Redirects are always limited to MaxRedirects.
	HTTPClient *http.Client
	UserAgent  string
	// Analyze extracts quotes, speakers and the lede of an article before it is stored;
	// briefing.Analyze with its default options when nil. It is called from several goroutines
	// at once.
	Analyze func(*briefing.Article)
	// MaxBytes caps one file, one article page and one API request body; DefaultMaxBytes when 0.
	// A Source's MaxBytes, when set, caps its own pages and files instead.
	MaxBytes int64
	// FeedMaxBytes caps one feed document, for sources that set no MaxBytes.
	FeedMaxBytes int64
	// Timeout bounds one HTTP request, for sources that set no Timeout.
	Timeout time.Duration
	// PrivateAddressFix tells, in a refusal of a private-network address, how to allow it;
	// DefaultPrivateAddressFix (the configuration's allow_private) when "".
	PrivateAddressFix string
}

// DefaultPrivateAddressFix is how a refusal of a private-network address says to allow it.
const DefaultPrivateAddressFix = "set allow_private on the source to fetch it"

// Ingester reads articles from feeds, files and HTTP requests into a store. It is safe for
// concurrent use.
type Ingester struct {
	st       Saver
	now      func() time.Time
	log      *slog.Logger
	metrics  *metrics.Metrics
	analyze  func(*briefing.Article)
	fetch    *fetcher
	maxBytes int64
	feedMax  int64
	timeout  time.Duration
	seen     *seenItems
}

// New returns an Ingester saving into st.
func New(st Saver, opts Options) *Ingester {
	in := &Ingester{
		st:       st,
		now:      opts.Now,
		log:      opts.Logger,
		metrics:  opts.Metrics,
		analyze:  opts.Analyze,
		maxBytes: opts.MaxBytes,
		feedMax:  opts.FeedMaxBytes,
		timeout:  opts.Timeout,
		seen:     newSeenItems(),
	}
	if in.now == nil {
		in.now = time.Now
	}
	if in.log == nil {
		in.log = slog.New(slog.DiscardHandler)
	}
	if in.analyze == nil {
		in.analyze = defaultAnalyze
	}
	if in.maxBytes <= 0 {
		in.maxBytes = DefaultMaxBytes
	}
	if in.feedMax <= 0 {
		in.feedMax = DefaultFeedMaxBytes
	}
	if in.timeout <= 0 {
		in.timeout = DefaultTimeout
	}
	ua := opts.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	in.fetch = newFetcher(opts.HTTPClient, ua, in.log)
	in.fetch.privateFix = cmp.Or(opts.PrivateAddressFix, DefaultPrivateAddressFix)
	return in
}

// Status is what became of one item.
type Status string

const (
	StatusNew       Status = "new"
	StatusUpdated   Status = "updated"
	StatusDuplicate Status = "duplicate"
	// StatusBacklog: stored by the first poll of a feed, which records the feed's back catalogue
	// without counting it as news.
	StatusBacklog Status = "backlog"
	StatusRefused Status = "refused"
)

// Result is what became of one item.
type Result struct {
	// Item names the item: a file path (with ":LINE" for a .jsonl line), a feed item's link, or
	// "#INDEX" for an API item.
	Item    string
	Status  Status
	ID      int64
	StoryID int64
	// Reason says why an item was refused.
	Reason string

	retry bool // refused for a reason that may pass (the store failed)
}

// Report sums up an ingest run.
type Report struct {
	New, Updated, Duplicates int
	// Backlog counts items stored by the first poll of a feed (see StatusBacklog).
	Backlog int
	Failed  int
	// Failures lists the refused items with their reasons, in the order met.
	Failures []Failure
	// Skipped lists files left alone on purpose (an extension that is not an article format, a
	// hidden file), which are not failures.
	Skipped []Failure
}

// Failure is one refused (or skipped) item and why.
type Failure struct {
	Item   string
	Reason string
}

// Total counts the items that were read, refused ones included.
func (r *Report) Total() int { return r.New + r.Updated + r.Duplicates + r.Backlog + r.Failed }

// Add adds one item's result to the report.
func (r *Report) Add(res Result) {
	switch res.Status {
	case StatusNew:
		r.New++
	case StatusUpdated:
		r.Updated++
	case StatusDuplicate:
		r.Duplicates++
	case StatusBacklog:
		r.Backlog++
	default:
		r.Failed++
		r.Failures = append(r.Failures, Failure{Item: res.Item, Reason: res.Reason})
	}
}

// Merge adds another report's counts and lists to r.
func (r *Report) Merge(o Report) {
	r.New += o.New
	r.Updated += o.Updated
	r.Duplicates += o.Duplicates
	r.Backlog += o.Backlog
	r.Failed += o.Failed
	r.Failures = append(r.Failures, o.Failures...)
	r.Skipped = append(r.Skipped, o.Skipped...)
}

// String is the one-line summary: "3 new, 1 updated, 0 duplicates, 1 failed".
func (r Report) String() string {
	s := fmt.Sprintf("%d new, %d updated, %d duplicates, %d failed", r.New, r.Updated, r.Duplicates, r.Failed)
	if r.Backlog > 0 {
		s += fmt.Sprintf(", %d recorded as backlog", r.Backlog)
	}
	return s
}

// refusal is an error whose message is meant for the person reading a report, with a short
// snake_case code for metrics.
type refusal struct {
	code string
	msg  string
	err  error // the cause, may be nil
}

func (r *refusal) Error() string { return r.msg }
func (r *refusal) Unwrap() error { return r.err }

// refuse returns a refusal with code and a message formatted like fmt.Errorf (%w wraps).
func refuse(code, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &refusal{code: code, msg: err.Error(), err: errors.Unwrap(err)}
}

// reasonCode classifies err for the ingest failure metric.
func reasonCode(err error) string {
	var r *refusal
	switch {
	case errors.As(err, &r):
		return r.code
	case errors.Is(err, ErrPrivateAddress):
		return "private_address"
	case errors.Is(err, briefing.ErrTooLarge):
		return "too_large"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, briefing.ErrUnsupportedFormat):
		return "unsupported_format"
	}
	return "error"
}

// reasonText is err's message for a report: package prefixes, which say nothing to a reader of
// a report, are dropped.
func reasonText(err error) string {
	s := err.Error()
	for _, p := range []string{"ingest: ", "briefing: ", "store: "} {
		s = strings.TrimPrefix(s, p)
	}
	return s
}

// saveOptions say how one article is saved.
type saveOptions struct {
	source  string // the configured source (metrics, logs) and the name of an article that names none
	item    string // names the item in results and logs
	backlog bool   // the first poll of a feed: a new article counts as backlog
}

// save settles an article's fields (URL, text, date, hash), analyses it and stores it. It never
// panics on bad input: whatever cannot be repaired is refused with a reason.
func (in *Ingester) save(ctx context.Context, a *briefing.Article, so saveOptions) Result {
	res, ok := in.ready(a, so)
	if !ok {
		return res
	}
	sr, err := in.st.SaveArticle(ctx, a)
	return in.saved(ctx, res, a, so, sr, err)
}

// ready prepares and analyses an article for the store; ok is false (and res says why) when it
// is refused.
func (in *Ingester) ready(a *briefing.Article, so saveOptions) (res Result, ok bool) {
	res = Result{Item: so.item}
	if err := in.prepare(a, so.source); err != nil {
		return in.refused(res, so.source, err), false
	}
	in.analyze(a)
	return res, true
}

// saved turns what the store did with a ready article into its result, and counts it.
func (in *Ingester) saved(ctx context.Context, res Result, a *briefing.Article, so saveOptions, sr store.SaveResult, err error) Result {
	switch {
	case errors.Is(err, store.ErrTooLarge):
		return in.refused(res, so.source, &refusal{code: "too_large", msg: reasonText(err), err: err})
	case errors.Is(err, store.ErrInvalidArticle):
		return in.refused(res, so.source, &refusal{code: "bad_item", msg: reasonText(err), err: err})
	case err != nil:
		// The database failed: the item may be stored on a later try.
		res.retry = true
		return in.refused(res, so.source, refuse("store_error", "%w", err))
	}
	res.ID, res.StoryID = sr.ID, sr.StoryID
	switch sr.Status {
	case store.Saved:
		res.Status = StatusNew
		if so.backlog {
			res.Status = StatusBacklog
		}
	case store.Updated:
		res.Status = StatusUpdated
	case store.Duplicate:
		res.Status = StatusDuplicate
	default:
		return in.refused(res, so.source, refuse("store_error", "store: unknown save status %q", sr.Status))
	}
	// Metrics are labelled with the configured source, never the outlet an article names: a
	// folder or the API may carry any number of outlets, and each would be a new series.
	in.metrics.ArticleIngested(so.source, string(res.Status), len(a.Quotes))
	in.log.LogAttrs(ctx, slog.LevelDebug, "article ingested",
		slog.String("source", so.source), slog.String("article_source", a.Source), slog.String("item", so.item),
		slog.String("status", string(res.Status)), slog.Int64("article_id", sr.ID),
		slog.Int("quotes", len(a.Quotes)))
	return res
}

// refused records a refused item: logged, counted, and returned with its reason.
func (in *Ingester) refused(res Result, source string, err error) Result {
	res.Status = StatusRefused
	res.Reason = reasonText(err)
	in.fail(source, res.Item, err)
	return res
}

// fail logs and counts one failure.
func (in *Ingester) fail(source, item string, err error) {
	code := reasonCode(err)
	in.metrics.IngestFailed(source, code)
	in.log.LogAttrs(context.Background(), slog.LevelWarn, "ingest refused",
		slog.String("source", source), slog.String("item", item),
		slog.String("reason", code), slog.String("err", err.Error()))
}

// prepare settles the fields every stored article must have, repairing what can be repaired.
func (in *Ingester) prepare(a *briefing.Article, source string) error {
	now := in.now().UTC()
	if a.Source == "" {
		a.Source = source
	}
	a.Source = cleanLine(a.Source)
	if a.URL != "" {
		u, err := CanonicalURL(a.URL)
		if err != nil {
			return refuse("bad_url", "url %q: %w", clip(a.URL, 200), err)
		}
		a.URL = u
	}
	if err := repairText(a); err != nil {
		return err
	}
	a.Headline = cleanLine(a.Headline)
	if strings.TrimSpace(a.Body()) == "" {
		return refuse("no_content", "no article text")
	}
	a.FirstSeen = now
	switch {
	case a.Published.IsZero():
		a.Published = now
	case a.Published.After(now):
		// A date in the future is a time-zone or clock mistake at the source; left as it is, the
		// article would sit at the top of every briefing until that time comes.
		a.Published = now
	default:
		a.Published = a.Published.UTC()
	}
	a.Hash = briefing.ContentHash(a.Body())
	return nil
}

// repairText makes an article's text storable: binary data is refused; invalid UTF-8 is replaced
// by U+FFFD and NUL bytes dropped, keeping BodyStart on the same place in the text.
func repairText(a *briefing.Article) error {
	if looksBinary(a.Text) {
		return refuse("binary", "binary data, not text")
	}
	if utf8.ValidString(a.Text) && strings.IndexByte(a.Text, 0) < 0 {
		return nil
	}
	start := a.BodyStart
	if start < 0 || start > len(a.Text) {
		start = 0
	}
	head, body := repairString(a.Text[:start]), repairString(a.Text[start:])
	a.Text, a.BodyStart = head+body, len(head)
	return nil
}

func repairString(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// looksBinary reports whether s reads as binary data rather than text: NUL bytes or many control
// characters near its start, or mostly invalid UTF-8.
func looksBinary(s string) bool {
	sample := s
	if len(sample) > 8192 {
		sample = sample[:8192]
	}
	if sample == "" {
		return false
	}
	var nul, ctrl, bad int
	for i := 0; i < len(sample); {
		r, size := utf8.DecodeRuneInString(sample[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			bad++
		case r == 0:
			nul++
		case r < 0x20 && r != '\n' && r != '\r' && r != '\t' && r != '\f':
			ctrl++
		}
		i += size
	}
	n := len(sample)
	return nul*100 > n || (nul+ctrl)*10 > n || bad*3 > n
}

// cleanLine makes a one-line display string: valid UTF-8, no control characters, single spaces.
func cleanLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// clip shortens s to at most n bytes for a message, on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
