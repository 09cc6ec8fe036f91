package briefing

import (
	"cmp"
	"math"
	"slices"
	"sync"
	"time"
)

// Clustering: articles about the same event, from one outlet or many, become one story.
//
//  1. Articles the store linked as copies of one wire story (the same StoryID) start as one group.
//  2. Each article becomes a TF-IDF vector of its headline (counted twice) and its lede (names
//     weighted up), words stemmed. IDF is computed over the candidate articles themselves, so
//     the words every article of the topic shares ("korea", "pyongyang") weigh nearly nothing and
//     the words that tell one event from another ("missile", "hotline") carry the comparison;
//     words in more than a tenth of the candidates are dropped outright.
//  3. Groups are visited in time order; each joins the existing story whose centroid it is most
//     similar to, when that similarity passes a threshold, comes from more than shared names, and
//     the story is close in time; otherwise it starts a new story. Comparing with a centroid, not
//     with single articles, keeps a chain of loosely related articles from gluing events together.
//  4. Evidence beyond the words adds to the similarity, once the words show the articles are
//     related at all: a quote both carry (near-identical wording), worth most when both credit it
//     to the same speaker — two articles quoting the same person word for word within days report
//     the same event — and two named speakers both quote, unless the topic quotes them in story
//     after story.
//
// Candidate stories are found through inverted indexes (term → stories, quote sketch hash →
// stories, speaker → stories), so the cost grows with the overlaps, not with the square of the
// article count.

const (
	// clusterThreshold is the similarity at which an article joins a story.
	clusterThreshold = 0.40
	// minWordSimilarity is the part of the similarity that must come from words other than names:
	// articles that share only their names (the same minister, the same club) report different
	// events unless they also share a quote, or two speakers and half as many words.
	minWordSimilarity = 0.15
	// minRelatedSimilarity is the word similarity from which quotes and speakers count as
	// evidence: below it an article is about something else, whoever it quotes (a rate decision
	// that quotes the port's chief about a strike is not the strike story).
	minRelatedSimilarity = 0.08
	// sameSpeakerQuoteBonus is added per quote an article shares with a story word for word and
	// credits to the same speaker; sharedQuoteBonus per quote shared otherwise (one of them
	// anonymous, or credited to different people); both up to maxQuoteBonus.
	sameSpeakerQuoteBonus = 0.45
	sharedQuoteBonus      = 0.18
	maxQuoteBonus         = 0.6
	// sharedSpeakerBonus is added per named speaker an article shares with a story, up to
	// maxSpeakerBonus, when they share at least minSharedSpeakers: one voice in common (a
	// minister, a coach) is the topic's, two are an event's. Speakers already quoted in more
	// than maxSpeakerStories stories are the topic's recurring voices and do not count.
	sharedSpeakerBonus = 0.1
	maxSpeakerBonus    = 0.2
	minSharedSpeakers  = 2
	maxSpeakerStories  = 2
	// sharedQuoteOverlap is the share of a quote's sketch a story must hold to share the quote.
	sharedQuoteOverlap = 0.5
	// quoteSketchSize is how many shingle hashes represent a quote while clustering: its
	// smallest ones (a bottom-k sketch), which two copies of a quote mostly share, so comparing
	// sketches estimates how much of their wording two quotes share at a fraction of the cost.
	quoteSketchSize = 6
	// minSharedQuoteWords: shorter quotes ("very good") are too common to link stories.
	minSharedQuoteWords = 6
	// quotesPerArticleForClustering bounds the quotes of each article compared while clustering
	// (its key quotes first, then its best by the engine's score).
	quotesPerArticleForClustering = 4
	// speakersPerArticleForClustering bounds the named speakers of each article compared.
	speakersPerArticleForClustering = 6
	// sameDayGap and maxStoryGap: articles within sameDayGap of a story compare at full weight;
	// the weight then falls linearly to half at maxStoryGap, beyond which nothing joins.
	sameDayGap  = 24 * time.Hour
	maxStoryGap = 72 * time.Hour
	// maxDFShare: a term found in more than 1/maxDFShare of the candidates (and in more than 20)
	// is dropped; it names the topic, not an event.
	maxDFShare = 10
	// idfPseudoDocs smooths IDF so a handful of candidates all about one event still cluster.
	idfPseudoDocs = 50
)

// termWeight is one entry of a sparse vector. name marks a term the article uses only as a
// name (capitalised inside a sentence of its lede, or a speaker's name).
type termWeight struct {
	w    float64
	term int32
	name bool
}

