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

// articleRow is an article ready to store: cleaned, validated, hashed and fingerprinted.
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
	quotes            []briefing.Quote
	speakers          []briefing.Speaker
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
	// Hashing and fingerprinting take no lock: they run on every core before the transaction.
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), (len(articles)+15)/16)
	for wk := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := wk; i < len(articles); i += workers {
				a := articles[i]
				row, err := s.prepareArticle(a)
				if err != nil {
					results[i].Err = fmt.Errorf("store: save article %q: %w", shorten(a.Headline, 80), err)
					continue
				}
				rows[i] = row
			}
		}()
	}
	wg.Wait()
	var committed []recentArticle
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		w := newBatchTx(tx)
		defer w.close()
		for i, row := range rows {
			if row == nil {
				continue
			}
			r, err := s.saveArticle(ctx, w, row)
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

// prepareArticle validates a and turns it into what the tables hold. Text is stored as given,
// except that invalid UTF-8 bytes become '?' and NUL bytes spaces: the same lengths, so that
// quote offsets stay true.
func (s *sqlStore) prepareArticle(a *briefing.Article) (*articleRow, error) {
	if len(a.Text) > MaxTextBytes {
		return nil, fmt.Errorf("%w: the text is %.1f MB; the limit is %d MB", ErrTooLarge, float64(len(a.Text))/(1<<20), MaxTextBytes>>20)
	}
	for name, v := range map[string]string{"headline": a.Headline, "source": a.Source, "url": a.URL, "lede": a.Lede} {
		if len(v) > maxFieldBytes {
			return nil, fmt.Errorf("%w: the %s is %d bytes; the limit is %d", ErrTooLarge, name, len(v), maxFieldBytes)
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

	row.quotes = make([]briefing.Quote, len(a.Quotes))
	for i, q := range a.Quotes {
		if q.End > 0 && (q.Start < 0 || q.Start > q.End || q.End > len(row.text)) {
			return nil, fmt.Errorf("%w: quote %d spans bytes %d..%d, outside the text (%d bytes)", ErrInvalidArticle, i+1, q.Start, q.End, len(row.text))
		}
		q.Text, q.Speaker, q.SpeakerTitle, q.Cue = cleanText(q.Text), cleanText(q.Speaker), cleanText(q.SpeakerTitle), cleanText(q.Cue)
		row.quotes[i] = q
	}
	row.speakers = articleSpeakers(a.Speakers, row.quotes)

	body := row.text[row.bodyStart:]
	if row.hash == "" {
		row.hash = briefing.ContentHash(body)
	}
	row.fingerprint = briefing.Fingerprint(body)
	if row.fingerprint != 0 {
		row.shingles = briefing.Shingles(body)
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
func (s *sqlStore) saveArticle(ctx context.Context, w *batchTx, row *articleRow) (SaveResult, error) {
	for attempt := 0; ; attempt++ {
		// The same canonical URL: the same article, perhaps updated.
		if row.url != nil {
			var (
				id, story int64
				hash      string
			)
			err := w.queryRow(ctx, `SELECT id, coalesce(story_id, id), hash FROM articles WHERE url = $1`, row.url).Scan(&id, &story, &hash)
			switch {
			case err == nil && hash == row.hash:
				return SaveResult{ID: id, StoryID: story, Status: Duplicate}, nil
			case err == nil:
				if err := s.updateArticle(ctx, w, id, row); err != nil {
					return SaveResult{}, err
				}
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

		copyOf, err := s.nearDuplicate(ctx, w, row)
		if err != nil {
			return SaveResult{}, err
		}
		id, err = s.insertArticle(ctx, w, row, copyOf)
		if errors.Is(err, sql.ErrNoRows) && attempt == 0 {
			continue // another replica stored this URL a moment ago: it is now a duplicate or an update
		}
		if err != nil {
			return SaveResult{}, err
		}
		if err := s.insertAnalysis(ctx, w, id, row); err != nil {
			return SaveResult{}, err
		}
		if !s.pg {
			w.fts = append(w.fts, ftsWrite{id: id, headline: row.headline, text: row.text})
		}
		story = id
		if copyOf.Valid {
			story = copyOf.Int64
		}
		w.recent = append(w.recent, recentArticle{id: id, story: story, shingles: row.shingles})
		return SaveResult{ID: id, StoryID: story, Status: Saved}, nil
	}
}

// fingerprintBands splits a fingerprint into the eight 8-bit bands it is indexed under. Two
// fingerprints within 7 bits of each other share at least one band, and those a few bits further
// apart nearly always do (99% of edited copies in the BBC corpus).
func fingerprintBands(fp uint64) [8]any {
	var b [8]any
	if fp == 0 {
		return b // NULLs: no fingerprint
	}
	for i := range b {
		b[i] = int64(fp >> (8 * i) & 0xff)
	}
	return b
}

// nearDuplicate returns the story of a stored copy of row's text, if any: among the articles
// published within NearDuplicateWindow that share a fingerprint band, those within
// briefing.NearDuplicateDistance bits are candidates, closest first, and the first whose body is
// at least briefing.NearDuplicateSimilarity alike is the copy.
func (s *sqlStore) nearDuplicate(ctx context.Context, w *batchTx, row *articleRow) (sql.NullInt64, error) {
	if row.fingerprint == 0 {
		return sql.NullInt64{}, nil
	}
	type candidate struct {
		id   int64
		dist int
	}
	var cands []candidate
	bands := fingerprintBands(row.fingerprint)
	var q strings.Builder
	args := make([]any, 0, 10)
	for i, b := range bands {
		if i > 0 {
			q.WriteString(" UNION ALL ")
		}
		args = append(args, b)
		// Each branch reads only its band's index, which holds the fingerprint.
		fmt.Fprintf(&q, "SELECT id, fingerprint FROM articles WHERE band%d = $%d AND published BETWEEN $9 AND $10", i, len(args))
	}
	args = append(args, s.ts(row.published.Add(-NearDuplicateWindow)), s.ts(row.published.Add(NearDuplicateWindow)))
	rows, err := w.query(ctx, q.String(), args...)
	if err != nil {
		return sql.NullInt64{}, fmt.Errorf("look up near-duplicates: %w", err)
	}
	seen := map[int64]bool{}
	for rows.Next() {
		var c candidate
		var fp int64
		if err := rows.Scan(&c.id, &fp); err != nil {
			rows.Close()
			return sql.NullInt64{}, fmt.Errorf("look up near-duplicates: %w", err)
		}
		c.dist = briefing.FingerprintDistance(row.fingerprint, uint64(fp))
		if c.dist <= briefing.NearDuplicateDistance && !seen[c.id] {
			seen[c.id] = true
			cands = append(cands, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return sql.NullInt64{}, fmt.Errorf("look up near-duplicates: %w", err)
	}
	slices.SortFunc(cands, func(a, b candidate) int { return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(a.id, b.id)) })
	for _, c := range cands[:min(len(cands), 5)] {
		var (
			story, start int64
			text         string
		)
		shingles, story, ok := s.recent.get(c.id)
		if !ok {
			if err := w.queryRow(ctx, `SELECT coalesce(story_id, id), body_start, text FROM articles WHERE id = $1`, c.id).Scan(&story, &start, &text); err != nil {
				return sql.NullInt64{}, fmt.Errorf("look up near-duplicate %d: %w", c.id, err)
			}
			if start < 0 || start > int64(len(text)) {
				start = 0
			}
			shingles = briefing.Shingles(text[start:])
		}
		if sim := briefing.Similarity(row.shingles, shingles); sim >= briefing.NearDuplicateSimilarity {
			s.log.Debug("store: near-duplicate", "story_id", story, "of_article", c.id, "distance", c.dist, "similarity", sim)
			return sql.NullInt64{Int64: story, Valid: true}, nil
		}
	}
	return sql.NullInt64{}, nil
}

// insertArticle inserts row and returns its id, or sql.ErrNoRows when its URL is taken.
func (s *sqlStore) insertArticle(ctx context.Context, w *batchTx, row *articleRow, story sql.NullInt64) (int64, error) {
	b := fingerprintBands(row.fingerprint)
	var id int64
	err := w.queryRow(ctx, `INSERT INTO articles (story_id, source, source_key, url, headline, text, body_start, lede,
		published, first_seen, updated_at, hash, fingerprint, band0, band1, band2, band3, band4, band5, band6, band7)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
		ON CONFLICT (url) DO NOTHING RETURNING id`,
		story, row.source, row.sourceKey, row.url, row.headline, row.text, row.bodyStart, row.lede,
		s.ts(row.published), s.ts(row.firstSeen), s.ts(s.now()), row.hash, int64(row.fingerprint),
		b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]).Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("insert article: %w", err)
	}
	return id, err
}

// updateArticle replaces a stored article's content (and its quotes and speakers) in place,
// keeping its id, story and first-seen time.
func (s *sqlStore) updateArticle(ctx context.Context, w *batchTx, id int64, row *articleRow) error {
	if !s.pg {
		f := ftsWrite{id: id, replace: true, headline: row.headline, text: row.text}
		if err := w.queryRow(ctx, `SELECT headline, search_text FROM articles WHERE id = $1`, id).Scan(&f.oldHeadline, &f.oldText); err != nil {
			return fmt.Errorf("update article %d: %w", id, err)
		}
		w.fts = append(w.fts, f)
	}
	var published any
	if row.publishedSet {
		published = s.ts(row.published)
	}
	b := fingerprintBands(row.fingerprint)
	_, err := w.exec(ctx, `UPDATE articles SET source = $1, source_key = $2, headline = $3, text = $4, body_start = $5,
		lede = $6, published = coalesce($7, published), updated_at = $8, hash = $9, fingerprint = $10,
		band0 = $11, band1 = $12, band2 = $13, band3 = $14, band4 = $15, band5 = $16, band6 = $17, band7 = $18
		WHERE id = $19`,
		row.source, row.sourceKey, row.headline, row.text, row.bodyStart, row.lede, published, s.ts(s.now()),
		row.hash, int64(row.fingerprint), b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], id)
	if err != nil {
		return fmt.Errorf("update article %d: %w", id, err)
	}
	for _, table := range []string{"quotes", "speakers"} {
		if _, err := w.exec(ctx, `DELETE FROM `+table+` WHERE article_id = $1`, id); err != nil {
			return fmt.Errorf("update article %d: %w", id, err)
		}
	}
	return s.insertAnalysis(ctx, w, id, row)
}

// insertAnalysis stores an article's quotes and speakers, many rows to a statement.
func (s *sqlStore) insertAnalysis(ctx context.Context, w *batchTx, id int64, row *articleRow) error {
	const chunk = 200
	for start := 0; start < len(row.quotes); start += chunk {
		end := min(start+chunk, len(row.quotes))
		args := make([]any, 0, (end-start)*11)
		for i := start; i < end; i++ {
			q := row.quotes[i]
			args = append(args, id, i, q.Text, q.Start, q.End, q.Speaker, q.SpeakerTitle, q.Cue, q.Partial, q.Key, q.Score)
		}
		query := `INSERT INTO quotes (article_id, seq, text, start_offset, end_offset, speaker, speaker_title, cue, is_partial, is_key, score) VALUES ` + valuesList(end-start, 11)
		if _, err := w.exec(ctx, query, args...); err != nil {
			return fmt.Errorf("insert quotes: %w", err)
		}
	}
	for start := 0; start < len(row.speakers); start += chunk {
		end := min(start+chunk, len(row.speakers))
		args := make([]any, 0, (end-start)*7)
		for i := start; i < end; i++ {
			sp := row.speakers[i]
			key := speakerKey(sp.Name)
			args = append(args, id, i, sp.Name, sp.Title, sp.Quotes, key, surnameKey(key))
		}
		query := `INSERT INTO speakers (article_id, seq, name, title, quotes, name_key, surname_key) VALUES ` + valuesList(end-start, 7)
		if _, err := w.exec(ctx, query, args...); err != nil {
			return fmt.Errorf("insert speakers: %w", err)
		}
	}
	return nil
}

// valuesList returns "($1, $2), ($3, $4)" for rows of cols placeholders.
func valuesList(rows, cols int) string {
	var b strings.Builder
	n := 0
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			n++
			fmt.Fprintf(&b, "$%d", n)
		}
		b.WriteByte(')')
	}
	return b.String()
}

func (s *sqlStore) Article(ctx context.Context, id int64) (*briefing.Article, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+articleColumns+` FROM articles a WHERE a.id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("store: article %d: %w", id, err)
	}
	arts, err := scanArticles(rows)
	if err != nil {
		return nil, fmt.Errorf("store: article %d: %w", id, err)
	}
	if len(arts) == 0 {
		return nil, fmt.Errorf("store: article %d: %w", id, ErrNotFound)
	}
	if err := s.loadAnalysis(ctx, arts); err != nil {
		return nil, fmt.Errorf("store: article %d: %w", id, err)
	}
	return &arts[0], nil
}

const articleColumns = `a.id, coalesce(a.story_id, a.id), a.source, coalesce(a.url, ''), a.headline, a.text,
	a.body_start, a.lede, a.published, a.first_seen, a.hash`

func scanArticles(rows *sql.Rows) ([]briefing.Article, error) {
	defer rows.Close()
	var out []briefing.Article
	for rows.Next() {
		var a briefing.Article
		if err := rows.Scan(&a.ID, &a.StoryID, &a.Source, &a.URL, &a.Headline, &a.Text, &a.BodyStart, &a.Lede,
			timeCol{&a.Published}, timeCol{&a.FirstSeen}, &a.Hash); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// loadAnalysis fills the quotes and speakers of articles.
func (s *sqlStore) loadAnalysis(ctx context.Context, arts []briefing.Article) error {
	const chunk = 500
	for start := 0; start < len(arts); start += chunk {
		part := arts[start:min(start+chunk, len(arts))]
		byID := make(map[int64]*briefing.Article, len(part))
		ids := make([]any, len(part))
		for i := range part {
			byID[part[i].ID] = &part[i]
			ids[i] = part[i].ID
		}
		in := valuesList(1, len(ids)) // ($1, …, $n)
		rows, err := s.r.QueryContext(ctx, `SELECT article_id, text, start_offset, end_offset, speaker, speaker_title, cue,
			is_partial, is_key, score FROM quotes WHERE article_id IN `+in+` ORDER BY article_id, seq`, ids...)
		if err != nil {
			return fmt.Errorf("load quotes: %w", err)
		}
		for rows.Next() {
			var (
				id int64
				q  briefing.Quote
			)
			if err := rows.Scan(&id, &q.Text, &q.Start, &q.End, &q.Speaker, &q.SpeakerTitle, &q.Cue, &q.Partial, &q.Key, &q.Score); err != nil {
				rows.Close()
				return fmt.Errorf("load quotes: %w", err)
			}
			a := byID[id]
			a.Quotes = append(a.Quotes, q)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("load quotes: %w", err)
		}
		rows, err = s.r.QueryContext(ctx, `SELECT article_id, name, title, quotes FROM speakers WHERE article_id IN `+in+` ORDER BY article_id, seq`, ids...)
		if err != nil {
			return fmt.Errorf("load speakers: %w", err)
		}
		for rows.Next() {
			var (
				id int64
				sp briefing.Speaker
			)
			if err := rows.Scan(&id, &sp.Name, &sp.Title, &sp.Quotes); err != nil {
				rows.Close()
				return fmt.Errorf("load speakers: %w", err)
			}
			a := byID[id]
			a.Speakers = append(a.Speakers, sp)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("load speakers: %w", err)
		}
	}
	return nil
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

// batchTx is the transaction that saves a batch of articles. It prepares each statement once (a
// batch runs the same few statements hundreds of times) and, with SQLite, holds back the
// full-text index writes for flushFTS to apply last.
type batchTx struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	fts   []ftsWrite
	// recent are the articles inserted, for the store's cache once the transaction commits.
	recent []recentArticle
}

// ftsWrite indexes an article in SQLite's FTS5 table, first removing its old version if any.
type ftsWrite struct {
	id                   int64
	replace              bool
	oldHeadline, oldText string // the indexed values to remove (search_text)
	headline, text       string
}

// flushFTS applies the held-back full-text index writes. FTS5 writes its pending terms to disk
// at every statement savepoint; written after every other statement of the batch, they are
// written once.
func (c *batchTx) flushFTS(ctx context.Context) error {
	for _, f := range c.fts {
		if f.replace {
			if _, err := c.exec(ctx, `INSERT INTO articles_fts (articles_fts, rowid, headline, search_text) VALUES ('delete', $1, $2, $3)`,
				f.id, f.oldHeadline, f.oldText); err != nil {
				return fmt.Errorf("update full-text index: %w", err)
			}
		}
		// The same expression as articles.search_text.
		if _, err := c.exec(ctx, `INSERT INTO articles_fts (rowid, headline, search_text) VALUES ($1, $2, substr($3, 1, 100000))`,
			f.id, f.headline, f.text); err != nil {
			return fmt.Errorf("update full-text index: %w", err)
		}
	}
	c.fts = c.fts[:0]
	return nil
}

func newBatchTx(tx *sql.Tx) *batchTx { return &batchTx{tx: tx, stmts: map[string]*sql.Stmt{}} }

func (c *batchTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	st, err := c.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.stmts[query] = st
	return st, nil
}

func (c *batchTx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (c *batchTx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryRow is QueryRow with the preparation error folded into the row's Scan.
func (c *batchTx) queryRow(ctx context.Context, query string, args ...any) rowScanner {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

func (c *batchTx) close() {
	for _, st := range c.stmts {
		st.Close()
	}
}

type rowScanner interface{ Scan(dest ...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// recentCache keeps the shingles of the articles this store saved last, so that a copy arriving
// soon after its original (the usual case for wire stories) is compared without reading and
// re-tokenising the original's text. It is only a cache: a miss reads the database.
type recentCache struct {
	mu    sync.Mutex
	byID  map[int64]recentArticle
	order []int64 // ring of ids, oldest at next
	next  int
}

type recentArticle struct {
	id, story int64
	shingles  []uint64
}

const recentCacheSize = 4096

func (c *recentCache) get(id int64) (shingles []uint64, story int64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.byID[id]
	return r.shingles, r.story, ok
}

func (c *recentCache) add(rs []recentArticle) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byID == nil {
		c.byID = make(map[int64]recentArticle, recentCacheSize)
		c.order = make([]int64, 0, recentCacheSize)
	}
	for _, r := range rs {
		if r.shingles == nil {
			continue
		}
		if len(c.order) < recentCacheSize {
			c.order = append(c.order, r.id)
		} else {
			delete(c.byID, c.order[c.next])
			c.order[c.next] = r.id
			c.next = (c.next + 1) % recentCacheSize
		}
		c.byID[r.id] = r
	}
}
