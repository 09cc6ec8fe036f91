package config

import (
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	// The IANA time zone database, built in: time zones load on hosts and in containers that
	// have no /usr/share/zoneinfo.
	_ "time/tzdata"
)

//go:generate go run zones_gen.go

// zoneList holds every IANA zone name of the Go toolchain's database, one a line (generated).
//
//go:embed zones.txt
var zoneList string

// zoneAbbreviations maps abbreviations people write for a time zone to the zones they most likely
// mean. They are suggested, never accepted — not even EST, MST, CET and EET, which the database
// lists as zones too: an abbreviation does not say which summer-time rules apply (people who write
// EST mostly mean New York, whose clocks change, while the zone EST never changes its clocks).
var zoneAbbreviations = map[string][]string{
	"PST": {"America/Los_Angeles"}, "PDT": {"America/Los_Angeles"},
	"MST": {"America/Denver", "America/Phoenix"}, "MDT": {"America/Denver"},
	"CST": {"America/Chicago", "Asia/Shanghai"}, "CDT": {"America/Chicago"},
	"EST": {"America/New_York"}, "EDT": {"America/New_York"},
	"BST": {"Europe/London"}, "IST": {"Asia/Kolkata", "Europe/Dublin"},
	"CET": {"Europe/Berlin", "Europe/Paris"}, "CEST": {"Europe/Berlin", "Europe/Paris"},
	"EET": {"Europe/Athens", "Europe/Kyiv"}, "MSK": {"Europe/Moscow"},
	"KST": {"Asia/Seoul"}, "JST": {"Asia/Tokyo"}, "HKT": {"Asia/Hong_Kong"},
	"SGT": {"Asia/Singapore"}, "AEST": {"Australia/Sydney"}, "AEDT": {"Australia/Sydney"},
	"NZST": {"Pacific/Auckland"},
}

// utcOffset is an offset written as a zone ("UTC+2", "GMT-05"), which the database has only
// under Etc/ and with the sign the other way round (Etc/GMT-2 is two hours ahead of UTC).
var utcOffset = regexp.MustCompile(`(?i)^(?:UTC|GMT)([+-])0?([0-9]{1,2})$`)

// zoneIndex is the zone list, ready for look-ups and suggestions.
type zoneIndex struct {
	names  []string          // the accepted names, sorted
	byFold map[string]string // lower-case name → name
	folded []string          // foldKey(names[i])
	cities []string          // folded[i] after its last slash
	areas  map[string]bool   // the folded areas names start with: "europe", "america" …
}

var zones = sync.OnceValue(func() *zoneIndex {
	z := &zoneIndex{byFold: map[string]string{}, areas: map[string]bool{}}
	for _, n := range strings.Fields(zoneList) {
		if _, abbr := zoneAbbreviations[n]; abbr {
			continue
		}
		z.names = append(z.names, n)
		z.byFold[strings.ToLower(n)] = n
		f := foldKey(n)
		z.folded = append(z.folded, f)
		z.cities = append(z.cities, f[strings.LastIndexByte(f, '/')+1:])
		if area, _, ok := strings.Cut(f, "/"); ok {
			z.areas[area] = true
		}
	}
	return z
})

// TimezoneNames returns the time zone names ResolveTimezone accepts, in their IANA spelling and
// sorted: every zone of the IANA database except the abbreviations it suggests for (EST, CET …).
func TimezoneNames() []string { return slices.Clone(zones().names) }

// ErrBadTimezone is matched (errors.Is) by every *TimezoneError.
var ErrBadTimezone = errors.New("unknown time zone")

// ResolveTimezone resolves a time zone name as a channel's timezone key and the /brief subscribe
// command take it: an IANA name in any case ("europe/berlin"), returned in the IANA spelling
// ("Europe/Berlin") with its location; "" is DefaultTimezone (UTC). An unknown name, an
// abbreviation (PST) and "Local" fail with a *TimezoneError that suggests the zones likely meant:
//
//	unknown time zone "Europe/Moskow" — did you mean "Europe/Moscow"?
func ResolveTimezone(name string) (string, *time.Location, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = DefaultTimezone
	}
	z := zones()
	canonical, ok := z.byFold[strings.ToLower(name)]
	if !ok {
		return "", nil, z.problem(name)
	}
	loc, err := time.LoadLocation(canonical)
	if err != nil {
		return "", nil, &TimezoneError{Name: name, cause: err}
	}
	return canonical, loc, nil
}

// LoadTimezone is ResolveTimezone without the canonical name (which is the location's String).
func LoadTimezone(name string) (*time.Location, error) {
	_, loc, err := ResolveTimezone(name)
	return loc, err
}

