package bot

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/briefbot/briefbot/config"
)

// Schedule is when a subscription fires: its cron spec read in its time zone. Its slot times are
// a fixed set of instants, the same for every replica whenever it asks.
//
// Daylight saving time is handled as cron(8) does for jobs that run at fixed hours (a spec whose
// hour field is not "*"): a time that does not exist on the day the clocks go forward fires at
// the moment the clocks jump (02:30 in Europe/Berlin on the last Sunday of March fires at 03:00
// CEST), and a time that happens twice on the day the clocks go back fires once, the first time.
// Specs that run every hour fire on every matching wall-clock time that exists, as cron runs
// them. (robfig/cron's own Next would skip the first case and fire twice in the second.)
type Schedule struct {
	spec string
	loc  *time.Location
	cron cron.SpecSchedule
	// fixedHours: the spec names hours, so the cron(8) DST rules above apply.
	fixedHours bool
}

// ParseSchedule reads a subscription's schedule — a 5-field cron spec, a descriptor such as
// @daily, or HH:MM (see config.ParseSchedule, which it uses) — in the IANA time zone tz ("" means
// UTC). Errors wrap config.ErrBadSchedule for the spec and say what is wrong in words a user
// understands.
func ParseSchedule(spec, tz string) (*Schedule, error) {
	parsed, norm, err := config.ParseSchedule(spec)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	cs, ok := parsed.(*cron.SpecSchedule)
	if !ok {
		return nil, fmt.Errorf("bot: schedule %q: %w", spec, config.ErrBadSchedule)
	}
	loc, err := loadZone(tz)
	if err != nil {
		return nil, err
	}
	s := &Schedule{spec: norm, loc: loc, cron: *cs}
	s.cron.Location = loc
	s.fixedHours = s.cron.Hour&(1<<24-1) != 1<<24-1
	return s, nil
}

// loadZone loads a subscription's time zone as config.ResolveTimezone reads it; "" is UTC. "Local"
// is refused: replicas on different hosts would disagree on the slot times.
func loadZone(tz string) (*time.Location, error) {
	loc, err := config.LoadTimezone(tz)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	return loc, nil
}

// String returns the normalised spec and the zone: "0 8 * * 1-5 Asia/Seoul".
func (s *Schedule) String() string { return s.spec + " " + s.loc.String() }

// Spec returns the normalised cron spec ("30 8 * * *" for "08:30").
func (s *Schedule) Spec() string { return s.spec }

// Location returns the schedule's time zone.
func (s *Schedule) Location() *time.Location { return s.loc }

// Next returns the first slot time strictly after t, in UTC and to the second, or the zero time
// when the schedule never fires within five years.
func (s *Schedule) Next(t time.Time) time.Time {
	t = t.In(s.loc)
	for {
		c := s.cron.Next(t)
		if c.IsZero() {
			return c
		}
		if !s.fixedHours {
			return c.UTC()
		}
		if g, ok := s.gapSlot(t, c); ok {
			return g.UTC()
		}
		if s.repeated(c) {
			t = c // its first occurrence was at or before t
			continue
		}
		return c.UTC()
	}
}

// gapSlot looks for a clocks-forward transition in (t, c] during which the schedule would have
// fired had the skipped wall-clock times existed; the slot is then the moment of the jump.
func (s *Schedule) gapSlot(t, c time.Time) (time.Time, bool) {
	_, end := t.ZoneBounds()
	for !end.IsZero() && !end.After(c) {
		_, before := end.Add(-time.Nanosecond).Zone()
		_, after := end.Zone()
		if after > before {
			// The wall clock skipped [end in the old offset, end in the new). Read the spec in
			// the old offset, where those times exist.
			old := s.cron
			old.Location = time.FixedZone("", before)
			if g := old.Next(end.Add(-time.Second)); !g.IsZero() && g.Before(end.Add(time.Duration(after-before)*time.Second)) {
				return end, true
			}
		}
		_, next := end.ZoneBounds()
		if !next.After(end) {
			break
		}
		end = next
	}
	return time.Time{}, false
}

// repeated reports whether c's wall-clock time happened already, in the offset before a
// clocks-back transition (the second 02:30 on the night summer time ends).
func (s *Schedule) repeated(c time.Time) bool {
	start, _ := c.ZoneBounds()
	if start.IsZero() {
		return false
	}
	_, before := start.Add(-time.Nanosecond).Zone()
	_, after := start.Zone()
	return before > after && c.Sub(start) < time.Duration(before-after)*time.Second
}

// lastIn returns the latest slot time in (from, until], looking back from until over spans that
// double, so that finding the last of many missed slots costs a few dozen Next calls however
// long the outage was.
func (s *Schedule) lastIn(from, until time.Time) (time.Time, bool) {
	if !until.After(from) {
		return time.Time{}, false
	}
	for span := time.Hour; ; span *= 2 {
		lo := until.Add(-span)
		if !lo.After(from) {
			lo = from
		}
		var last time.Time
		for t := s.Next(lo); !t.IsZero() && !t.After(until); t = s.Next(t) {
			last = t
		}
		if !last.IsZero() {
			return last, true
		}
		if lo.Equal(from) {
			return time.Time{}, false
		}
	}
}

// countIn counts the slot times in (from, until], stopping at limit.
func (s *Schedule) countIn(from, until time.Time, limit int) int {
	n := 0
	for t := s.Next(from); n < limit && !t.IsZero() && !t.After(until); t = s.Next(t) {
		n++
	}
	return n
}
