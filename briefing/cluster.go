package briefing

import (
	"math"
	"slices"
	"strings"
	"time"
)

// Clustering: articles about the same event, from one outlet or many, become one story.
//
//  1. Articles the store linked as copies of one wire story (the same StoryID) start as one group.
//  2. Each article becomes a TF-IDF vector of its headline (counted twice), its lede (names
//     weighted up) and its speakers' names. IDF is computed over the storyCandidate articles
//     themselves, so the words every article of the topic shares ("korea", "pyongyang") weigh
//     nearly nothing and the words that tell one event from another ("missile", "hotline") carry
//     the comparison; words in more than a quarter of the candidates are dropped outright.
//  3. Groups are visited in time order; each joins the existing story whose centroid it is most
//     similar to — cosine similarity plus a bonus for quotes both carry (near-identical wording)
//     — when that similarity passes a threshold and the story is close in time; otherwise it
//     starts a new story. Comparing with a centroid, not with single articles, keeps a chain of
//     loosely related articles from gluing two events together.
//
// Candidate stories are found through inverted indexes (term → stories, quote shingle →
// stories), so the cost grows with the overlaps, not with the square of the article count.

const (
	// clusterThreshold is the similarity at which an article joins a story.
	clusterThreshold = 0.32
	// sharedQuoteBonus is added per quote an article shares with a story, up to maxQuoteBonus.
	sharedQuoteBonus = 0.18
	maxQuoteBonus    = 0.36
	// sharedQuoteOverlap is the share of a quote's shingles a story must hold to share the quote.
	sharedQuoteOverlap = 0.6
	// minSharedQuoteWords: shorter quotes ("very good") are too common to link stories.
	minSharedQuoteWords = 6
	// quotesPerArticleForClustering bounds the quotes of each article compared while clustering
	// (its best by the engine's score).
	quotesPerArticleForClustering = 4
	// sameDayGap and maxStoryGap: articles within sameDayGap of a story compare at full weight;
	// the weight then falls linearly to half at maxStoryGap, beyond which nothing joins.
	sameDayGap  = 24 * time.Hour
	maxStoryGap = 72 * time.Hour
	// idfPseudoDocs smooths IDF so a handful of candidates all about one event still cluster.
	idfPseudoDocs = 50
)

// termWeight is one entry of a sparse vector.
type termWeight struct {
	term int32
	w    float64
}

// storyCandidate is an article of the briefing's window with the features clustering and ranking use.
type storyCandidate struct {
	a    *Article
	when time.Time
	// outlet is the normalised outlet name (Source, or the URL's host).
	outlet string
	lede   string
	// vec is the article's TF-IDF vector, L2-normalised, sorted by term.
	vec []termWeight
	// quotes are the shingle sets of the article's best quotes (for shared-quote evidence).
	quotes [][]uint64
}

// storyCluster is a cluster of candidates under construction.
type storyCluster struct {
	members  []int // indexes into the candidates
	centroid map[int32]float64
	norm2    float64
	first    time.Time
	last     time.Time
	shingles map[uint64]struct{}
}

// featureBuilder turns candidates into vectors; its dictionary lives for one Assemble call.
type featureBuilder struct {
	dict  map[string]int32
	df    []int32
	buf   []byte
	words []uint64
	tf    map[int32]float64
}

func newFeatureBuilder(n int) *featureBuilder {
	return &featureBuilder{dict: make(map[string]int32, n*16), tf: make(map[int32]float64, 64)}
}

func (fb *featureBuilder) termID(w []byte) int32 {
	if id, ok := fb.dict[string(w)]; ok {
		return id
	}
	id := int32(len(fb.df))
	fb.dict[string(w)] = id
	fb.df = append(fb.df, 0)
	return id
}

// addText adds the content words of s to the term frequencies with weight w (names: properW).
func (fb *featureBuilder) addText(s string, w, properW float64) {
	fb.buf = eachTextWord(s, fb.buf, func(word []byte, proper bool) {
		word = stemPlural(word)
		if isClusterStopWord(word) {
			return
		}
		weight := w
		if proper {
			weight = properW
		}
		fb.tf[fb.termID(word)] += weight
	})
}

// rawVector computes the term frequencies of an article (headline, lede, speakers) and counts
// document frequencies; weights are finished by weigh once every article is counted.
func (fb *featureBuilder) rawVector(c *storyCandidate) []termWeight {
	clear(fb.tf)
	fb.addText(c.a.Headline, 2, 2)
	fb.addText(c.lede, 1, 1.5)
	seen := ""
	for i := range c.a.Quotes {
		sp := c.a.Quotes[i].Speaker
		if sp == "" || strings.Contains(seen, "\x00"+sp+"\x00") {
			continue
		}
		seen += "\x00" + sp + "\x00"
		fb.addText(sp, 0.5, 0.5)
	}
	vec := make([]termWeight, 0, len(fb.tf))
	for t, w := range fb.tf {
		vec = append(vec, termWeight{t, w})
		fb.df[t]++
	}
	slices.SortFunc(vec, func(a, b termWeight) int { return int(a.term - b.term) })
	return vec
}

