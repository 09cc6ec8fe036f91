package config_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/config"
)

func TestResolveTimezoneAcceptsIANANamesInAnyCase(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"an IANA name", "Europe/Berlin", "Europe/Berlin"},
		{"lower case", "europe/berlin", "Europe/Berlin"},
		{"upper case", "AMERICA/NEW_YORK", "America/New_York"},
		{"mixed case with three parts", "america/argentina/buenos_aires", "America/Argentina/Buenos_Aires"},
		{"a hyphenated city", "africa/porto-novo", "Africa/Porto-Novo"},
		{"blanks around the name", "  Asia/Seoul\t", "Asia/Seoul"},
		{"UTC", "UTC", "UTC"},
		{"utc", "utc", "UTC"},
		{"Etc/UTC", "etc/utc", "Etc/UTC"},
		{"a zone without a region", "gmt", "GMT"},
		{"an offset zone of the Etc area", "etc/gmt-9", "Etc/GMT-9"},
		{"HST, a zone whose clocks never change", "HST", "HST"},
		{"empty is the default", "", config.DefaultTimezone},
		{"blanks are the default", "   ", config.DefaultTimezone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, loc, err := config.ResolveTimezone(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("ResolveTimezone(%q) = %q, %v, %v; want %q", tt.in, got, loc, err, tt.want)
			}
			if loc == nil || loc.String() != tt.want {
				t.Errorf("ResolveTimezone(%q) location = %v, want %s", tt.in, loc, tt.want)
			}
		})
	}
	if _, loc, _ := config.ResolveTimezone("utc"); loc != time.UTC {
		t.Errorf("utc resolves to %p, not time.UTC", loc)
	}
	// A resolved zone keeps its rules: Berlin is two hours ahead of UTC in summer.
	_, berlin, err := config.ResolveTimezone("europe/berlin")
	if err != nil {
		t.Fatal(err)
	}
	if _, off := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC).In(berlin).Zone(); off != 2*3600 {
		t.Errorf("europe/berlin is %ds ahead of UTC in July, want 7200", off)
	}
}

