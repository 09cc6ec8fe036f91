package briefing

import (
	"cmp"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Defaults of a briefing's budget.
const (
	DefaultStories        = 5
	DefaultQuotesPerStory = 3
)

// AssembleOptions says what a briefing is about and how much of it to keep.
type AssembleOptions struct {
	// Topic names the briefing ("korea"); Query is the search it stands for
	// ('korea OR pyongyang OR "north korea"'). Both also tell which stories are most on topic.
	Topic string
	Query string
	// Terms are further words or phrases that make a story more relevant to the topic.
	Terms []string
	// From and To bound the window; articles published outside it are left out. Zero bounds are
	// open.
	From, To time.Time
	// Stories and QuotesPerStory are the budget (defaults 5 and 3).
	Stories        int
	QuotesPerStory int
	// Now is the moment recency is measured from; zero means To, or else the newest article.
	Now time.Time
}

// Weights of a story's importance.
const (
	weightOutlets = 1.2 // × log2(1 + outlets carrying the story)
	weightRecency = 1.0 // × 0.5^(age / half-life)
	weightTopic   = 0.8 // × 1 topic term in the headline, 0.6 in the lede
	weightVoices  = 0.8 // × the weight of the voices quoted, 0..1
)

// Weights of a quote within a story, added to the engine's score.
const (
	quoteKeyBonus          = 1.0  // the engine marked it as a key quote
	quotePartialPenalty    = 0.6  // a fragment inside reported speech
	quoteAnonymousPenalty  = 0.3  // nobody to credit it to
	quoteTitleBonus        = 0.05 // the speaker's title is known
	quoteOutletsBonus      = 0.08 // × log2(outlets carrying it)
	quoteSameSpeakerMalus  = 0.12 // per quote of the same speaker already chosen
	quoteOneVoiceMalus     = 1.5  // once maxQuotesPerVoice quotes of the speaker are chosen
	maxQuotesPerVoice      = 2    // quotes of one speaker in a story while other voices remain
	quoteSameThingOverlap  = 0.75 // content-word overlap at which two quotes say the same thing
	quoteSameWordingShare  = 0.6  // shingle overlap at which two quotes are copies of one
	quotesConsideredPerArt = 12   // quotes of each article considered for a story
	maxDerivedLedeBytes    = 600  // a lede taken from the body is cut to about this size
)

// Assemble turns analysed articles into a briefing: it groups them into stories (one event, from
// one outlet or many), ranks the stories by importance, keeps the best opts.Stories of them, and
// gives each its headline, lede, sources and up to opts.QuotesPerStory key quotes. More counts
// the stories that did not fit. Assemble does no I/O and does not modify articles.
func Assemble(articles []Article, opts AssembleOptions) Briefing {
	if opts.Stories <= 0 {
		opts.Stories = DefaultStories
	}
	if opts.QuotesPerStory <= 0 {
		opts.QuotesPerStory = DefaultQuotesPerStory
	}
	b := Briefing{Topic: opts.Topic, Query: opts.Query, From: opts.From, To: opts.To, Stories: []Story{}}

	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	cands := sc.candidatesInWindow(articles, opts.From, opts.To)
	if len(cands) == 0 {
		return b
	}
	fb, terms := extractFeatures(sc, cands, topicTerms(opts), opts.QuotesPerStory)
	for i := range cands {
		cands[i].vec = fb.weigh(cands[i].vec, len(cands))
	}
	clusters := clusterCandidates(sc, cands, len(fb.df))

	now := opts.Now
	if now.IsZero() {
		now = opts.To
	}
	if now.IsZero() {
		now = cands[len(cands)-1].when
	}
	r := storyRanker{
		cands:      cands,
		terms:      terms,
		now:        now,
		halfLife:   recencyHalfLife(opts.From, opts.To),
		perStory:   opts.QuotesPerStory,
		wordBuf:    fb.buf,
		wordHashes: fb.keyBuf,
	}
	ranked := make([]rankedStory, len(clusters))
	for i, st := range clusters {
		ranked[i] = r.rank(st)
	}
	slices.SortFunc(ranked, func(a, b rankedStory) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		if c := b.last.Compare(a.last); c != 0 {
			return c
		}
		return cmp.Compare(cands[a.best].a.Headline, cands[b.best].a.Headline)
	})
	if len(ranked) > opts.Stories {
		b.More = len(ranked) - opts.Stories
		ranked = ranked[:opts.Stories]
	}
	// The titles the kept stories' articles give their speakers, for every story to draw on.
	for _, rs := range ranked {
		for _, m := range rs.st.members {
			r.titles.addArticle(cands[m].a)
		}
	}
	for _, rs := range ranked {
		b.Stories = append(b.Stories, r.build(rs))
	}
	return b
}

