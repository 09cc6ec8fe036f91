package metrics_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/briefbot/briefbot/internal/metrics"
)

func TestCollectorsRecordWhatTheyAreTold(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	m.ArticleIngested("tass", "new", 4)
	m.ArticleIngested("tass", "duplicate", 4)
	m.IngestFailed("tass", "too_large")
	m.BriefingPosted("slack", "scheduled")
	m.PostFailed("discord", "rate_limited")
	m.SlotFinished("delivered", 2*time.Second)
	m.CommandAnswered("slack", "now", 300*time.Millisecond)
	m.Pruned("articles", 1500)
	m.Pruned("slots", 0)
	m.Pruned("articles", 2)

	want := `
# HELP briefbot_quotes_extracted_total Quotes extracted from ingested articles.
# TYPE briefbot_quotes_extracted_total counter
briefbot_quotes_extracted_total 4
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "briefbot_quotes_extracted_total"); err != nil {
		t.Fatal(err)
	}
	pruned := `
# HELP briefbot_pruned_total Rows deleted by retention, by kind (articles, slots).
# TYPE briefbot_pruned_total counter
briefbot_pruned_total{kind="articles"} 1502
briefbot_pruned_total{kind="slots"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(pruned), "briefbot_pruned_total"); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(reg, "briefbot_articles_ingested_total"); n != 2 {
		t.Fatalf("articles series = %d, want 2 (new and duplicate)", n)
	}
	if n := testutil.CollectAndCount(reg, "briefbot_slot_lag_seconds"); n != 1 {
		t.Fatalf("slot lag series = %d, want 1", n)
	}
}

func TestNilMetricsRecordNothingAndDoNotPanic(t *testing.T) {
	var m *metrics.Metrics
	m.ArticleIngested("a", "new", 1)
	m.IngestFailed("a", "b")
	m.BriefingPosted("slack", "command")
	m.PostFailed("slack", "other")
	m.SlotFinished("failed", 0)
	m.CommandAnswered("slack", "help", time.Millisecond)
	m.Pruned("slots", 3)
}
