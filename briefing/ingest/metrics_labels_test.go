package ingest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestMetricsAreLabelledWithTheConfiguredSource ingests articles naming many outlets from a folder
// source and through the API: the metrics' source label takes only the configured source's name
// and "api", while each stored article keeps the outlet it names.
func TestMetricsAreLabelledWithTheConfiguredSource(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	const outlets = 6
	var lines, items []string
	for i := range outlets {
		lines = append(lines, fmt.Sprintf(`{"title":"Folder story %d","body":"The council met on day %d, its clerk said.","url":"https://news.example/f/%d","source":"Folder Outlet %d"}`, i, i, i, i))
		items = append(items, fmt.Sprintf(`{"title":"API story %d","body":"The port reopened on day %d, its manager said.","url":"https://news.example/a/%d","source":"API Outlet %d"}`, i, i, i, i))
	}
	// One item of each is refused, and counted as a failure of its configured source.
	lines = append(lines, `{"title":"Empty","body":"","source":"Refused Outlet"}`)
	items = append(items, `{"title":"Empty","body":"","source":"Refused Outlet"}`)
	dir := t.TempDir()
	writeFile(t, dir, "wire.jsonl", []byte(strings.Join(lines, "\n")+"\n"))
	p, err := NewPoller(e.in, []Source{{Name: "archive", Path: dir}}, PollerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := p.Poll(e.ctx, p.Sources()[0]); err != nil || res.New != outlets || res.Failed != 1 {
		t.Fatalf("folder scan: %s, %v", res.Report.String(), err)
	}
	if code, out := post(t, e.in.Handler(apiToken), "POST", "Bearer "+apiToken, "application/json", "["+strings.Join(items, ",")+"]"); code != 200 {
		t.Fatalf("POST: %d %v", code, out)
	}

	mfs, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string][]string{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == "source" && !slices.Contains(labels[mf.GetName()], lp.GetValue()) {
					labels[mf.GetName()] = append(labels[mf.GetName()], lp.GetValue())
				}
			}
		}
	}
	for _, name := range []string{"briefbot_articles_ingested_total", "briefbot_ingest_failures_total"} {
		got := labels[name]
		slices.Sort(got)
		if !slices.Equal(got, []string{"api", "archive"}) {
			t.Errorf("%s has the source labels %q, want only archive and api", name, got)
		}
	}
	if got := e.metric("briefbot_articles_ingested_total", map[string]string{"source": "archive", "status": "new"}); got != outlets {
		t.Errorf("archive counted %v new articles, want %d", got, outlets)
	}
	if got := e.metric("briefbot_articles_ingested_total", map[string]string{"source": "api", "status": "new"}); got != outlets {
		t.Errorf("api counted %v new articles, want %d", got, outlets)
	}
	if got := e.byHeadline("Folder story 2").Source; got != "Folder Outlet 2" {
		t.Errorf("a folder article is stored from %q, want the outlet it names", got)
	}
	if got := e.byHeadline("API story 4").Source; got != "API Outlet 4" {
		t.Errorf("an API article is stored from %q, want the outlet it names", got)
	}
}
