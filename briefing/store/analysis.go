package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/briefbot/briefbot/briefing"
)

// An article's analysis (its quotes and speakers) is stored in the article's row, in one column,
// in a compact binary form: a briefing reads hundreds of articles with their quotes, and
// decoding a column of each row costs far less than reading rows of another table.
//
// Version 1, after its version byte:
//
//	quotes:   uvarint count, then per quote: varint start, varint end, flags byte,
//	          score (8 bytes, little-endian IEEE 754), [text], speaker, speaker title, cue
//	speakers: uvarint count, then per speaker: name, title, varint quotes
//
// A string is a uvarint length and its bytes. With spans, a quote's text is left out (flag
// quoteSpan) when it is the article text between its offsets, as it nearly always is: SQLite
// stores it so. PostgreSQL stores every quote's text, so that a briefing can read an article's
// quotes without its text (see Query.WithoutText).
const analysisVersion = 1

const (
	quotePartial = 1 << iota
	quoteKey
	quoteSpan // the text is text[start:end]
)

var errBadAnalysis = errors.New("malformed analysis column")

// encodeAnalysis encodes quotes and speakers of an article whose text is text; with spans, the
// text of a quote that is the article text between its offsets is left out.
func encodeAnalysis(text string, quotes []briefing.Quote, speakers []briefing.Speaker, spans bool) []byte {
	size := 2
	for _, q := range quotes {
		size += 24 + len(q.Speaker) + len(q.SpeakerTitle) + len(q.Cue)
		if !spans || !isSpan(text, q) {
			size += len(q.Text) + 2
		}
	}
	for _, sp := range speakers {
		size += 8 + len(sp.Name) + len(sp.Title)
	}
	b := make([]byte, 0, size)
	b = append(b, analysisVersion)
	b = binary.AppendUvarint(b, uint64(len(quotes)))
	for _, q := range quotes {
		b = binary.AppendVarint(b, int64(q.Start))
		b = binary.AppendVarint(b, int64(q.End))
		var flags byte
		if q.Partial {
			flags |= quotePartial
		}
		if q.Key {
			flags |= quoteKey
		}
		span := spans && isSpan(text, q)
		if span {
			flags |= quoteSpan
		}
		b = append(b, flags)
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(q.Score))
		if !span {
			b = appendString(b, q.Text)
		}
		b = appendString(b, q.Speaker)
		b = appendString(b, q.SpeakerTitle)
		b = appendString(b, q.Cue)
	}
	b = binary.AppendUvarint(b, uint64(len(speakers)))
	for _, sp := range speakers {
		b = appendString(b, sp.Name)
		b = appendString(b, sp.Title)
		b = binary.AppendVarint(b, int64(sp.Quotes))
	}
	return b
}

func isSpan(text string, q briefing.Quote) bool {
	return q.Text != "" && 0 <= q.Start && q.Start <= q.End && q.End <= len(text) && text[q.Start:q.End] == q.Text
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decodeAnalysis decodes what encodeAnalysis encoded for an article whose text is text. Quote
// texts taken from the article text share its memory, and the other strings share one copy of
// data (data is not kept); an analysis encoded without spans decodes with any text (or none).
func decodeAnalysis(data []byte, text string) ([]briefing.Quote, []briefing.Speaker, error) {
	d := analysisDecoder{data: data}
	if v := d.byte(); d.err == nil && v != analysisVersion {
		return nil, nil, fmt.Errorf("%w: version %d", errBadAnalysis, v)
	}
	var quotes []briefing.Quote
	if n := d.count(); n > 0 {
		quotes = make([]briefing.Quote, n)
	}
	for i := range quotes {
		q := &quotes[i]
		q.Start, q.End = d.int(), d.int()
		flags := d.byte()
		if flags&^(quotePartial|quoteKey|quoteSpan) != 0 {
			d.fail()
		}
		q.Partial, q.Key = flags&quotePartial != 0, flags&quoteKey != 0
		q.Score = math.Float64frombits(d.uint64())
		if flags&quoteSpan != 0 {
			if d.err == nil && (q.Start < 0 || q.Start > q.End || q.End > len(text)) {
				d.err = errBadAnalysis
			}
			if d.err == nil {
				q.Text = text[q.Start:q.End]
			}
		} else {
			q.Text = d.string()
		}
		q.Speaker, q.SpeakerTitle, q.Cue = d.string(), d.string(), d.string()
	}
	var speakers []briefing.Speaker
	if n := d.count(); n > 0 {
		speakers = make([]briefing.Speaker, n)
	}
	for i := range speakers {
		sp := &speakers[i]
		sp.Name, sp.Title, sp.Quotes = d.string(), d.string(), d.int()
	}
	if d.err == nil && len(d.data) > 0 {
		d.err = fmt.Errorf("%w: %d bytes left over", errBadAnalysis, len(d.data))
	}
	if d.err != nil {
		return nil, nil, d.err
	}
	return quotes, speakers, nil
}

// analysisDecoder reads the encoding; after the first error every read returns zero and the
// error stays.
type analysisDecoder struct {
	data []byte
	// str is what was left of data when the first string was read, as a string: the strings
	// read are parts of it, one allocation for them all.
	str string
	err error
}

func (d *analysisDecoder) fail() {
	if d.err == nil {
		d.err = errBadAnalysis
	}
	d.data = nil
}

func (d *analysisDecoder) byte() byte {
	if len(d.data) < 1 {
		d.fail()
		return 0
	}
	v := d.data[0]
	d.data = d.data[1:]
	return v
}

func (d *analysisDecoder) uint64() uint64 {
	if len(d.data) < 8 {
		d.fail()
		return 0
	}
	v := binary.LittleEndian.Uint64(d.data)
	d.data = d.data[8:]
	return v
}

func (d *analysisDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.data)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.data = d.data[n:]
	return v
}

func (d *analysisDecoder) int() int {
	v, n := binary.Varint(d.data)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.data = d.data[n:]
	return int(v)
}

// count reads a number of items, each at least two bytes long, so that a corrupt count cannot
// allocate more than the data could hold.
func (d *analysisDecoder) count() int {
	v := d.uvarint()
	if v > uint64(len(d.data)/2) {
		d.fail()
		return 0
	}
	return int(v)
}

func (d *analysisDecoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.data)) {
		d.fail()
		return ""
	}
	if n == 0 {
		return ""
	}
	if d.str == "" {
		d.str = string(d.data)
	}
	at := len(d.str) - len(d.data)
	s := d.str[at : at+int(n)]
	d.data = d.data[n:]
	return s
}
