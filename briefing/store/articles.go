package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefing"
)

const (
	// MaxTextBytes is the largest article text the store accepts.
	MaxTextBytes = 8 << 20
	// maxFieldBytes bounds the headline, source, URL and lede.
	maxFieldBytes = 64 << 10
	// maxQuotes bounds the quotes of one article.
	maxQuotes = 2000
	// NearDuplicateWindow is how far apart in published time two articles may be and still be
	// linked as copies of one story.
	NearDuplicateWindow = 72 * time.Hour
)

// articleRow is an article ready to store: cleaned, validated, hashed, fingerprinted and its
// analysis encoded.
type articleRow struct {
	source, sourceKey string
	url               any // string, or nil when unknown
	headline, text    string
	bodyStart         int
	lede              string
	published         time.Time
	publishedSet      bool // the article came with a published time
	firstSeen         time.Time
	hash              string
	fingerprint       uint64
	shingles          []uint64 // of the body, to compare with near-duplicate candidates
	analysis          []byte   // the quotes and speakers, encoded
	speakerKeys       []string // name key and surname key of each speaker, in pairs
	terms             string   // SQLite: what the full-text index holds (see terms.go)
}

func (s *sqlStore) SaveArticle(ctx context.Context, a *briefing.Article) (SaveResult, error) {
	rs, err := s.SaveArticles(ctx, []*briefing.Article{a})
	if err != nil {
		return SaveResult{}, err
	}
	return rs[0], rs[0].Err
}

func (s *sqlStore) SaveArticles(ctx context.Context, articles []*briefing.Article) ([]SaveResult, error) {
	results := make([]SaveResult, len(articles))
	rows := make([]*articleRow, len(articles))
	// Cleaning, hashing, fingerprinting and encoding take no lock: they run on every core while
	// the transaction stores the articles prepared before.
	prepared := make([]chan struct{}, len(articles))
	for i := range prepared {
		prepared[i] = make(chan struct{})
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	workers := min(runtime.GOMAXPROCS(0), (len(articles)+15)/16)
	for wk := range workers {
		wg.Go(func() {
			var tm *termMaker
			if !s.pg {
				tm = s.terms.get()
				defer s.terms.put(tm)
			}
			for i := wk; i < len(articles); i += workers {
				a := articles[i]
				row, err := s.prepareArticle(a, tm)
				if err != nil {
					results[i].Err = fmt.Errorf("store: save article %q: %w", shorten(a.Headline, 80), err)
				}
				rows[i] = row
				close(prepared[i])
			}
		})
	}
	var committed []recentArticle
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		w := newBatchTx(tx)
		defer w.close()
		near, err := s.newNearIndex(ctx, w, s.publishedTimes(articles))
		if err != nil {
			return err
		}
		var pre *prefetched
		if len(near.spans) > 0 && (s.pg || s.r != s.w) { // (not with one connection for all)
			pre = &prefetched{m: map[int64]recentArticle{}}
			pctx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() {
				defer close(done)
				s.prefetch(pctx, near, rows, prepared, pre)
			}()
			defer func() { stop(); <-done }()
		}
		for i := range rows {
			<-prepared[i]
			row := rows[i]
			if row == nil {
				continue
			}
			r, err := s.saveArticle(ctx, w, near, pre, row)
			if err != nil {
				return fmt.Errorf("%q: %w", shorten(row.headline, 80), err)
			}
			results[i] = r
		}
		if err := w.flushFTS(ctx); err != nil {
			return err
		}
		committed = w.recent
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: save articles: %w", err)
	}
	wg.Wait()
	if s.ckpt != nil {
		s.ckpt.request()
	}
	s.recent.add(committed)
	for i, a := range articles {
		if results[i].Err != nil {
			continue
		}
		a.ID, a.StoryID = results[i].ID, results[i].StoryID
		if a.Hash == "" {
			a.Hash = rows[i].hash
		}
		s.log.Debug("store: saved article", "article_id", results[i].ID, "story_id", results[i].StoryID, "status", string(results[i].Status), "url", a.URL)
	}
	return results, nil
}

