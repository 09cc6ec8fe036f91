package briefing_test

import (
	"crypto/sha256"
	"encoding/hex"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/briefbot/briefbot/briefing"
)

// A wire story written for this test, a lightly edited republication of it, and another story
// on the same subject.
const fpWire = `The city council voted on Tuesday to close the old river bridge to cars from next spring, ending a decade of argument over the crumbling crossing that links the market district to the northern suburbs.

Engineers told the council last year that the bridge could no longer carry heavy traffic safely, and lorries have been banned from it since the autumn. Under the plan approved on Tuesday, the bridge will stay open to pedestrians and cyclists while a new crossing is built a few hundred metres downstream.

"We have patched this bridge for ten years and every patch has cost more than the last," said the council leader, Maria Lenz. "It is time to stop pretending and build something that will last another century."

Shopkeepers in the market district said they feared losing customers during the works, which are expected to take three years. The council promised a shuttle bus and free parking on the northern bank for the duration.

The new crossing will cost about forty million, two thirds of it paid by the regional government, according to the budget approved at the same meeting.`

func fpEdited() string {
	s := "RIVERTON (City Post) - " + fpWire
	s = strings.Replace(s, "Shopkeepers in the market district said they feared losing customers during the works",
		"Traders near the market worry that the works will keep customers away", 1)
	return s + "\n\nReporting by the City Post newsroom."
}

const fpSameSubject = `Cyclists and walkers crowded onto the old river bridge on Saturday for a farewell festival before the crossing closes to cars, with music stalls and a market along its length.

Organisers said more than five thousand people came during the day. Children chalked drawings on the road surface, and a brass band played from the middle of the span while boats passed underneath.

"People have strong feelings about this bridge, good and bad, and we wanted to give them one last day to enjoy it," said Tom Varga, who organised the festival with a group of neighbours.

The council has promised that the bridge will remain open on foot after the new crossing downstream is finished, but some residents remain sceptical and have started a petition asking for a guarantee in writing.

Police closed the approach roads for the afternoon and reported no incidents. The festival ended with fireworks over the water at ten o'clock.`

func linked(a, b string) bool {
	fa, fb := briefing.Fingerprint(a), briefing.Fingerprint(b)
	return fa != 0 && fb != 0 && briefing.FingerprintDistance(fa, fb) <= briefing.NearDuplicateDistance &&
		briefing.ShingleSimilarity(a, b) >= briefing.NearDuplicateSimilarity
}

func TestFingerprintLinksCopiesAndOnlyCopies(t *testing.T) {
	cases := []struct {
		name string
		a, b string
		want bool
	}{
		{"a story and itself", fpWire, fpWire, true},
		{"a story and a lightly edited copy", fpWire, fpEdited(), true},
		{"a copy differing only in case and spacing", fpWire, strings.ToUpper(strings.ReplaceAll(fpWire, " ", "  ")), true},
		{"two different stories on the same subject", fpWire, fpSameSubject, false},
		{"texts too short to fingerprint", "The bridge is closed.", "The bridge is closed.", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := linked(c.a, c.b); got != c.want {
				t.Errorf("linked = %v, want %v (distance %d, similarity %.2f)", got, c.want,
					briefing.FingerprintDistance(briefing.Fingerprint(c.a), briefing.Fingerprint(c.b)), briefing.ShingleSimilarity(c.a, c.b))
			}
		})
	}
}

func TestContentHashIgnoresCaseAndPunctuationOnly(t *testing.T) {
	h := briefing.ContentHash(fpWire)
	if briefing.ContentHash(strings.ToLower(strings.ReplaceAll(fpWire, ",", " "))) != h {
		t.Error("case and punctuation changed the hash")
	}
	if briefing.ContentHash(fpEdited()) == h {
		t.Error("an edited copy has the same hash")
	}
}

// TestNearDuplicateThresholdsOnTheCorpus checks the thresholds on the BBC corpus: no two
// different articles are linked, and copies with small edits are.
func TestNearDuplicateThresholdsOnTheCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "shared", "corpus", "bbc", "*.txt"))
	if len(files) == 0 {
		t.Skip("the BBC corpus (../shared/corpus/bbc) is absent: skipping the threshold check")
	}
	if testing.Short() {
		t.Skip("-short: skipping the corpus-wide comparison")
	}
	bodies := make([]string, len(files))
	fps := make([]uint64, len(files))
	sets := make([][]uint64, len(files))
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, body, _ := strings.Cut(string(b), "\n") // the first line is the headline
		bodies[i], fps[i], sets[i] = body, briefing.Fingerprint(body), briefing.Shingles(body)
	}
	edited, linkedCopies := 0, 0
	for i := range bodies {
		for j := i + 1; j < len(bodies); j++ {
			if briefing.FingerprintDistance(fps[i], fps[j]) > briefing.NearDuplicateDistance {
				continue
			}
			// A pair the thresholds link must share most of its text (the corpus has a few
			// republished articles); an unrelated pair shares almost nothing.
			if sim := briefing.Similarity(sets[i], sets[j]); sim >= briefing.NearDuplicateSimilarity && sim < 0.6 {
				t.Errorf("%s and %s linked with a similarity of only %.2f", files[i], files[j], sim)
			}
		}
		// A copy with a dateline, a byline and one sentence rewritten.
		sents := strings.Split(bodies[i], ". ")
		sents[len(sents)/2] = "A spokesman declined to comment further when reached by telephone"
		cp := "LONDON (Wire) - " + strings.Join(sents, ". ") + "\n\nReporting by the wire desk."
		if fps[i] != 0 {
			edited++
			if linked(bodies[i], cp) {
				linkedCopies++
			}
		}
	}
	if rate := float64(linkedCopies) / float64(edited); rate < 0.95 {
		t.Errorf("only %.1f%% of lightly edited copies are linked, want 95%% or more", 100*rate)
	}
}

