package config

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"time"
	// The IANA time zone database, built in: time zones load on hosts and in containers that
	// have no /usr/share/zoneinfo.
	_ "time/tzdata"
)

//go:generate go run zones_gen.go

// zoneList holds every IANA zone name of the Go toolchain's database, one a line (generated).
//
//go:embed zones.txt
var zoneList string

// zoneNames returns the IANA zone names.
func zoneNames() []string { return strings.Fields(zoneList) }

// zoneAbbreviations maps abbreviations people write for a zone to an IANA name to suggest.
// (EST, MST and HST are zone names themselves, with no daylight saving time.)
var zoneAbbreviations = map[string]string{
	"PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
	"MDT": "America/Denver",
	"CST": "America/Chicago", "CDT": "America/Chicago",
	"EDT": "America/New_York",
	"BST": "Europe/London", "CEST": "Europe/Paris",
	"MSK": "Europe/Moscow", "IST": "Asia/Kolkata",
	"JST": "Asia/Tokyo", "KST": "Asia/Seoul",
	"AEST": "Australia/Sydney", "AEDT": "Australia/Sydney",
}

// ErrBadTimezone is wrapped by the errors of LoadTimezone.
var ErrBadTimezone = errors.New("unknown time zone")

// LoadTimezone loads an IANA time zone ("" is UTC) for a channel or a /brief subscribe
// command. Its error suggests the closest zone name:
//
//	unknown time zone "Europe/Moskow" — did you mean "Europe/Moscow"?
func LoadTimezone(name string) (*time.Location, error) {
	loc, err := loadZone(name)
	if err != nil {
		return nil, timezoneError(zoneProblem(name))
	}
	return loc, nil
}

// timezoneError is a LoadTimezone error: the message alone, matching ErrBadTimezone.
type timezoneError string

func (e timezoneError) Error() string        { return string(e) }
func (e timezoneError) Is(target error) bool { return target == ErrBadTimezone }

// loadZone loads an IANA zone; "" is UTC. "Local" is refused: it would depend on the host.
func loadZone(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	if name == "Local" {
		return nil, errors.New("local time depends on the host")
	}
	return time.LoadLocation(name)
}

// zoneProblem explains an unknown zone name, suggesting the closest IANA name.
func zoneProblem(name string) string {
	if name == "Local" {
		return fmt.Sprintf("%s depends on the host: name the zone, such as Europe/Berlin or UTC", quote(name))
	}
	if best := suggestZone(name); best != "" {
		return fmt.Sprintf("unknown time zone %s — did you mean %q?", quote(name), best)
	}
	return fmt.Sprintf("unknown time zone %s: use an IANA name such as Europe/Berlin, America/New_York or UTC", quote(name))
}

func suggestZone(name string) string {
	if z, ok := zoneAbbreviations[strings.ToUpper(name)]; ok {
		return z
	}
	zones := zoneNames()
	if best, ok := closest(name, zones); ok {
		return best
	}
	// Compare by the city alone: "Seoul" is Asia/Seoul, "Asia/Moskow" is Europe/Moscow.
	name = name[strings.LastIndexByte(name, '/')+1:]
	cities := make([]string, len(zones))
	for i, z := range zones {
		cities[i] = z[strings.LastIndexByte(z, '/')+1:]
	}
	if best, ok := closest(strings.ReplaceAll(name, " ", "_"), cities); ok {
		for i, c := range cities {
			if c == best {
				return zones[i]
			}
		}
	}
	return ""
}
