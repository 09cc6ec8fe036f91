package ingest

import (
	"errors"
	"testing"
)

func TestCanonicalURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"scheme and host are lower-cased", "HTTPS://News.Example.COM/World/Story", "https://news.example.com/World/Story"},
		{"the default https port is dropped", "https://example.com:443/a", "https://example.com/a"},
		{"the default http port is dropped", "http://example.com:80/a", "http://example.com/a"},
		{"another port is kept", "https://example.com:8443/a", "https://example.com:8443/a"},
		{"the fragment is dropped", "https://example.com/a#comments", "https://example.com/a"},
		{"utm parameters are dropped", "https://example.com/a?utm_source=rss&utm_medium=feed&utm_campaign=x", "https://example.com/a"},
		{"click ids are dropped", "https://example.com/a?fbclid=1&gclid=2&msclkid=3&igshid=4", "https://example.com/a"},
		{"mailing ids are dropped", "https://example.com/a?mc_cid=1&mc_eid=2", "https://example.com/a"},
		{"ref, cmpid, ocid and _ga are dropped", "https://example.com/a?ref=tw&cmpid=x&ocid=y&_ga=z", "https://example.com/a"},
		{"tracking keys match in any case", "https://example.com/a?UTM_Source=x&FBCLID=y", "https://example.com/a"},
		{"other parameters are kept and sorted", "https://example.com/a?z=1&id=42&a=b", "https://example.com/a?a=b&id=42&z=1"},
		{"values of one key keep their order", "https://example.com/a?t=2&t=1", "https://example.com/a?t=2&t=1"},
		{"tracking and real parameters mixed", "https://example.com/story?utm_source=x&id=7&fbclid=y", "https://example.com/story?id=7"},
		{"encoding of kept parameters is kept", "https://example.com/s?q=a%20b&x=%2F", "https://example.com/s?q=a%20b&x=%2F"},
		{"an empty query is dropped", "https://example.com/a?", "https://example.com/a"},
		{"an empty path becomes /", "https://example.com", "https://example.com/"},
		{"dot segments are resolved", "https://example.com/a/./b/../c", "https://example.com/a/c"},
		{"a trailing slash is kept", "https://example.com/a/", "https://example.com/a/"},
		{"path case is kept", "https://example.com/News/A", "https://example.com/News/A"},
		{"user info is dropped", "https://user:secret@example.com/a", "https://example.com/a"},
		{"a trailing dot on the host is dropped", "https://example.com./a", "https://example.com/a"},
		{"surrounding space is trimmed", "  https://example.com/a  ", "https://example.com/a"},
		{"an IPv6 host keeps its brackets", "http://[2001:DB8::1]:80/a", "http://[2001:db8::1]/a"},
		{"escaped paths stay escaped", "https://example.com/caf%C3%A9/x%2Fy", "https://example.com/caf%C3%A9/x%2Fy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CanonicalURL(tt.in)
			if err != nil {
				t.Fatalf("CanonicalURL(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("CanonicalURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
			again, err := CanonicalURL(got)
			if err != nil || again != got {
				t.Errorf("not idempotent: CanonicalURL(%q) = %q, %v", got, again, err)
			}
		})
	}
}

func TestCanonicalURLRefusesWhatIsNotAnArticleAddress(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "example.com/a", "/relative/path", "ftp://example.com/a", "javascript:alert(1)",
		"mailto:a@example.com", "https://", "http://%zz/", "file:///etc/passwd"} {
		if got, err := CanonicalURL(in); !errors.Is(err, ErrBadURL) {
			t.Errorf("CanonicalURL(%q) = %q, %v; want ErrBadURL", in, got, err)
		}
	}
}
