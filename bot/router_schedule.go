package bot

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// scheduleParser reads what a subscription's schedule may hold: 5-field cron specs and
// descriptors (@daily). The scheduler should parse stored schedules the same way.
var scheduleParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

var ampmPattern = regexp.MustCompile(`(?i)^[0-9]{1,2}(:[0-9]{2})?\s*[ap]\.?m\.?$`)

// NormalizeSchedule validates a schedule as /brief subscribe takes it and returns it in the form
// stored with the subscription: HH:MM becomes "M H * * *", descriptors are lower-cased, cron
// fields are single-spaced. The time zone is not part of the schedule (no CRON_TZ=).
func NormalizeSchedule(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	switch {
	case s == "":
		return "", errors.New("the schedule is empty")
	case strings.HasPrefix(strings.ToUpper(s), "TZ=") || strings.HasPrefix(strings.ToUpper(s), "CRON_TZ="):
		return "", errors.New("give the time zone after the schedule, not inside it")
	}
	if ampmPattern.MatchString(s) {
		return "", errors.New("write a time of day as HH:MM, 24-hour, e.g. 08:00 or 17:30")
	}
	if m := clockPattern.FindStringSubmatch(s); m != nil {
		h, _ := strconv.Atoi(m[1])
		min, _ := strconv.Atoi(m[2])
		return fmt.Sprintf("%d %d * * *", min, h), nil
	}
	if strings.Contains(s, ":") {
		return "", fmt.Errorf("%q is not a time of day: write HH:MM, 24-hour, e.g. 08:00 or 17:30", s)
	}
	if strings.HasPrefix(s, "@") {
		name, arg, _ := strings.Cut(s, " ")
		name = strings.ToLower(name)
		switch name {
		case "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly":
			if arg != "" {
				return "", fmt.Errorf("%s takes nothing after it", name)
			}
			return name, nil
		case "@every":
			// Its firings would depend on when each replica started, so slots would not agree.
			return "", errors.New("@every is not supported: briefings fall on clock times, e.g. @hourly or 0 */6 * * *")
		}
		return "", fmt.Errorf("%q is not a schedule descriptor (use @hourly, @daily, @weekly, @monthly or @yearly)", name)
	}
	fields := strings.Fields(s)
	if len(fields) != 5 {
		return "", fmt.Errorf("a cron schedule has 5 fields (minute hour day-of-month month day-of-week), %q has %d", s, len(fields))
	}
	if _, err := parseSchedule(s); err != nil {
		return "", fmt.Errorf("schedule %q: %v", s, err)
	}
	return s, nil
}

// parseSchedule parses a normalised schedule, turning a panic of the cron parser on hostile input
// into an error.
func parseSchedule(spec string) (sched cron.Schedule, err error) {
	defer func() {
		if p := recover(); p != nil {
			sched, err = nil, fmt.Errorf("cannot parse: %v", p)
		}
	}()
	return scheduleParser.Parse(spec)
}

// checkCadence returns the next time spec fires in loc after now, and an error when it never
// fires or fires more often than once per minInterval (0: no limit).
func checkCadence(spec string, loc *time.Location, now time.Time, minInterval time.Duration) (time.Time, error) {
	sched, err := parseSchedule(spec)
	if err != nil {
		return time.Time{}, fmt.Errorf("schedule %q: %v", spec, err)
	}
	t := now.In(loc)
	var first, prev time.Time
	for i := range 48 {
		next := sched.Next(t)
		if next.IsZero() {
			if i == 0 {
				return time.Time{}, fmt.Errorf("schedule %q never fires", spec)
			}
			break
		}
		if i == 0 {
			first = next
		} else if minInterval > 0 && next.Sub(prev) < minInterval {
			return time.Time{}, fmt.Errorf("schedule %q fires more often than once every %s", spec, formatDuration(minInterval))
		}
		if minInterval == 0 {
			break
		}
		prev, t = next, next
	}
	return first, nil
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

func formatDuration(d time.Duration) string {
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	if s == "" {
		return "0s"
	}
	return s
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
	type cand struct {
		name string
		d    int
	}
	var cands []cand
	for _, n := range names {
		l := strings.ToLower(n)
		city := l[strings.LastIndex(l, "/")+1:]
		d := min(editDistance(want, l), editDistance(want, city))
		if d <= maxTypos(want) {
			cands = append(cands, cand{n, d})
		}
	}
	sortBy(cands, func(a, b cand) bool { return a.d < b.d || (a.d == b.d && a.name < b.name) })
	var out []string
	for _, c := range cands {
		if len(out) == 3 || c.d > cands[0].d {
			break // only the closest
		}
		out = append(out, c.name)
	}
	return out
}