// candidateEntry is an article of the window, with its time, for sorting.
type candidateEntry struct {
	when time.Time
	at   int64 // when, as a number (see sortKey), to sort by
	i    int
}

// candidatesInWindow returns the articles published within [from, to], oldest first; articles
// of the same time are ordered by URL and headline, so the input's order never matters.
func (sc *scratch) candidatesInWindow(articles []Article, from, to time.Time) []storyCandidate {
	type entry = candidateEntry
	in := slices.Grow(sc.entries[:0], len(articles))
	for i := range articles {
		a := &articles[i]
		when := a.Published
		if when.IsZero() {
			when = a.FirstSeen
		}
		if !from.IsZero() && when.Before(from) || !to.IsZero() && when.After(to) {
			continue
		}
		in = append(in, entry{when, sortKey(when), i})
	}
	slices.SortFunc(in, func(x, y entry) int {
		if x.at != y.at {
			return cmp.Compare(x.at, y.at)
		}
		ax, ay := &articles[x.i], &articles[y.i]
		return cmp.Or(x.when.Compare(y.when), cmp.Compare(ax.URL, ay.URL),
			cmp.Compare(ax.Headline, ay.Headline), cmp.Compare(x.i, y.i))
	})
	sc.entries = in
	cands := slices.Grow(sc.cands[:0], len(in))[:len(in)]
	sc.cands = cands
	for k, e := range in {
		a := &articles[e.i]
		cands[k] = storyCandidate{a: a, when: e.when, outlet: outletName(a), lede: ledeOf(a)}
	}
	return cands
}

// sortKey orders times as Compare does, as one number: nanoseconds since 1970, clamped to the
// range of an int64 (years 1678 to 2262); times beyond it compare further by Compare.
func sortKey(t time.Time) int64 {
	const minSec, maxSec = -9223372036, 9223372035
	switch s := t.Unix(); {
	case s < minSec:
		return math.MinInt64
	case s > maxSec:
		return math.MaxInt64
	}
	return t.UnixNano()
}

// outletName names the outlet of an article: its Source, or the host of its URL.
func outletName(a *Article) string {
	if s := strings.TrimSpace(a.Source); s != "" {
		return s
	}
	if u, err := url.Parse(a.URL); err == nil && u.Host != "" {
		return strings.TrimPrefix(u.Hostname(), "www.")
	}
	return "unknown source"
}

// ledeOf returns the article's lede, or its first paragraph when the analysis gave none, as it
// stands in the article: clustering reads its words, and a story shows it through ledeText.
func ledeOf(a *Article) string {
	if strings.TrimSpace(a.Lede) != "" {
		return a.Lede
	}
	body := a.Body()
	for para := range strings.SplitSeq(body, "\n") {
		para = strings.TrimSpace(para)
		if para == "" || para == strings.TrimSpace(a.Headline) {
			continue
		}
		return para
	}
	return ""
}

// shownLede is a lede as a story shows it: whitespace collapsed, and a lede derived from the body
// cut to about maxDerivedLedeBytes.
func shownLede(a *Article, lede string) string {
	if lede == a.Lede {
		return squashSpace(lede)
	}
	return shortenAtWord(squashSpace(lede), maxDerivedLedeBytes)
}

