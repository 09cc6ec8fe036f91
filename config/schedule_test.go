package config_test

import (
	"errors"
	"testing"
	"time"

	"github.com/briefbot/briefbot/config"
)

func TestParseScheduleNormalisesEveryAcceptedForm(t *testing.T) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	// Friday 2026-03-06 07:15 in Seoul.
	from := time.Date(2026, 3, 6, 7, 15, 0, 0, seoul)
	tests := []struct {
		spec     string
		wantSpec string
		wantNext time.Time
	}{
		{"0 8 * * 1-5", "0 8 * * 1-5", time.Date(2026, 3, 6, 8, 0, 0, 0, seoul)},
		{"  0   8 * *   MON-FRI ", "0 8 * * MON-FRI", time.Date(2026, 3, 6, 8, 0, 0, 0, seoul)},
		{"0 8 * * 1", "0 8 * * 1", time.Date(2026, 3, 9, 8, 0, 0, 0, seoul)},
		{"08:00", "0 8 * * *", time.Date(2026, 3, 6, 8, 0, 0, 0, seoul)},
		{"7:05", "5 7 * * *", time.Date(2026, 3, 7, 7, 5, 0, 0, seoul)},
		{"23:59", "59 23 * * *", time.Date(2026, 3, 6, 23, 59, 0, 0, seoul)},
		{"@daily", "@daily", time.Date(2026, 3, 7, 0, 0, 0, 0, seoul)},
		{"@Hourly", "@hourly", time.Date(2026, 3, 6, 8, 0, 0, 0, seoul)},
		{"@weekly", "@weekly", time.Date(2026, 3, 8, 0, 0, 0, 0, seoul)},
		{"*/30 * * * *", "*/30 * * * *", time.Date(2026, 3, 6, 7, 30, 0, 0, seoul)},
		{"0 0 29 2 *", "0 0 29 2 *", time.Date(2028, 2, 29, 0, 0, 0, 0, seoul)},
	}
	for _, tt := range tests {
		s, norm, err := config.ParseSchedule(tt.spec)
		if err != nil {
			t.Errorf("ParseSchedule(%q): %v", tt.spec, err)
			continue
		}
		if norm != tt.wantSpec {
			t.Errorf("ParseSchedule(%q) spec = %q, want %q", tt.spec, norm, tt.wantSpec)
		}
		if got := s.Next(from); !got.Equal(tt.wantNext) {
			t.Errorf("ParseSchedule(%q).Next(%v) = %v, want %v", tt.spec, from, got, tt.wantNext)
		}
		// The normalised spec parses to the same schedule.
		s2, norm2, err := config.ParseSchedule(norm)
		if err != nil || norm2 != norm || !s2.Next(from).Equal(tt.wantNext) {
			t.Errorf("ParseSchedule(%q) (normalised) = %q, %v", norm, norm2, err)
		}
	}
}

func TestParseScheduleSaysWhatIsWrong(t *testing.T) {
	const fix = ": use a cron spec (minute hour day month weekday), a descriptor such as @daily, or HH:MM"
	tests := []struct{ spec, want string }{
		{"", `"" is not a valid schedule (it is empty)` + fix},
		{"0 25 * * *", `"0 25 * * *" is not a valid schedule (hour out of range)` + fix},
		{"60 8 * * *", `"60 8 * * *" is not a valid schedule (minute out of range)` + fix},
		{"0 8 32 * *", `"0 8 32 * *" is not a valid schedule (day out of range)` + fix},
		{"0 8 0 * *", `"0 8 0 * *" is not a valid schedule (day out of range)` + fix},
		{"0 8 * 13 *", `"0 8 * 13 *" is not a valid schedule (month out of range)` + fix},
		{"x 8 * * *", `"x 8 * * *" is not a valid schedule (bad minute "x")` + fix},
		{"0 8 * * MON-FRY", `"0 8 * * MON-FRY" is not a valid schedule (bad weekday "MON-FRY")` + fix},
		{"0 17-9 * * *", `"0 17-9 * * *" is not a valid schedule (hour range "17-9" runs backwards)` + fix},
		{"*/0 * * * *", `"*/0 * * * *" is not a valid schedule (minute step in "*/0" must be a positive number)` + fix},
		{"0 0 31 2 *", `"0 0 31 2 *" is not a valid schedule (it never fires: that day does not exist)` + fix},
		{"12:60", `"12:60" is not a valid schedule (minute out of range)` + fix},
		{"8:00:00", `"8:00:00" is not a valid schedule (write a time of day as HH:MM, 24-hour, e.g. 08:00 or 17:30)` + fix},
		{"6 PM", `"6 PM" is not a valid schedule (write a time of day as HH:MM, 24-hour, e.g. 08:00 or 17:30)` + fix},
		{"@fortnightly", `"@fortnightly" is not a valid schedule (unknown descriptor: use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)` + fix},
		{"TZ=Asia/Seoul 0 8 * * *", `"TZ=Asia/Seoul 0 8 * * *" is not a valid schedule (a time zone prefix is not allowed: set the channel's timezone instead)` + fix},
		{"CRON_TZ=UTC", `"CRON_TZ=UTC" is not a valid schedule (a time zone prefix is not allowed: set the channel's timezone instead)` + fix},
		{"daily", `"daily" is not a valid schedule (1 field where 5 are expected)` + fix},
	}
	for _, tt := range tests {
		s, norm, err := config.ParseSchedule(tt.spec)
		if err == nil {
			t.Errorf("ParseSchedule(%q) = %v, %q; want an error", tt.spec, s, norm)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("ParseSchedule(%q):\n got %s\nwant %s", tt.spec, err, tt.want)
		}
		if !errors.Is(err, config.ErrBadSchedule) {
			t.Errorf("ParseSchedule(%q) error is not ErrBadSchedule", tt.spec)
		}
	}
}

func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"0 8 * * 1-5", "08:00", "@daily", "*/15 9-17 * JAN-MAR MON", "TZ=", "0 0 31 2 *", "1-2-3/4/5 * * * *"} {
		f.Add(s)
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, spec string) {
		s, norm, err := config.ParseSchedule(spec)
		if err != nil {
			if !errors.Is(err, config.ErrBadSchedule) {
				t.Fatalf("ParseSchedule(%q) error %v is not ErrBadSchedule", spec, err)
			}
			return
		}
		// An accepted schedule fires, and its normalised spec is accepted as the same schedule.
		next := s.Next(from)
		if next.IsZero() {
			t.Fatalf("ParseSchedule(%q) never fires", spec)
		}
		s2, norm2, err := config.ParseSchedule(norm)
		if err != nil || norm2 != norm || !s2.Next(from).Equal(next) {
			t.Fatalf("ParseSchedule(%q) normalised to %q, which gives %q, %v", spec, norm, norm2, err)
		}
	})
}
