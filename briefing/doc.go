// Package briefing is briefbot's domain and engine: articles in, quotes with speakers, stories and
// briefings out.
//
// It is pure code: no database, no network, no chat. Adapters (the store, ingest, the chat
// platforms) depend on it; it depends on nothing else of briefbot's.
//
// The flow through the package:
//
//	ReadArticle   file bytes           -> Article (headline, text, source, URL, time)
//	Analyze       Article              -> quotes, speakers, key quotes, lede
//	Assemble      analysed articles    -> stories -> Briefing for a topic and a window
package briefing
