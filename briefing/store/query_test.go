package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseQueryAcceptsTheDocumentedSyntax(t *testing.T) {
	cases := []struct {
		name, query string
		// canonical is ParsedQuery.String(); fts5 the SQLite MATCH expression ("" when none), of
		// the words' search terms (folded and stemmed).
		canonical, fts5 string
	}{
		{"a word", `korea`, `korea`, `"korea"`},
		{"case does not matter", `Korea`, `korea`, `"korea"`},
		{"a phrase", `"North Korea"`, `"north korea"`, `"north korea"`},
		{"a hyphenated word is a phrase", `covid-19`, `"covid 19"`, `"covid 19"`},
		{"implicit AND", `korea talks`, `korea talks`, `("korea" AND "talk")`},
		{"explicit AND", `korea AND talks`, `korea talks`, `("korea" AND "talk")`},
		{"OR binds tighter than AND", `korea OR pyongyang -sport`, `korea OR pyongyang -sport`, `((("korea" OR "pyongyang")) NOT ("sport"))`},
		{"the README example", `korea OR pyongyang OR "north korea" -sport`, `korea OR pyongyang OR "north korea" -sport`,
			`((("korea" OR "pyongyang" OR "north korea")) NOT ("sport"))`},
		{"parentheses", `(a1 OR b1) (c1 OR d1)`, `a1 OR b1 c1 OR d1`, `(("a1" OR "b1") AND ("c1" OR "d1"))`},
		{"a group inside OR", `x1 OR (y1 z1)`, `x1 OR (y1 z1)`, `("x1" OR ("y1" AND "z1"))`},
		{"an excluded group", `talks -(military OR missile)`, `talks -(military OR missile)`, `(("talk") NOT (("militari" OR "missil")))`},
		{"a group with an exclusion inside OR", `x1 OR (y1 -z1)`, `x1 OR (y1 -z1)`, `("x1" OR (("y1") NOT ("z1")))`},
		{"a prefix", `nuclear*`, `nuclear*`, `"nuclear"*`},
		{"common words are dropped from terms", `the korea of`, `korea`, `"korea"`},
		{"common words stay inside phrases", `"north of korea"`, `"north of korea"`, `"north of korea"`},
		{"exclusions only", `-sport -football`, `-sport -football`, ``},
		{"a speaker filter", `speaker:Lavrov`, `speaker:lavrov`, ``},
		{"a quoted speaker with accents", `speaker:"Sergéy Lavrov"`, `speaker:"sergey lavrov"`, ``},
		{"filters beside terms", `korea source:TASS -speaker:Kim`, `korea source:tass -speaker:kim`, `"korea"`},
		{"an OR of sources", `source:tass OR source:"RIA Novosti"`, `source:tass OR source:"ria novosti"`, ``},
		{"an excluded OR of sources", `-(source:a1 OR source:b1) korea`, `korea -(source:a1 OR source:b1)`, `"korea"`},
		{"the empty query", `   `, ``, ``},
		{"unicode words", `Zürich Санкт-Петербург`, `zürich "санкт петербург"`, `("zurich" AND "санкт петербург")`},
		{"stemmed words, phrases and prefixes", `rates "running mates" elections*`, `rates "running mates" elections*`, `("rate" AND "run mate" AND "elect"*)`},
		{"a stem is not another word", `korean koreas`, `korean koreas`, `("korean" AND "korea")`},
		{"or in lower case is OR", `korea or japan`, `korea OR japan`, `("korea" OR "japan")`},
		{"and in lower case is AND", `korea and talks`, `korea talks`, `("korea" AND "talk")`},
		{"or and and in mixed case", `(missile Or rocket) aNd japan`, `missile OR rocket japan`, `(("missil" OR "rocket") AND "japan")`},
		{"lower-case operators bind as capitals do", `korea or pyongyang and talks -sport`, `korea OR pyongyang talks -sport`,
			`((("korea" OR "pyongyang") AND "talk") NOT ("sport"))`},
		{"or before a phrase, a filter or a group", `korea or "north korea" or (kim jong)`, `korea OR "north korea" OR (kim jong)`,
			`("korea" OR "north korea" OR ("kim" AND "jong"))`},
		{"an OR of filters in lower case", `source:tass or source:ria`, `source:tass OR source:ria`, ``},
		{"or and and first or last are common words", `or korea and`, `korea`, `"korea"`},
		{"and beside an operator is a common word", `korea and AND japan AND and china`, `korea japan china`, `("korea" AND "japan" AND "china")`},
		{"or beside and are common words", `korea or and japan`, `korea japan`, `("korea" AND "japan")`},
		{"or next to a parenthesis inside it is a common word", `(or korea) (japan and)`, `korea japan`, `("korea" AND "japan")`},
		{"or inside quotes is a word of the phrase", `"war or peace"`, `"war or peace"`, `"war or peac"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, err := ParseQuery(c.query)
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", c.query, err)
			}
			if got := q.String(); got != c.canonical {
				t.Errorf("String() = %q, want %q", got, c.canonical)
			}
			fts := ""
			if q.Match != nil && (q.Match.Op != OpAnd || hasPositive(q.Match)) {
				fts = fts5Expr(q.Match)
			}
			if fts != c.fts5 {
				t.Errorf("FTS5 = %s, want %s", fts, c.fts5)
			}
			again, err := ParseQuery(q.String())
			if err != nil || again.String() != q.String() {
				t.Errorf("the canonical form %q does not parse back to itself: %q, %v", q.String(), again.String(), err)
			}
		})
	}
}

func TestParseQueryNamesThePositionAndTheProblem(t *testing.T) {
	cases := []struct {
		query string
		pos   int
		msg   string // a part of the message
	}{
		{`korea "north korea`, 7, "unclosed quote"},
		{`korea OR`, 7, "OR needs a term on each side"},
		{`OR korea`, 1, "OR needs a term on each side"},
		{`korea AND`, 7, "AND needs a term on each side"},
		{`(korea pyongyang`, 1, "unclosed ("},
		{`korea)`, 6, "unmatched )"},
		{`()`, 1, "empty parentheses"},
		{`korea - sport`, 7, "nothing to exclude"},
		{`korea --sport`, 8, "- twice"},
		{`korea NOT sport`, 7, "put - before"},
		{`author:kim`, 1, `unknown filter "author:"`},
		{`source: tass`, 1, "source: needs a value"},
		{`speaker:"  "`, 1, "speaker: needs a value"},
		{`korea OR -sport`, 10, "cannot be an alternative of OR"},
		{`korea or -sport`, 10, "cannot be an alternative of OR"},
		{`or and`, 0, "only very common words"},
		{`(korea OR source:tass)`, 2, "one kind of filter only"},
		{`x1 OR (korea source:tass)`, 14, "filters apply to the whole query"},
		{`source:tass OR speaker:kim`, 16, "one kind of filter only"},
		{`-(-korea)`, 1, "excluding exclusions"},
		{`nuc-lear*`, 1, "prefix search of one word"},
		{`n*`, 1, "at least 2 letters"},
		{`the*`, 1, "very common word"},
		{`""`, 1, "empty phrase"},
		{`!!!`, 1, "no letters or digits"},
		{`the of and`, 0, "only very common words"},
		{strings.Repeat("(", 9) + "a" + strings.Repeat(")", 9), 9, "deeper than 8"},
		{strings.Repeat("word ", 201), 0, "characters long"},
		{strings.Repeat("w1 ", 65), 0, "terms; the limit is 64"},
		{"korea \xff", 0, "not valid UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.query[:min(len(c.query), 30)], func(t *testing.T) {
			_, err := ParseQuery(c.query)
			if !errors.Is(err, ErrBadQuery) {
				t.Fatalf("ParseQuery(%q) = %v, want ErrBadQuery", c.query, err)
			}
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("%v is not a *QueryError", err)
			}
			if qe.Pos != c.pos || !strings.Contains(qe.Msg, c.msg) {
				t.Errorf("error = %q (position %d), want position %d and %q", err, qe.Pos, c.pos, c.msg)
			}
			if c.pos > 0 && !strings.Contains(err.Error(), "position ") {
				t.Errorf("error %q does not name the position", err)
			}
		})
	}
}

