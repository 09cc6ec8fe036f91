package ingest

import (
	"context"
	"runtime"
	"sync"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
)

// batchSaver is a store that saves many articles in one transaction, which is much faster than
// one transaction per article (the SQLite and PostgreSQL stores are).
type batchSaver interface {
	SaveArticles(ctx context.Context, articles []*briefing.Article) ([]store.SaveResult, error)
}

// Limits of one batch: whichever is reached first flushes it.
const (
	batchArticles = 100
	batchBytes    = 8 << 20
)

// sink collects the results of the items of files and saves their articles, in batches when the
// store can. Results land in the report in the order the items were met, except that an article
// waiting in a batch is reported when the batch is saved.
type sink struct {
	in  *Ingester
	bs  batchSaver // nil: one article at a time
	rep Report
	// retry holds the files with an item refused for a reason that may pass (the store failed).
	retry map[string]bool

	pending []pendingArticle
	bytes   int
}

type pendingArticle struct {
	a    *briefing.Article
	so   saveOptions
	res  Result
	file string
}

func (in *Ingester) newSink() *sink {
	s := &sink{in: in, retry: map[string]bool{}}
	s.bs, _ = in.st.(batchSaver)
	return s
}

// add records an item's result.
func (s *sink) add(file string, res Result) {
	s.rep.Add(res)
	if res.retry {
		s.retry[file] = true
	}
}

// refuse records a refused item.
func (s *sink) refuse(file, item, source string, err error) {
	s.add(file, s.in.refused(Result{Item: item}, source, err))
}

// save prepares an article and saves it, or queues it for the next batch.
func (s *sink) save(ctx context.Context, file string, a *briefing.Article, so saveOptions) {
	if s.bs == nil {
		res, ok := s.in.ready(a, so)
		if ok {
			sr, err := s.in.st.SaveArticle(ctx, a)
			res = s.in.saved(ctx, res, a, so, sr, err)
		}
		s.add(file, res)
		return
	}
	s.pending = append(s.pending, pendingArticle{a: a, so: so, file: file})
	s.bytes += len(a.Text)
	if len(s.pending) >= batchArticles || s.bytes >= batchBytes {
		s.flush(ctx)
	}
}

// flush prepares and analyses the queued articles on every core, then saves them in one
// transaction. When the transaction fails, each article is saved on its own, so that one bad
// article cannot cost the others.
func (s *sink) flush(ctx context.Context) {
	if len(s.pending) == 0 {
		return
	}
	ok := make([]bool, len(s.pending))
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), len(s.pending))
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(s.pending); i += workers {
				p := &s.pending[i]
				p.res, ok[i] = s.in.ready(p.a, p.so)
			}
		})
	}
	wg.Wait()
	var batch []*briefing.Article
	for i, p := range s.pending {
		if ok[i] {
			batch = append(batch, p.a)
		}
	}
	var (
		results []store.SaveResult
		err     error
	)
	if len(batch) > 0 {
		results, err = s.bs.SaveArticles(ctx, batch)
	}
	next := 0 // the index in batch and results of the next ready article
	for i, p := range s.pending {
		if !ok[i] {
			s.add(p.file, p.res)
			continue
		}
		var (
			sr   store.SaveResult
			serr error
		)
		if err != nil || len(results) != len(batch) {
			sr, serr = s.in.st.SaveArticle(ctx, p.a)
		} else {
			sr, serr = results[next], results[next].Err
		}
		next++
		s.add(p.file, s.in.saved(ctx, p.res, p.a, p.so, sr, serr))
	}
	s.pending, s.bytes = s.pending[:0], 0
}