func TestResolveTimezoneRefusesWithTheZonesMeant(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string // suggestions
		msg      string   // the whole message
	}{
		{"a typo", "Europe/Moskow", []string{"Europe/Moscow"},
			`unknown time zone "Europe/Moskow" — did you mean "Europe/Moscow"?`},
		{"a typo in lower case", "asia/seol", []string{"Asia/Seoul"},
			`unknown time zone "asia/seol" — did you mean "Asia/Seoul"?`},
		{"a transposition", "Eurpoe/Paris", []string{"Europe/Paris"},
			`unknown time zone "Eurpoe/Paris" — did you mean "Europe/Paris"?`},
		{"a city alone", "seoul", []string{"Asia/Seoul"},
			`unknown time zone "seoul" — did you mean "Asia/Seoul"?`},
		{"a city with a blank", "New York", []string{"America/New_York"},
			`unknown time zone "New York" — did you mean "America/New_York"?`},
		{"a city under the wrong region", "Asia/Moskow", []string{"Europe/Moscow"},
			`unknown time zone "Asia/Moskow" — did you mean "Europe/Moscow"?`},
		{"an abbreviation", "PST", []string{"America/Los_Angeles"},
			`"PST" is an abbreviation, not a time zone name — did you mean "America/Los_Angeles"?`},
		{"an abbreviation in lower case", "kst", []string{"Asia/Seoul"},
			`"kst" is an abbreviation, not a time zone name — did you mean "Asia/Seoul"?`},
		{"an abbreviation of several zones", "CST", []string{"America/Chicago", "Asia/Shanghai"},
			`"CST" is an abbreviation, not a time zone name — did you mean "America/Chicago" or "Asia/Shanghai"?`},
		{"EST, a zone without summer time that people write for New York", "EST", []string{"America/New_York"},
			`"EST" is an abbreviation, not a time zone name — did you mean "America/New_York"?`},
		{"an offset from UTC", "UTC+2", []string{"Etc/GMT-2"},
			`unknown time zone "UTC+2" — did you mean "Etc/GMT-2"?`},
		{"an offset behind GMT", "gmt-05", []string{"Etc/GMT+5"},
			`unknown time zone "gmt-05" — did you mean "Etc/GMT+5"?`},
		{"a zero offset", "UTC+0", []string{"UTC"},
			`unknown time zone "UTC+0" — did you mean "UTC"?`},
		{"garbage", "Mars/Olympus_Mons", nil,
			`unknown time zone "Mars/Olympus_Mons": use an IANA name such as Europe/Berlin, America/New_York or UTC`},
		{"a city under an invented area", "Nowhere/Land", nil,
			`unknown time zone "Nowhere/Land": use an IANA name such as Europe/Berlin, America/New_York or UTC`},
		{"a typo in the area and the city", "Eurpoe/Moskow", []string{"Europe/Moscow"},
			`unknown time zone "Eurpoe/Moskow" — did you mean "Europe/Moscow"?`},
		{"a path", "../../etc/passwd", nil,
			`unknown time zone "../../etc/passwd": use an IANA name such as Europe/Berlin, America/New_York or UTC`},
		{"the host's zone", "Local", nil,
			`"Local" depends on the host: name the zone, such as Europe/Berlin or UTC`},
		{"the host's zone in lower case", "local", nil,
			`"local" depends on the host: name the zone, such as Europe/Berlin or UTC`},
		{"the placeholder zone", "Factory", nil,
			`unknown time zone "Factory": use an IANA name such as Europe/Berlin, America/New_York or UTC`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, loc, err := config.ResolveTimezone(tt.in)
			if err == nil {
				t.Fatalf("ResolveTimezone(%q) = %q, %v; want an error", tt.in, got, loc)
			}
			if got != "" || loc != nil {
				t.Errorf("ResolveTimezone(%q) returned %q, %v with its error", tt.in, got, loc)
			}
			if !errors.Is(err, config.ErrBadTimezone) {
				t.Errorf("error %v does not match ErrBadTimezone", err)
			}
			var tzErr *config.TimezoneError
			if !errors.As(err, &tzErr) {
				t.Fatalf("error %T is not a *TimezoneError", err)
			}
			if tzErr.Name != strings.TrimSpace(tt.in) || !slices.Equal(tzErr.Suggestions, tt.want) {
				t.Errorf("error names %q and suggests %q; want %q and %q", tzErr.Name, tzErr.Suggestions, tt.in, tt.want)
			}
			if err.Error() != tt.msg {
				t.Errorf("message\n %s\nwant\n %s", err, tt.msg)
			}
		})
	}
}

func TestTimezoneErrorMessageQuotesAsAsked(t *testing.T) {
	_, _, err := config.ResolveTimezone("CST")
	var tzErr *config.TimezoneError
	if !errors.As(err, &tzErr) {
		t.Fatalf("error %v is not a *TimezoneError", err)
	}
	code := func(s string) string { return "`" + s + "`" }
	want := "`CST` is an abbreviation, not a time zone name — did you mean `America/Chicago` or `Asia/Shanghai`?"
	if got := tzErr.Message(code); got != want {
		t.Errorf("Message = %q, want %q", got, want)
	}
}

func TestTimezoneNamesAreTheAcceptedNames(t *testing.T) {
	names := config.TimezoneNames()
	if len(names) < 400 {
		t.Fatalf("%d names", len(names))
	}
	if !slices.IsSorted(names) {
		t.Error("names are not sorted")
	}
	folded := map[string]string{}
	for _, n := range names {
		if prev, dup := folded[strings.ToLower(n)]; dup {
			t.Errorf("%q and %q differ only in case", prev, n)
		}
		folded[strings.ToLower(n)] = n
		if got, _, err := config.ResolveTimezone(n); err != nil || got != n {
			t.Errorf("ResolveTimezone(%q) = %q, %v", n, got, err)
		}
	}
	for _, want := range []string{"UTC", "Europe/Berlin", "Asia/Seoul", "America/New_York", "Europe/Kyiv"} {
		if _, ok := slices.BinarySearch(names, want); !ok {
			t.Errorf("names lack %s", want)
		}
	}
	for _, refused := range []string{"EST", "CET", "Factory", "Local"} {
		if slices.Contains(names, refused) {
			t.Errorf("names hold %s, which ResolveTimezone refuses", refused)
		}
	}
	names[0] = "changed"
	if config.TimezoneNames()[0] == "changed" {
		t.Error("TimezoneNames shares its slice")
	}
}