// storyCandidate is an article of the briefing's window with the features clustering and
// ranking use.
type storyCandidate struct {
	a    *Article
	when time.Time
	// outlet is the normalised outlet name (Source, or the URL's host); lede is the article's
	// lede as it stands (see ledeOf).
	outlet string
	lede   string
	// vec is the article's TF-IDF vector, L2-normalised, its terms in the order the article first
	// uses them.
	vec []termWeight
	// best indexes the article's best quotes (key first, then by score).
	best []int
	// quotes are the sketches of the article's best quotes (for shared-quote evidence), and
	// speakers the keys of its named speakers (see speakerKey).
	quotes   []quoteSketch
	speakers []uint64
	// topicHead and topicLede hold the bits of the topic words found in the headline and lede.
	topicHead, topicLede uint64
}

// storyCluster is a cluster of candidates under construction.
type storyCluster struct {
	members []int // indexes into the candidates
	// The centroid, the sum of the members' vectors: weights[i] is the weight of terms[i]. Most
	// stories hold a few dozen terms, found by a scan; bigger ones get an index.
	terms   []int32
	weights []float64
	index   map[int32]int32
	norm2   float64
	first   time.Time
	last    time.Time
	// speakers holds the keys of the named speakers the members quote.
	speakers []uint64
}

// quoteSketch is a quote as clustering compares it: the bottom-k sketch of its shingles and who
// said it (a speakerKey, 0 when nobody is named).
type quoteSketch struct {
	hashes  []uint64
	speaker uint64
}

// storyIndexFrom is the number of terms from which a story indexes them in a map.
const storyIndexFrom = 64

// slotOf returns where the centroid holds a term, or -1.
func (st *storyCluster) slotOf(term int32) int32 {
	if st.index != nil {
		if i, ok := st.index[term]; ok {
			return i
		}
		return -1
	}
	for i, t := range st.terms {
		if t == term {
			return int32(i)
		}
	}
	return -1
}

// add adds weight w of a term to the centroid and reports whether the term is new to it.
func (st *storyCluster) add(term int32, w float64) (slot int32, isNew bool) {
	i := st.slotOf(term)
	if isNew = i < 0; isNew {
		i = int32(len(st.terms))
		st.terms = append(st.terms, term)
		st.weights = append(st.weights, 0)
		if st.index != nil {
			st.index[term] = i
		} else if len(st.terms) > storyIndexFrom {
			st.index = make(map[int32]int32, 2*len(st.terms))
			for j, t := range st.terms {
				st.index[t] = int32(j)
			}
		}
	}
	old := st.weights[i]
	st.weights[i] = old + w
	st.norm2 += (old+w)*(old+w) - old*old
	return i, isNew
}

// centroidWeight returns the centroid's weight of a term.
func (st *storyCluster) centroidWeight(term int32) float64 {
	if i := st.slotOf(term); i >= 0 {
		return st.weights[i]
	}
	return 0
}

// posting says that a story's centroid holds a term, at weights[slot]; next is the index of
// the term's next posting, -1 after its last.
type posting struct {
	story, slot, next int32
}

// termPostings lists, for each term, the stories whose centroid holds it: linked lists in one
// slice, rather than a slice per term.
type termPostings struct {
	head     []int32 // by term: the index of its first posting, -1 for none
	postings []posting
}

// reset empties the postings for nterms terms, keeping their memory.
func (tp *termPostings) reset(nterms, capacity int) {
	tp.head = slices.Grow(tp.head[:0], nterms)[:nterms]
	for i := range tp.head {
		tp.head[i] = -1
	}
	tp.postings = slices.Grow(tp.postings[:0], capacity)
}

func (tp *termPostings) add(term, story, slot int32) {
	tp.postings = append(tp.postings, posting{story, slot, tp.head[term]})
	tp.head[term] = int32(len(tp.postings) - 1)
}

