package briefing

import (
	"slices"
	"testing"
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