// publishedTimes returns when the articles were published, roughly (before cleaning), in unix
// microseconds: what the near-duplicate lookups are planned by.
func (s *sqlStore) publishedTimes(articles []*briefing.Article) []int64 {
	times := make([]int64, 0, len(articles))
	for _, a := range articles {
		t := a.Published
		if t.IsZero() {
			t = cmp.Or(a.FirstSeen, s.now())
		}
		times = append(times, t.UnixMicro())
	}
	return times
}

// prepareArticle validates a and turns it into what the tables hold (with SQLite, tm makes the
// search terms). Text is stored as given, except that invalid UTF-8 bytes become '?' and NUL
// bytes spaces: the same lengths, so that quote offsets stay true.
func (s *sqlStore) prepareArticle(a *briefing.Article, tm *termMaker) (*articleRow, error) {
	if len(a.Text) > MaxTextBytes {
		return nil, fmt.Errorf("%w: the text is %.1f MB; the limit is %d MB", ErrTooLarge, float64(len(a.Text))/(1<<20), MaxTextBytes>>20)
	}
	for _, f := range []struct{ name, value string }{{"headline", a.Headline}, {"source", a.Source}, {"url", a.URL}, {"lede", a.Lede}} {
		if len(f.value) > maxFieldBytes {
			return nil, fmt.Errorf("%w: the %s is %d bytes; the limit is %d", ErrTooLarge, f.name, len(f.value), maxFieldBytes)
		}
	}
	if len(a.Quotes) > maxQuotes {
		return nil, fmt.Errorf("%w: %d quotes; the limit is %d", ErrTooLarge, len(a.Quotes), maxQuotes)
	}
	row := &articleRow{
		source:    cleanText(strings.TrimSpace(a.Source)),
		headline:  cleanText(strings.TrimSpace(a.Headline)),
		text:      cleanText(a.Text),
		bodyStart: a.BodyStart,
		lede:      cleanText(a.Lede),
		hash:      a.Hash,
	}
	if row.headline == "" && strings.TrimSpace(row.text) == "" {
		return nil, fmt.Errorf("%w: no headline and no text", ErrInvalidArticle)
	}
	if row.bodyStart < 0 || row.bodyStart > len(row.text) {
		return nil, fmt.Errorf("%w: body start %d is outside the text (%d bytes)", ErrInvalidArticle, row.bodyStart, len(row.text))
	}
	row.sourceKey = sourceKey(row.source)
	if u := cleanText(strings.TrimSpace(a.URL)); u != "" {
		row.url = u
	}
	row.firstSeen = a.FirstSeen
	if row.firstSeen.IsZero() {
		row.firstSeen = s.now()
	}
	row.firstSeen = row.firstSeen.UTC().Truncate(time.Microsecond)
	row.published, row.publishedSet = a.Published.UTC().Truncate(time.Microsecond), !a.Published.IsZero()
	if !row.publishedSet {
		row.published = row.firstSeen
	}

	quotes := make([]briefing.Quote, len(a.Quotes))
	for i, q := range a.Quotes {
		if q.End > 0 && (q.Start < 0 || q.Start > q.End || q.End > len(row.text)) {
			return nil, fmt.Errorf("%w: quote %d spans bytes %d..%d, outside the text (%d bytes)", ErrInvalidArticle, i+1, q.Start, q.End, len(row.text))
		}
		q.Text, q.Speaker, q.SpeakerTitle, q.Cue = cleanText(q.Text), cleanText(q.Speaker), cleanText(q.SpeakerTitle), cleanText(q.Cue)
		quotes[i] = q
	}
	speakers := articleSpeakers(a.Speakers, quotes)
	// PostgreSQL keeps each quote's text in the analysis: a briefing reads the quotes without
	// the article's text, which stays out of the row (see the schema).
	row.analysis = encodeAnalysis(row.text, quotes, speakers, !s.pg)
	row.speakerKeys = make([]string, 0, 2*len(speakers))
	for _, sp := range speakers {
		key := speakerKey(sp.Name)
		row.speakerKeys = append(row.speakerKeys, key, surnameKey(key))
	}

	body := row.text[row.bodyStart:]
	if row.hash == "" {
		row.hash = briefing.ContentHash(body)
	}
	row.fingerprint, row.shingles = briefing.FingerprintShingles(body)
	if tm != nil {
		row.terms = tm.indexTerms(row.headline, row.text)
	}
	return row, nil
}

