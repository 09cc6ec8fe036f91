package briefing

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultMaxBytes is the largest article ReadArticle accepts when ReadOptions.MaxBytes is 0.
const DefaultMaxBytes = 5 << 20

// ErrTooLarge is returned (wrapped, with the size and the limit) for an article over the size
// limit.
var ErrTooLarge = errors.New("article too large")

// ErrUnsupportedFormat is returned for a file name whose extension is not an article format.
var ErrUnsupportedFormat = errors.New("unsupported article format")

// ReadOptions tune ReadArticle and ArticleFromHTML.
type ReadOptions struct {
	// MaxBytes refuses larger input; 0 means DefaultMaxBytes.
	MaxBytes int
	// Source and URL are used when the file itself names none.
	Source, URL string
}

func (o ReadOptions) maxBytes() int {
	if o.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return o.MaxBytes
}

func checkSize(n int, opts ReadOptions) error {
	if limit := opts.maxBytes(); n > limit {
		return fmt.Errorf("briefing: %w: %s is over the limit of %s", ErrTooLarge, byteSize(n), byteSize(limit))
	}
	return nil
}

// byteSize formats n bytes for a person: "5.0 MB", "812 KB", "97 bytes".
func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

// ReadArticle reads one article file; the format comes from name's extension: .txt, .md,
// .html/.htm or .json (an object with "title", "body", "url", "source", "published").
//
// For .txt and .md the article's Text is the file's bytes unchanged, so quote offsets are file
// offsets; the headline is the first line that reads as a headline. Invalid UTF-8 is never an
// error: plain text keeps its bytes, HTML and JSON text is repaired.
func ReadArticle(name string, data []byte, opts ReadOptions) (*Article, error) {
	if err := checkSize(len(data), opts); err != nil {
		return nil, err
	}
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".txt", ".text", "":
		return articleFromText(data, opts, false), nil
	case ".md", ".markdown":
		return articleFromText(data, opts, true), nil
	case ".html", ".htm", ".xhtml":
		return ArticleFromHTML(data, opts.URL, opts)
	case ".json":
		return articleFromJSON(data, opts)
	default:
		return nil, fmt.Errorf("briefing: %w %q (want .txt, .md, .html or .json)", ErrUnsupportedFormat, ext)
	}
}

// articleFromText builds an article from plain text or Markdown: the text is kept byte for byte.
func articleFromText(data []byte, opts ReadOptions, markdown bool) *Article {
	a := &Article{Text: string(data), Source: opts.Source, URL: opts.URL}
	a.Headline, a.BodyStart = findHeadline(a.Text, markdown)
	return a
}

// jsonArticle is the .json article format.
type jsonArticle struct {
	Title     string `json:"title"`
	Headline  string `json:"headline"`
	Body      string `json:"body"`
	Text      string `json:"text"`
	URL       string `json:"url"`
	Source    string `json:"source"`
	Published string `json:"published"`
}

func articleFromJSON(data []byte, opts ReadOptions) (*Article, error) {
	var j jsonArticle
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("briefing: read json article: %w", err)
	}
	body := j.Body
	if body == "" {
		body = j.Text
	}
	title := j.Title
	if title == "" {
		title = j.Headline
	}
	if strings.TrimSpace(body) == "" {
		return nil, fmt.Errorf("briefing: read json article: no \"body\" text")
	}
	a := &Article{
		Headline: cleanLine(title),
		Text:     normalizeBody(body),
		Source:   firstNonEmpty(j.Source, opts.Source),
		URL:      firstNonEmpty(j.URL, opts.URL),
	}
	if j.Published != "" {
		t, err := parseTime(j.Published)
		if err != nil {
			return nil, fmt.Errorf("briefing: read json article: published %q: %w", j.Published, err)
		}
		a.Published = t
	}
	if a.Headline == "" {
		a.Headline, a.BodyStart = findHeadline(a.Text, false)
	}
	return a, nil
}

// parseTime accepts the usual machine formats of a publication time.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02", time.RFC1123Z, time.RFC1123} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("not a date (want RFC 3339, e.g. 2018-02-11T09:30:00Z)")
}

// normalizeBody repairs invalid UTF-8 and unifies line ends, for text that is not a file's bytes.
func normalizeBody(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return strings.TrimSpace(s)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// cleanLine makes a display string of one line: valid UTF-8, single spaces, no Markdown heading
// marks.
func cleanLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.TrimLeft(strings.TrimSpace(s), "# ")
	return validText(s)
}

