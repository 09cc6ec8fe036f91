package bot

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/briefbot/briefbot/config"
)

func TestParseSchedule(t *testing.T) {
	tests := []struct {
		name, spec, tz string
		want           string // normalised spec; "" when the schedule must be refused
	}{
		{"a 5-field cron spec is read as written", "0 8 * * 1-5", "Asia/Seoul", "0 8 * * 1-5"},
		{"HH:MM is every day at that time", "08:30", "Europe/Berlin", "30 8 * * *"},
		{"a one-digit hour is allowed", "7:05", "", "5 7 * * *"},
		{"a descriptor is allowed", "@daily", "America/New_York", "@daily"},
		{"extra spaces do not matter", "  0   8 * *   * ", "UTC", "0 8 * * *"},
		{"an empty time zone is UTC", "@hourly", "", "@hourly"},
		{"@every is refused because replicas would not agree on its slots", "@every 1h", "UTC", ""},
		{"an hour out of range is refused", "0 25 * * *", "UTC", ""},
		{"a seconds field is refused", "0 0 8 * * *", "UTC", ""},
		{"a time zone prefix is refused", "CRON_TZ=Asia/Tokyo 0 8 * * *", "UTC", ""},
		{"an unknown time zone is refused", "08:00", "Europe/Moskow", ""},
		{"the host's local zone is refused", "08:00", "Local", ""},
		{"a day that never comes is refused", "0 0 31 2 *", "UTC", ""},
		{"an empty schedule is refused", "", "UTC", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSchedule(tt.spec, tt.tz)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("ParseSchedule(%q, %q) = %s, want an error", tt.spec, tt.tz, s)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSchedule(%q, %q): %v", tt.spec, tt.tz, err)
			}
			if s.Spec() != tt.want {
				t.Errorf("Spec() = %q, want %q", s.Spec(), tt.want)
			}
		})
	}
	if _, err := ParseSchedule("0 25 * * *", "UTC"); !errors.Is(err, config.ErrBadSchedule) {
		t.Errorf("a bad spec's error %v does not match config.ErrBadSchedule", err)
	}
}

func TestScheduleNext(t *testing.T) {
	berlin, ny, lordHowe, seoul := mustZone(t, "Europe/Berlin"), mustZone(t, "America/New_York"),
		mustZone(t, "Australia/Lord_Howe"), mustZone(t, "Asia/Seoul")
	tests := []struct {
		name, spec string
		loc        *time.Location
		from       time.Time
		want       []time.Time // the next slots, in order
	}{
		{
			"a daily time inside the spring-forward gap fires when the clocks jump (Berlin)",
			"30 2 * * *", berlin, time.Date(2025, 3, 29, 12, 0, 0, 0, berlin),
			[]time.Time{
				time.Date(2025, 3, 30, 3, 0, 0, 0, berlin), // 02:30 does not exist that night
				time.Date(2025, 3, 31, 2, 30, 0, 0, berlin),
			},
		},
		{
			"a daily time in the repeated fall-back hour fires once, the first time (Berlin)",
			"30 2 * * *", berlin, time.Date(2025, 10, 25, 12, 0, 0, 0, berlin),
			[]time.Time{
				time.Date(2025, 10, 26, 0, 30, 0, 0, time.UTC), // 02:30 CEST
				time.Date(2025, 10, 27, 2, 30, 0, 0, berlin),
			},
		},
		{
			"asking from inside the repeated hour does not fire the repeat",
			"30 2 * * *", berlin, time.Date(2025, 10, 26, 0, 45, 0, 0, time.UTC), // 02:45 CEST
			[]time.Time{time.Date(2025, 10, 27, 2, 30, 0, 0, berlin)},
		},
		{
			"an hourly spec fires on every hour that exists, twice in the repeated hour (Berlin)",
			"0 * * * *", berlin, time.Date(2025, 10, 26, 0, 30, 0, 0, berlin),
			[]time.Time{
				time.Date(2025, 10, 25, 23, 0, 0, 0, time.UTC), // 01:00 CEST
				time.Date(2025, 10, 26, 0, 0, 0, 0, time.UTC),  // 02:00 CEST
				time.Date(2025, 10, 26, 1, 0, 0, 0, time.UTC),  // 02:00 CET
				time.Date(2025, 10, 26, 2, 0, 0, 0, time.UTC),  // 03:00 CET
			},
		},
		{
			"a half-hourly spec skips the times that do not exist (Berlin spring)",
			"*/30 * * * *", berlin, time.Date(2025, 3, 30, 1, 15, 0, 0, berlin),
			[]time.Time{
				time.Date(2025, 3, 30, 1, 30, 0, 0, berlin),
				time.Date(2025, 3, 30, 3, 0, 0, 0, berlin),
				time.Date(2025, 3, 30, 3, 30, 0, 0, berlin),
			},
		},
		{
			"a daily time in the gap fires at the jump (New York)",
			"30 2 * * *", ny, time.Date(2025, 3, 8, 12, 0, 0, 0, ny),
			[]time.Time{
				time.Date(2025, 3, 9, 3, 0, 0, 0, ny),
				time.Date(2025, 3, 10, 2, 30, 0, 0, ny),
			},
		},
		{
			"a daily time in the repeated hour fires once (New York)",
			"30 1 * * *", ny, time.Date(2025, 11, 1, 12, 0, 0, 0, ny),
			[]time.Time{
				time.Date(2025, 11, 2, 5, 30, 0, 0, time.UTC), // 01:30 EDT
				time.Date(2025, 11, 3, 1, 30, 0, 0, ny),
			},
		},
		{
			"weekday 08:00 keeps to the wall clock across the DST change (UTC hour moves)",
			"0 8 * * 1-5", ny, time.Date(2025, 3, 7, 9, 0, 0, 0, ny), // a Friday
			[]time.Time{
				time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC), // Monday 08:00 EDT
				time.Date(2025, 3, 11, 12, 0, 0, 0, time.UTC),
			},
		},
		{
			"a half-hour DST shift is handled too (Lord Howe Island, 02:00 → 02:30)",
			"15 2 * * *", lordHowe, time.Date(2025, 10, 4, 12, 0, 0, 0, lordHowe),
			[]time.Time{
				time.Date(2025, 10, 5, 2, 30, 0, 0, lordHowe),
				time.Date(2025, 10, 6, 2, 15, 0, 0, lordHowe),
			},
		},
		{
			"a zone without DST is plain",
			"08:00", seoul, time.Date(2025, 3, 29, 12, 0, 0, 0, seoul),
			[]time.Time{
				time.Date(2025, 3, 29, 23, 0, 0, 0, time.UTC),
				time.Date(2025, 3, 30, 23, 0, 0, 0, time.UTC),
			},
		},
		{
			"a slot is strictly after the time asked",
			"08:00", time.UTC, time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC),
			[]time.Time{time.Date(2025, 1, 2, 8, 0, 0, 0, time.UTC)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSchedule(tt.spec, tt.loc.String())
			if err != nil {
				t.Fatal(err)
			}
			at := tt.from
			for i, want := range tt.want {
				at = s.Next(at)
				if !at.Equal(want) {
					t.Fatalf("slot %d: Next = %s (%s), want %s (%s)", i, at.UTC(), at.In(tt.loc), want.UTC(), want.In(tt.loc))
				}
				if at.Location() != time.UTC {
					t.Errorf("slot %d is in %s, want UTC", i, at.Location())
				}
			}
		})
	}
}

