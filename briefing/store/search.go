package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/briefbot/briefbot/briefing"
)

// Search and Count run one SQL statement over the articles a, built by compileQuery.
//
// With SQLite, a query that searches for words reads the full-text index in time-key order
// (newest first) from the end of the published window, joining each match to its article, and
// stops at the limit: its cost is that of the articles it returns, however many match in the
// window or in the whole store. Keys are in published order to the second only, so the articles
// of the second of the last one returned are read too, and the whole sorted exactly.
//
// With PostgreSQL, a query that searches for words reads the articles of the published window
// newest first, checking each against the query, and stops at the limit; or, when the planner
// expects few matches, finds them by the full-text index and sorts them. An article's text is
// kept apart from its row (see the schema): a search WithoutText reads it only for the articles
// without a lede.

func (s *sqlStore) Search(ctx context.Context, q Query) ([]briefing.Article, error) {
	cq, err := s.compileQuery(q)
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	text := "a.text"
	if q.WithoutText && s.pg {
		// Blank as strings.TrimSpace sees it.
		text = "CASE WHEN btrim(a.lede, " + cq.arg(whiteSpace) + ") = '' THEN a.text ELSE '' END"
	}
	columns := articleColumns(text)
	if cq.fts == "" {
		query := `SELECT ` + columns + ` FROM articles a WHERE ` + cq.where() + ` ORDER BY a.published DESC, a.id DESC`
		if q.Limit > 0 {
			query += ` LIMIT ` + cq.arg(q.Limit)
		}
		rows, err := s.r.QueryContext(ctx, query, cq.args...)
		if err != nil {
			return nil, fmt.Errorf("store: search %q: %w", q.Text, err)
		}
		arts, err := scanArticles(rows, nil, q.WithoutText)
		if err != nil {
			return nil, fmt.Errorf("store: search %q: %w", q.Text, err)
		}
		return arts, nil
	}

	// SQLite, newest matches first by time key.
	base := `SELECT ` + columns + `, f.rowid FROM ` + cq.from() + ` WHERE ` + cq.where()
	baseArgs := slices.Clone(cq.args)
	query := base + ` ORDER BY f.rowid DESC`
	if q.Limit > 0 {
		query += ` LIMIT ` + cq.arg(q.Limit)
	}
	var keys []int64
	rows, err := s.r.QueryContext(ctx, query, cq.args...)
	if err != nil {
		return nil, fmt.Errorf("store: search %q: %w", q.Text, err)
	}
	arts, err := scanArticles(rows, &keys, q.WithoutText)
	if err != nil {
		return nil, fmt.Errorf("store: search %q: %w", q.Text, err)
	}
	if q.Limit > 0 && len(arts) == q.Limit {
		// The rest of the last article's second.
		last := keys[len(keys)-1]
		more := append(baseArgs, timeKeyFloor(last), last)
		rows, err := s.r.QueryContext(ctx, base+fmt.Sprintf(` AND f.rowid >= $%d AND f.rowid < $%d`, len(more)-1, len(more)), more...)
		if err != nil {
			return nil, fmt.Errorf("store: search %q: %w", q.Text, err)
		}
		rest, err := scanArticles(rows, new([]int64), q.WithoutText)
		if err != nil {
			return nil, fmt.Errorf("store: search %q: %w", q.Text, err)
		}
		arts = append(arts, rest...)
	}
	sortArticles(arts)
	if q.Limit > 0 && len(arts) > q.Limit {
		arts = arts[:q.Limit]
	}
	return arts, nil
}