// squashSpace trims s and turns every run of whitespace into one space.
func squashSpace(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c >= 0x80 || c == ' ' && (i == 0 || i == len(s)-1 || s[i+1] == ' ') {
			// Control characters, possible Unicode spaces, or spaces to trim or squash.
			return strings.Join(strings.Fields(s), " ")
		}
	}
	return s
}

// shortenAtWord shortens s to at most n bytes at a word boundary, marking the cut with "…".
func shortenAtWord(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n], ' ')
	if cut <= 0 {
		return "…"
	}
	return strings.TrimRight(s[:cut], " ,;:") + "…"
}

// recencyHalfLife is the age at which a story's recency halves: half the window, 3 hours to a
// week, 12 hours for an open window.
func recencyHalfLife(from, to time.Time) time.Duration {
	if from.IsZero() || to.IsZero() || !to.After(from) {
		return 12 * time.Hour
	}
	return min(max(to.Sub(from)/2, 3*time.Hour), 7*24*time.Hour)
}

// topicTerms returns the words and phrases of the topic, its query and extra terms, each as its
// stemmed words. Query operators (OR, AND, NOT) and excluded terms (-word, NOT word) are skipped.
func topicTerms(opts AssembleOptions) [][]string {
	var out [][]string
	var buf []byte
	add := func(phrase string) {
		var words []string
		buf = eachTextWord(phrase, buf, func(w []byte, _ bool) {
			words = append(words, string(stemWord(w)))
		})
		if len(words) > 0 {
			out = append(out, words)
		}
	}
	if opts.Topic != "" {
		add(opts.Topic)
	}
	for _, t := range opts.Terms {
		add(t)
	}
	q := opts.Query
	for q != "" {
		q = strings.TrimLeft(q, " \t()")
		if q == "" {
			break
		}
		if q[0] == '"' {
			end := strings.IndexByte(q[1:], '"')
			if end < 0 {
				add(q[1:])
				break
			}
			add(q[1 : 1+end])
			q = q[2+end:]
			continue
		}
		word, rest, _ := strings.Cut(q, " ")
		q = rest
		word = strings.Trim(word, "()")
		switch {
		case word == "OR" || word == "AND" || word == "":
		case word == "NOT":
			_, q, _ = strings.Cut(strings.TrimLeft(q, " "), " ")
		case strings.HasPrefix(word, "-"):
		default:
			if _, v, ok := strings.Cut(word, ":"); ok {
				word = v
			}
			add(strings.TrimSuffix(word, "*"))
		}
	}
	return out
}

// storyRanker scores clusters and builds the stories that make the cut.
type storyRanker struct {
	cands      []storyCandidate
	terms      []uint64 // each topic term as the bits of its words (see featureBuilder.setTopic)
	now        time.Time
	halfLife   time.Duration
	perStory   int
	wordBuf    []byte
	wordHashes []uint64
	// titles holds the titles the articles of the briefing's stories give their speakers; shown
	// the quotes earlier stories show, so that no quote is shown twice.
	titles titleBook
	shown  shownQuotes
	// Scratch space of voices and of selectQuotes, kept between stories.
	voiceWeights []float64
	voiceNames   []string
	grouper      quoteGrouper
	storyTitles  titleBook
	bestBuf      []int
	shingleBuf   []uint64
}

// quoteGrouper finds the copies of one quote among a story's quotes: it lists, for each
// shingle, the groups (quotes merged so far) holding it.
type quoteGrouper struct {
	index    *hashIndex // shingle → its first posting
	postings []storyPosting
	// hits counts, by group, the shingles of the quote at hand it holds, for the groups in
	// touched.
	hits    []int32
	touched []int32
}

// reset empties the grouper for another story.
func (qg *quoteGrouper) reset() {
	if qg.index == nil {
		qg.index = newHashIndex(256)
	}
	qg.index.reset()
	qg.postings, qg.hits, qg.touched = qg.postings[:0], qg.hits[:0], qg.touched[:0]
}

