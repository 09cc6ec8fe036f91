package briefing

import (
	"net/url"
	"strings"
	"testing"
)

func TestTextFragmentURL(t *testing.T) {
	tests := []struct {
		name, page, quote, want string
	}{
		{
			name:  "a short quote is matched whole",
			page:  "https://tass.example/world/1",
			quote: "We will not negotiate",
			want:  "https://tass.example/world/1#:~:text=We%20will%20not%20negotiate",
		},
		{
			name:  "dashes, commas and ampersands are percent-encoded",
			page:  "https://tass.example/world/1",
			quote: "Kim Jong-un, Moon & co",
			want:  "https://tass.example/world/1#:~:text=Kim%20Jong%2Dun%2C%20Moon%20%26%20co",
		},
		{
			name:  "a long quote is matched by its first and last words",
			page:  "https://tass.example/world/1",
			quote: "one two three four five six seven eight nine ten eleven twelve",
			want:  "https://tass.example/world/1#:~:text=one%20two%20three%20four,nine%20ten%20eleven%20twelve",
		},
		{
			name:  "whitespace runs and line breaks become one space",
			page:  "https://tass.example/world/1",
			quote: "  We   will\nnot\tnegotiate ",
			want:  "https://tass.example/world/1#:~:text=We%20will%20not%20negotiate",
		},
		{
			name:  "non-ASCII text is percent-encoded as UTF-8",
			page:  "https://tass.example/world/1",
			quote: "Ça ira — «toujours»",
			want:  "https://tass.example/world/1#:~:text=%C3%87a%20ira%20%E2%80%94%20%C2%ABtoujours%C2%BB",
		},
		{
			name:  "an existing fragment is kept",
			page:  "https://tass.example/world/1#comments",
			quote: "yes",
			want:  "https://tass.example/world/1#comments:~:text=yes",
		},
		{
			name:  "an existing text directive is replaced",
			page:  "https://tass.example/world/1#:~:text=old",
			quote: "new",
			want:  "https://tass.example/world/1#:~:text=new",
		},
		{
			name:  "parentheses, pipes and angle brackets cannot break chat link markup",
			page:  "https://tass.example/world/1",
			quote: "a (b) |c| <d>",
			want:  "https://tass.example/world/1#:~:text=a%20%28b%29%20%7Cc%7C%20%3Cd%3E",
		},
		{name: "no URL gives no link", page: "", quote: "text", want: ""},
		{name: "a non-web URL is left alone", page: "file:///tmp/a.txt", quote: "text", want: "file:///tmp/a.txt"},
		{name: "a quote without words leaves the URL alone", page: "https://a.example/", quote: " \n ", want: "https://a.example/"},
		{name: "invalid UTF-8 is dropped from the fragment", page: "https://a.example/", quote: "ab\xffc", want: "https://a.example/#:~:text=abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TextFragmentURL(tt.page, tt.quote)
			if got != tt.want {
				t.Errorf("TextFragmentURL(%q, %q)\n got %s\nwant %s", tt.page, tt.quote, got, tt.want)
			}
		})
	}
}

func FuzzTextFragmentURL(f *testing.F) {
	f.Add("https://a.example/x?y=1&z=2", "We will, not - ever & never")
	f.Add("https://a.example/#frag", "\xff\xfe one two three four five six seven eight nine ten eleven")
	f.Fuzz(func(t *testing.T, page, quote string) {
		got := TextFragmentURL(page, quote)
		_, directive, ok := strings.Cut(got, ":~:text=")
		if !ok {
			if got != page {
				t.Fatalf("no directive added, but the URL changed: %q -> %q", page, got)
			}
			return
		}
		if _, err := url.Parse(got); err != nil {
			t.Fatalf("result does not parse: %v", err)
		}
		parts := strings.Split(directive, ",")
		if len(parts) > 2 {
			t.Fatalf("directive %q has %d parts, want textStart[,textEnd]", directive, len(parts))
		}
		for _, p := range parts {
			if p == "" || strings.ContainsAny(p, "-&,()|<> ") {
				t.Fatalf("directive part %q is empty or holds a character that must be encoded", p)
			}
			if _, err := url.PathUnescape(p); err != nil {
				t.Fatalf("directive part %q is not valid percent-encoding: %v", p, err)
			}
		}
	})
}
