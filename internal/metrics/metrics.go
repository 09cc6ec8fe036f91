// Package metrics holds briefbot's Prometheus collectors. Components take a *Metrics (nil is
// allowed and records nothing), so tests and the daemon can each use their own registry.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the collectors of one briefbot process.
type Metrics struct {
	articles       *prometheus.CounterVec
	ingestFailures *prometheus.CounterVec
	quotes         prometheus.Counter
	posted         *prometheus.CounterVec
	postFailures   *prometheus.CounterVec
	slots          *prometheus.CounterVec
	slotLag        prometheus.Histogram
	commandLatency *prometheus.HistogramVec
	pruned         *prometheus.CounterVec
}

// New creates the collectors and registers them with reg.
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		articles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_articles_ingested_total",
			Help: "Articles read by ingest, by configured source (its name, or api) and outcome (new, updated, duplicate, backlog).",
		}, []string{"source", "status"}),
		ingestFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_ingest_failures_total",
			Help: "Items or fetches refused or failed by ingest, by configured source (its name, or api) and reason.",
		}, []string{"source", "reason"}),
		quotes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "briefbot_quotes_extracted_total",
			Help: "Quotes extracted from ingested articles.",
		}),
		posted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_briefings_posted_total",
			Help: "Briefings posted, by platform and kind (scheduled, late, command).",
		}, []string{"platform", "kind"}),
		postFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_post_failures_total",
			Help: "Failed post attempts, by platform and reason (rate_limited, server_error, network, forbidden, other).",
		}, []string{"platform", "reason"}),
		slots: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_slots_total",
			Help: "Scheduled slots finished, by outcome (delivered, late, skipped, failed).",
		}, []string{"outcome"}),
		slotLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "briefbot_slot_lag_seconds",
			Help:    "Delay between a slot's scheduled time and its delivery.",
			Buckets: []float64{0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600, 21600},
		}),
		commandLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "briefbot_command_latency_seconds",
			Help:    "Time to answer a slash command, by platform and command.",
			Buckets: []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10},
		}, []string{"platform", "command"}),
		pruned: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_pruned_total",
			Help: "Rows deleted by retention, by kind (articles, slots).",
		}, []string{"kind"}),
	}
	reg.MustRegister(m.articles, m.ingestFailures, m.quotes, m.posted, m.postFailures,
		m.slots, m.slotLag, m.commandLatency, m.pruned)
	return m
}

// ArticleIngested counts one article read from source with status new, updated, duplicate or
// backlog, and the quotes extracted from it. source is the configured source's name (or "api"),
// not the outlet the article names, so that the series stay as few as the sources.
func (m *Metrics) ArticleIngested(source, status string, quotes int) {
	if m == nil {
		return
	}
	m.articles.WithLabelValues(source, status).Inc()
	if status != "duplicate" {
		m.quotes.Add(float64(quotes))
	}
}

// IngestFailed counts an item or fetch of source refused for reason (a short snake_case word);
// source is the configured source's name (or "api"), as for ArticleIngested.
func (m *Metrics) IngestFailed(source, reason string) {
	if m == nil {
		return
	}
	m.ingestFailures.WithLabelValues(source, reason).Inc()
}

// BriefingPosted counts a briefing posted on platform; kind is scheduled, late or command.
func (m *Metrics) BriefingPosted(platform, kind string) {
	if m == nil {
		return
	}
	m.posted.WithLabelValues(platform, kind).Inc()
}

// PostFailed counts a failed post attempt on platform for reason.
func (m *Metrics) PostFailed(platform, reason string) {
	if m == nil {
		return
	}
	m.postFailures.WithLabelValues(platform, reason).Inc()
}

// SlotFinished counts a slot's outcome and, for delivered slots, its lag.
func (m *Metrics) SlotFinished(outcome string, lag time.Duration) {
	if m == nil {
		return
	}
	m.slots.WithLabelValues(outcome).Inc()
	if outcome == "delivered" || outcome == "late" {
		m.slotLag.Observe(lag.Seconds())
	}
}

// CommandAnswered records how long a slash command took to answer.
func (m *Metrics) CommandAnswered(platform, command string, took time.Duration) {
	if m == nil {
		return
	}
	m.commandLatency.WithLabelValues(platform, command).Observe(took.Seconds())
}

// Pruned counts n rows of kind (articles or slots) deleted by retention.
func (m *Metrics) Pruned(kind string, n int64) {
	if m == nil {
		return
	}
	m.pruned.WithLabelValues(kind).Add(float64(n))
}