// count counts, for each group, how many of the shingles it holds.
func (qg *quoteGrouper) count(shingles []uint64) {
	for _, g := range qg.touched {
		qg.hits[g] = 0
	}
	qg.touched = qg.touched[:0]
	for _, h := range shingles {
		head, ok := qg.index.get(h)
		for i := head; ok && i >= 0; i = qg.postings[i].next {
			g := qg.postings[i].story
			if qg.hits[g] == 0 {
				qg.touched = append(qg.touched, g)
			}
			qg.hits[g]++
		}
	}
}

// add records that group g holds shingle h, and reports whether it did not already.
func (qg *quoteGrouper) add(h uint64, g int32) bool {
	head, ok := qg.index.get(h)
	if !ok {
		head = -1
	}
	for i := head; i >= 0; i = qg.postings[i].next {
		if qg.postings[i].story == g {
			return false
		}
	}
	qg.postings = append(qg.postings, storyPosting{story: g, next: head})
	qg.index.put(h, int32(len(qg.postings)-1))
	return true
}

// shownQuotes are the quotes a briefing shows, as shingles, to keep a quote (or a near-identical
// copy) from being shown by a second story.
type shownQuotes struct {
	post  map[uint64][]int // shingle → the quotes holding it
	sizes []int            // by quote: its number of shingles
	hits  map[int]int
}

// add records the shingles of a quote shown.
func (sq *shownQuotes) add(shingles []uint64) {
	if sq.post == nil {
		sq.post, sq.hits = make(map[uint64][]int), make(map[int]int)
	}
	id := len(sq.sizes)
	sq.sizes = append(sq.sizes, len(shingles))
	for _, h := range shingles {
		sq.post[h] = append(sq.post[h], id)
	}
}

// has reports whether a quote with these shingles is a copy of one shown: most of the shorter
// one's shingles are the other's.
func (sq *shownQuotes) has(shingles []uint64) bool {
	if len(sq.sizes) == 0 {
		return false
	}
	clear(sq.hits)
	for _, h := range shingles {
		for _, id := range sq.post[h] {
			sq.hits[id]++
		}
	}
	for id, n := range sq.hits {
		if float64(n) >= quoteSameWordingShare*float64(min(len(shingles), sq.sizes[id])) {
			return true
		}
	}
	return false
}

// rankedStory is a cluster with its importance.
type rankedStory struct {
	st    *storyCluster
	best  int // the candidate whose headline and lede the story shows
	last  time.Time
	score float64
}

// rank scores a cluster's importance: outlets, recency, topic match and the voices it quotes.
func (r *storyRanker) rank(st *storyCluster) rankedStory {
	best := st.members[0]
	if len(st.members) > 1 {
		bestQ := math.Inf(-1)
		for _, m := range st.members {
			if q := r.articleQuality(m, st); q > bestQ {
				best, bestQ = m, q
			}
		}
	}
	outlets := 0 // distinct outlets among the members
	for i, m := range st.members {
		sameOutlet := func(p int) bool { return strings.EqualFold(r.cands[p].outlet, r.cands[m].outlet) }
		if !slices.ContainsFunc(st.members[:i], sameOutlet) {
			outlets++
		}
	}
	age := r.now.Sub(st.last)
	recency := 1.0
	if age > 0 {
		recency = math.Pow(0.5, float64(age)/float64(r.halfLife))
	}
	score := weightOutlets*math.Log2(1+float64(outlets)) +
		weightRecency*recency +
		weightTopic*r.topicMatch(&r.cands[best]) +
		weightVoices*r.voices(st)
	return rankedStory{st: st, best: best, last: st.last, score: score}
}

// order lists a story's members: its best article first, then the others by time.
func (r *storyRanker) order(rs rankedStory) []int {
	order := make([]int, 0, len(rs.st.members))
	order = append(order, rs.best)
	for _, m := range rs.st.members {
		if m != rs.best {
			order = append(order, m)
		}
	}
	slices.SortStableFunc(order[1:], func(a, b int) int { return r.cands[a].when.Compare(r.cands[b].when) })
	return order
}