// featureBuilder turns candidates into vectors; its dictionary lives for one Assemble call.
type featureBuilder struct {
	// dict maps a word's hash (fnvWord: 64 bits, so two words never meet in practice) to its
	// term id; stop words map to -1. terms lists the hashes by id.
	dict *hashIndex
	// surface maps a word as written (see wordScanner) to its term id, or -1: the words an
	// article repeats, or others used before it, are stemmed and looked up once.
	surface *hashIndex
	terms   []uint64
	df      []int32
	idf     []float64 // by term, computed by the first weigh
	// Arenas the candidates' vectors, best quotes and quote sketches are cut from: one
	// allocation now and then instead of several per article.
	weights  []termWeight
	ints     []int
	hashes   []uint64
	sketches []quoteSketch
	// keyBuf and buf are scratch space.
	keyBuf []uint64
	buf    []byte
	// The term frequencies of the article at hand: tf by term id, for the terms in touched; and
	// whether the article used the term as a name, or as an ordinary word.
	tf      []float64
	asName  []bool
	asWord  []bool
	touched []int32
	// topicBit is, by term id, the bit of a topic word (0 for other words); topicHead and
	// topicLede collect the bits found in the text at hand.
	topicBit             []uint64
	topicHead, topicLede uint64
}

// How addText counts a text's capitalised words.
type textKind int

const (
	headlineText textKind = iota // capitals say nothing (headlines may be in title case)
	ledeText                     // a capitalised word inside a sentence is a name
)

// reset readies the builder for about n candidates, keeping the memory it has.
func (fb *featureBuilder) reset(n int) {
	words := n * 8 // distinct words, about
	if fb.dict == nil {
		fb.dict, fb.surface = newHashIndex(words+len(clusterStopHashes)), newHashIndex(words)
	} else {
		fb.dict.resetFor(words + len(clusterStopHashes))
		fb.surface.resetFor(words)
	}
	fb.terms = slices.Grow(fb.terms[:0], words)
	fb.df = slices.Grow(fb.df[:0], words)
	fb.tf = slices.Grow(fb.tf[:0], words)
	fb.asName = slices.Grow(fb.asName[:0], words)
	fb.asWord = slices.Grow(fb.asWord[:0], words)
	fb.topicBit = slices.Grow(fb.topicBit[:0], words)
	fb.idf = fb.idf[:0]
	fb.weights = slices.Grow(fb.weights[:0], n*24)
	fb.ints = slices.Grow(fb.ints[:0], n*4)
	fb.hashes = slices.Grow(fb.hashes[:0], n*(quotesPerArticleForClustering*quoteSketchSize+speakersPerArticleForClustering))
	fb.sketches = slices.Grow(fb.sketches[:0], n*quotesPerArticleForClustering)
	fb.touched = fb.touched[:0]
	fb.topicHead, fb.topicLede = 0, 0
	for _, h := range clusterStopHashes {
		fb.dict.put(h, -1)
	}
}

// clusterStopHashes are the hashes of the stop words and of their stems.
var clusterStopHashes = func() []uint64 {
	var hs []uint64
	for w := range clusterStopWords {
		hs = append(hs, fnvWord([]byte(w)), fnvWord(stemWord([]byte(w))))
	}
	return hs
}()

// scratch is the working memory of one Assemble call — the feature builders' dictionaries and
// arenas, and the postings of clustering — kept in scratchPool between calls: a briefing of 1,000
// articles would otherwise allocate some 3 MB of it, and spend a fifth of its time collecting
// that garbage. Nothing a briefing returns points into it.
type scratch struct {
	entries   []candidateEntry
	cands     []storyCandidate
	builders  [2]featureBuilder
	termPost  termPostings
	quotePost quotePostings
	voices    sharedVoices
}

// maxPooledCandidates: the scratch of a briefing of more candidates is not kept for reuse.
const maxPooledCandidates = 20000

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// release returns the scratch to the pool, without the articles it points to.
func (sc *scratch) release() {
	if len(sc.cands) > maxPooledCandidates {
		return
	}
	clear(sc.cands)
	sc.cands = sc.cands[:0]
	scratchPool.Put(sc)
}

// parallelFrom is the number of candidates from which their features are extracted by two
// goroutines: reading the articles is the biggest part of a briefing's work.
const parallelFrom = 256

