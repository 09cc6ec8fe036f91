package ingest

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlText reduces an HTML fragment (a feed item's content or summary) to plain text: one
// paragraph per block element, separated by blank lines; scripts, styles and embedded media
// dropped; entities decoded; white space folded. A whole page goes through readability instead
// (briefing.ArticleFromHTML), which also removes the site's navigation.
func htmlText(fragment string) string {
	if !strings.ContainsAny(fragment, "<&") {
		return foldParagraphs(fragment)
	}
	z := html.NewTokenizer(strings.NewReader(fragment))
	var (
		sb   strings.Builder
		skip int // depth inside elements whose text is not article text
	)
	for {
		switch z.Next() {
		case html.ErrorToken:
			return foldParagraphs(sb.String())
		case html.TextToken:
			if skip == 0 {
				// Line breaks in the markup are formatting, not paragraphs.
				sb.WriteString(strings.Map(func(r rune) rune {
					if r == '\n' || r == '\r' || r == '\t' || r == '\f' {
						return ' '
					}
					return r
				}, string(z.Text())))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skipped[a] {
				if t := z.Token(); t.Type == html.StartTagToken {
					skip++
				}
				continue
			}
			switch {
			case a == atom.Br:
				sb.WriteByte('\n')
			case blocks[a]:
				sb.WriteString("\n\n")
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skipped[a] {
				if skip > 0 {
					skip--
				}
				continue
			}
			if blocks[a] {
				sb.WriteString("\n\n")
			}
		}
	}
}

// skipped elements hold no article text.
var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Iframe: true, atom.Object: true,
	atom.Svg: true, atom.Math: true, atom.Template: true, atom.Head: true, atom.Select: true,
	atom.Button: true, atom.Audio: true, atom.Video: true, atom.Canvas: true,
}

// blocks are elements that start a new paragraph.
var blocks = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true, atom.Blockquote: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Li: true, atom.Ul: true, atom.Ol: true, atom.Dl: true, atom.Dt: true, atom.Dd: true,
	atom.Table: true, atom.Tr: true, atom.Pre: true, atom.Figure: true, atom.Figcaption: true,
	atom.Header: true, atom.Footer: true, atom.Aside: true, atom.Hr: true, atom.Main: true,
}

// foldParagraphs folds white space inside paragraphs (text between blank lines) to single spaces
// and separates paragraphs with one blank line.
func foldParagraphs(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\u00a0", " ")
	var paras []string
	var para []string
	flush := func() {
		if len(para) > 0 {
			paras = append(paras, strings.Join(para, " "))
			para = para[:0]
		}
	}
	for line := range strings.SplitSeq(s, "\n") {
		words := strings.Fields(line)
		if len(words) == 0 {
			flush()
			continue
		}
		para = append(para, strings.Join(words, " "))
	}
	flush()
	return strings.Join(paras, "\n\n")
}