// articleSpeakers returns the article's speakers and, after them, anyone its quotes name that
// the list lacks.
func articleSpeakers(listed []briefing.Speaker, quotes []briefing.Quote) []briefing.Speaker {
	var out []briefing.Speaker
	index := map[string]int{}
	for _, sp := range listed {
		sp.Name, sp.Title = cleanText(strings.TrimSpace(sp.Name)), cleanText(sp.Title)
		k := speakerKey(sp.Name)
		if k == "" {
			continue
		}
		if _, dup := index[k]; dup {
			continue
		}
		index[k] = len(out)
		out = append(out, sp)
	}
	listedCount := len(out)
	for _, q := range quotes {
		k := speakerKey(q.Speaker)
		if k == "" {
			continue
		}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, briefing.Speaker{Name: strings.TrimSpace(q.Speaker), Title: q.SpeakerTitle})
		}
		if i >= listedCount {
			out[i].Quotes++
		}
	}
	return out
}

// saveArticle deduplicates and stores one article inside the batch's transaction.
func (s *sqlStore) saveArticle(ctx context.Context, w *batchTx, near *nearIndex, pre *prefetched, row *articleRow) (SaveResult, error) {
	for attempt := 0; ; attempt++ {
		// The same canonical URL: the same article, perhaps updated.
		if row.url != nil {
			var (
				id, story, timeKey int64
				hash               string
			)
			err := w.queryRow(ctx, `SELECT id, coalesce(story_id, id), hash, `+s.timeKeyColumn()+` FROM articles WHERE url = $1`, row.url).Scan(&id, &story, &hash, &timeKey)
			switch {
			case err == nil && hash == row.hash:
				return SaveResult{ID: id, StoryID: story, Status: Duplicate}, nil
			case err == nil:
				if err := s.updateArticle(ctx, w, near, id, timeKey, row); err != nil {
					return SaveResult{}, err
				}
				w.remember(recentArticle{id: id, story: story, shingles: row.shingles})
				return SaveResult{ID: id, StoryID: story, Status: Updated}, nil
			case !errors.Is(err, sql.ErrNoRows):
				return SaveResult{}, fmt.Errorf("look up url: %w", err)
			}
		}
		// The same content under another URL (or none).
		var id, story int64
		err := w.queryRow(ctx, `SELECT id, coalesce(story_id, id) FROM articles WHERE hash = $1 ORDER BY id LIMIT 1`, row.hash).Scan(&id, &story)
		if err == nil {
			return SaveResult{ID: id, StoryID: story, Status: Duplicate}, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return SaveResult{}, fmt.Errorf("look up hash: %w", err)
		}

		copyOf, err := s.nearDuplicate(ctx, w, near, pre, row)
		if err != nil {
			return SaveResult{}, err
		}
		id, timeKey, err := s.insertArticle(ctx, w, row, copyOf)
		if errors.Is(err, sql.ErrNoRows) && attempt == 0 {
			continue // another replica stored this URL a moment ago: it is now a duplicate or an update
		}
		if err != nil {
			return SaveResult{}, err
		}
		if err := s.insertSpeakers(ctx, w, id, row); err != nil {
			return SaveResult{}, err
		}
		if !s.pg {
			w.indexText(timeKey, row)
		}
		near.add(id, row)
		story = id
		if copyOf.Valid {
			story = copyOf.Int64
		}
		w.remember(recentArticle{id: id, story: story, shingles: row.shingles})
		return SaveResult{ID: id, StoryID: story, Status: Saved}, nil
	}
}

// timeKeyColumn is the SQL of an article's time key: SQLite's full-text index is keyed by it;
// PostgreSQL has none.
func (s *sqlStore) timeKeyColumn() string {
	if s.pg {
		return "0"
	}
	return "time_key"
}

