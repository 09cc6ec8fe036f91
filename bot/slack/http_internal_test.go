package slack

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestReplayCache(t *testing.T) {
	now := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	c := newReplayCache(10*time.Minute, 2, func() time.Time { return now })

	if !c.add("a") || c.add("a") {
		t.Fatal("a key must be new once, then seen")
	}
	now = now.Add(9 * time.Minute)
	if c.add("a") {
		t.Error("a key was forgotten before its time")
	}
	if !c.add("b") {
		t.Error("a second key was refused")
	}
	if c.add("c") {
		t.Error("a full cache of live keys accepted a third instead of refusing it")
	}
	now = now.Add(2 * time.Minute) // "a" has expired, "b" has not
	if !c.add("a") {
		t.Error("an expired key is still refused")
	}
	if c.add("b") {
		t.Error("a live key was forgotten when room was made")
	}
}

func TestUnescapeCommandText(t *testing.T) {
	for in, want := range map[string]string{
		"korea":                     "korea",
		"&lt;!channel&gt; &amp; co": "<!channel> & co",
		"&amp;lt;":                  "&lt;",
	} {
		if got := unescapeCommandText(in); got != want {
			t.Errorf("unescapeCommandText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWithoutURLKeepsResponseURLsOutOfLogs(t *testing.T) {
	secret := "https://hooks.slack.com/commands/T0/123/abcdef"
	err := fmt.Errorf("failed to post webhook: %w", &url.Error{Op: "Post", URL: secret, Err: errors.New("connection refused")})
	got := withoutURL(err).Error()
	if strings.Contains(got, "hooks.slack.com") || !strings.Contains(got, "connection refused") {
		t.Errorf("withoutURL = %q", got)
	}
}