// Every replica must derive the same slots whenever it asks: walking the timetable from any
// earlier time passes through exactly the slot Next gives from a later one.
func TestScheduleSlotsDoNotDependOnWhenOneAsks(t *testing.T) {
	specs := []string{"30 2 * * *", "0 * * * *", "*/20 1-3 * * *", "15 2 * * 0", "0 8 * * 1-5", "@daily", "30 1 1 * *"}
	zones := []string{"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Sao_Paulo", "UTC"}
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, spec := range specs {
		for _, zone := range zones {
			s, err := ParseSchedule(spec, zone)
			if err != nil {
				t.Fatal(err)
			}
			for range 12 {
				a := start.Add(time.Duration(rng.Int64N(int64(2 * 365 * 24 * time.Hour))))
				b := a.Add(time.Duration(rng.Int64N(int64(4 * 24 * time.Hour))))
				walk := s.Next(a)
				for !walk.IsZero() && !walk.After(b) {
					next := s.Next(walk)
					if !next.After(walk) {
						t.Fatalf("%s %s: Next(%s) = %s is not later", spec, zone, walk, next)
					}
					walk = next
				}
				if direct := s.Next(b); !direct.Equal(walk) {
					t.Fatalf("%s %s: walking from %s passes %s after %s, but Next(%s) = %s", spec, zone, a, walk, b, b, direct)
				}
			}
		}
	}
}

func TestScheduleLastInFindsTheNewestSlot(t *testing.T) {
	tests := []struct {
		name, spec string
		from, till time.Time
	}{
		{"every minute over a day", "* * * * *", time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 3, 2, 0, 0, 30, 0, time.UTC)},
		{"weekly over a year", "0 9 * * 1", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"yearly over three years", "@yearly", time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"none in a short range", "0 9 * * 1", time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC), time.Date(2025, 3, 5, 0, 0, 0, 0, time.UTC)},
		{"a slot exactly at the end counts", "08:00", time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 3, 3, 8, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSchedule(tt.spec, "Europe/Berlin")
			if err != nil {
				t.Fatal(err)
			}
			var want time.Time
			n := 0
			for at := s.Next(tt.from); !at.After(tt.till); at = s.Next(at) {
				want = at
				n++
			}
			got, ok := s.lastIn(tt.from, tt.till)
			if ok != !want.IsZero() || !got.Equal(want) {
				t.Errorf("lastIn = %s, %v; want %s", got, ok, want)
			}
			if c := s.countIn(tt.from, tt.till, 1_000_000); c != n {
				t.Errorf("countIn = %d, want %d", c, n)
			}
		})
	}
}

func FuzzParseSchedule(f *testing.F) {
	for _, seed := range []string{"0 8 * * 1-5", "08:30", "@daily", "*/15 2 * * *", "0 0 29 2 *", "59 23 31 12 *", "5 4 * * SUN", "@every 1h", "0 8 * *"} {
		f.Add(seed, "Europe/Berlin")
	}
	f.Add("30 2 * * *", "America/New_York")
	f.Add("15 2 * * *", "Australia/Lord_Howe")
	f.Fuzz(func(t *testing.T, spec, tz string) {
		s, err := ParseSchedule(spec, tz)
		if err != nil {
			return
		}
		at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
		for range 20 {
			next := s.Next(at)
			if next.IsZero() {
				return
			}
			if !next.After(at) || next.Nanosecond() != 0 {
				t.Fatalf("%s: Next(%s) = %s: not later, or not to the second", s, at, next)
			}
			at = next
		}
	})
}
