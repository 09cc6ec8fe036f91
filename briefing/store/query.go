package store

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The topic query language, shared by both backends.
//
//	korea                  articles containing the word in one of its forms: words are stemmed,
//	                       so koreas matches korea, and sanctions or sanctioned match sanction;
//	                       korean is another word (write korea OR korean for both)
//	"north korea"          the words next to each other, in this order
//	korea pyongyang        both words (AND is implicit; AND may also be written)
//	korea OR pyongyang     either word; OR binds tighter than AND, so
//	                       `korea OR pyongyang -sport` means (korea OR pyongyang) AND NOT sport
//	-sport  -"world cup"   excludes articles containing the word or phrase
//	(a OR b) (c OR d)      parentheses group
//	nuclear*               prefix: words starting with "nuclear" (one word, 2+ letters)
//	speaker:Lavrov         articles quoting Lavrov (surname or full name: speaker:"Sergey Lavrov")
//	source:tass            articles from this source (source:"BBC News"); -source:tass excludes
//
// Filters (speaker:, source:) apply to the whole query: they stand beside the search terms (AND),
// or in an OR of the same filter (source:tass OR source:ria), never inside parentheses mixed with
// search terms. Matching ignores case; words of a term are the runs of letters and digits, so
// `covid-19` is the phrase "covid 19". Very common English words (the, of, a…) are not indexed
// and are dropped from terms.
//
// OR and AND are operators in any case: `korea or japan` is `korea OR japan`. Written in lower
// (or mixed) case, or and and are operators only between two terms; as the first or last word,
// right after ( or before ), beside another operator, or inside quotes, they are common words
// and dropped (`war and peace` is war AND peace, `"war and peace"` the phrase, `and korea` is
// korea).

// Query limits, so that a topic query cannot make the database work without bound.
const (
	maxQueryLength = 1000 // characters
	maxQueryDepth  = 8    // nested parentheses
	maxQueryTerms  = 64   // words, phrases, prefixes and filter values
)

// QueryError is a topic query that does not parse. It wraps ErrBadQuery.
type QueryError struct {
	// Pos is the 1-based character position of the problem in the query (0: the whole query).
	Pos int
	Msg string
}

func (e *QueryError) Error() string {
	if e.Pos <= 0 {
		return fmt.Sprintf("%s: %s", ErrBadQuery, e.Msg)
	}
	return fmt.Sprintf("%s: position %d: %s", ErrBadQuery, e.Pos, e.Msg)
}

func (e *QueryError) Unwrap() error { return ErrBadQuery }

// Op is the kind of a query Node.
type Op int

const (
	OpWord   Op = iota // one word
	OpPhrase           // several words, adjacent and in order
	OpPrefix           // words starting with Words[0]
	OpAnd              // all of Args
	OpOr               // any of Args
	OpNot              // not Args[0]; only inside an OpAnd, or alone at the top
)

// Node is one part of the full-text search of a parsed query.
type Node struct {
	Op Op
	// Words are lower-cased runs of letters and digits: one for OpWord and OpPrefix, two or
	// more for OpPhrase.
	Words []string
	Args  []*Node
}

// Filter keeps (or, with Exclude, drops) the articles whose field is any of Values.
type Filter struct {
	Field   string // "source" or "speaker"
	Values  []string
	Exclude bool
}

// ParsedQuery is a topic query ready to compile to a backend's full-text search.
type ParsedQuery struct {
	// Match is the full-text part; nil when the query has none (then every article matches).
	// An OpAnd has at least one positive argument, except at the top where a query such as
	// `-sport source:tass` excludes only.
	Match *Node
	// Filters must all hold.
	Filters []Filter
}

// ParseQuery parses a topic query (see the syntax above). Errors wrap ErrBadQuery, as a
// *QueryError naming the position and the problem.
func ParseQuery(s string) (ParsedQuery, error) {
	if !utf8.ValidString(s) {
		return ParsedQuery{}, &QueryError{Msg: "the query is not valid UTF-8"}
	}
	if n := utf8.RuneCountInString(s); n > maxQueryLength {
		return ParsedQuery{}, &QueryError{Msg: fmt.Sprintf("the query is %d characters long; the limit is %d", n, maxQueryLength)}
	}
	toks, err := lexQuery(s)
	if err != nil {
		return ParsedQuery{}, err
	}
	p := &queryParser{toks: toks}
	root, err := p.parseAnd(0)
	if err != nil {
		return ParsedQuery{}, err
	}
	if t := p.peek(); t.kind != tokEOF {
		// parseAnd stops only at the end or at a ")" without its "(".
		return ParsedQuery{}, &QueryError{Pos: t.pos, Msg: "unmatched )"}
	}
	if p.terms > maxQueryTerms {
		return ParsedQuery{}, &QueryError{Msg: fmt.Sprintf("the query has %d terms; the limit is %d", p.terms, maxQueryTerms)}
	}
	return buildQuery(root, s)
}