// findHeadline returns the first line of text that reads as a headline and the offset where the
// body begins (the line after it). Site chrome above the headline ("All news", "Home", a lone
// date, a breadcrumb) is skipped.
func findHeadline(text string, markdown bool) (headline string, bodyStart int) {
	type line struct {
		text string
		next int // offset just after the line
	}
	var buf [12]line
	lines := buf[:0]
	pos := 0
	if markdown && strings.HasPrefix(text, "---") {
		// YAML front matter: skip to its closing line.
		if i := strings.Index(text[3:], "\n---"); i >= 0 {
			pos = 3 + i + 4
			if j := strings.IndexByte(text[pos:], '\n'); j >= 0 {
				pos += j + 1
			} else {
				pos = len(text)
			}
		}
	}
	for pos < len(text) && len(lines) < 12 {
		end := strings.IndexByte(text[pos:], '\n')
		next := len(text)
		if end < 0 {
			end = len(text)
		} else {
			end += pos
			next = end + 1
		}
		if l := strings.TrimSpace(text[pos:end]); l != "" {
			lines = append(lines, line{l, next})
		}
		pos = next
	}
	for i, l := range lines {
		if markdown && strings.HasPrefix(l.text, "#") {
			return cleanLine(trimHeadlineDot(l.text)), skipBlank(text, l.next)
		}
		if isChromeLine(l.text) {
			continue
		}
		if isShortLine(l.text) && i+1 < len(lines) && countFields(lines[i+1].text) <= 30 && !isChromeLine(lines[i+1].text) {
			continue // a section label above the real headline
		}
		return cleanLine(trimHeadlineDot(l.text)), skipBlank(text, l.next)
	}
	if len(lines) > 0 {
		return cleanLine(trimHeadlineDot(lines[0].text)), skipBlank(text, lines[0].next)
	}
	return "", 0
}

func skipBlank(text string, pos int) int {
	for pos < len(text) && (text[pos] == '\n' || text[pos] == '\r' || text[pos] == ' ' || text[pos] == '\t') {
		pos++
	}
	return pos
}

// trimHeadlineDot drops a lone full stop closing a headline ("Pence Wins Debate."), keeping
// abbreviations ("U.S.") and other punctuation.
func trimHeadlineDot(s string) string {
	if strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "..") && strings.Count(s, ".") == 1 {
		return strings.TrimSuffix(s, ".")
	}
	return s
}

// isChromeLine reports whether a line above the headline is site navigation or metadata rather
// than the headline: very short lines, section labels, bylines and lone dates.
func isChromeLine(line string) bool {
	low := strings.TrimRight(line, ":.|") // compared ignoring case
	for _, e := range chromeLines {
		if equalFold(low, e) {
			return true
		}
	}
	for _, p := range chromePrefixes {
		if len(low) >= len(p) && equalFold(low[:len(p)], p) {
			return true
		}
	}
	if strings.ContainsAny(line, "|›»>") && !strings.ContainsAny(line, ".?!") && countFields(line) <= 8 {
		return true // a breadcrumb: "World › Europe"
	}
	return looksLikeDate(low)
}

// isShortLine reports a line too short to be a headline unless nothing better follows.
func isShortLine(line string) bool {
	return utf8.RuneCountInString(line) < 12 || countFields(line) < 3
}

// chromeLines are whole lines of site navigation; chromePrefixes start bylines and stamps.
var (
	chromeLines    = []string{"all news", "all stories", "latest news", "top stories", "news", "home", "menu", "main menu", "advertisement", "share", "share this", "subscribe", "sign in", "log in", "read more", "breaking news", "live", "opinion", "world", "politics", "business", "sport", "sports"}
	chromePrefixes = []string{"skip to ", "published:", "published on", "updated:", "last updated", "posted on", "posted:", "photo:", "image:", "share this", "follow us"}
)

var monthNames = []string{"january", "february", "march", "april", "may ", "june", "july", "august", "september", "october", "november", "december"}

// looksLikeDate reports whether a short line is only a date or time stamp.
func looksLikeDate(line string) bool {
	low := line // month names are compared ignoring case
	if len(low) > 40 {
		return false
	}
	digits := 0
	for i := 0; i < len(low); i++ {
		if low[i] >= '0' && low[i] <= '9' {
			digits++
		}
	}
	if digits < 2 {
		return false
	}
	for _, m := range monthNames {
		if containsFold(low, m) {
			return true
		}
	}
	return strings.ContainsAny(low, "/:") && digits >= 4
}