// insertArticle inserts row and returns its id and time key, or sql.ErrNoRows when its URL is
// taken.
func (s *sqlStore) insertArticle(ctx context.Context, w *batchTx, row *articleRow, story sql.NullInt64) (id, timeKey int64, err error) {
	args := []any{story, row.source, row.sourceKey, row.url, row.headline, row.text, row.bodyStart, row.lede, row.analysis,
		s.ts(row.published), s.ts(row.firstSeen), s.ts(s.now()), row.hash, int64(row.fingerprint)}
	const columns = `story_id, source, source_key, url, headline, text, body_start, lede, analysis,
		published, first_seen, updated_at, hash, fingerprint`
	if s.pg {
		err = w.queryRow(ctx, `INSERT INTO articles (`+columns+`, speaker_keys)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
			ON CONFLICT (url) DO NOTHING RETURNING id`, append(args, speakerKeySet(row.speakerKeys))...).Scan(&id)
	} else {
		if timeKey, err = nextTimeKey(ctx, w, row.published); err != nil {
			return 0, 0, err
		}
		// OR IGNORE rather than ON CONFLICT: a statement that cannot abort half-way needs no
		// statement journal (a copy of every page it changes). The time key is this writer's
		// own, so the URL is the only thing that can be taken.
		err = w.queryRow(ctx, `INSERT OR IGNORE INTO articles (`+columns+`, time_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
			RETURNING id`, append(args, timeKey)...).Scan(&id)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, 0, fmt.Errorf("insert article: %w", err)
	}
	return id, timeKey, err
}

// updateArticle replaces a stored article's content (and its quotes and speakers) in place,
// keeping its id, story and first-seen time.
func (s *sqlStore) updateArticle(ctx context.Context, w *batchTx, near *nearIndex, id, oldTimeKey int64, row *articleRow) error {
	var published any
	if row.publishedSet {
		published = s.ts(row.published)
	}
	var newPublished timeCol
	var stored time.Time
	newPublished.t = &stored
	query := `UPDATE articles SET source = $1, source_key = $2, headline = $3, text = $4, body_start = $5,
		lede = $6, analysis = $7, published = coalesce($8, published), updated_at = $9, hash = $10, fingerprint = $11`
	args := []any{row.source, row.sourceKey, row.headline, row.text, row.bodyStart, row.lede, row.analysis, published, s.ts(s.now()),
		row.hash, int64(row.fingerprint)}
	if s.pg {
		query += `, speaker_keys = $12`
		args = append(args, speakerKeySet(row.speakerKeys))
	}
	err := w.queryRow(ctx, query+fmt.Sprintf(` WHERE id = $%d RETURNING published`, len(args)+1), append(args, id)...).Scan(newPublished)
	if err != nil {
		return fmt.Errorf("update article %d: %w", id, err)
	}
	if !s.pg {
		// The time key follows the published time's second.
		timeKey := oldTimeKey
		if timeKeyFloor(oldTimeKey) != timeKeyBase(stored) {
			if timeKey, err = nextTimeKey(ctx, w, stored); err != nil {
				return fmt.Errorf("update article %d: %w", id, err)
			}
			if _, err := w.exec(ctx, `UPDATE articles SET time_key = $1 WHERE id = $2`, timeKey, id); err != nil {
				return fmt.Errorf("update article %d: %w", id, err)
			}
		}
		w.unindexText(oldTimeKey)
		w.indexText(timeKey, row)
		if _, err := w.exec(ctx, `DELETE FROM speakers WHERE article_id = $1`, id); err != nil {
			return fmt.Errorf("update article %d: %w", id, err)
		}
		if err := s.insertSpeakers(ctx, w, id, row); err != nil {
			return fmt.Errorf("update article %d: %w", id, err)
		}
	}
	updated := *row
	updated.published = stored
	near.add(id, &updated)
	return nil
}

// speakerKeySet returns the distinct keys of pairs (name key and surname key of each speaker),
// sorted: PostgreSQL's articles.speaker_keys.
func speakerKeySet(pairs []string) []string {
	keys := slices.Clone(pairs)
	slices.Sort(keys)
	return slices.Compact(keys)
}