// articleQuality says how well an article represents its story: how central it is, and whether it
// brings named key quotes, a lede and a link.
func (r *storyRanker) articleQuality(m int, st *storyCluster) float64 {
	c := &r.cands[m]
	q := cosineToCentroid(c.vec, st)
	named := 0
	for i := range c.a.Quotes {
		if c.a.Quotes[i].Key && c.a.Quotes[i].Speaker != "" {
			named++
		}
	}
	q += 0.15 * float64(min(named, 3))
	if c.lede != "" {
		q += 0.1
	}
	if c.a.URL != "" {
		q += 0.05
	}
	if c.a.Headline == "" {
		q -= 1
	}
	return q
}

// topicMatch is 1 when a topic term is in the article's headline, 0.6 when in its lede.
func (r *storyRanker) topicMatch(c *storyCandidate) float64 {
	for _, t := range r.terms {
		if c.topicHead&t == t {
			return 1
		}
	}
	for _, t := range r.terms {
		if c.topicLede&t == t {
			return 0.6
		}
	}
	return 0
}

// voices weighs who the story quotes, 0..1: for the best perStory distinct voices among its key
// and best quotes, a named speaker counts 0.6 and a title 0.4 more; an anonymous quote 0.2.
func (r *storyRanker) voices(st *storyCluster) float64 {
	weights, seen := r.voiceWeights[:0], r.voiceNames[:0]
	defer func() { r.voiceWeights, r.voiceNames = weights, seen }()
	for _, m := range st.members {
		qs := r.cands[m].a.Quotes
		for _, i := range r.cands[m].best[:min(len(r.cands[m].best), r.perStory)] {
			q := &qs[i]
			w := 0.2
			if q.Speaker != "" {
				if slices.Contains(seen, q.Speaker) {
					continue
				}
				seen = append(seen, q.Speaker)
				w = 0.6
				if q.SpeakerTitle != "" {
					w = 1
				}
			}
			if q.Partial {
				w /= 2
			}
			weights = append(weights, w)
		}
	}
	slices.SortFunc(weights, func(a, b float64) int { return cmp.Compare(b, a) })
	var sum float64
	for i := 0; i < len(weights) && i < r.perStory; i++ {
		sum += weights[i]
	}
	return sum / float64(r.perStory)
}

// sources returns one SourceRef per outlet, in the order of the members given.
func (r *storyRanker) sources(order []int) []SourceRef {
	refs := make([]SourceRef, 0, len(order))
	for _, m := range order {
		c := &r.cands[m]
		if !slices.ContainsFunc(refs, func(ref SourceRef) bool { return strings.EqualFold(ref.Name, c.outlet) }) {
			refs = append(refs, SourceRef{Name: c.outlet, URL: c.a.URL})
		}
	}
	return refs
}

// build turns a ranked cluster into the Story the briefing shows.
func (r *storyRanker) build(rs rankedStory) Story {
	order := r.order(rs)
	best := &r.cands[rs.best]
	lede := shownLede(best.a, best.lede)
	headline := squashSpace(best.a.Headline)
	if headline == "" {
		headline = shortenAtWord(lede, 120)
	}
	return Story{
		Headline:  headline,
		Lede:      lede,
		URL:       best.a.URL,
		Published: rs.last,
		Sources:   r.sources(order),
		Quotes:    r.selectQuotes(order),
		Score:     math.Round(rs.score*1000) / 1000,
	}
}

// quoteCarrier is one article's copy of a quote.
type quoteCarrier struct {
	cand int
	q    *Quote
}

// sharedQuote is one quote as several outlets carried it.
type sharedQuote struct {
	copies []quoteCarrier
	// shingles are the distinct shingles of all copies.
	shingles []uint64
	// Filled by finish.
	rep      quoteCarrier
	speaker  string
	title    string
	outlets  int
	rank     float64
	contents []uint64
}