func (s *sqlStore) Count(ctx context.Context, q Query) (int, error) {
	cq, err := s.compileQuery(q)
	if err != nil {
		return 0, fmt.Errorf("store: count: %w", err)
	}
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM `+cq.from()+` WHERE `+cq.where(), cq.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count %q: %w", q.Text, err)
	}
	return n, nil
}

// sqlBuilder collects a WHERE clause and its arguments, numbering placeholders as it goes.
type sqlBuilder struct {
	conds []string
	args  []any
	// fts is set when the query is answered from SQLite's full-text index f joined to the
	// articles a, in f's order: the condition on f (MATCH and a time-key range) is its first.
	fts string
}

// arg adds an argument and returns its placeholder.
func (b *sqlBuilder) arg(v any) string {
	b.args = append(b.args, v)
	return fmt.Sprintf("$%d", len(b.args))
}

// items adds arguments and returns their placeholders, separated by commas.
func (b *sqlBuilder) items(vs []string) string {
	ph := make([]string, len(vs))
	for i, v := range vs {
		ph[i] = b.arg(v)
	}
	return strings.Join(ph, ", ")
}

// list is items in parentheses.
func (b *sqlBuilder) list(vs []string) string {
	return "(" + b.items(vs) + ")"
}

func (b *sqlBuilder) from() string {
	if b.fts != "" {
		// CROSS JOIN keeps the index as the outer loop, read in key order.
		return "articles_fts f CROSS JOIN articles a ON a.time_key = f.rowid"
	}
	return "articles a"
}

func (b *sqlBuilder) where() string {
	if len(b.conds) == 0 {
		return "1 = 1"
	}
	return strings.Join(b.conds, " AND ")
}

// compileQuery turns q into conditions over articles a (and SQLite's full-text index f). User
// text only ever travels as arguments: FTS5 MATCH expressions and tsquery operands are built
// from the parsed words.
func (s *sqlStore) compileQuery(q Query) (*sqlBuilder, error) {
	pq, err := ParseQuery(q.Text)
	if err != nil {
		return nil, err
	}
	b := &sqlBuilder{}
	// Published times are stored to the microsecond: rounding the bounds up keeps
	// Since <= published < Until exact.
	q.Since, q.Until = ceilMicro(q.Since), ceilMicro(q.Until)
	q.FirstSeenSince, q.FirstSeenUntil = ceilMicro(q.FirstSeenSince), ceilMicro(q.FirstSeenUntil)
	if m := pq.Match; m != nil {
		if s.pg {
			b.conds = append(b.conds, tsqueryCondition(b, m))
		} else {
			lo, hi := timeKeyRange(q.Since, q.Until)
			if m.Op == OpAnd && !hasPositive(m) {
				b.conds = append(b.conds, fts5Exclusion(b, m, lo, hi))
			} else {
				b.fts = fts5Expr(m)
				b.conds = append(b.conds, "f.articles_fts MATCH "+b.arg(b.fts)+" AND f.rowid BETWEEN "+b.arg(lo)+" AND "+b.arg(hi))
			}
		}
	}
	if !q.Since.IsZero() {
		b.conds = append(b.conds, "a.published >= "+b.arg(s.ts(q.Since)))
	}
	if !q.Until.IsZero() {
		b.conds = append(b.conds, "a.published < "+b.arg(s.ts(q.Until)))
	}
	if !q.FirstSeenSince.IsZero() {
		b.conds = append(b.conds, "a.first_seen >= "+b.arg(s.ts(q.FirstSeenSince)))
	}
	if !q.FirstSeenUntil.IsZero() {
		b.conds = append(b.conds, "a.first_seen < "+b.arg(s.ts(q.FirstSeenUntil)))
	}
	if len(q.Sources) > 0 {
		keys := make([]string, len(q.Sources))
		for i, src := range q.Sources {
			keys[i] = sourceKey(src)
		}
		pq.Filters = append(pq.Filters, Filter{Field: "source", Values: keys})
	}
	if k := speakerKey(q.Speaker); k != "" {
		pq.Filters = append(pq.Filters, Filter{Field: "speaker", Values: []string{k}})
	}
	for _, f := range pq.Filters {
		not := ""
		if f.Exclude {
			not = "NOT "
		}
		switch f.Field {
		case "source":
			b.conds = append(b.conds, "a.source_key "+not+"IN "+b.list(f.Values))
		case "speaker":
			if s.pg {
				// The keys are in the article's row, and in an index of their own.
				b.conds = append(b.conds, not+"(a.speaker_keys && ARRAY["+b.items(f.Values)+"]::text[])")
			} else {
				in := b.list(f.Values)
				b.conds = append(b.conds, not+"EXISTS (SELECT 1 FROM speakers sp WHERE sp.article_id = a.id AND (sp.name_key IN "+in+" OR sp.surname_key IN "+in+"))")
			}
		}
	}
	return b, nil
}

// whiteSpace holds every character strings.TrimSpace trims: Unicode's white space.
var whiteSpace = func() string {
	var b strings.Builder
	for _, r := range unicode.White_Space.R16 {
		for c := r.Lo; c <= r.Hi; c += r.Stride {
			b.WriteRune(rune(c))
		}
	}
	for _, r := range unicode.White_Space.R32 {
		for c := r.Lo; c <= r.Hi; c += r.Stride {
			b.WriteRune(rune(c))
		}
	}
	return b.String()
}()

// ceilMicro rounds t up to the microsecond.
func ceilMicro(t time.Time) time.Time {
	if r := t.Truncate(time.Microsecond); !r.Equal(t) {
		return r.Add(time.Microsecond)
	}
	return t
}

// SQLite: one FTS5 MATCH expression, with each word quoted so that no word can be read as
// FTS5 syntax. A top level of exclusions only becomes NOT IN.

// fts5Exclusion is the condition of a query of exclusions only: the articles the index does
// not find among those of the time-key range lo..hi.
func fts5Exclusion(b *sqlBuilder, m *Node, lo, hi int64) string {
	neg := make([]*Node, len(m.Args))
	for i, n := range m.Args {
		neg[i] = n.Args[0]
	}
	return "a.time_key NOT IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH " + b.arg(fts5Expr(orOf(neg))) +
		" AND rowid BETWEEN " + b.arg(lo) + " AND " + b.arg(hi) + ")"
}

func orOf(ns []*Node) *Node {
	if len(ns) == 1 {
		return ns[0]
	}
	return &Node{Op: OpOr, Args: ns}
}

// fts5Expr compiles a node to FTS5's query syntax. An AND with exclusions is
// (p1 AND p2) NOT (n1 OR n2): FTS5's NOT is binary.
func fts5Expr(n *Node) string {
	switch n.Op {
	case OpWord, OpPhrase:
		return fts5String(n.Words)
	case OpPrefix:
		return fts5String(n.Words) + "*"
	case OpOr:
		parts := make([]string, len(n.Args))
		for i, a := range n.Args {
			parts[i] = fts5Expr(a)
		}
		return "(" + strings.Join(parts, " OR ") + ")"
	case OpAnd:
		var pos, neg []string
		for _, a := range n.Args {
			if a.Op == OpNot {
				neg = append(neg, fts5Expr(a.Args[0]))
			} else {
				pos = append(pos, fts5Expr(a))
			}
		}
		e := "(" + strings.Join(pos, " AND ") + ")"
		if len(neg) == 0 {
			return e
		}
		return "(" + e + " NOT (" + strings.Join(neg, " OR ") + "))"
	default: // OpNot outside an AND cannot be built by ParseQuery
		return fts5String(nil)
	}
}

// fts5String quotes the search terms of words as an FTS5 string (a phrase when there are
// several).
func fts5String(words []string) string {
	terms := make([]string, len(words))
	for i, w := range words {
		terms[i] = searchTerm(w)
	}
	return `"` + strings.ReplaceAll(strings.Join(terms, " "), `"`, `""`) + `"`
}

