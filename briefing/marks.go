package briefing

// Pairing quotation marks into spans. Double marks (straight, curly, guillemets) pair first; single
// marks pair only outside double quotations, so a quotation nested in another never breaks it. A
// quotation never crosses a paragraph end: an opening mark left unclosed at the end of a paragraph
// runs to that end, and when the next paragraph opens with a mark too, the quotation goes on there
// (the newspaper convention for quotes over several paragraphs).

// span is one quotation: the text between its marks, as token and byte positions.
type span struct {
	open, close int // token indices of the marks; close is -1 when the paragraph ended first
	start, end  int // byte offsets of the quoted text
	first, last int // token indices of the first and last token inside
	// cont: the quotation goes on in the next paragraph; contd: it continues one from the
	// previous paragraph.
	cont, contd bool
	single      bool // single marks
}

// maxSpans bounds the quotations read in one article, and so the memory a text of nothing but
// quotation marks can take.
const maxSpans = 5000

// pairMarks finds the quotation spans of the scanned text, in order and never overlapping.
func (s *scanner) pairMarks(spans []span) []span {
	spans = s.pairFamily(spans, true)
	n := len(spans)
	spans = s.pairFamily(spans, false)
	if len(spans) > n {
		spans = mergeSpans(spans, n)
	}
	if len(spans) > maxSpans {
		spans = spans[:maxSpans] // no article quotes so often: the rest is noise
	}
	for i := range spans {
		for t := spans[i].first; t <= spans[i].last && t >= 0; t++ {
			s.toks[t].flags |= fQuoted
		}
	}
	return spans
}

// mergeSpans merges the double-mark spans spans[:n] with the single-mark spans after them,
// dropping any span inside another.
func mergeSpans(spans []span, n int) []span {
	doubles := append([]span(nil), spans[:n]...)
	singles := spans[n:]
	out := spans[:0:0]
	i, j := 0, 0
	for i < len(doubles) || j < len(singles) {
		var next span
		if j >= len(singles) || i < len(doubles) && doubles[i].start < singles[j].start {
			next = doubles[i]
			i++
		} else {
			next = singles[j]
			j++
		}
		if k := len(out) - 1; k >= 0 && next.start < out[k].end+1 {
			if next.end > out[k].end && next.start-out[k].start < 2 {
				out[k] = next // the later one encloses the earlier
			} else if next.end > out[k].end {
				continue // overlapping: keep the first
			}
			continue
		}
		out = append(out, next)
	}
	return out
}

// pairFamily pairs the double (or single) marks paragraph by paragraph.
func (s *scanner) pairFamily(spans []span, double bool) []span {
	toks := s.toks
	var stack [8]int // open marks (token indices)
	depth := 0
	// pending are the quotations closed one level inside an opener still open: nested quotes,
	// or real quotes after a stray opening mark, told apart at the paragraph's end.
	pending := s.pending[:0]
	paraStart := 0
	continuing := false // the paragraph continues a quotation from the previous one
	excerpt := false    // the paragraph before was part of an excerpt (see excerptMark)
	for i := 0; i <= len(toks); i++ {
		if i == len(toks) || toks[i].kind == tokBreak {
			inExcerpt := false
			if depth > 0 {
				n := len(spans)
				if inExcerpt = s.excerptMark(stack[0]) && (len(pending) > 0 || continuing && excerpt); !inExcerpt {
					spans = s.unclosed(spans, stack[0], i, paraStart, continuing, s.nextParaOpens(i, double))
				}
				if len(spans) == n {
					spans = append(spans, pending...) // the opener was stray
				}
			}
			continuing = depth > 0 && s.nextParaOpens(i, double)
			excerpt = inExcerpt
			depth = 0
			pending = pending[:0]
			paraStart = i + 1
			continue
		}
		t := toks[i]
		if t.kind != tokMark || isDoubleMark(t.mark) != double {
			continue
		}
		if !double && s.insideDouble(spans, int(t.start)) {
			continue
		}
		canOpen, canClose := t.is(fOpen), t.is(fClose)
		if depth > 0 && canClose && compatible(toks[stack[depth-1]].mark, t.mark) {
			if !double && t.is(fAmbig) && s.laterCloser(i, double) {
				continue // "players’ fault’": an apostrophe, the real closing mark follows
			}
			depth--
			o := stack[depth]
			switch depth {
			case 0:
				spans = s.appendSpan(spans, o, i, continuing && o == s.firstMark(paraStart))
				pending = pending[:0]
			case 1:
				pending = s.appendSpan(pending, o, i, false)
			}
			continue
		}
		opener := canOpen && t.mark != markRight && t.mark != markGuilR && t.mark != markSRight
		if !opener && canOpen && depth == 0 && (t.mark == markRight && s.leftCurly == 0 || t.mark == markGuilR) && !canClose {
			// A closing-shaped mark used to open: ”Quote” (where the article never opens with
			// “, so that this is its convention and no stray mark) or »Zitat«.
			opener = true
		}
		if !opener || depth == len(stack) {
			continue
		}
		if depth > 0 && t.mark == markStraight && toks[stack[depth-1]].mark == markStraight && stack[depth-1] != s.firstMark(paraStart) {
			// Two straight openers in a row: the first was stray, unless it began the paragraph.
			stack[depth-1] = i
			continue
		}
		stack[depth] = i
		depth++
	}
	s.pending = pending
	return spans
}