// weigh turns raw term frequencies into an L2-normalised TF-IDF vector over n candidates,
// dropping terms too common among them to tell events apart.
func (fb *featureBuilder) weigh(vec []termWeight, n int) []termWeight {
	maxDF := int32(max(20, n/4))
	out := vec[:0]
	var norm2 float64
	for _, tw := range vec {
		df := fb.df[tw.term]
		if df > maxDF {
			continue
		}
		idf := math.Log(float64(n+idfPseudoDocs) / float64(df+1))
		w := (1 + math.Log(tw.w)) * idf
		if tw.w < 1 {
			w = tw.w * idf
		}
		out = append(out, termWeight{tw.term, w})
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

// quoteFeatures returns the shingle sets of an article's best quotes that are long enough to
// count as evidence that two articles report the same event.
func (fb *featureBuilder) quoteFeatures(a *Article) [][]uint64 {
	idx := bestQuoteIndexes(a.Quotes, quotesPerArticleForClustering)
	var out [][]uint64
	for _, i := range idx {
		var sh []uint64
		var n int
		sh, n, fb.buf, fb.words = quoteShingles(a.Quotes[i].Text, fb.buf, fb.words)
		if n >= minSharedQuoteWords {
			out = append(out, sh)
		}
	}
	return out
}

// bestQuoteIndexes returns the indexes of up to k quotes, key quotes first, then by score.
func bestQuoteIndexes(qs []Quote, k int) []int {
	idx := make([]int, len(qs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		qa, qb := &qs[a], &qs[b]
		if qa.Key != qb.Key {
			if qa.Key {
				return -1
			}
			return 1
		}
		switch {
		case qa.Score > qb.Score:
			return -1
		case qa.Score < qb.Score:
			return 1
		}
		return 0
	})
	if len(idx) > k {
		idx = idx[:k]
	}
	return idx
}

// clusterCandidates groups the candidates into stories. Candidates must be sorted by time.
func clusterCandidates(cands []storyCandidate) []*storyCluster {
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

	var (
		stories    []*storyCluster
		termPost   = make(map[int32][]int32)
		quotePost  = make(map[uint64][]int32)
		dots       = make(map[int32]float64)
		quoteHits  = make(map[int32]int)
		groupVec   = make(map[int32]float64)
		groupTerms []termWeight
	)
	for _, g := range groups {
		// The group's vector: the normalised sum of its members' vectors.
		clear(groupVec)
		for _, m := range g {
			for _, tw := range cands[m].vec {
				groupVec[tw.term] += tw.w
			}
		}
		groupTerms = groupTerms[:0]
		for t, w := range groupVec {
			groupTerms = append(groupTerms, termWeight{t, w})
		}
		slices.SortFunc(groupTerms, func(a, b termWeight) int { return int(a.term - b.term) })
		var norm2 float64
		for _, tw := range groupTerms {
			norm2 += tw.w * tw.w
		}
		if norm2 > 0 {
			inv := 1 / math.Sqrt(norm2)
			for i := range groupTerms {
				groupTerms[i].w *= inv
			}
		}
		first, last := cands[g[0]].when, cands[g[len(g)-1]].when

		// Similarity to every story sharing a term or a quote with the group.
		clear(dots)
		for _, tw := range groupTerms {
			for _, s := range termPost[tw.term] {
				st := stories[s]
				dots[s] += tw.w * st.centroid[tw.term]
			}
		}
		clear(quoteHits)
		for _, m := range g {
			for _, q := range cands[m].quotes {
				for _, s := range sharedQuoteStories(q, quotePost, stories) {
					quoteHits[s]++
				}
			}
		}
		best, bestSim := int32(-1), clusterThreshold
		consider := func(s int32) {
			st := stories[s]
			sim := 0.0
			if st.norm2 > 0 {
				sim = dots[s] / math.Sqrt(st.norm2)
			}
			sim += min(maxQuoteBonus, sharedQuoteBonus*float64(quoteHits[s]))
			sim *= timeFactor(first, last, st.first, st.last)
			if sim > bestSim || sim == bestSim && best >= 0 && s < best {
				best, bestSim = s, sim
			}
		}
		for s := range dots {
			consider(s)
		}
		for s := range quoteHits {
			if _, done := dots[s]; !done {
				consider(s)
			}
		}

		var st *storyCluster
		if best >= 0 {
			st = stories[best]
		} else {
			best = int32(len(stories))
			st = &storyCluster{centroid: make(map[int32]float64, len(groupTerms)), first: first, last: last,
				shingles: make(map[uint64]struct{})}
			stories = append(stories, st)
		}
		st.members = append(st.members, g...)
		st.first, st.last = earlier(st.first, first), later(st.last, last)
		for _, tw := range groupTerms {
			old, had := st.centroid[tw.term]
			nw := old + tw.w
			st.centroid[tw.term] = nw
			st.norm2 += nw*nw - old*old
			if !had {
				termPost[tw.term] = append(termPost[tw.term], best)
			}
		}
		for _, m := range g {
			for _, q := range cands[m].quotes {
				for _, h := range q {
					if _, had := st.shingles[h]; !had {
						st.shingles[h] = struct{}{}
						quotePost[h] = append(quotePost[h], best)
					}
				}
			}
		}
	}
	return stories
}

// sharedQuoteStories returns the stories that hold most of the quote's shingles.
func sharedQuoteStories(q []uint64, post map[uint64][]int32, stories []*storyCluster) []int32 {
	if len(q) == 0 {
		return nil
	}
	var out []int32
	for _, h := range q {
		for _, s := range post[h] {
			if slices.Contains(out, s) {
				continue
			}
			hits := 0
			for _, h2 := range q {
				if _, ok := stories[s].shingles[h2]; ok {
					hits++
				}
			}
			if float64(hits) >= sharedQuoteOverlap*float64(len(q)) {
				out = append(out, s)
			}
		}
	}
	return out
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

// cosineToCentroid is the similarity of a storyCandidate to its story's centroid.
func cosineToCentroid(vec []termWeight, st *storyCluster) float64 {
	if st.norm2 == 0 {
		return 0
	}
	var dot float64
	for _, tw := range vec {
		dot += tw.w * st.centroid[tw.term]
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