// selectQuotes merges the quotes of a story's articles (the same quote from several outlets
// becomes one, credited to its speaker, with the outlets counted) and chooses the best perStory
// of them: key quotes and higher scores first, attributed and complete quotes before anonymous
// ones and fragments, no two that say the same thing, no quote an earlier story of the briefing
// shows, different speakers when scores are close, and a third quote of one speaker only when
// no other voice is worth showing.
func (r *storyRanker) selectQuotes(order []int) []StoryQuote {
	var groups []*sharedQuote
	qg := &r.grouper
	qg.reset()
	r.storyTitles.variants = r.storyTitles.variants[:0]
	for _, m := range order {
		r.storyTitles.addArticle(r.cands[m].a)
	}
	for _, m := range order {
		qs := r.cands[m].a.Quotes
		r.bestBuf = appendBestQuotes(r.bestBuf[:0], qs, quotesConsideredPerArt)
		for _, i := range r.bestBuf {
			q := &qs[i]
			var sh []uint64
			sh, _, r.wordHashes = quoteShingles(q.Text, r.wordHashes, r.shingleBuf[:0])
			r.shingleBuf = sh
			if len(sh) == 0 {
				continue
			}
			// The group holding most of the quote's shingles, if it holds enough of them.
			qg.count(sh)
			target, bestShare := int32(-1), quoteSameWordingShare
			for _, g := range qg.touched {
				share := float64(qg.hits[g]) / float64(min(len(sh), len(groups[g].shingles)))
				if share > bestShare || share == bestShare && target >= 0 && g < target {
					target, bestShare = g, share
				}
			}
			if target < 0 {
				target = int32(len(groups))
				groups = append(groups, &sharedQuote{})
				qg.hits = append(qg.hits, 0)
			}
			g := groups[target]
			g.copies = append(g.copies, quoteCarrier{cand: m, q: q})
			for _, h := range sh {
				if qg.add(h, target) {
					g.shingles = append(g.shingles, h)
				}
			}
		}
	}
	for _, g := range groups {
		r.finish(g)
	}
	slices.SortStableFunc(groups, func(a, b *sharedQuote) int { return cmp.Compare(b.rank, a.rank) })

	chosen := make([]*sharedQuote, 0, r.perStory)
	taken := make([]bool, len(groups))
	bySpeaker := make(map[string]int)
	for len(chosen) < r.perStory {
		pick, pickRank := -1, math.Inf(-1)
		for i, g := range groups {
			if taken[i] {
				continue
			}
			adjusted := g.rank
			if n := bySpeaker[g.speaker]; g.speaker != "" && n > 0 {
				adjusted -= quoteSameSpeakerMalus * float64(n)
				if n >= maxQuotesPerVoice {
					adjusted -= quoteOneVoiceMalus
				}
			}
			if adjusted > pickRank {
				pick, pickRank = i, adjusted
			}
		}
		if pick < 0 {
			break
		}
		taken[pick] = true
		g := groups[pick]
		if slices.ContainsFunc(chosen, func(c *sharedQuote) bool {
			return sayTheSameThing(r.contentWords(c), r.contentWords(g))
		}) {
			continue
		}
		if r.shown.has(g.shingles) {
			continue // an earlier story shows it
		}
		chosen = append(chosen, g)
		bySpeaker[g.speaker]++
	}

	out := make([]StoryQuote, 0, len(chosen))
	for _, g := range chosen {
		r.shown.add(g.shingles)
		text := quoteDisplayText(g.rep.q.Text)
		link := ""
		if u := r.cands[g.rep.cand].a.URL; u != "" {
			link = TextFragmentURL(u, text)
		} else {
			for _, c := range g.copies {
				if u := r.cands[c.cand].a.URL; u != "" {
					link = TextFragmentURL(u, c.q.Text)
					break
				}
			}
		}
		out = append(out, StoryQuote{Text: text, Speaker: g.speaker, SpeakerTitle: g.title, URL: link, Outlets: g.outlets})
	}
	return out
}