// PostgreSQL: the tsquery is assembled in SQL from one function call per word or phrase, each
// taking its text as an argument, combined with the tsquery operators && || !!.

func tsqueryCondition(b *sqlBuilder, m *Node) string {
	if m.Op == OpAnd && !hasPositive(m) {
		neg := make([]*Node, len(m.Args))
		for i, n := range m.Args {
			neg[i] = n.Args[0]
		}
		return "NOT (a.tsv @@ " + tsqueryExpr(b, orOf(neg)) + ")"
	}
	return "a.tsv @@ " + tsqueryExpr(b, m)
}

func tsqueryExpr(b *sqlBuilder, n *Node) string {
	switch n.Op {
	case OpWord, OpPhrase:
		return "phraseto_tsquery('english', " + b.arg(strings.Join(n.Words, " ")) + ")"
	case OpPrefix:
		// The word is letters and digits only (ParseQuery checks), so ":*" is the only
		// operator in the text.
		return "to_tsquery('english', " + b.arg(n.Words[0]+":*") + ")"
	case OpOr:
		parts := make([]string, len(n.Args))
		for i, a := range n.Args {
			parts[i] = tsqueryExpr(b, a)
		}
		return "(" + strings.Join(parts, " || ") + ")"
	case OpAnd:
		parts := make([]string, len(n.Args))
		for i, a := range n.Args {
			parts[i] = tsqueryExpr(b, a)
		}
		return "(" + strings.Join(parts, " && ") + ")"
	default: // OpNot
		return "(!! " + tsqueryExpr(b, n.Args[0]) + ")"
	}
}