// insertSpeakers stores the keys of an article's speakers, many rows to a statement, in SQLite's
// speakers table (PostgreSQL keeps them in the article's row).
func (s *sqlStore) insertSpeakers(ctx context.Context, w *batchTx, id int64, row *articleRow) error {
	if s.pg {
		return nil
	}
	const chunk = 200
	n := len(row.speakerKeys) / 2
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		args := make([]any, 0, (end-start)*4)
		for i := start; i < end; i++ {
			args = append(args, id, i, row.speakerKeys[2*i], row.speakerKeys[2*i+1])
		}
		// The article is new or its speakers were deleted: nothing can conflict, and a statement
		// that cannot abort half-way needs no statement journal.
		query := `INSERT OR IGNORE INTO speakers (article_id, seq, name_key, surname_key) VALUES ` + valuesList(end-start, 4)
		if _, err := w.exec(ctx, query, args...); err != nil {
			return fmt.Errorf("insert speakers: %w", err)
		}
	}
	return nil
}

// valuesList returns "($1, $2), ($3, $4)" for rows of cols placeholders.
func valuesList(rows, cols int) string {
	var b strings.Builder
	n := 1
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d", n)
			n++
		}
		b.WriteByte(')')
	}
	return b.String()
}

func (s *sqlStore) Article(ctx context.Context, id int64) (*briefing.Article, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+articleColumns("a.text")+` FROM articles a WHERE a.id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("store: article %d: %w", id, err)
	}
	arts, err := scanArticles(rows, nil, false)
	if err != nil {
		return nil, fmt.Errorf("store: article %d: %w", id, err)
	}
	if len(arts) == 0 {
		return nil, fmt.Errorf("store: article %d: %w", id, ErrNotFound)
	}
	return &arts[0], nil
}

// articleColumns are the columns scanArticles reads, of articles a, with text the SQL of the
// article's text.
func articleColumns(text string) string {
	return `a.id, coalesce(a.story_id, a.id), a.source, coalesce(a.url, ''), a.headline, ` + text + `,
	a.body_start, a.lede, a.analysis, a.published, a.first_seen, a.hash`
}

// scanArticles reads rows of articleColumns and, when keys is not nil, one more column: an
// int64 appended to keys for each row. withoutText empties the text of the articles that have a
// lede (see Query.WithoutText).
func scanArticles(rows *sql.Rows, keys *[]int64, withoutText bool) ([]briefing.Article, error) {
	defer rows.Close()
	var out []briefing.Article
	var analysis sql.RawBytes // decoded before the next row
	var key int64
	for rows.Next() {
		var a briefing.Article
		dest := []any{&a.ID, &a.StoryID, &a.Source, &a.URL, &a.Headline, &a.Text, &a.BodyStart, &a.Lede,
			&analysis, timeCol{&a.Published}, timeCol{&a.FirstSeen}, &a.Hash}
		if keys != nil {
			dest = append(dest, &key)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		var err error
		if a.Quotes, a.Speakers, err = decodeAnalysis(analysis, a.Text); err != nil {
			return nil, fmt.Errorf("article %d: %w", a.ID, err)
		}
		if withoutText && strings.TrimSpace(a.Lede) != "" {
			a.Text = ""
		}
		out = append(out, a)
		if keys != nil {
			*keys = append(*keys, key)
		}
	}
	return out, rows.Err()
}

// cleanText makes s storable in both databases without changing its length: each byte of an
// invalid UTF-8 sequence becomes '?', and each NUL a space.
func cleanText(s string) string {
	if utf8.ValidString(s) && !strings.ContainsRune(s, 0) {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, '?')
		case r == 0:
			b = append(b, ' ')
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return string(b)
}

// shorten cuts s to at most n runes, for messages.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// sortArticles orders articles newest first, and articles published at the same time by id,
// highest first: the order Search returns.
func sortArticles(arts []briefing.Article) {
	slices.SortFunc(arts, func(a, b briefing.Article) int {
		if c := b.Published.Compare(a.Published); c != 0 {
			return c
		}
		return int(min(max(b.ID-a.ID, -1), 1))
	})
}
