package config

import (
	"archive/zip"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestEditDistanceCountsATranspositionAsOneEdit(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"korea", "korea", 0},
		{"koera", "korea", 1},
		{"intervall", "interval", 1},
		{"Moskow", "Moscow", 1},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
		{"Москва", "Моксва", 1},
	}
	for _, tt := range tests {
		if got := EditDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := EditDistance(tt.b, tt.a); got != tt.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d (symmetry)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestClosestSuggestsOnlyNearMisses(t *testing.T) {
	words := []string{"korea", "china", "ukraine"}
	tests := []struct {
		word, want string
		ok         bool
	}{
		{"koera", "korea", true},
		{"KOREA", "korea", true},
		{"ukrain", "ukraine", true},
		{"weather", "", false},
		{"x", "", false},
	}
	for _, tt := range tests {
		got, ok := closest(tt.word, words)
		if got != tt.want || ok != tt.ok {
			t.Errorf("closest(%q) = %q, %v; want %q, %v", tt.word, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTheZoneListLoadsAndHoldsEveryZoneOfTheToolchain(t *testing.T) {
	names := strings.Fields(zoneList)
	if len(names) < 400 {
		t.Fatalf("zones.txt holds %d names; run go generate ./config", len(names))
	}
	for _, name := range names {
		if _, err := time.LoadLocation(name); err != nil {
			t.Errorf("zones.txt lists %q, which does not load: %v", name, err)
		}
	}
	zr, err := zip.OpenReader(filepath.Join(runtime.GOROOT(), "lib", "time", "zoneinfo.zip"))
	if err != nil {
		t.Skipf("the toolchain's zoneinfo.zip is not here to compare with: %v", err)
	}
	defer zr.Close()
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, "/") && f.Name != "Factory" && !have[f.Name] {
			t.Errorf("zones.txt lacks %q: run go generate ./config", f.Name)
		}
	}
	if have["Factory"] {
		t.Error("zones.txt lists Factory, the placeholder zone: run go generate ./config")
	}
}
