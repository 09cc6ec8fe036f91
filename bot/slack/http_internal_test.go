package slack

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

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
