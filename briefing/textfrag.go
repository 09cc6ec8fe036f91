package briefing

import (
	"net/url"
	"strings"
)

// Text fragments (https://wicg.github.io/scroll-to-text-fragment/) let a link scroll the browser
// to a passage and highlight it: https://example.com/a#:~:text=start,end.
const (
	// fragmentExactMaxWords is the longest quote linked by its whole text; a longer quote is
	// linked as a range: its first and last few words.
	fragmentExactMaxWords = 10
	// fragmentRangeWords is how many words each end of a range holds.
	fragmentRangeWords = 4
)

// TextFragmentURL returns pageURL with a text fragment that makes a browser scroll to quote and
// highlight it. A short quote is matched whole (#:~:text=QUOTE); a long one by its first and last
// words (#:~:text=START,END). An existing fragment is kept (#section:~:text=…) and an existing text
// directive is replaced. It returns pageURL unchanged when pageURL is not an absolute http(s) URL
// or quote holds no words, and "" when pageURL is "".
func TextFragmentURL(pageURL, quote string) string {
	if pageURL == "" {
		return ""
	}
	u, err := url.Parse(pageURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return pageURL
	}
	directive := textDirective(quote)
	if directive == "" {
		return pageURL
	}
	base, frag, hasFrag := strings.Cut(pageURL, "#")
	if i := strings.Index(frag, ":~:"); i >= 0 {
		frag = frag[:i]
	}
	if !hasFrag || frag == "" {
		return base + "#:~:" + directive
	}
	return base + "#" + frag + ":~:" + directive
}

// textDirective returns "text=…" for quote, or "" when quote holds no words.
func textDirective(quote string) string {
	words := strings.Fields(strings.ToValidUTF8(quote, ""))
	if len(words) == 0 {
		return ""
	}
	if len(words) <= fragmentExactMaxWords {
		return "text=" + encodeFragmentText(strings.Join(words, " "))
	}
	start := strings.Join(words[:fragmentRangeWords], " ")
	end := strings.Join(words[len(words)-fragmentRangeWords:], " ")
	return "text=" + encodeFragmentText(start) + "," + encodeFragmentText(end)
}

// encodeFragmentText percent-encodes s for a text directive. The spec requires '&', '-' and ','
// to be encoded (they are the directive's syntax); we encode everything but ASCII letters, digits,
// '.', '_' and '~' so the URL also survives Slack's <url|label> and Discord's [label](url) markup.
func encodeFragmentText(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) * 3 / 2)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreservedFragmentByte(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0x0f])
	}
	return b.String()
}

func isUnreservedFragmentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '_' || c == '~'
}