// extractFeatures reads every candidate — its best quotes, its vector (raw frequencies) and its
// quote sketches — and returns the dictionary they share, with document frequencies, and the
// topic's terms as bits (see setTopic). Large sets are read by two goroutines, each with its own
// dictionary, merged after in a fixed order so the result never depends on scheduling.
func extractFeatures(sc *scratch, cands []storyCandidate, topic [][]string, perStory int) (*featureBuilder, []uint64) {
	parts := [][]storyCandidate{cands}
	if len(cands) >= parallelFrom {
		half := len(cands) / 2
		parts = [][]storyCandidate{cands[:half], cands[half:]}
	}
	fbs := make([]*featureBuilder, len(parts))
	for i := range fbs {
		fbs[i] = &sc.builders[i]
	}
	var terms []uint64
	var wg sync.WaitGroup
	for i, part := range parts {
		fbs[i].reset(len(part))
		terms = fbs[i].setTopic(topic)
		wg.Go(func() {
			fb := fbs[i]
			for k := range part {
				c := &part[k]
				start := len(fb.ints)
				fb.ints = appendBestQuotes(fb.ints, c.a.Quotes, max(perStory, quotesPerArticleForClustering))
				c.best = fb.ints[start:len(fb.ints):len(fb.ints)]
				c.vec = fb.rawVector(c)
				c.quotes, c.speakers = fb.quoteFeatures(c)
			}
		})
	}
	wg.Wait()
	fb := fbs[0]
	for i := 1; i < len(parts); i++ {
		fb.absorb(fbs[i], parts[i])
	}
	return fb, terms
}

// absorb merges other's dictionary into fb's and renumbers the terms of the candidates other read.
func (fb *featureBuilder) absorb(other *featureBuilder, cands []storyCandidate) {
	ids := make([]int32, len(other.terms))
	for id, w := range other.terms {
		gid, ok := fb.dict.get(w)
		if !ok || gid < 0 {
			gid = fb.newTerm(w)
		}
		fb.df[gid] += other.df[id]
		ids[id] = gid
	}
	for k := range cands {
		vec := cands[k].vec
		for i := range vec {
			vec[i].term = ids[vec[i].term]
		}
	}
}

// setTopic gives the topic's words (stemmed) a bit each, so that reading an article notes
// which of them its headline and lede hold, and returns each term as the bits of its words. A
// topic word that is a stop word becomes an ordinary term; words past the 64th are ignored, and
// a term holding one of them never matches.
func (fb *featureBuilder) setTopic(terms [][]string) []uint64 {
	var out []uint64
	bits := make(map[string]uint64)
	for _, term := range terms {
		var mask uint64
		for _, w := range term {
			bit, ok := bits[w]
			if !ok && len(bits) < 64 {
				bit = 1 << len(bits)
				bits[w] = bit
				h := fnvWord([]byte(w))
				id, known := fb.dict.get(h)
				if !known || id < 0 {
					id = fb.newTerm(h)
				}
				fb.topicBit[id] = bit
			}
			if bit == 0 {
				mask = 0
				break
			}
			mask |= bit
		}
		if mask != 0 {
			out = append(out, mask)
		}
	}
	return out
}

// newTerm adds a word, by its hash, to the dictionary.
func (fb *featureBuilder) newTerm(h uint64) int32 {
	id := int32(len(fb.df))
	fb.dict.put(h, id)
	fb.terms = append(fb.terms, h)
	fb.df = append(fb.df, 0)
	fb.tf = append(fb.tf, 0)
	fb.asName = append(fb.asName, false)
	fb.asWord = append(fb.asWord, false)
	fb.topicBit = append(fb.topicBit, 0)
	return id
}

// addText adds the content words of s to the term frequencies with weight w (names: properW).
// A word is stemmed and looked up in the dictionary the first time the builder meets it; after
// that its term is found by the word's key (see wordScanner).
func (fb *featureBuilder) addText(s string, kind textKind, w, properW float64) {
	sc := newWordScanner(s, fb.buf)
	for {
		key, proper, ok := sc.next()
		if !ok {
			fb.buf = sc.buf
			return
		}
		id, seen := fb.surface.get(key)
		if !seen {
			id = fb.termOf(stemWord(sc.lower()))
			fb.surface.put(key, id)
		}
		if id < 0 {
			continue
		}
		if bit := fb.topicBit[id]; bit != 0 {
			if kind == headlineText {
				fb.topicHead |= bit
			} else {
				fb.topicLede |= bit
			}
		}
		weight := w
		if proper {
			weight = properW
		}
		if fb.tf[id] == 0 {
			fb.touched = append(fb.touched, id)
		}
		fb.tf[id] += weight
		switch {
		case kind == ledeText && proper:
			fb.asName[id] = true
		case !proper:
			fb.asWord[id] = true
		}
	}
}

// termOf returns the term id of a stemmed word, adding it to the dictionary when it is new; -1
// for a stop word.
func (fb *featureBuilder) termOf(word []byte) int32 {
	h := fnvWord(word)
	if id, ok := fb.dict.get(h); ok {
		return id
	}
	if len(word) < 3 && isClusterStopWord(word) {
		return -1
	}
	return fb.newTerm(h)
}

