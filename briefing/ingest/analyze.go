package ingest

import "github.com/briefbot/briefbot/briefing"

// defaultAnalyze is the analysis run when Options.Analyze is nil: the engine's quotes, speakers
// and lede with its default options.
func defaultAnalyze(a *briefing.Article) { briefing.Analyze(a, briefing.AnalyzeOptions{}) }