// TimezoneError is a time zone name ResolveTimezone refuses, with the zones likely meant.
type TimezoneError struct {
	Name        string   // the name as given
	Suggestions []string // the zones likely meant, at most three; none when nothing is close
	abbr, local bool     // Name is an abbreviation; Name is "Local"
	cause       error    // a listed zone that did not load
}

func (e *TimezoneError) Error() string        { return e.Message(quote) }
func (e *TimezoneError) Is(target error) bool { return target == ErrBadTimezone }

// Message is the error's text with the given name and the suggestions quoted by q, so that a
// chat reply can show them as code and the config file's problems in quotation marks.
func (e *TimezoneError) Message(q func(string) string) string {
	switch {
	case e.local:
		return fmt.Sprintf("%s depends on the host: name the zone, such as Europe/Berlin or UTC", q(e.Name))
	case e.cause != nil:
		return fmt.Sprintf("time zone %s does not load: %v", q(e.Name), e.cause)
	}
	what := "unknown time zone " + q(e.Name)
	if e.abbr {
		what = q(e.Name) + " is an abbreviation, not a time zone name"
	}
	if len(e.Suggestions) == 0 {
		return what + ": use an IANA name such as Europe/Berlin, America/New_York or UTC"
	}
	quoted := make([]string, len(e.Suggestions))
	for i, s := range e.Suggestions {
		quoted[i] = q(s)
	}
	alts := quoted[len(quoted)-1]
	if len(quoted) > 1 {
		alts = strings.Join(quoted[:len(quoted)-1], ", ") + " or " + alts
	}
	return what + " — did you mean " + alts + "?"
}

// problem explains why name is not a zone.
func (z *zoneIndex) problem(name string) *TimezoneError {
	if strings.EqualFold(name, "Local") {
		return &TimezoneError{Name: name, local: true}
	}
	if s, ok := zoneAbbreviations[strings.ToUpper(name)]; ok {
		return &TimezoneError{Name: name, Suggestions: slices.Clone(s), abbr: true}
	}
	if m := utcOffset.FindStringSubmatch(name); m != nil {
		sign, hours := "-", m[2]
		if m[1] == "-" {
			sign = "+"
		}
		off := "Etc/GMT" + sign + hours
		if hours == "0" {
			off = "UTC"
		}
		if _, ok := z.byFold[strings.ToLower(off)]; ok {
			return &TimezoneError{Name: name, Suggestions: []string{off}}
		}
	}
	return &TimezoneError{Name: name, Suggestions: z.suggest(name)}
}

// suggest returns the zones closest to name by edit distance, at most three: the whole name is
// compared, and so are the cities ("Seoul" is Asia/Seoul; "Asia/Moskow", whose area is one of the
// database's, is Europe/Moscow, while the city of "Nowhere/Land" is not compared on its own).
// Case is ignored, and - and _ are alike, as are _ and a blank.
func (z *zoneIndex) suggest(name string) []string {
	want := foldKey(strings.ReplaceAll(name, " ", "_"))
	wantCity := want
	if area, _, ok := strings.Cut(want, "/"); ok && z.areas[area] {
		wantCity = want[strings.LastIndexByte(want, '/')+1:]
	}
	wantLen, cityLen := utf8.RuneCountInString(want), utf8.RuneCountInString(wantCity)
	wantMax, cityMax := zoneTypos(want), zoneTypos(wantCity)
	type cand struct {
		name string
		dist int
	}
	var best []cand
	for i, n := range z.names {
		d := -1
		near := func(typed string, typedLen, maxDist int, zone string) {
			// Zone names are ASCII: their length in bytes is in runes, and no fewer edits than
			// the difference in length turn one into the other.
			if abs(typedLen-len(zone)) > maxDist {
				return
			}
			if e := EditDistance(typed, zone); e <= maxDist && (d < 0 || e < d) {
				d = e
			}
		}
		near(want, wantLen, wantMax, z.folded[i])
		near(want, wantLen, wantMax, z.cities[i])
		if wantCity != want {
			near(wantCity, cityLen, cityMax, z.cities[i])
		}
		switch {
		case d < 0:
		case len(best) == 0 || d < best[0].dist:
			best = []cand{{n, d}}
		case d == best[0].dist:
			best = append(best, cand{n, d})
		}
	}
	var out []string
	for _, c := range best[:min(len(best), 3)] {
		out = append(out, c.name) // names are sorted: ties come in name order
	}
	return out
}

// zoneTypos is how many edits a typed zone name may be from a suggestion: MaxTypos, at most 3
// however long the name, as for the /brief commands' topic suggestions.
func zoneTypos(typed string) int { return min(MaxTypos(typed), 3) }

func abs(n int) int { return max(n, -n) }