// rawVector computes the term frequencies of an article (headline, lede, the speakers of its best
// quotes; c.best must be set) and counts
// document frequencies; weights are finished by weigh once every article is counted.
func (fb *featureBuilder) rawVector(c *storyCandidate) []termWeight {
	fb.touched = fb.touched[:0]
	fb.topicHead, fb.topicLede = 0, 0
	fb.addText(c.a.Headline, headlineText, 2, 2)
	fb.addText(c.lede, ledeText, 1, 1.5)
	c.topicHead, c.topicLede = fb.topicHead, fb.topicLede
	start := len(fb.weights)
	for _, t := range fb.touched {
		fb.weights = append(fb.weights, termWeight{term: t, w: fb.tf[t], name: fb.asName[t] && !fb.asWord[t]})
		fb.tf[t], fb.asName[t], fb.asWord[t] = 0, false, false
		fb.df[t]++
	}
	return fb.weights[start:len(fb.weights):len(fb.weights)]
}

// weigh turns raw term frequencies into an L2-normalised TF-IDF vector over n candidates,
// dropping terms too common among them to tell events apart.
func (fb *featureBuilder) weigh(vec []termWeight, n int) []termWeight {
	if len(fb.idf) != len(fb.df) {
		// Each term's IDF, once; 0 for the terms too common to keep.
		maxDF := int32(max(20, n/maxDFShare))
		fb.idf = slices.Grow(fb.idf[:0], len(fb.df))[:len(fb.df)]
		for t, df := range fb.df {
			fb.idf[t] = 0
			if df <= maxDF {
				fb.idf[t] = math.Log(float64(n+idfPseudoDocs) / float64(df+1))
			}
		}
	}
	out := vec[:0]
	var norm2 float64
	for _, tw := range vec {
		idf := fb.idf[tw.term]
		if idf == 0 {
			continue
		}
		w := tw.w * idf
		if tw.w > 1 {
			w = (1 + math.Log(tw.w)) * idf
		}
		out = append(out, termWeight{term: tw.term, w: w, name: tw.name})
		norm2 += w * w
	}
	if norm2 > 0 {
		inv := 1 / math.Sqrt(norm2)
		for i := range out {
			out[i].w *= inv
		}
	}
	return out
}

// quoteFeatures returns the sketches of an article's best quotes that are long enough to
// count as evidence that two articles report the same event, and the keys of the distinct named
// speakers of its best quotes: the voices that carry it.
func (fb *featureBuilder) quoteFeatures(c *storyCandidate) ([]quoteSketch, []uint64) {
	a := c.a
	keys := fb.keyBuf[:0]
	lastName, lastKey := "", uint64(0)
	for _, i := range c.best {
		if name := a.Quotes[i].Speaker; name != lastName {
			lastName, lastKey = name, speakerKey(name)
		}
		keys = append(keys, lastKey)
	}
	fb.keyBuf = keys

	start := len(fb.sketches)
	for k, i := range c.best[:min(len(c.best), quotesPerArticleForClustering)] {
		from := len(fb.hashes)
		var n int
		fb.hashes, n = appendQuoteSketch(fb.hashes, a.Quotes[i].Text)
		if n < minSharedQuoteWords {
			fb.hashes = fb.hashes[:from]
			continue
		}
		fb.sketches = append(fb.sketches, quoteSketch{
			hashes:  fb.hashes[from:len(fb.hashes):len(fb.hashes)],
			speaker: keys[k],
		})
	}
	sketches := fb.sketches[start:len(fb.sketches):len(fb.sketches)]

	from := len(fb.hashes)
	for _, k := range keys {
		if k != 0 && !slices.Contains(fb.hashes[from:], k) && len(fb.hashes)-from < speakersPerArticleForClustering {
			fb.hashes = append(fb.hashes, k)
		}
	}
	return sketches, fb.hashes[from:len(fb.hashes):len(fb.hashes)]
}

// speakerKey identifies a speaker's name whatever its case and spacing: a hash of its words
// (see appendWordHashes), 0 for a name without any.
func speakerKey(name string) uint64 {
	if name == "" {
		return 0
	}
	var words [8]uint64
	var h uint64
	for _, w := range appendWordHashes(words[:0], name) {
		h = h*1099511628211 ^ w
	}
	return h
}

