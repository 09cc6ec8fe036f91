package briefing

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"

	readability "codeberg.org/readeck/go-readability/v2"
)

// ArticleFromHTML reduces an HTML page to an Article with a readability parser: the headline is
// the page's title, Text the main text (paragraphs separated by blank lines), Published the
// page's publication time when it states one. pageURL may be "".
func ArticleFromHTML(data []byte, pageURL string, opts ReadOptions) (*Article, error) {
	if err := checkSize(len(data), opts); err != nil {
		return nil, err
	}
	var base *url.URL
	if pageURL == "" {
		pageURL = opts.URL
	}
	if pageURL != "" {
		u, err := url.Parse(pageURL)
		if err != nil {
			return nil, fmt.Errorf("briefing: read html: page url %q: %w", pageURL, err)
		}
		base = u
	}
	parsed, err := readability.FromReader(bytes.NewReader(data), base)
	if err != nil {
		return nil, fmt.Errorf("briefing: read html: %w", err)
	}
	if parsed.Node == nil {
		return nil, fmt.Errorf("briefing: read html: no readable text in the page")
	}
	var sb strings.Builder
	if err := parsed.RenderText(&sb); err != nil {
		return nil, fmt.Errorf("briefing: read html: %w", err)
	}
	body := normalizeBody(strings.ReplaceAll(sb.String(), "\u00a0", " "))
	if body == "" {
		return nil, fmt.Errorf("briefing: read html: no readable text in the page")
	}
	a := &Article{
		Headline: cleanLine(parsed.Title()),
		Text:     body,
		Source:   firstNonEmpty(parsed.SiteName(), opts.Source),
		URL:      pageURL,
	}
	if t, err := parsed.PublishedTime(); err == nil {
		a.Published = t
	}
	if a.Headline == "" {
		a.Headline, a.BodyStart = findHeadline(a.Text, false)
	} else if strings.HasPrefix(a.Text, a.Headline) {
		// Some pages repeat the title as the body's first line.
		a.BodyStart = skipBlank(a.Text, len(a.Headline))
	}
	return a, nil
}
