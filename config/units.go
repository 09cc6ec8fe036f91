package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ByteSize is a number of bytes. In the file it is a whole number of bytes or a number with a
// binary unit: 512KB, 5MB, 1GB (1MB = 1,048,576 bytes; KiB, MiB and GiB mean the same).
type ByteSize int64

// Byte sizes.
const (
	KB ByteSize = 1 << 10
	MB ByteSize = 1 << 20
	GB ByteSize = 1 << 30
)

// String formats the size the way the file writes it: "5MB", "1536KB", "100".
func (b ByteSize) String() string {
	for _, u := range []struct {
		size ByteSize
		name string
	}{{GB, "GB"}, {MB, "MB"}, {KB, "KB"}} {
		if b != 0 && b%u.size == 0 {
			return strconv.FormatInt(int64(b/u.size), 10) + u.name
		}
	}
	return strconv.FormatInt(int64(b), 10)
}

// ParseByteSize reads "5MB", "512 KiB", "1g" or "1048576".
func ParseByteSize(s string) (ByteSize, error) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, errors.New("not a size")
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil {
		return 0, errors.New("not a size")
	}
	var unit ByteSize
	switch strings.ToLower(strings.TrimSpace(s[i:])) {
	case "", "b":
		unit = 1
	case "k", "kb", "kib":
		unit = KB
	case "m", "mb", "mib":
		unit = MB
	case "g", "gb", "gib":
		unit = GB
	default:
		return 0, errors.New("not a size")
	}
	if n > math.MaxInt64/int64(unit) {
		return 0, errors.New("too large")
	}
	return ByteSize(n) * unit, nil
}

// ParseDuration reads a Go duration ("90s", "10m", "1h30m") with one more unit: d for days of
// 24 hours ("7d", "1d12h").
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var days int64
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil || n < 0 || n > int64(math.MaxInt64/(24*time.Hour)) {
			return 0, errors.New("not a duration")
		}
		days, s = n, s[i+1:]
		if s == "" {
			return time.Duration(days) * 24 * time.Hour, nil
		}
		if s[0] == '-' || s[0] == '+' {
			return 0, errors.New("not a duration")
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errors.New("not a duration")
	}
	total := time.Duration(days) * 24 * time.Hour
	if d > 0 && total > math.MaxInt64-d {
		return 0, errors.New("too long")
	}
	return total + d, nil
}

// FormatDuration writes a duration the way the file does: "10m", "6h", "1h30m", "24h", "7d",
// "1.5s" (days for two days or more).
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	day := 24 * time.Hour
	var b strings.Builder
	b.WriteString(sign)
	if d >= 2*day && d%time.Hour == 0 {
		fmt.Fprintf(&b, "%dd", d/day)
		d %= day
	}
	if d >= time.Second && d%time.Second == 0 {
		if h := d / time.Hour; h > 0 {
			fmt.Fprintf(&b, "%dh", h)
		}
		if m := d % time.Hour / time.Minute; m > 0 {
			fmt.Fprintf(&b, "%dm", m)
		}
		if s := d % time.Minute / time.Second; s > 0 {
			fmt.Fprintf(&b, "%ds", s)
		}
		return b.String()
	}
	if d > 0 {
		b.WriteString(d.String())
	}
	return b.String()
}