// excerptMark reports whether the opening mark at token o, left open at its paragraph's end, may
// mark a block of text copied from elsewhere rather than a quotation: a straight mark in an article
// that quotes with curly marks, the way an excerpt pasted from another page keeps its own
// typography. It does when the paragraph quotes in curly marks inside it, or goes on with such an
// excerpt; the quotations inside the excerpt are still quotations.
func (s *scanner) excerptMark(o int) bool {
	return s.toks[o].mark == markStraight && s.curly >= 4 && s.curly > 4*s.straight
}

// compatible reports whether closing mark c may close opening mark o.
func compatible(o, c uint8) bool {
	switch o {
	case markStraight, markLeft, markRight:
		return c == markStraight || c == markRight || c == markLeft
	case markGuilL:
		return c == markGuilR
	case markGuilR:
		return c == markGuilL || c == markGuilR
	case markSingle, markSLeft, markSRight:
		return c == markSingle || c == markSRight || c == markSLeft
	}
	return false
}

// firstMark returns the index of the paragraph's first token when it is a mark, else -1.
func (s *scanner) firstMark(paraStart int) int {
	if paraStart < len(s.toks) && s.toks[paraStart].kind == tokMark {
		return paraStart
	}
	return -1
}

// nextParaOpens reports whether the paragraph after break b opens with a mark of the family.
func (s *scanner) nextParaOpens(b int, double bool) bool {
	n := b + 1
	return n < len(s.toks) && s.toks[n].kind == tokMark && isDoubleMark(s.toks[n].mark) == double && s.toks[n].is(fOpen)
}

// laterCloser reports whether a non-ambiguous closing mark of the family follows token i in its
// paragraph, within the next laterCloserWindow tokens.
func (s *scanner) laterCloser(i int, double bool) bool {
	for j := i + 1; j < len(s.toks) && j-i <= laterCloserWindow && s.toks[j].kind != tokBreak; j++ {
		t := s.toks[j]
		if t.kind == tokMark && isDoubleMark(t.mark) == double {
			if t.is(fOpen) && !t.is(fClose) {
				return false
			}
			if t.is(fClose) && !t.is(fAmbig) {
				return true
			}
		}
	}
	return false
}

// insideDouble reports whether offset off lies inside one of the double-mark spans, which come
// first in spans, in order.
func (s *scanner) insideDouble(spans []span, off int) bool {
	lo, hi := 0, len(spans)
	for lo < hi { // the first span starting after off
		m := (lo + hi) / 2
		if spans[m].single || spans[m].start > off {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo > 0 && off >= spans[lo-1].start && off < spans[lo-1].end
}

// laterCloserWindow bounds how far laterCloser looks ahead, so a paragraph full of apostrophes
// costs linear time.
const laterCloserWindow = 200

// appendSpan records the quotation between marks o and c.
func (s *scanner) appendSpan(spans []span, o, c int, contd bool) []span {
	if c == o+1 || len(spans) >= 2*maxSpans {
		return spans // empty (""), or more than any article quotes
	}
	return append(spans, span{
		open: o, close: c, start: int(s.toks[o].end), end: int(s.toks[c].start),
		first: o + 1, last: c - 1, contd: contd, single: !isDoubleMark(s.toks[o].mark),
	})
}

// unclosed handles an opening mark o left open at the paragraph end (break token b): it quotes to
// the end of the paragraph when it opens the paragraph or follows a colon or a speech cue — the
// shapes of a quotation that goes on in the next paragraph or lost its closing mark. A stray mark
// elsewhere quotes nothing.
func (s *scanner) unclosed(spans []span, o, b, paraStart int, continuing, nextOpens bool) []span {
	last := b - 1
	if last <= o {
		return spans
	}
	toks := s.toks
	ok := o == paraStart
	if !ok && o > paraStart {
		p := toks[o-1]
		if p.kind == tokPunct && (s.text[p.start] == ':' || s.text[p.start] == ',') {
			ok = true
		}
		// A new sentence opening a quotation that goes on in the next paragraph.
		if nextOpens && p.kind == tokPunct && p.is(fSentEnd) {
			ok = true
		}
	}
	if !ok {
		return spans
	}
	// Skip a stray mark at the end of the paragraph.
	for last > o && toks[last].kind == tokMark {
		last--
	}
	if last <= o {
		return spans
	}
	sp := span{
		open: o, close: -1, start: int(toks[o].end), end: int(toks[last].end),
		first: o + 1, last: last, cont: true, contd: continuing && o == paraStart,
		single: !isDoubleMark(toks[o].mark),
	}
	return append(spans, sp)
}