// String returns the query in the canonical form of the syntax; it parses back to the same query.
func (q ParsedQuery) String() string {
	var parts []string
	if q.Match != nil {
		if q.Match.Op == OpAnd {
			for _, a := range q.Match.Args {
				parts = append(parts, a.format(false))
			}
		} else {
			parts = append(parts, q.Match.format(false))
		}
	}
	for _, f := range q.Filters {
		alts := make([]string, len(f.Values))
		for i, v := range f.Values {
			alts[i] = f.Field + ":" + quoteIfNeeded(v)
		}
		s := strings.Join(alts, " OR ")
		if f.Exclude {
			if len(alts) > 1 {
				s = "(" + s + ")"
			}
			s = "-" + s
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func (n *Node) format(nested bool) string {
	switch n.Op {
	case OpWord:
		return n.Words[0]
	case OpPhrase:
		return `"` + strings.Join(n.Words, " ") + `"`
	case OpPrefix:
		return n.Words[0] + "*"
	case OpNot:
		if n.Args[0].Op == OpOr {
			return "-(" + n.Args[0].format(true) + ")"
		}
		return "-" + n.Args[0].format(true)
	case OpOr:
		parts := make([]string, len(n.Args))
		for i, a := range n.Args {
			parts[i] = a.format(true)
		}
		return strings.Join(parts, " OR ")
	default: // OpAnd
		parts := make([]string, len(n.Args))
		for i, a := range n.Args {
			parts[i] = a.format(false)
		}
		return "(" + strings.Join(parts, " ") + ")"
	}
}

func quoteIfNeeded(v string) string {
	if strings.ContainsFunc(v, func(r rune) bool { return !isQueryWordRune(r) }) {
		return `"` + v + `"`
	}
	return v
}

// The lexer.

type tokKind int

const (
	tokEOF    tokKind = iota
	tokWord           // text: as written
	tokPhrase         // text: between the quotes
	tokField          // field and text (value)
	tokOr
	tokAnd
	tokMinus
	tokLParen
	tokRParen
)

type token struct {
	kind  tokKind
	text  string
	field string
	pos   int // 1-based character position
}

func lexQuery(s string) ([]token, error) {
	rs := []rune(s)
	var toks []token
	for i := 0; i < len(rs); {
		r := rs[i]
		pos := i + 1
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '(':
			toks = append(toks, token{kind: tokLParen, pos: pos})
			i++
		case r == ')':
			toks = append(toks, token{kind: tokRParen, pos: pos})
			i++
		case r == '"':
			text, next, err := lexPhrase(rs, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tokPhrase, text: text, pos: pos})
			i = next
		case r == '-' && startsTerm(rs, i):
			if i+1 >= len(rs) || unicode.IsSpace(rs[i+1]) || rs[i+1] == ')' {
				return nil, &QueryError{Pos: pos, Msg: "nothing to exclude after -: write -word or -\"a phrase\""}
			}
			if rs[i+1] == '-' {
				return nil, &QueryError{Pos: pos + 1, Msg: "- twice: one - excludes"}
			}
			toks = append(toks, token{kind: tokMinus, pos: pos})
			i++
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && rs[j] != '(' && rs[j] != ')' && rs[j] != '"' {
				j++
			}
			word := string(rs[i:j])
			tok, next, err := lexWord(rs, word, pos, j)
			if err != nil {
				return nil, err
			}
			toks = append(toks, tok)
			i = next
		}
	}
	toks = append(toks, token{kind: tokEOF, pos: len(rs) + 1})
	wordOperators(toks)
	return toks, nil
}

// wordOperators turns the words "or" and "and" written in lower or mixed case into operators
// where an operator fits: after the end of a term and before the start of another. Elsewhere
// (first or last, beside an operator or another such word) they stay words, which are common
// words and dropped. OR and AND in capitals are operators wherever they are written.
func wordOperators(toks []token) {
	for i := 1; i+1 < len(toks); i++ {
		op := wordOperator(toks[i])
		if op == tokEOF {
			continue
		}
		prev, next := toks[i-1], toks[i+1]
		endsTerm := prev.kind == tokPhrase || prev.kind == tokField || prev.kind == tokRParen ||
			prev.kind == tokWord && wordOperator(prev) == tokEOF
		startsTerm := next.kind == tokPhrase || next.kind == tokField || next.kind == tokLParen ||
			next.kind == tokMinus || next.kind == tokWord && wordOperator(next) == tokEOF
		if endsTerm && startsTerm {
			toks[i] = token{kind: op, pos: toks[i].pos}
		}
	}
}

// wordOperator returns the operator a word token could be (tokOr for "or", tokAnd for "and", in
// any case), else tokEOF.
func wordOperator(t token) tokKind {
	if t.kind != tokWord {
		return tokEOF
	}
	switch strings.ToLower(t.text) {
	case "or":
		return tokOr
	case "and":
		return tokAnd
	}
	return tokEOF
}

// startsTerm reports whether the "-" at rs[i] begins a term (rather than sitting inside one).
func startsTerm(rs []rune, i int) bool {
	return i == 0 || unicode.IsSpace(rs[i-1]) || rs[i-1] == '('
}

// lexPhrase reads the quoted phrase starting at rs[i] == '"'.
func lexPhrase(rs []rune, i int) (text string, next int, err error) {
	for j := i + 1; j < len(rs); j++ {
		if rs[j] == '"' {
			return string(rs[i+1 : j]), j + 1, nil
		}
	}
	return "", 0, &QueryError{Pos: i + 1, Msg: `unclosed quote: a phrase ends with another "`}
}

// lexWord classifies a bare word: an operator, a filter (whose value may be a quoted phrase that
// follows it), or a search word.
func lexWord(rs []rune, word string, pos, end int) (token, int, error) {
	switch word {
	case "OR":
		return token{kind: tokOr, pos: pos}, end, nil
	case "AND":
		return token{kind: tokAnd, pos: pos}, end, nil
	case "NOT":
		return token{}, 0, &QueryError{Pos: pos, Msg: "NOT is not an operator: put - before what to exclude (-sport)"}
	}
	name, value, ok := strings.Cut(word, ":")
	if !ok || name == "" || !isLetters(name) {
		return token{kind: tokWord, text: word, pos: pos}, end, nil
	}
	field := strings.ToLower(name)
	if field != "source" && field != "speaker" {
		return token{}, 0, &QueryError{Pos: pos, Msg: fmt.Sprintf("unknown filter %q: the filters are source: and speaker:", name+":")}
	}
	if value == "" && end < len(rs) && rs[end] == '"' {
		text, next, err := lexPhrase(rs, end)
		if err != nil {
			return token{}, 0, err
		}
		value, end = text, next
	}
	if strings.TrimSpace(value) == "" {
		return token{}, 0, &QueryError{Pos: pos, Msg: fmt.Sprintf("%s: needs a value (%s:name or %s:\"two words\")", field, field, field)}
	}
	return token{kind: tokField, field: field, text: value, pos: pos}, end, nil
}

func isLetters(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// The parser builds a raw tree (with filters as leaves) that buildQuery then checks and shapes.

type rawKind int

const (
	rawTerm   rawKind = iota // words of a word or phrase, possibly a prefix
	rawFilter                // field:value
	rawAnd
	rawOr
	rawNot
)

type rawNode struct {
	kind   rawKind
	pos    int
	words  []string // rawTerm; nil when every word was a common (stop) word
	phrase bool     // rawTerm written in quotes
	prefix bool     // rawTerm ending with *
	field  string   // rawFilter
	value  string   // rawFilter
	args   []*rawNode
}

type queryParser struct {
	toks  []token
	i     int
	terms int
}

func (p *queryParser) peek() token { return p.toks[p.i] }
func (p *queryParser) next() token { t := p.toks[p.i]; p.i++; return t }

// parseAnd parses terms side by side until the end or a ")".
func (p *queryParser) parseAnd(depth int) (*rawNode, error) {
	and := &rawNode{kind: rawAnd, pos: p.peek().pos}
	for {
		t := p.peek()
		switch t.kind {
		case tokEOF, tokRParen:
			if len(and.args) == 1 {
				return and.args[0], nil
			}
			return and, nil
		case tokAnd:
			p.next()
			if len(and.args) == 0 {
				return nil, &QueryError{Pos: t.pos, Msg: "AND needs a term on each side"}
			}
			if k := p.peek().kind; k == tokEOF || k == tokRParen || k == tokOr || k == tokAnd {
				return nil, &QueryError{Pos: t.pos, Msg: "AND needs a term on each side"}
			}
			continue
		}
		n, err := p.parseOr(depth)
		if err != nil {
			return nil, err
		}
		and.args = append(and.args, n)
	}
}

// parseOr parses alternatives joined by OR.
func (p *queryParser) parseOr(depth int) (*rawNode, error) {
	if t := p.peek(); t.kind == tokOr {
		return nil, &QueryError{Pos: t.pos, Msg: "OR needs a term on each side"}
	}
	first, err := p.parseUnary(depth)
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tokOr {
		return first, nil
	}
	or := &rawNode{kind: rawOr, pos: first.pos, args: []*rawNode{first}}
	for p.peek().kind == tokOr {
		t := p.next()
		if k := p.peek().kind; k == tokEOF || k == tokRParen || k == tokOr || k == tokAnd {
			return nil, &QueryError{Pos: t.pos, Msg: "OR needs a term on each side"}
		}
		n, err := p.parseUnary(depth)
		if err != nil {
			return nil, err
		}
		or.args = append(or.args, n)
	}
	return or, nil
}

func (p *queryParser) parseUnary(depth int) (*rawNode, error) {
	t := p.peek()
	if t.kind != tokMinus {
		return p.parsePrimary(depth)
	}
	p.next()
	if k := p.peek().kind; k == tokMinus {
		return nil, &QueryError{Pos: p.peek().pos, Msg: "- twice: one - excludes"}
	}
	n, err := p.parsePrimary(depth)
	if err != nil {
		return nil, err
	}
	return &rawNode{kind: rawNot, pos: t.pos, args: []*rawNode{n}}, nil
}

func (p *queryParser) parsePrimary(depth int) (*rawNode, error) {
	t := p.next()
	switch t.kind {
	case tokWord:
		return p.term(t, false)
	case tokPhrase:
		return p.term(t, true)
	case tokField:
		p.terms++
		return &rawNode{kind: rawFilter, pos: t.pos, field: t.field, value: t.text}, nil
	case tokLParen:
		if depth+1 > maxQueryDepth {
			return nil, &QueryError{Pos: t.pos, Msg: fmt.Sprintf("parentheses nest deeper than %d levels", maxQueryDepth)}
		}
		if p.peek().kind == tokRParen {
			return nil, &QueryError{Pos: t.pos, Msg: "empty parentheses"}
		}
		n, err := p.parseAnd(depth + 1)
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tokRParen {
			return nil, &QueryError{Pos: t.pos, Msg: "unclosed (: add a )"}
		}
		return n, nil
	case tokRParen:
		return nil, &QueryError{Pos: t.pos, Msg: "unmatched )"}
	case tokOr, tokAnd:
		return nil, &QueryError{Pos: t.pos, Msg: "an operator cannot follow another"}
	case tokEOF:
		return nil, &QueryError{Pos: t.pos, Msg: "the query ends too early"}
	default:
		return nil, &QueryError{Pos: t.pos, Msg: "unexpected -"}
	}
}

// term turns a word or phrase into its search words.
func (p *queryParser) term(t token, phrase bool) (*rawNode, error) {
	text := t.text
	prefix := false
	if !phrase && strings.HasSuffix(text, "*") {
		prefix = true
		text = strings.TrimSuffix(text, "*")
		words := queryWords(text)
		if len(words) != 1 || words[0] != strings.ToLower(text) {
			return nil, &QueryError{Pos: t.pos, Msg: "* makes a prefix search of one word (nuclear*); put it right after the word's letters"}
		}
		if utf8.RuneCountInString(words[0]) < 2 {
			return nil, &QueryError{Pos: t.pos, Msg: "a prefix search needs at least 2 letters before *"}
		}
		if stopWords[words[0]] {
			return nil, &QueryError{Pos: t.pos, Msg: fmt.Sprintf("%q is a very common word, which is not indexed: make the prefix longer", words[0])}
		}
	}
	words := queryWords(text)
	if len(words) == 0 {
		if phrase {
			return nil, &QueryError{Pos: t.pos, Msg: "empty phrase: put words between the quotes"}
		}
		return nil, &QueryError{Pos: t.pos, Msg: fmt.Sprintf("%q has no letters or digits to search for", t.text)}
	}
	p.terms += len(words)
	if !prefix && allStopWords(words) {
		words = nil // dropped, like the backends drop them from the index
	}
	return &rawNode{kind: rawTerm, pos: t.pos, words: words, phrase: phrase || len(words) > 1, prefix: prefix}, nil
}

// queryWords splits text the way the full-text indexes split a document: runs of letters and
// digits, lower-cased.
func queryWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !isQueryWordRune(r) })
}

func isQueryWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func allStopWords(words []string) bool {
	for _, w := range words {
		if !stopWords[w] {
			return false
		}
	}
	return true
}

// stopWords are the words PostgreSQL's english configuration leaves out of its index (Snowball's
// English stop list). The parser drops them from terms so that both backends give the same
// results.
var stopWords = func() map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(`i me my myself we our ours ourselves you your yours yourself
		yourselves he him his himself she her hers herself it its itself they them their theirs
		themselves what which who whom this that these those am is are was were be been being have
		has had having do does did doing a an the and but if or because as until while of at by
		for with about against between into through during before after above below to from up
		down in out on off over under again further then once here there when where why how all
		any both each few more most other some such no nor not only own same so than too very s t
		can will just don should now`) {
		m[w] = true
	}
	return m
}()

// buildQuery checks the raw tree's structure (filters at the top, exclusions beside something
// to exclude from) and shapes it into a ParsedQuery.
func buildQuery(root *rawNode, src string) (ParsedQuery, error) {
	var q ParsedQuery
	if root.kind == rawAnd && len(root.args) == 0 {
		return q, nil // the empty query
	}
	top := []*rawNode{root}
	if root.kind == rawAnd {
		top = root.args
	}
	var search []*Node
	hadTerms := false
	for _, n := range top {
		if f, ok, err := asFilter(n); err != nil {
			return ParsedQuery{}, err
		} else if ok {
			q.Filters = append(q.Filters, f)
			continue
		}
		hadTerms = true
		m, err := searchNode(n)
		if err != nil {
			return ParsedQuery{}, err
		}
		if m != nil {
			search = append(search, m)
		}
	}
	search = flattenAnd(search)
	switch {
	case len(search) == 1 && search[0].Op != OpNot:
		q.Match = search[0]
	case len(search) > 0:
		q.Match = &Node{Op: OpAnd, Args: search}
	case hadTerms && len(q.Filters) == 0:
		return ParsedQuery{}, &QueryError{Msg: fmt.Sprintf("%q has only very common words (the, of, and…), which are not indexed", strings.TrimSpace(src))}
	}
	return q, nil
}