// appendBestQuotes appends to dst the indexes of up to k quotes of qs, key quotes first, then
// by score, and returns dst.
func appendBestQuotes(dst []int, qs []Quote, k int) []int {
	start := len(dst)
	for i := range qs {
		dst = append(dst, i)
	}
	slices.SortStableFunc(dst[start:], func(a, b int) int {
		qa, qb := &qs[a], &qs[b]
		if qa.Key != qb.Key {
			if qa.Key {
				return -1
			}
			return 1
		}
		return cmp.Compare(qb.Score, qa.Score)
	})
	return dst[:start+min(k, len(qs))]
}

// clusterCandidates groups the candidates into stories. Candidates must be sorted by time;
// nterms is the size of the term dictionary.
func clusterCandidates(sc *scratch, cands []storyCandidate, nterms int) []*storyCluster {
	// Groups of wire copies the store already linked.
	groups := make([][]int, 0, len(cands))
	byStoryID := make(map[int64]int)
	for i := range cands {
		if id := cands[i].a.StoryID; id != 0 {
			if g, ok := byStoryID[id]; ok {
				groups[g] = append(groups[g], i)
				continue
			}
			byStoryID[id] = len(groups)
		}
		groups = append(groups, []int{i})
	}

	sc.termPost.reset(nterms, 16*len(cands))
	sc.voices.reset(len(cands))
	sc.quotePost.reset(len(cands) * quotesPerArticleForClustering * quoteSketchSize)
	var (
		stories    []*storyCluster
		termPost   = &sc.termPost
		quotePost  = &sc.quotePost
		voices     = &sc.voices
		dots       []float64 // by story, for the stories in touched
		wordDots   []float64 // the part of dots from terms that are not names
		touched    []int32
		quoteHits  []quoteHit
		counts     []storyCount
		groupTerms []termWeight
	)
	for _, g := range groups {
		groupTerms = groupVector(cands, g, groupTerms[:0])
		first, last := cands[g[0]].when, cands[g[len(g)-1]].when

		// Similarity to every story sharing a term or a quote with the group.
		touched = touched[:0]
		for _, tw := range groupTerms {
			for i := termPost.head[tw.term]; i >= 0; {
				p := termPost.postings[i]
				i = p.next
				if dots[p.story] == 0 {
					touched = append(touched, p.story)
				}
				d := tw.w * stories[p.story].weights[p.slot]
				dots[p.story] += d
				if !tw.name {
					wordDots[p.story] += d
				}
			}
		}
		quoteHits = quoteHits[:0]
		for _, m := range g {
			for _, q := range cands[m].quotes {
				quoteHits, counts = quotePost.shared(q, quoteHits, counts[:0])
			}
		}
		voices.startGroup(cands, g)

		best, bestSim := int32(-1), clusterThreshold
		consider := func(s int32) {
			st := stories[s]
			sim, wordSim := 0.0, 0.0
			if st.norm2 > 0 {
				norm := math.Sqrt(st.norm2)
				sim, wordSim = dots[s]/norm, wordDots[s]/norm
			}
			var hit quoteHit
			for _, h := range quoteHits {
				if h.story == s {
					hit = h
					break
				}
			}
			// Quotes and speakers count once the words relate the two.
			related := wordSim >= minRelatedSimilarity
			speakers := 0
			if related {
				speakers = voices.shared(s)
			}
			if hit.same+hit.other == 0 && wordSim < minWordSimilarity &&
				!(speakers > 0 && wordSim >= minWordSimilarity/2) {
				return // only names in common: the same people, another event
			}
			if related {
				sim += min(maxQuoteBonus, sameSpeakerQuoteBonus*float64(hit.same)+sharedQuoteBonus*float64(hit.other))
				sim += min(maxSpeakerBonus, sharedSpeakerBonus*float64(speakers))
			}
			if sim < bestSim {
				return // the time factor only lowers it
			}
			sim *= timeFactor(first, last, st.first, st.last)
			if sim > bestSim || sim == bestSim && best >= 0 && s < best {
				best, bestSim = s, sim
			}
		}
		for _, s := range touched {
			consider(s)
		}
		for _, h := range quoteHits {
			if dots[h.story] == 0 {
				consider(h.story)
			}
		}
		for _, s := range touched {
			dots[s], wordDots[s] = 0, 0
		}

		var st *storyCluster
		if best >= 0 {
			st = stories[best]
		} else {
			best = int32(len(stories))
			st = &storyCluster{first: first, last: last}
			stories = append(stories, st)
			dots = append(dots, 0)
			wordDots = append(wordDots, 0)
		}
		st.members = append(st.members, g...)
		st.first, st.last = earlier(st.first, first), later(st.last, last)
		for _, tw := range groupTerms {
			if slot, isNew := st.add(tw.term, tw.w); isNew {
				termPost.add(tw.term, best, slot)
			}
		}
		for _, m := range g {
			for _, q := range cands[m].quotes {
				for _, h := range q.hashes {
					quotePost.add(h, best, q.speaker)
				}
			}
		}
		voices.join(st, best)
	}
	return stories
}

