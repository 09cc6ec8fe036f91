package store

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/briefbot/briefbot/briefing"
)

func TestAnalysisEncodingRoundTrips(t *testing.T) {
	text := `Officials said "the talks will resume" on Monday. "Not yet," he added.`
	cases := []struct {
		name     string
		quotes   []briefing.Quote
		speakers []briefing.Speaker
	}{
		{"no quotes and no speakers", nil, nil},
		{"quotes framed by their offsets", []briefing.Quote{
			{Text: "the talks will resume", Start: 15, End: 36, Speaker: "Ana Ruiz", SpeakerTitle: "envoy", Cue: "said", Key: true, Score: 0.91},
			{Text: "Not yet,", Start: 51, End: 59, Cue: "added", Partial: true, Score: -1.5},
		}, []briefing.Speaker{{Name: "Ana Ruiz", Title: "envoy", Quotes: 1}}},
		{"a quote whose text is not its span, or without offsets", []briefing.Quote{
			{Text: "the talks will resume soon", Start: 15, End: 36},
			{Text: "somewhere else", Start: 0, End: 0, Score: math.Inf(1)},
			{Text: "", Start: -3, End: 0},
		}, []briefing.Speaker{{Name: "Zoë Ångström", Quotes: 0}, {Name: "B"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := encodeAnalysis(text, c.quotes, c.speakers, true)
			quotes, speakers, err := decodeAnalysis(data, text)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !reflect.DeepEqual(quotes, c.quotes) || !reflect.DeepEqual(speakers, c.speakers) {
				t.Errorf("decoded %+v %+v\nwant %+v %+v", quotes, speakers, c.quotes, c.speakers)
			}
			// Without spans, every quote keeps its own text: the analysis decodes without the
			// article's text.
			full := encodeAnalysis(text, c.quotes, c.speakers, false)
			quotes, speakers, err = decodeAnalysis(full, "")
			if err != nil {
				t.Fatalf("decode without spans: %v", err)
			}
			if !reflect.DeepEqual(quotes, c.quotes) || !reflect.DeepEqual(speakers, c.speakers) {
				t.Errorf("decoded without spans %+v %+v\nwant %+v %+v", quotes, speakers, c.quotes, c.speakers)
			}
		})
	}
}

func TestAnalysisDecodingRefusesDamagedData(t *testing.T) {
	text := `He said "yes" twice.`
	good := encodeAnalysis(text, []briefing.Quote{{Text: "yes", Start: 9, End: 12, Speaker: "Al"}}, []briefing.Speaker{{Name: "Al", Quotes: 1}}, true)
	for name, data := range map[string][]byte{
		"empty":              nil,
		"another version":    append([]byte{9}, good[1:]...),
		"cut short":          good[:len(good)-2],
		"trailing bytes":     append(append([]byte{}, good...), 0),
		"a huge count":       {analysisVersion, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"a span off the end": encodeAnalysis(text+" and more", []briefing.Quote{{Text: "more", Start: 25, End: 29}}, nil, true),
	} {
		if _, _, err := decodeAnalysis(data, text); !errors.Is(err, errBadAnalysis) {
			t.Errorf("%s: error %v, want errBadAnalysis", name, err)
		}
	}
}

func FuzzDecodeAnalysis(f *testing.F) {
	text := `A "quoted" text.`
	f.Add(encodeAnalysis(text, []briefing.Quote{{Text: "quoted", Start: 3, End: 9, Cue: "x"}}, []briefing.Speaker{{Name: "N"}}, true))
	f.Add(encodeAnalysis(text, []briefing.Quote{{Text: "quoted", Start: 3, End: 9, Cue: "x"}}, []briefing.Speaker{{Name: "N"}}, false))
	f.Add([]byte{analysisVersion, 1, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		quotes, speakers, err := decodeAnalysis(data, text)
		if err != nil {
			return
		}
		// What decodes encodes back to what decodes the same.
		for _, spans := range []bool{true, false} {
			q2, sp2, err := decodeAnalysis(encodeAnalysis(text, quotes, speakers, spans), text)
			if err != nil {
				t.Fatalf("re-encoded analysis (spans %v) does not decode: %v", spans, err)
			}
			if !reflect.DeepEqual(q2, quotes) && !hasNaN(quotes) || !reflect.DeepEqual(sp2, speakers) {
				t.Errorf("decoded %+v %+v, after re-encoding (spans %v) %+v %+v", quotes, speakers, spans, q2, sp2)
			}
		}
	})
}

func hasNaN(quotes []briefing.Quote) bool {
	for _, q := range quotes {
		if math.IsNaN(q.Score) {
			return true
		}
	}
	return false
}