// asFilter reports whether n is a top-level filter: field:value, an OR of one field's values,
// or either excluded.
func asFilter(n *rawNode) (Filter, bool, error) {
	exclude := false
	if n.kind == rawNot && (n.args[0].kind == rawFilter || n.args[0].kind == rawOr) {
		exclude, n = true, n.args[0]
	}
	switch n.kind {
	case rawFilter:
		v, err := filterValue(n)
		if err != nil {
			return Filter{}, false, err
		}
		return Filter{Field: n.field, Values: []string{v}, Exclude: exclude}, true, nil
	case rawOr:
		nf := 0
		for _, a := range n.args {
			if a.kind == rawFilter {
				nf++
			}
		}
		if nf == 0 {
			return Filter{}, false, nil
		}
		f := Filter{Field: n.args[0].field, Exclude: exclude}
		for _, a := range n.args {
			if a.kind != rawFilter || a.field != f.Field {
				return Filter{}, false, &QueryError{Pos: a.pos, Msg: "an OR of filters must hold one kind of filter only (source:a OR source:b)"}
			}
			v, err := filterValue(a)
			if err != nil {
				return Filter{}, false, err
			}
			if !slices.Contains(f.Values, v) {
				f.Values = append(f.Values, v)
			}
		}
		return f, true, nil
	}
	return Filter{}, false, nil
}