// sharedVoices counts the named speakers a group of articles shares with each story, leaving out
// the topic's recurring voices: speakers already quoted in more than maxSpeakerStories stories.
type sharedVoices struct {
	post *storyPostings // speaker → the stories quoting them
	// The group at hand: its speakers, and, once counted, by story the number of them it shares
	// (for the stories in touched).
	group   []uint64
	counted bool
	count   []int32
	touched []int32
}

// reset empties the counter for about n candidates, keeping its memory.
func (sv *sharedVoices) reset(n int) {
	if sv.post == nil {
		sv.post = newStoryPostings(2 * n)
	} else {
		sv.post.heads.resetFor(2 * n)
		sv.post.postings = sv.post.postings[:0]
	}
	sv.group, sv.count, sv.touched, sv.counted = sv.group[:0], sv.count[:0], sv.touched[:0], false
}

// startGroup makes the speakers of group g of candidates the group at hand.
func (sv *sharedVoices) startGroup(cands []storyCandidate, g []int) {
	for _, s := range sv.touched {
		sv.count[s] = 0
	}
	sv.group, sv.touched, sv.counted = sv.group[:0], sv.touched[:0], false
	for _, m := range g {
		for _, k := range cands[m].speakers {
			if !slices.Contains(sv.group, k) {
				sv.group = append(sv.group, k)
			}
		}
	}
}

// shared returns the number of the group's speakers story s quotes, or 0 when it is fewer than
// minSharedSpeakers. The count for every story is made on the first call for a group.
func (sv *sharedVoices) shared(s int32) int {
	if !sv.counted {
		sv.counted = true
		for _, k := range sv.group {
			if sv.post.count(k, maxSpeakerStories+1) > maxSpeakerStories {
				continue // a recurring voice of the topic, not of one event
			}
			for i := sv.post.head(k); i >= 0; i = sv.post.postings[i].next {
				story := sv.post.postings[i].story
				if sv.count[story] == 0 {
					sv.touched = append(sv.touched, story)
				}
				sv.count[story]++
			}
		}
	}
	if n := int(sv.count[s]); n >= minSharedSpeakers {
		return n
	}
	return 0
}

// join records that the group at hand joined story st, numbered s (a new story when s is one past
// the last).
func (sv *sharedVoices) join(st *storyCluster, s int32) {
	if int(s) == len(sv.count) {
		sv.count = append(sv.count, 0)
	}
	for _, k := range sv.group {
		if !slices.Contains(st.speakers, k) {
			st.speakers = append(st.speakers, k)
			sv.post.add(k, s)
		}
	}
}

// groupVector returns the L2-normalised sum of the vectors of a group's members, sorted by term.
func groupVector(cands []storyCandidate, g []int, out []termWeight) []termWeight {
	if len(g) == 1 {
		return append(out, cands[g[0]].vec...)
	}
	sum := make(map[int32]termWeight)
	for _, m := range g {
		for _, tw := range cands[m].vec {
			if prev, ok := sum[tw.term]; ok {
				tw.w += prev.w
				tw.name = tw.name && prev.name
			}
			sum[tw.term] = tw
		}
	}
	for _, tw := range sum {
		out = append(out, tw)
	}
	slices.SortFunc(out, func(a, b termWeight) int { return int(a.term - b.term) })
	var norm2 float64
	for _, tw := range out {
		norm2 += tw.w * tw.w
	}
	if norm2 > 0 {
		inv := 1 / math.Sqrt(norm2)
		for i := range out {
			out[i].w *= inv
		}
	}
	return out
}

// quotePostings lists, for each hash of a quote sketch, the stories holding it and who said the
// quote there: linked lists in one slice, reached through a hashIndex.
type quotePostings struct {
	heads    *hashIndex // hash → its first posting
	postings []quotePosting
}

type quotePosting struct {
	speaker     uint64
	story, next int32
}

// reset empties the postings, sized for about n hashes, keeping their memory.
func (p *quotePostings) reset(n int) {
	if p.heads == nil {
		p.heads = newHashIndex(n)
	} else {
		p.heads.resetFor(n)
	}
	p.postings = slices.Grow(p.postings[:0], n)
}