func TestTSQueryCompilesEveryTermToAnArgument(t *testing.T) {
	q, err := ParseQuery(`korea OR "north korea" -sport nuclear*`)
	if err != nil {
		t.Fatal(err)
	}
	b := &sqlBuilder{}
	got := tsqueryCondition(b, q.Match)
	want := `a.tsv @@ ((phraseto_tsquery('english', $1) || phraseto_tsquery('english', $2)) && to_tsquery('english', $3) && (!! phraseto_tsquery('english', $4)))`
	if got != want {
		t.Errorf("condition =\n %s\nwant\n %s", got, want)
	}
	if args := b.args; len(args) != 4 || args[0] != "korea" || args[1] != "north korea" || args[2] != "nuclear:*" || args[3] != "sport" {
		t.Errorf("args = %v", args)
	}
}

// FuzzParseQuery checks that no input makes the parser or the compilers panic, that whatever
// parses has a canonical form that parses back to itself, and that SQLite accepts the compiled
// search (a real store runs every accepted query).
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{`korea OR pyongyang OR "north korea" -sport`, `speaker:"Sergey Lavrov" source:tass`,
		`(a OR b) -(c OR d) e*`, `-x -y`, `"unclosed`, `((a)`, `a OR -b`, `source:a OR source:b`, `x:y`, `Санкт-Петербург`, "\xff", `"" - OR AND NOT`} {
		f.Add(s)
	}
	s, err := Open(context.Background(), filepath.Join(f.TempDir(), "fuzz.db"), Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	f.Fuzz(func(t *testing.T, query string) {
		q, err := ParseQuery(query)
		if err != nil {
			var qe *QueryError
			if !errors.Is(err, ErrBadQuery) || !errors.As(err, &qe) {
				t.Fatalf("ParseQuery(%q): %v is not a *QueryError wrapping ErrBadQuery", query, err)
			}
			return
		}
		again, err := ParseQuery(q.String())
		if err != nil || again.String() != q.String() {
			t.Fatalf("ParseQuery(%q): canonical %q parses to %q, %v", query, q.String(), again.String(), err)
		}
		if q.Match != nil {
			tsqueryCondition(&sqlBuilder{}, q.Match)
		}
		if _, err := s.Count(context.Background(), Query{Text: query}); err != nil {
			t.Fatalf("Count(%q) on SQLite: %v (parsed as %q)", query, err, q.String())
		}
	})
}