func TestEverySuggestedZoneResolves(t *testing.T) {
	for _, in := range []string{"PST", "PDT", "MST", "MDT", "CST", "CDT", "EST", "EDT", "BST", "IST", "CET", "CEST",
		"EET", "MSK", "KST", "JST", "HKT", "SGT", "AEST", "AEDT", "NZST", "UTC+14", "UTC-12"} {
		_, _, err := config.ResolveTimezone(in)
		var tzErr *config.TimezoneError
		if !errors.As(err, &tzErr) || len(tzErr.Suggestions) == 0 {
			t.Errorf("ResolveTimezone(%q) error = %v, want suggestions", in, err)
			continue
		}
		for _, s := range tzErr.Suggestions {
			if got, _, err := config.ResolveTimezone(s); err != nil || got != s {
				t.Errorf("%s suggests %q, which resolves to %q, %v", in, s, got, err)
			}
		}
	}
}

func TestLoadTimezoneIsResolveTimezone(t *testing.T) {
	if loc, err := config.LoadTimezone("asia/seoul"); err != nil || loc.String() != "Asia/Seoul" {
		t.Errorf("LoadTimezone(asia/seoul) = %v, %v", loc, err)
	}
	if loc, err := config.LoadTimezone(""); err != nil || loc != time.UTC {
		t.Errorf("LoadTimezone(\"\") = %v, %v; want UTC", loc, err)
	}
	if _, err := config.LoadTimezone("Europe/Moskow"); !errors.Is(err, config.ErrBadTimezone) {
		t.Errorf("LoadTimezone(Europe/Moskow) error = %v, want ErrBadTimezone", err)
	}
}

func TestAChannelTimezoneIsStoredInTheIANASpelling(t *testing.T) {
	cfg := mustParse(t, topicsYAML+`
channels:
  - {platform: console, topics: [korea], timezone: europe/berlin}
  - {platform: console, id: b, topics: [korea], timezone: utc}
  - {platform: console, id: c, topics: [korea]}
`, nil)
	for i, want := range []string{"Europe/Berlin", "UTC", "UTC"} {
		ch := cfg.Channels[i]
		if ch.Timezone != want || ch.Location().String() != want {
			t.Errorf("channels[%d] timezone %q, location %v; want %s", i, ch.Timezone, ch.Location(), want)
		}
	}
}

func FuzzResolveTimezone(f *testing.F) {
	for _, s := range []string{"Europe/Berlin", "europe/berlin", "UTC", "", "PST", "Europe/Moskow", "seoul", "Local",
		"UTC+2", "../../etc/passwd", "Etc/GMT-14", "Москва", "a/b/c/d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, loc, err := config.ResolveTimezone(s)
		if err == nil {
			if loc == nil || loc.String() != name {
				t.Fatalf("ResolveTimezone(%q) = %q, %v", s, name, loc)
			}
			// The canonical name is a fixed point, and the case of the input does not matter.
			for _, again := range []string{name, strings.ToLower(name), strings.ToUpper(name)} {
				if got, _, err := config.ResolveTimezone(again); err != nil || got != name {
					t.Fatalf("ResolveTimezone(%q) = %q; ResolveTimezone(%q) = %q, %v", s, name, again, got, err)
				}
			}
			return
		}
		var tzErr *config.TimezoneError
		if !errors.As(err, &tzErr) || !errors.Is(err, config.ErrBadTimezone) || err.Error() == "" {
			t.Fatalf("ResolveTimezone(%q) error %T %v", s, err, err)
		}
		if len(tzErr.Suggestions) > 3 {
			t.Fatalf("ResolveTimezone(%q) suggests %d zones", s, len(tzErr.Suggestions))
		}
		for _, sug := range tzErr.Suggestions {
			if got, _, err := config.ResolveTimezone(sug); err != nil || got != sug {
				t.Fatalf("ResolveTimezone(%q) suggests %q, which resolves to %q, %v", s, sug, got, err)
			}
		}
	})
}
