package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/briefbot/briefbot/config"
)

// NormalizeSchedule validates a schedule as /brief subscribe takes it and returns it in the form
// stored with the subscription: HH:MM becomes "M H * * *", descriptors are lower-cased, cron
// fields are single-spaced. It accepts exactly what the config file and the scheduler accept
// (config.ParseSchedule); the time zone is not part of the schedule.
func NormalizeSchedule(s string) (string, error) {
	_, norm, err := config.ParseSchedule(s)
	if err != nil {
		return "", err
	}
	return norm, nil
}

// checkCadence returns the next time spec fires in loc after now (in loc), as the scheduler
// computes it, and an error when it fires more often than once per minInterval (0: no limit).
func checkCadence(spec string, loc *time.Location, now time.Time, minInterval time.Duration) (time.Time, error) {
	sched, err := ParseSchedule(spec, loc.String())
	if err != nil {
		return time.Time{}, err
	}
	first := sched.Next(now)
	if first.IsZero() {
		return time.Time{}, fmt.Errorf("schedule %q never fires", spec)
	}
	prev := first
	for range 48 {
		if minInterval <= 0 {
			break
		}
		next := sched.Next(prev)
		if next.IsZero() {
			break
		}
		if next.Sub(prev) < minInterval {
			return time.Time{}, fmt.Errorf("schedule %q fires more often than once every %s", spec, describeWindow(minInterval))
		}
		prev = next
	}
	return first.In(loc), nil
}

// describeSchedule writes a normalised schedule in words where it is a common one.
func describeSchedule(spec string) string {
	switch spec {
	case "@daily", "@midnight":
		return "daily at 00:00"
	case "@hourly":
		return "every hour"
	case "@weekly":
		return "weekly, Sundays at 00:00"
	case "@monthly":
		return "monthly, on the 1st at 00:00"
	case "@yearly", "@annually":
		return "yearly, on 1 January at 00:00"
	}
	f := strings.Fields(spec)
	if len(f) == 5 && f[2] == "*" && f[3] == "*" {
		min, err1 := strconv.Atoi(f[0])
		hour, err2 := strconv.Atoi(f[1])
		if err1 == nil && err2 == nil {
			at := fmt.Sprintf("at %02d:%02d", hour, min)
			switch strings.ToUpper(f[4]) {
			case "*":
				return "daily " + at
			case "1-5", "MON-FRI":
				return "on weekdays " + at
			case "0,6", "6,0", "SAT,SUN", "SUN,SAT":
				return "at weekends " + at
			}
		}
	}
	return "on the schedule `" + spec + "`"
}

// TimezoneError is an unknown time zone; Error says so and suggests the likely meant one.
type TimezoneError struct {
	Name        string
	Suggestions []string
}

func (e *TimezoneError) Error() string {
	msg := fmt.Sprintf("`%s` is not a time zone I know; use an IANA name such as Europe/Berlin or America/New_York", codeSafe(e.Name))
	if len(e.Suggestions) > 0 {
		msg = fmt.Sprintf("`%s` is not a time zone I know. Did you mean %s", codeSafe(e.Name), orList(e.Suggestions))
	}
	return msg
}

// abbreviations maps zone abbreviations people type to the zone they most likely mean. They are
// only suggested, never accepted: an abbreviation does not say which rules (summer time) apply.
var abbreviations = map[string][]string{
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

// ResolveTimezone returns the location for an IANA time zone name. Case mistakes are forgiven
// (asia/seoul); an unknown name fails with a *TimezoneError suggesting close names.
func ResolveTimezone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	switch strings.ToUpper(name) {
	case "":
		return nil, &TimezoneError{Name: name}
	case "UTC", "Z", "ETC/UTC", "GMT":
		return time.UTC, nil
	}
	if s, ok := abbreviations[strings.ToUpper(name)]; ok {
		return nil, &TimezoneError{Name: name, Suggestions: s}
	}
	if !strings.EqualFold(name, "local") && !strings.Contains(name, "..") && !strings.HasPrefix(name, "/") {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc, nil
		}
	}
	names := timezoneNames()
	for _, n := range names {
		if strings.EqualFold(n, name) {
			if loc, err := time.LoadLocation(n); err == nil {
				return loc, nil
			}
		}
	}
	return nil, &TimezoneError{Name: name, Suggestions: closestTimezones(names, name)}
}

// closestTimezones suggests zone names within a small edit distance of name, comparing both the
// whole name and its city part (people type "seoul" or "Asia/Seol").
func closestTimezones(names []string, name string) []string {
	want := strings.ToLower(strings.ReplaceAll(name, " ", "_"))
	var cands []suggestion
	for _, n := range names {
		l := strings.ToLower(n)
		city := l[strings.LastIndex(l, "/")+1:]
		d := min(config.EditDistance(want, l), config.EditDistance(want, city))
		if d <= maxTypos(want) {
			cands = append(cands, suggestion{n, d})
		}
	}
	return closestSuggestions(cands)
}
