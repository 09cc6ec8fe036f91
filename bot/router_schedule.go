package bot

import (
	"errors"
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

// TimezoneError is a time zone name that is refused, with the zones likely meant (see
// config.ResolveTimezone).
type TimezoneError = config.TimezoneError

// ResolveTimezone returns the location of a time zone name as /brief subscribe takes it:
// config.ResolveTimezone, which the config file's channels use too.
func ResolveTimezone(name string) (*time.Location, error) {
	_, loc, err := config.ResolveTimezone(name)
	return loc, err
}

// timezoneReply is the reply to a refused time zone: config's message, with the name and the
// suggestions as code.
func timezoneReply(err error) string {
	var tzErr *TimezoneError
	if errors.As(err, &tzErr) {
		return sentence(tzErr.Message(func(s string) string { return "`" + codeSafe(s) + "`" }))
	}
	return sentence(err.Error())
}
