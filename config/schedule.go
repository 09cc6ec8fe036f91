package config

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// ErrBadSchedule is wrapped by the errors of ParseSchedule.
var ErrBadSchedule = errors.New("not a valid schedule")

// ScheduleError says why a schedule does not parse.
type ScheduleError struct {
	Spec   string // the schedule as written
	Reason string // "hour out of range"
}

func (e *ScheduleError) Error() string {
	return fmt.Sprintf("%s is not a valid schedule (%s): use a cron spec (minute hour day month weekday), a descriptor such as @daily, or HH:MM", quote(e.Spec), e.Reason)
}

func (e *ScheduleError) Is(target error) bool { return target == ErrBadSchedule }

// cronParser reads the five standard fields and the @descriptors.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// descriptors are the @names a schedule may use. @every is left out on purpose: its firings
// depend on when the process started, so replicas would not agree on slot times.
var descriptors = []string{"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}

var (
	hhmm = regexp.MustCompile(`^(\d{1,2}):(\d{2})$`)
	ampm = regexp.MustCompile(`(?i)^\d{1,2}(:\d{2})?\s*[ap]\.?m\.?$`)
)

// ParseSchedule reads a channel schedule and returns it with its normalised spec:
//
//   - a 5-field cron spec, "minute hour day-of-month month weekday" ("0 8 * * 1-5"; names such
//     as MON-FRI and JAN allowed; weekday 0 is Sunday);
//   - a descriptor: @hourly, @daily (= @midnight), @weekly, @monthly, @yearly (= @annually);
//   - HH:MM, 24-hour: every day at that time ("08:30" is "30 8 * * *").
//
// The schedule has no time zone of its own: Next(t) works in t's location, so a caller
// passes t.In(channel.Location()). The normalised spec has single spaces, lower-case
// descriptors and HH:MM turned into cron, fit to be stored (/brief subscribe).
func ParseSchedule(spec string) (cron.Schedule, string, error) {
	norm := strings.Join(strings.Fields(spec), " ")
	bad := func(format string, args ...any) (cron.Schedule, string, error) {
		return nil, "", &ScheduleError{Spec: spec, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case norm == "":
		return bad("it is empty")
	case strings.HasPrefix(norm, "TZ=") || strings.HasPrefix(norm, "CRON_TZ="):
		return bad("a time zone prefix is not allowed: set the channel's timezone instead")
	case strings.HasPrefix(norm, "@"):
		norm = strings.ToLower(norm)
		if strings.HasPrefix(norm, "@every") {
			return bad("@every is not supported: briefings fall on clock times, e.g. @hourly or */30 * * * *")
		}
		for _, d := range descriptors {
			if norm == d {
				s, err := cronParser.Parse(norm)
				if err != nil {
					return bad("%v", err)
				}
				return s, norm, nil
			}
		}
		if best, ok := closest(norm, descriptors); ok {
			return bad("unknown descriptor, did you mean %s?", best)
		}
		return bad("unknown descriptor: use one of %s", oneOf(descriptors...))
	case ampm.MatchString(norm):
		return bad("write a time of day as HH:MM, 24-hour, e.g. 08:00 or 17:30")
	case strings.Contains(norm, ":"):
		m := hhmm.FindStringSubmatch(norm)
		if m == nil {
			return bad("write a time of day as HH:MM, 24-hour, e.g. 08:00 or 17:30")
		}
		hour, _ := strconv.Atoi(m[1])
		minute, _ := strconv.Atoi(m[2])
		if hour > 23 {
			return bad("hour out of range")
		}
		if minute > 59 {
			return bad("minute out of range")
		}
		norm = fmt.Sprintf("%d %d * * *", minute, hour)
	}

	fields := strings.Fields(norm)
	if len(fields) != 5 {
		if len(fields) == 6 {
			return bad("6 fields where 5 are expected: there is no seconds field")
		}
		if len(fields) == 1 {
			return bad("1 field where 5 are expected")
		}
		return bad("%d fields where 5 are expected", len(fields))
	}
	// Parse each field alone (the others as *) to say which one is wrong.
	names := []string{"minute", "hour", "day", "month", "weekday"}
	for i, f := range fields {
		probe := []string{"*", "*", "*", "*", "*"}
		probe[i] = f
		if _, err := cronParser.Parse(strings.Join(probe, " ")); err != nil {
			return bad("%s", fieldReason(names[i], f, err))
		}
	}
	s, err := cronParser.Parse(norm)
	if err != nil {
		return bad("%v", err)
	}
	// A day that never comes ("0 0 31 2 *"): robfig gives up after five years of searching.
	if s.Next(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return bad("it never fires: that day does not exist")
	}
	return s, norm, nil
}

// fieldReason turns a robfig/cron error about one field into a short reason.
func fieldReason(name, value string, err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "above maximum") || strings.Contains(msg, "below minimum"):
		if name == "weekday" {
			return "weekday out of range: use 0-6 or SUN-SAT, Sunday is 0"
		}
		return name + " out of range"
	case strings.Contains(msg, "beyond end of range"):
		return fmt.Sprintf("%s range %s runs backwards", name, quote(value))
	case strings.Contains(msg, "step"):
		return fmt.Sprintf("%s step in %s must be a positive number", name, quote(value))
	}
	return fmt.Sprintf("bad %s %s", name, quote(value))
}
