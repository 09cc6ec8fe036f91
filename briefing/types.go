package briefing

import "time"

// Article is one news article as briefbot reads, analyses and stores it.
type Article struct {
	// ID is the store's identifier; 0 for an article that is not stored.
	ID int64 `json:"id,omitempty"`
	// StoryID groups near-duplicate copies of one story (the same wire copy republished by
	// several outlets); set by the store. 0 when unknown.
	StoryID int64 `json:"story_id,omitempty"`
	// Source names the outlet ("tass", "BBC News").
	Source string `json:"source,omitempty"`
	// URL is the canonical URL of the article, "" when unknown.
	URL      string `json:"url,omitempty"`
	Headline string `json:"headline"`
	// Text is the article as read, and what quote offsets index into: for .txt and .md files the
	// whole file, for HTML and JSON input the extracted body text. It may hold the headline and
	// site chrome above the body; BodyStart says where the body begins.
	Text      string `json:"text"`
	BodyStart int    `json:"body_start,omitempty"`
	// Published is when the outlet published the article; FirstSeen when briefbot first read it.
	// An article without a date has Published == FirstSeen.
	Published time.Time `json:"published"`
	FirstSeen time.Time `json:"first_seen"`
	// Hash is a hash of the normalised body, for duplicate detection.
	Hash string `json:"hash,omitempty"`

	// The analysis, filled by Analyze.
	Lede     string    `json:"lede,omitempty"`
	Quotes   []Quote   `json:"quotes,omitempty"`
	Speakers []Speaker `json:"speakers,omitempty"`
}

// Body returns the article's body text: Text without the headline and chrome above it.
func (a *Article) Body() string {
	if a.BodyStart < 0 || a.BodyStart > len(a.Text) {
		return a.Text
	}
	return a.Text[a.BodyStart:]
}

// Quote is one direct quotation found in an article.
type Quote struct {
	// Text is what stands between the quotation marks: Article.Text[Start:End].
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	// Speaker is the canonical full name of who said it, "" when it cannot be known.
	Speaker      string `json:"speaker"`
	SpeakerTitle string `json:"speaker_title"`
	// Cue is the speech verb or phrase that attributes the quote ("said", "according to").
	Cue string `json:"cue"`
	// Partial marks a short fragment of speech inside reported speech.
	Partial bool `json:"partial"`
	// Key marks the few quotes that carry the story; Score ranks all quotes of the article.
	Key   bool    `json:"key"`
	Score float64 `json:"score"`
}

// Speaker is a person quoted in an article.
type Speaker struct {
	Name  string `json:"name"`
	Title string `json:"title,omitempty"`
	// Quotes counts the article's quotes attributed to this speaker.
	Quotes int `json:"quotes"`
}

// Briefing is what a channel receives for a topic and a time window: the few stories that matter,
// each with its lede, its key quotes and its sources.
type Briefing struct {
	Topic string `json:"topic"`
	// Query is the search the topic stands for, when it differs from the topic's name.
	Query   string    `json:"query,omitempty"`
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Stories []Story   `json:"stories"`
	// More counts the stories that matched but did not fit the briefing's budget.
	More int `json:"more"`
}

// Empty reports whether the briefing has no story to show.
func (b *Briefing) Empty() bool { return len(b.Stories) == 0 }

// Story is one event, possibly carried by several outlets.
type Story struct {
	Headline  string       `json:"headline"`
	Lede      string       `json:"lede"`
	URL       string       `json:"url,omitempty"`
	Published time.Time    `json:"published"`
	Sources   []SourceRef  `json:"sources"`
	Quotes    []StoryQuote `json:"quotes"`
	Score     float64      `json:"score,omitempty"`
}

// SourceRef is one outlet's article within a story.
type SourceRef struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

// StoryQuote is a quote as a briefing shows it.
type StoryQuote struct {
	Text         string `json:"text"`
	Speaker      string `json:"speaker"`
	SpeakerTitle string `json:"speaker_title"`
	// URL links to the quote in its article (with a #:~:text= fragment where possible).
	URL string `json:"url,omitempty"`
	// Outlets counts the outlets that carried this quote.
	Outlets int `json:"outlets,omitempty"`
}