// finish chooses a group's representative copy, speaker and title, counts its outlets and ranks it.
func (r *storyRanker) finish(g *sharedQuote) {
	g.rep = g.copies[0]
	g.speaker = g.rep.q.Speaker
	g.outlets = 1
	key, score := g.rep.q.Key, g.rep.q.Score
	if len(g.copies) > 1 {
		// The representative: complete before partial, attributed before anonymous, key,
		// score; the copies are in story order (best article first), which breaks ties.
		for _, c := range g.copies[1:] {
			if betterCopy(c.q, g.rep.q) {
				g.rep = c
			}
			key = key || c.q.Key
			score = max(score, c.q.Score)
		}
		// The speaker most copies credit (ties: the representative's, then story order).
		g.speaker, g.outlets = r.creditAndOutlets(g)
	}
	g.title = speakerTitle(&r.storyTitles, &r.titles, g.speaker)

	g.rank = score + quoteOutletsBonus*math.Log2(float64(g.outlets))
	if key {
		g.rank += quoteKeyBonus
	}
	if g.rep.q.Partial {
		g.rank -= quotePartialPenalty
	}
	if g.speaker == "" {
		g.rank -= quoteAnonymousPenalty
	} else if g.title != "" {
		g.rank += quoteTitleBonus
	}
}

// betterCopy orders two copies of a quote: complete before partial, attributed before
// anonymous, key before not, then by score.
func betterCopy(a, b *Quote) bool {
	if a.Partial != b.Partial {
		return !a.Partial
	}
	if (a.Speaker != "") != (b.Speaker != "") {
		return a.Speaker != ""
	}
	if a.Key != b.Key {
		return a.Key
	}
	return a.Score > b.Score
}

// creditAndOutlets returns the speaker most of a group's copies credit (ties: the
// representative's, then the first in story order) and the number of outlets carrying it.
func (r *storyRanker) creditAndOutlets(g *sharedQuote) (speaker string, outlets int) {
	speaker, votes := g.rep.q.Speaker, 0
	for i, c := range g.copies {
		if !slices.ContainsFunc(g.copies[:i], func(p quoteCarrier) bool {
			return strings.EqualFold(r.cands[p.cand].outlet, r.cands[c.cand].outlet)
		}) {
			outlets++
		}
		s := c.q.Speaker
		if s == "" || slices.ContainsFunc(g.copies[:i], func(p quoteCarrier) bool { return p.q.Speaker == s }) {
			continue
		}
		n := 0
		for _, d := range g.copies[i:] {
			if d.q.Speaker == s {
				n++
			}
		}
		if n > votes || n == votes && s == g.rep.q.Speaker {
			speaker, votes = s, n
		}
	}
	return speaker, outlets
}

// contentWords returns the content words of a group's quote, to tell whether two different
// wordings say the same thing; they are read once, when first asked for.
func (r *storyRanker) contentWords(g *sharedQuote) []uint64 {
	if g.contents == nil {
		g.contents = []uint64{}
		r.wordBuf = eachTextWord(g.rep.q.Text, r.wordBuf, func(w []byte, _ bool) {
			w = stemWord(w)
			if h := fnvWord(w); !isClusterStopWord(w) && !slices.Contains(g.contents, h) {
				g.contents = append(g.contents, h)
			}
		})
	}
	return g.contents
}

// quoteDisplayText is a quote's text as a briefing shows it: on one line, without the comma or
// colon that led into the attribution ("…peninsula," he said) or a closing full stop, so that
// every quote ends alike; a question or exclamation mark, an ellipsis or an abbreviation's point
// ("U.S.") stays.
func quoteDisplayText(text string) string {
	text = strings.TrimRight(squashSpace(text), " ,;:")
	if n := len(text); n >= 2 && text[n-1] == '.' {
		if c := text[n-2]; c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == ')' || c == '%' {
			text = strings.TrimRight(text[:n-1], " ,;:")
		}
	}
	return text
}

// sayTheSameThing reports whether two quotes, as their content words, share most of them.
func sayTheSameThing(a, b []uint64) bool {
	n := min(len(a), len(b))
	if n < 2 {
		return false
	}
	shared := 0
	for _, h := range b {
		if slices.Contains(a, h) {
			shared++
		}
	}
	return float64(shared) >= quoteSameThingOverlap*float64(n)
}
