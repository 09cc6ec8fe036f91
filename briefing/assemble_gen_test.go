package briefing

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// generateArticles writes n synthetic, analysed articles about one topic ("topic"), spread over
// 24 hours from start: events of one to six outlets each, where outlets reword the headline and
// lede from the event's own vocabulary, share some quotes word for word, and add their own.
// The words are made up ("vorlan", "kesimo"), so the fixtures are ours and deterministic for a seed.
func generateArticles(rng *rand.Rand, n int, start time.Time) []Article {
	vocab := syntheticVocabulary(rng, 4000)
	common := vocab[:60] // words every event may use
	speakers := make([]string, 80)
	for i := range speakers {
		speakers[i] = capitalize(vocab[rng.IntN(len(vocab))]) + " " + capitalize(vocab[rng.IntN(len(vocab))])
	}
	outlets := []string{"Yonhap", "Reuters", "AP", "AFP", "TASS", "Kyodo", "BBC", "NHK", "Xinhua", "DW"}

	var arts []Article
	for event := 0; len(arts) < n; event++ {
		words := make([]string, 10)
		for i := range words {
			words[i] = vocab[60+rng.IntN(len(vocab)-60)]
		}
		at := start.Add(time.Duration(rng.Int64N(int64(22 * time.Hour))))
		eventSpeakers := []string{speakers[rng.IntN(len(speakers))], speakers[rng.IntN(len(speakers))]}
		shared := []Quote{
			{Text: sentence(rng, words, common, 14), Speaker: eventSpeakers[0], SpeakerTitle: "Minister of " + capitalize(words[0]), Key: true, Score: 0.7 + rng.Float64()*0.3},
			{Text: sentence(rng, words, common, 18), Speaker: eventSpeakers[1], Key: true, Score: 0.5 + rng.Float64()*0.4},
		}
		copies := 1 + rng.IntN(6)
		for c := 0; c < copies && len(arts) < n; c++ {
			outlet := outlets[(event+c)%len(outlets)]
			a := Article{
				Source:    outlet,
				URL:       fmt.Sprintf("https://%s.example/news/%d-%d", strings.ToLower(outlet), event, c),
				Headline:  capitalize(sentence(rng, words[:6], []string{"topic"}, 8)),
				Lede:      capitalize(sentence(rng, words, append([]string{"topic"}, common...), 30)) + ".",
				Published: at.Add(time.Duration(c) * 17 * time.Minute),
			}
			a.FirstSeen = a.Published
			for _, q := range shared {
				if rng.IntN(3) > 0 {
					a.Quotes = append(a.Quotes, q)
				}
			}
			for range 4 + rng.IntN(6) {
				a.Quotes = append(a.Quotes, Quote{
					Text:    sentence(rng, words, common, 8+rng.IntN(25)),
					Speaker: speakers[rng.IntN(len(speakers))],
					Score:   rng.Float64() * 0.8,
					Partial: rng.IntN(8) == 0,
				})
			}
			a.Text = a.Headline + "\n\n" + a.Lede
			a.BodyStart = len(a.Headline) + 2
			arts = append(arts, a)
		}
	}
	return arts
}

// syntheticVocabulary makes n distinct pronounceable words.
func syntheticVocabulary(rng *rand.Rand, n int) []string {
	const consonants, vowels = "bdfgklmnprstvz", "aeiou"
	seen := make(map[string]bool, n)
	out := make([]string, 0, n)
	for len(out) < n {
		var b strings.Builder
		for range 2 + rng.IntN(2) {
			b.WriteByte(consonants[rng.IntN(len(consonants))])
			b.WriteByte(vowels[rng.IntN(len(vowels))])
		}
		if rng.IntN(2) == 0 {
			b.WriteByte(consonants[rng.IntN(len(consonants))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// sentence strings n words, two in three from the event's words, the rest from filler.
func sentence(rng *rand.Rand, words, filler []string, n int) string {
	out := make([]string, n)
	for i := range out {
		if rng.IntN(3) > 0 {
			out[i] = words[rng.IntN(len(words))]
		} else {
			out[i] = filler[rng.IntN(len(filler))]
		}
	}
	return strings.Join(out, " ")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
