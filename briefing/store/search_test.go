package store

import (
	"strings"
	"testing"
	"unicode"
)

func TestWhiteSpaceIsWhatTrimSpaceTrims(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if strings.ContainsRune(whiteSpace, r) != unicode.IsSpace(r) {
			t.Errorf("%U: in whiteSpace %v, unicode.IsSpace %v", r, strings.ContainsRune(whiteSpace, r), unicode.IsSpace(r))
		}
	}
}
