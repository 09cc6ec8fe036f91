package config

import (
	"io"
	"log/slog"
)

// SlogLevel returns the configured level (info for anything unknown, which validation rules
// out).
func (l Log) SlogLevel() slog.Level {
	switch l.Level {
	case "debug":
		return slog.LevelDebug
	case "warn", "warning":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// NewLogger returns a logger writing to w in the configured format and level.
func (l Log) NewLogger(w io.Writer) *slog.Logger {
	return l.NewLoggerAt(w, l.SlogLevel())
}

// NewLoggerAt returns a logger writing to w in the configured format, at level (a *slog.LevelVar
// lets the level change while the logger is in use).
func (l Log) NewLoggerAt(w io.Writer, level slog.Leveler) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if l.Format == LogJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
