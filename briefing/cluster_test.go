package briefing

import (
	"slices"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestEachTextWordSplitsLowercasesAndSpotsNames(t *testing.T) {
	tests := []struct {
		name, text string
		words      []string
		names      []string
	}{
		{
			name:  "a capitalised word inside a sentence is a name, at its start it is not",
			text:  "Officials said Lavrov spoke. Talks resume",
			words: []string{"officials", "said", "lavrov", "spoke", "talks", "resume"},
			names: []string{"lavrov"},
		},
		{
			name:  "apostrophes and hyphens stay inside words and are trimmed at their ends",
			text:  "Kim Jong-un's rockets' range — Washington’s 'view'",
			words: []string{"kim", "jong'un", "rockets", "range", "washington", "view"},
			names: []string{"jong'un", "washington"},
		},
		{
			name:  "non-ASCII letters are words; an opening quotation mark starts a sentence",
			text:  "Le président Macron a dit: “Nous”",
			words: []string{"le", "président", "macron", "a", "dit", "nous"},
			names: []string{"macron"},
		},
		{
			name:  "digits are words, punctuation is not",
			text:  "600 km, 4.75%!",
			words: []string{"600", "km", "4", "75"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var words, names []string
			eachTextWord(tt.text, nil, func(w []byte, proper bool) {
				words = append(words, string(w))
				if proper {
					names = append(names, string(w))
				}
			})
			if !slices.Equal(words, tt.words) || !slices.Equal(names, tt.names) {
				t.Errorf("words %q names %q, want %q and %q", words, names, tt.words, tt.names)
			}
		})
	}
}

func FuzzEachTextWord(f *testing.F) {
	f.Add("Kim Jong-un's “rockets” — 600 km")
	f.Add("\xff\xfe'-'")
	f.Fuzz(func(t *testing.T, s string) {
		eachTextWord(s, nil, func(w []byte, _ bool) {
			if len(w) == 0 || w[0] == '\'' || w[len(w)-1] == '\'' {
				t.Fatalf("word %q of %q is empty or starts or ends with a joiner", w, s)
			}
		})
	})
}

// eachTextWordByRune is the plain rune-by-rune reading eachTextWord must match.
func eachTextWordByRune(s string, buf []byte, fn wordFunc) []byte {
	sentenceStart := true
	for i := 0; i < len(s); {
		// Between words: skip to the next letter or digit, noting where sentences end.
		c := s[i]
		if c < utf8.RuneSelf {
			if !isASCIIWordByteRef(c) {
				if c == '.' || c == '!' || c == '?' || c == ':' || c == '\n' || c == '"' {
					sentenceStart = true
				}
				i++
				continue
			}
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				if r == '“' || r == '”' {
					sentenceStart = true
				}
				i += size
				continue
			}
		}

		// A word: lowercase it into buf.
		buf = buf[:0]
		capital := false
	word:
		for first := true; i < len(s); first = false {
			c := s[i]
			if c < utf8.RuneSelf {
				switch {
				case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
					buf = append(buf, c)
				case c >= 'A' && c <= 'Z':
					capital = capital || first
					buf = append(buf, c+'a'-'A')
				case c == '\'' || c == '-':
					buf = append(buf, '\'') // kept inside a word, trimmed at its end
				default:
					break word
				}
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r):
				capital = capital || first && unicode.IsUpper(r)
				buf = utf8.AppendRune(buf, unicode.ToLower(r))
			case r == '’':
				buf = append(buf, '\'')
			default:
				break word
			}
			i += size
		}
		if w := trimJoiners(buf); len(w) > 0 {
			fn(w, capital && !sentenceStart)
			sentenceStart = false
		}
	}
	return buf
}
func isASCIIWordByteRef(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func FuzzEachTextWordMatchesTheRuneByRuneReading(f *testing.F) {
	f.Add("Kim Jong-un's “rockets” — 600 km. Officials said Lavrov spoke")
	f.Add("Café Zürich’s 'view': Ünal-Özil's-")
	f.Add("\xff\xfeA'-'b-\n\"X")
	f.Fuzz(func(t *testing.T, s string) {
		type word struct {
			w      string
			proper bool
		}
		var got, want []word
		eachTextWord(s, nil, func(w []byte, proper bool) { got = append(got, word{string(w), proper}) })
		eachTextWordByRune(s, nil, func(w []byte, proper bool) { want = append(want, word{string(w), proper}) })
		if !slices.Equal(got, want) {
			t.Fatalf("eachTextWord(%q) = %v, want %v", s, got, want)
		}
	})
}

// sketch returns the k smallest distinct hashes of sh (all of them when there are fewer), in
// increasing order: the reference appendQuoteSketch must match.
func sketch(sh []uint64, k int) []uint64 {
	s := slices.Clone(sh)
	slices.Sort(s)
	s = slices.Compact(s)
	return s[:min(k, len(s))]
}

func FuzzAppendQuoteSketchIsTheBottomKOfTheOpeningShingles(f *testing.F) {
	f.Add("Every day the cranes stand still costs the region's exporters money they will not get back")
	f.Add("very good")
	f.Add("one")
	f.Add("a b a b a b a b a b a b a b a b a b a b")
	f.Add("Café Zürich’s — “view”, open-ended")
	f.Fuzz(func(t *testing.T, text string) {
		words := appendWordHashes(nil, text)
		var want []uint64
		n := min(len(words), maxSketchWords)
		switch {
		case n == 0:
		case n < shingleWidth:
			h := uint64(0)
			for _, w := range words[:n] {
				h = h*31 + w
			}
			want = []uint64{h}
		default:
			var sh []uint64
			for i := 0; i+shingleWidth <= n; i++ {
				sh = append(sh, shingleHash(words[i], words[i+1], words[i+2]))
			}
			want = sketch(sh, quoteSketchSize)
		}
		got, gotN := appendQuoteSketch(nil, text)
		if gotN != n || !slices.Equal(got, want) {
			t.Fatalf("appendQuoteSketch(%q) = %x over %d words, want %x over %d", text, got, gotN, want, n)
		}
	})
}

func FuzzWordScannerReadsAsEachTextWord(f *testing.F) {
	f.Add("Kim Jong-un's “rockets” — 600 km. Officials said Lavrov's talks-")
	f.Add("Café Zürich’s 'view': Ünal-Özil's- O'NEILL'S")
	f.Add("\xff\xfeA'-'b-\n\"X's -s 's")
	f.Fuzz(func(t *testing.T, s string) {
		type word struct {
			w      string
			proper bool
		}
		var want []word
		eachTextWord(s, nil, func(w []byte, proper bool) { want = append(want, word{string(w), proper}) })
		sc := newWordScanner(s, nil)
		for i := 0; ; i++ {
			key, proper, ok := sc.next()
			if !ok {
				if i != len(want) {
					t.Fatalf("%q: the scanner read %d words, eachTextWord %d", s, i, len(want))
				}
				return
			}
			if i == len(want) {
				t.Fatalf("%q: the scanner read more words than eachTextWord's %v", s, want)
			}
			lower := string(sc.lower())
			if lower != want[i].w || proper != want[i].proper || key != wordKey([]byte(lower)) {
				t.Fatalf("%q: word %d is %q (proper %v, key %x), want %+v (key %x)", s, i, lower, proper, key, want[i], wordKey([]byte(want[i].w)))
			}
		}
	})
}

func TestSketchKeepsTheSmallestDistinctHashes(t *testing.T) {
	tests := []struct {
		in   []uint64
		k    int
		want []uint64
	}{
		{[]uint64{9, 3, 7, 3, 1, 8, 2}, 4, []uint64{1, 2, 3, 7}},
		{[]uint64{5, 5, 4}, 4, []uint64{4, 5}},
		{nil, 4, []uint64{}},
		{[]uint64{10, 9, 8, 7, 6, 5}, 2, []uint64{5, 6}},
	}
	for _, tt := range tests {
		got := sketch(slices.Clone(tt.in), tt.k)
		if !slices.Equal(got, tt.want) {
			t.Errorf("sketch(%v, %d) = %v, want %v", tt.in, tt.k, got, tt.want)
		}
	}
}