// add records that story s holds hash h of a quote said by speaker (a speakerKey, or 0).
func (p *quotePostings) add(h uint64, s int32, speaker uint64) {
	head, ok := p.heads.get(h)
	if !ok {
		head = -1
	}
	for i := head; i >= 0; i = p.postings[i].next {
		if e := p.postings[i]; e.story == s && e.speaker == speaker {
			return
		}
	}
	p.postings = append(p.postings, quotePosting{speaker: speaker, story: s, next: head})
	p.heads.put(h, int32(len(p.postings)-1))
}

// storyCount counts the hashes of a quote's sketch a story holds: n in all, same with the
// quote's speaker. last is the hash counted last, so a story counts once per hash.
type storyCount struct {
	story   int32
	n, same int
	last    int
}

// quoteHit counts the quotes of a group a story shares: same credited to the same speaker,
// other otherwise.
type quoteHit struct {
	story       int32
	same, other int
}

// shared adds to hits the stories holding most of the quote's sketch; counts is scratch space.
// Both are returned for reuse.
func (p *quotePostings) shared(q quoteSketch, hits []quoteHit, counts []storyCount) ([]quoteHit, []storyCount) {
	for j, h := range q.hashes {
		head, ok := p.heads.get(h)
		if !ok {
			continue
		}
		for i := head; i >= 0; i = p.postings[i].next {
			e := p.postings[i]
			k := slices.IndexFunc(counts, func(c storyCount) bool { return c.story == e.story })
			if k < 0 {
				k = len(counts)
				counts = append(counts, storyCount{story: e.story, last: -1})
			}
			c := &counts[k]
			if c.last != j {
				c.last = j
				c.n++
				if e.speaker != 0 && e.speaker == q.speaker {
					c.same++
				}
			} else if e.speaker != 0 && e.speaker == q.speaker && c.same < c.n {
				c.same++ // the story holds the hash under two speakers; this one is the same
			}
		}
	}
	need := sharedQuoteOverlap * float64(len(q.hashes))
	for _, c := range counts {
		if float64(c.n) < need {
			continue
		}
		k := slices.IndexFunc(hits, func(h quoteHit) bool { return h.story == c.story })
		if k < 0 {
			k = len(hits)
			hits = append(hits, quoteHit{story: c.story})
		}
		if float64(c.same) >= need {
			hits[k].same++
		} else {
			hits[k].other++
		}
	}
	return hits, counts
}

// storyPostings lists, for each key (a speaker), the stories holding it.
type storyPostings struct {
	heads    *hashIndex
	postings []storyPosting
}

type storyPosting struct{ story, next int32 }

func newStoryPostings(n int) *storyPostings {
	return &storyPostings{heads: newHashIndex(n), postings: make([]storyPosting, 0, n)}
}

// add records that story s holds key k; the caller adds each pair once.
func (p *storyPostings) add(k uint64, s int32) {
	head, ok := p.heads.get(k)
	if !ok {
		head = -1
	}
	p.postings = append(p.postings, storyPosting{story: s, next: head})
	p.heads.put(k, int32(len(p.postings)-1))
}

// count returns the number of stories holding key k, counting no further than limit.
func (p *storyPostings) count(k uint64, limit int) int {
	n := 0
	for i := p.head(k); i >= 0 && n < limit; i = p.postings[i].next {
		n++
	}
	return n
}

// head returns the first posting of key k, -1 for none.
func (p *storyPostings) head(k uint64) int32 {
	if i, ok := p.heads.get(k); ok {
		return i
	}
	return -1
}

// timeFactor weighs a similarity by how far apart in time the group and the story are.
func timeFactor(first, last, sFirst, sLast time.Time) float64 {
	var gap time.Duration
	switch {
	case last.Before(sFirst):
		gap = sFirst.Sub(last)
	case first.After(sLast):
		gap = first.Sub(sLast)
	}
	switch {
	case gap <= sameDayGap:
		return 1
	case gap >= maxStoryGap:
		return 0
	}
	return 1 - 0.5*float64(gap-sameDayGap)/float64(maxStoryGap-sameDayGap)
}

// cosineToCentroid is the similarity of a candidate to its story's centroid.
func cosineToCentroid(vec []termWeight, st *storyCluster) float64 {
	if st.norm2 == 0 {
		return 0
	}
	var dot float64
	for _, tw := range vec {
		dot += tw.w * st.centroidWeight(tw.term)
	}
	return dot / math.Sqrt(st.norm2)
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
