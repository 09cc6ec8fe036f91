package bot_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/config"
)

func TestNormalizeSchedule(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"a clock time becomes a daily cron spec", "08:00", "0 8 * * *"},
		{"a clock time may have a one-digit hour", "7:05", "5 7 * * *"},
		{"a descriptor is lower-cased", "@Daily", "@daily"},
		{"a cron spec is kept", "0 8 * * 1-5", "0 8 * * 1-5"},
		{"a cron spec's blanks are collapsed", " 0  8 *\t* MON-FRI ", "0 8 * * MON-FRI"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := bot.NormalizeSchedule(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("NormalizeSchedule(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
	refused := []struct{ name, in, why string }{
		{"an empty schedule", "", "empty"},
		{"four fields", "0 8 * *", "4 fields where 5 are expected"},
		{"six fields (seconds)", "0 0 8 * * *", "no seconds field"},
		{"a minute out of range", "60 8 * * *", "minute out of range"},
		{"a zero step", "*/0 * * * *", "positive number"},
		{"a time zone inside the spec", "CRON_TZ=UTC 0 8 * * *", "time zone"},
		{"an unknown descriptor", "@fortnightly", "unknown descriptor"},
		{"@every, whose slots would differ between replicas", "@every 6h", "not supported"},
		{"a time with am or pm", "8am", "HH:MM, 24-hour"},
		{"25 o'clock", "25:00", "hour out of range"},
		{"a day that never comes", "0 0 30 2 *", "never fires"},
	}
	for _, tt := range refused {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			got, err := bot.NormalizeSchedule(tt.in)
			if err == nil {
				t.Fatalf("NormalizeSchedule(%q) = %q, want an error", tt.in, got)
			}
			if !strings.Contains(err.Error(), tt.why) {
				t.Errorf("error %q lacks %q", err, tt.why)
			}
		})
	}
}

func FuzzNormalizeSchedule(f *testing.F) {
	for _, s := range []string{"08:00", "0 8 * * 1-5", "@every 1h", "*/0 * * * *", "0-59/100 * * * *", "@every -1s", "1-2-3 * * * *"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := bot.NormalizeSchedule(s)
		if err != nil {
			return
		}
		again, err := bot.NormalizeSchedule(got)
		if err != nil || again != got {
			t.Fatalf("NormalizeSchedule(%q) = %q, which normalises to %q, %v", s, got, again, err)
		}
	})
}

// The resolution itself is config.ResolveTimezone's (tested there); bot.ResolveTimezone is the
// same resolver.
func TestResolveTimezoneIsTheConfigResolver(t *testing.T) {
	for _, in := range []string{"Asia/Seoul", "asia/seoul", "utc", "", "Europe/Moskow", "KST", "Local", "../../etc/passwd"} {
		loc, err := bot.ResolveTimezone(in)
		want, wantLoc, wantErr := config.ResolveTimezone(in)
		if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
			t.Errorf("ResolveTimezone(%q) error = %v; config says %v", in, err, wantErr)
			continue
		}
		if err == nil && (loc.String() != want || loc.String() != wantLoc.String()) {
			t.Errorf("ResolveTimezone(%q) = %v; config says %q", in, loc, want)
		}
		var tzErr *bot.TimezoneError
		if err != nil && !errors.As(err, &tzErr) {
			t.Errorf("ResolveTimezone(%q) error %T is not a *bot.TimezoneError", in, err)
		}
	}
}