// The fingerprint, shingles and content hash are stored: a store built by one version must find
// the copies saved by the next. These reference implementations, rune by rune, are what the fast
// ones must equal.

func refWords(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r))
	})
}

func refWordHash(word string) uint64 {
	h := uint64(14695981039346656037)
	for _, r := range word {
		for r = unicode.ToLower(r); r != 0; r >>= 8 {
			h = (h ^ uint64(r&0xff)) * 1099511628211
		}
	}
	return h
}

func refFingerprintShingles(text string) (uint64, []uint64) {
	words := refWords(text)
	var hs []uint64
	for i := 0; i+briefing.ShingleWords <= len(words); i++ {
		var h uint64
		for k := range briefing.ShingleWords {
			h = bits.RotateLeft64(h, 23) ^ refWordHash(words[i+k])
		}
		h ^= h >> 30
		h *= 0xbf58476d1ce4e5b9
		h ^= h >> 27
		h *= 0x94d049bb133111eb
		h ^= h >> 31
		hs = append(hs, h)
	}
	if len(hs) < briefing.MinFingerprintWords-briefing.ShingleWords+1 {
		return 0, nil
	}
	var fp uint64
	for b := range 64 {
		n := 0
		for _, h := range hs {
			n += int(h >> b & 1)
		}
		if 2*n > len(hs) || (2*n == len(hs) && b%2 == 0) {
			fp |= 1 << b
		}
	}
	slices.Sort(hs)
	return fp, slices.Compact(hs)
}

func refContentHash(body string) string {
	words := refWords(body)
	for i, w := range words {
		words[i] = strings.Map(unicode.ToLower, w)
	}
	sum := sha256.Sum256([]byte(strings.Join(words, " ")))
	return hex.EncodeToString(sum[:])
}

func checkAgainstReference(t *testing.T, name, text string) {
	t.Helper()
	fp, sh := briefing.FingerprintShingles(text)
	wantFP, wantSh := refFingerprintShingles(text)
	if fp != wantFP || !slices.Equal(sh, wantSh) {
		t.Errorf("%s: FingerprintShingles = %x (%d shingles), reference %x (%d)", name, fp, len(sh), wantFP, len(wantSh))
	}
	if got := briefing.Fingerprint(text); got != wantFP {
		t.Errorf("%s: Fingerprint = %x, reference %x", name, got, wantFP)
	}
	if wantFP != 0 && !slices.Equal(briefing.Shingles(text), wantSh) {
		t.Errorf("%s: Shingles differ from the reference", name)
	}
	if got, want := briefing.ContentHash(text), refContentHash(text); got != want {
		t.Errorf("%s: ContentHash = %s, reference %s", name, got, want)
	}
}

func TestFingerprintsEqualTheReference(t *testing.T) {
	texts := map[string]string{
		"a wire story":              fpWire,
		"an edited copy":            fpEdited(),
		"accents and other scripts": strings.Repeat("Zürich's Ærø café — naïve Ελλάδα Москва 東京 ﬁnance İstanbul 123 ", 8),
		"invalid UTF-8 and NULs":    strings.Repeat("broken \xc3\x28 bytes\x00 and \xff more words here ", 8),
		"combining marks":           strings.Repeat("cafe\u0301 re\u0301sume\u0301 plain words follow ", 10),
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "shared", "corpus", "bbc", "*.txt"))
	for _, f := range files[:min(len(files), 200)] {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts[filepath.Base(f)] = string(b)
	}
	for name, text := range texts {
		checkAgainstReference(t, name, text)
	}
}

func FuzzFingerprintsEqualTheReference(f *testing.F) {
	f.Add(fpWire)
	f.Add("Zürich \xff café\u0301 ΣΑΣ İ ǅ 東京 " + fpSameSubject)
	f.Fuzz(func(t *testing.T, text string) {
		checkAgainstReference(t, "fuzzed text", text)
	})
}