// searchNode converts a raw subtree without filters; nil when nothing in it is searchable (only
// common words).
func searchNode(n *rawNode) (*Node, error) {
	switch n.kind {
	case rawFilter:
		return nil, &QueryError{Pos: n.pos, Msg: n.field + ": filters apply to the whole query: write them beside the search terms, not inside parentheses or an OR with terms"}
	case rawTerm:
		switch {
		case n.words == nil:
			return nil, nil
		case n.prefix:
			return &Node{Op: OpPrefix, Words: n.words}, nil
		case len(n.words) > 1:
			return &Node{Op: OpPhrase, Words: n.words}, nil
		default:
			return &Node{Op: OpWord, Words: n.words}, nil
		}
	case rawNot:
		arg, err := searchNode(n.args[0])
		if err != nil || arg == nil {
			return nil, err
		}
		if arg.Op == OpNot || (arg.Op == OpAnd && !hasPositive(arg)) { // -(-a): say what was meant instead
			return nil, &QueryError{Pos: n.pos, Msg: "excluding exclusions: write the terms to search for"}
		}
		return &Node{Op: OpNot, Args: []*Node{arg}}, nil
	case rawOr:
		var alts []*Node
		for _, a := range n.args {
			m, err := searchNode(a)
			if err != nil {
				return nil, err
			}
			if m == nil {
				continue
			}
			if m.Op == OpNot || (m.Op == OpAnd && !hasPositive(m)) {
				return nil, &QueryError{Pos: a.pos, Msg: "an excluded term cannot be an alternative of OR: write the exclusion beside the OR (a OR b -c)"}
			}
			if m.Op == OpOr {
				alts = append(alts, m.Args...)
			} else {
				alts = append(alts, m)
			}
		}
		switch len(alts) {
		case 0:
			return nil, nil
		case 1:
			return alts[0], nil
		}
		return &Node{Op: OpOr, Args: alts}, nil
	default: // rawAnd, a parenthesised group
		var parts []*Node
		for _, a := range n.args {
			m, err := searchNode(a)
			if err != nil {
				return nil, err
			}
			if m != nil {
				parts = append(parts, m)
			}
		}
		parts = flattenAnd(parts)
		switch {
		case len(parts) == 0:
			return nil, nil
		case len(parts) == 1 && parts[0].Op != OpNot:
			return parts[0], nil
		}
		return &Node{Op: OpAnd, Args: parts}, nil
	}
}

