package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/briefbot/briefbot/briefing"
)

func (s *sqlStore) Search(ctx context.Context, q Query) ([]briefing.Article, error) {
	where, args, err := s.compileQuery(q)
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	query := `SELECT ` + articleColumns + ` FROM articles a WHERE ` + where + ` ORDER BY a.published DESC, a.id DESC`
	if q.Limit > 0 {
		args = append(args, q.Limit)
		query += fmt.Sprintf(` LIMIT $%d`, len(args))
	}
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: search %q: %w", q.Text, err)
	}
	arts, err := scanArticles(rows)
	if err != nil {
		return nil, fmt.Errorf("store: search %q: %w", q.Text, err)
	}
	if err := s.loadAnalysis(ctx, arts); err != nil {
		return nil, fmt.Errorf("store: search %q: %w", q.Text, err)
	}
	return arts, nil
}

func (s *sqlStore) Count(ctx context.Context, q Query) (int, error) {
	where, args, err := s.compileQuery(q)
	if err != nil {
		return 0, fmt.Errorf("store: count: %w", err)
	}
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM articles a WHERE `+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count %q: %w", q.Text, err)
	}
	return n, nil
}

// sqlBuilder collects a WHERE clause and its arguments, numbering placeholders as it goes.
type sqlBuilder struct {
	conds []string
	args  []any
}

// arg adds an argument and returns its placeholder.
func (b *sqlBuilder) arg(v any) string {
	b.args = append(b.args, v)
	return fmt.Sprintf("$%d", len(b.args))
}

func (b *sqlBuilder) list(vs []string) string {
	ph := make([]string, len(vs))
	for i, v := range vs {
		ph[i] = b.arg(v)
	}
	return "(" + strings.Join(ph, ", ") + ")"
}

// compileQuery turns q into a WHERE clause over articles a. User text only ever travels as
// arguments: FTS5 MATCH expressions and tsquery operands are built from the parsed words.
func (s *sqlStore) compileQuery(q Query) (string, []any, error) {
	pq, err := ParseQuery(q.Text)
	if err != nil {
		return "", nil, err
	}
	b := &sqlBuilder{}
	if m := pq.Match; m != nil {
		if s.pg {
			b.conds = append(b.conds, tsqueryCondition(b, m))
		} else {
			b.conds = append(b.conds, fts5Condition(b, m))
		}
	}
	if !q.Since.IsZero() {
		b.conds = append(b.conds, "a.published >= "+b.arg(s.ts(q.Since)))
	}
	if !q.Until.IsZero() {
		b.conds = append(b.conds, "a.published < "+b.arg(s.ts(q.Until)))
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
			in := b.list(f.Values)
			b.conds = append(b.conds, not+"EXISTS (SELECT 1 FROM speakers sp WHERE sp.article_id = a.id AND (sp.name_key IN "+in+" OR sp.surname_key IN "+in+"))")
		}
	}
	if len(b.conds) == 0 {
		return "1 = 1", nil, nil
	}
	return strings.Join(b.conds, " AND "), b.args, nil
}

// SQLite: one FTS5 MATCH expression, with each word quoted so that no word can be read as
// FTS5 syntax. A top level of exclusions only becomes NOT IN.

func fts5Condition(b *sqlBuilder, m *Node) string {
	if m.Op == OpAnd && !hasPositive(m) {
		neg := make([]*Node, len(m.Args))
		for i, n := range m.Args {
			neg[i] = n.Args[0]
		}
		return "a.id NOT IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH " + b.arg(fts5Expr(orOf(neg))) + ")"
	}
	return "a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH " + b.arg(fts5Expr(m)) + ")"
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

// fts5String quotes words as an FTS5 string (a phrase when there are several).
func fts5String(words []string) string {
	return `"` + strings.ReplaceAll(strings.Join(words, " "), `"`, `""`) + `"`
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