// flattenAnd lifts the arguments of nested ANDs into one list, positives first (the order the
// compilers want), keeping the written order otherwise.
func flattenAnd(nodes []*Node) []*Node {
	var pos, neg []*Node
	var walk func([]*Node)
	walk = func(ns []*Node) {
		for _, n := range ns {
			switch n.Op {
			case OpAnd:
				walk(n.Args)
			case OpNot:
				neg = append(neg, n)
			default:
				pos = append(pos, n)
			}
		}
	}
	walk(nodes)
	return append(pos, neg...)
}

func hasPositive(and *Node) bool {
	return slices.ContainsFunc(and.Args, func(n *Node) bool { return n.Op != OpNot })
}

// filterValue normalises a filter's value the way the store keys sources and speakers.
func filterValue(n *rawNode) (string, error) {
	v := sourceKey(n.value)
	if n.field == "speaker" {
		v = speakerKey(n.value)
	}
	if v == "" {
		return "", &QueryError{Pos: n.pos, Msg: fmt.Sprintf("%s: needs a value (%s:name or %s:\"two words\")", n.field, n.field, n.field)}
	}
	return v, nil
}

// sourceKey is how sources are compared: case-insensitive, with single spaces.
func sourceKey(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// speakerKey is how speaker names are compared: lower case, without accents or dots, single
// spaces ("Sergey V. Lavrov" -> "sergey v lavrov").
func speakerKey(name string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == '.' || r == ',' || unicode.IsSpace(r):
			b.WriteRune(' ')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// surnameKey is the speaker key of a name's last word ("sergey lavrov" -> "lavrov"), skipping
// generational suffixes.
func surnameKey(key string) string {
	f := strings.Fields(key)
	for len(f) > 1 {
		switch f[len(f)-1] {
		case "jr", "sr", "ii", "iii", "iv":
			f = f[:len(f)-1]
			continue
		}
		break
	}
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}
