package ingest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"testing"
)

func TestIsPrivateAddress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ip      string
		private bool
	}{
		{"127.0.0.1", true}, {"127.8.9.10", true}, {"::1", true}, // loopback
		{"10.1.2.3", true}, {"172.16.0.1", true}, {"172.31.255.255", true}, {"192.168.1.1", true}, // RFC 1918
		{"169.254.169.254", true}, {"fe80::1", true}, // link-local (cloud metadata)
		{"100.64.0.1", true}, {"100.127.255.254", true}, // carrier-grade NAT
		{"fc00::1", true}, {"fd12:3456::1", true}, // unique-local IPv6
		{"0.0.0.0", true}, {"::", true}, {"0.1.2.3", true}, // unspecified, "this network"
		{"224.0.0.1", true}, {"239.255.255.250", true}, {"ff02::1", true}, // multicast
		{"255.255.255.255", true}, {"240.0.0.1", true}, // reserved
		{"::ffff:10.0.0.1", true}, {"::ffff:127.0.0.1", true}, // IPv4-mapped
		{"64:ff9b::a00:1", true}, // NAT64 of 10.0.0.1
		{"8.8.8.8", false}, {"1.1.1.1", false}, {"172.32.0.1", false}, {"100.128.0.1", false},
		{"2606:4700::1111", false}, {"::ffff:8.8.8.8", false}, {"64:ff9b::808:808", false},
	}
	for _, tt := range tests {
		if got := IsPrivateAddress(netip.MustParseAddr(tt.ip)); got != tt.private {
			t.Errorf("IsPrivateAddress(%s) = %v, want %v", tt.ip, got, tt.private)
		}
	}
}

func TestTheDialGuardChecksTheResolvedAddress(t *testing.T) {
	t.Parallel()
	srv := newFeedServer(t)
	d := &net.Dialer{ControlContext: guardDial}
	_, err := d.DialContext(t.Context(), "tcp", srv.Listener.Addr().String())
	if !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("dialling %s: err = %v, want ErrPrivateAddress", srv.Listener.Addr(), err)
	}
}

func TestFeedsOnPrivateAddressesAreRefusedUnlessAllowed(t *testing.T) {
	t.Parallel()
	srv := newFeedServer(t)
	serveFixtures(t, srv)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())

	urls := map[string]string{
		"a loopback IP":             srv.URL + "/rss.xml",
		"localhost":                 "http://localhost:" + port + "/rss.xml",
		"an IPv4-mapped IPv6 IP":    "http://[::ffff:127.0.0.1]:" + port + "/rss.xml",
		"a cloud metadata endpoint": "http://169.254.169.254/latest/meta-data/",
	}
	// A host name that resolves to a private address passes the URL check and must be caught
	// when dialled: this machine's own name usually resolves to one.
	if host, err := os.Hostname(); err == nil {
		if addrs, err := net.LookupHost(host); err == nil && len(addrs) > 0 && IsPrivateAddress(netip.MustParseAddr(addrs[0])) {
			urls["a host name resolving to a private address ("+host+")"] = "http://" + host + ":" + port + "/rss.xml"
		} else {
			t.Logf("%s does not resolve to a private address; the resolved-name case is not run", host)
		}
	}
	for name, u := range urls {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, Options{})
			res, err := e.in.PollFeed(e.ctx, Source{Name: "local", Feed: u})
			if !errors.Is(err, ErrPrivateAddress) {
				t.Fatalf("err = %v, want ErrPrivateAddress", err)
			}
			if !strings.Contains(err.Error(), "allow_private") {
				t.Errorf("the error does not say how to allow it: %v", err)
			}
			if res.State.Failures != 1 || e.failures("local", "private_address") != 1 {
				t.Errorf("state %+v, metric %v: want the refusal recorded and counted", res.State, e.failures("local", "private_address"))
			}
		})
	}
	// The refusal says how to allow the address: the configuration's key, or what the ingester
	// was told (a command-line flag).
	fixes := []struct {
		name, fix, want string
	}{
		{"by default", "", "(set allow_private on the source to fetch it)"},
		{"as the ingester was told", "run again with --allow-private to fetch it", "(run again with --allow-private to fetch it)"},
	}
	for _, tt := range fixes {
		t.Run("the fix "+tt.name, func(t *testing.T) {
			e := newEnv(t, Options{PrivateAddressFix: tt.fix})
			for _, u := range []string{srv.URL + "/rss.xml", "http://localhost:" + port + "/rss.xml"} {
				if _, err := e.in.PollFeed(e.ctx, Source{Name: "local", Feed: u}); err == nil || !strings.HasSuffix(err.Error(), tt.want) {
					t.Errorf("%s: %v, want it to end %q", u, err, tt.want)
				}
			}
		})
	}
	t.Run("allowed", func(t *testing.T) {
		e := newEnv(t, Options{})
		if _, err := e.in.PollFeed(e.ctx, Source{Name: "local", Feed: srv.URL + "/rss.xml", AllowPrivate: true}); err != nil {
			t.Errorf("an allowed private feed: %v", err)
		}
	})
}

// viaServer sends every request to one test server whatever its host, standing in for a public
// web server. Not being an *http.Transport, it is used as it is: only the redirect checks guard it.
type viaServer struct{ base *url.URL }

func (v viaServer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Hostname() != "news.example" {
		return nil, fmt.Errorf("test transport: unexpected dial of %s", r.URL.Host)
	}
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host = v.base.Scheme, v.base.Host
	return http.DefaultTransport.RoundTrip(r)
}

func TestRedirectsToPrivateAddressesAreRefused(t *testing.T) {
	t.Parallel()
	srv := newFeedServer(t)
	base, _ := url.Parse(srv.URL)
	for _, target := range []string{"http://10.0.0.7/feed.xml", "http://127.0.0.1/admin", "http://[fd00::1]/x", "http://localhost:9090/metrics"} {
		t.Run(target, func(t *testing.T) {
			e := newEnv(t, Options{HTTPClient: &http.Client{Transport: viaServer{base}}})
			srv.setDoc("/feed.xml", doc{location: target})
			_, err := e.in.PollFeed(e.ctx, Source{Name: "public", Feed: "http://news.example/feed.xml"})
			if !errors.Is(err, ErrPrivateAddress) {
				t.Errorf("err = %v, want ErrPrivateAddress", err)
			}
		})
	}
}

func TestRedirectsAreFollowedAtMostFiveTimes(t *testing.T) {
	t.Parallel()
	srv := newFeedServer(t)
	serveFixtures(t, srv)
	for i := range 7 {
		srv.setDoc(fmt.Sprintf("/r%d", i), doc{location: fmt.Sprintf("/r%d", i+1)})
	}
	srv.setDoc("/r7", doc{location: "/rss.xml"})
	// Five redirects reach the feed.
	e := newEnv(t, Options{})
	if _, err := e.in.PollFeed(e.ctx, Source{Name: "five", Feed: srv.URL + "/r3", AllowPrivate: true}); err != nil {
		t.Errorf("five redirects: %v", err)
	}
	// Six do not.
	_, err := e.in.PollFeed(e.ctx, Source{Name: "six", Feed: srv.URL + "/r2", AllowPrivate: true})
	if err == nil || !strings.Contains(err.Error(), "stopped after 5 redirects") {
		t.Errorf("six redirects: err = %v", err)
	}
	if e.failures("six", "redirects") != 1 {
		t.Errorf("redirects refusal not counted")
	}
}

func TestFetchCancelledByTheCallerIsNotAFeedFailure(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	srv := newFeedServer(t)
	srv.setDoc("/slow.xml", doc{delay: make(chan struct{})})
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	_, err := e.in.PollFeed(ctx, Source{Name: "slow", Feed: srv.URL + "/slow.xml", AllowPrivate: true})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	st, _ := e.store.FeedState(e.ctx, "slow")
	if st.Failures != 0 {
		t.Errorf("a cancelled poll was recorded as a failure: %+v", st)
	}
}

func TestPagesThatAreNotHTMLAreRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, contentType string
		body              []byte
		want              string
	}{
		{"a PDF", "application/pdf", []byte("%PDF-1.7 binary"), "page is not HTML (application/pdf)"},
		{"binary junk labelled HTML", "text/html", []byte(strings.Repeat("\x00\x01\x02\xff\xfe", 400)), "binary"},
		{"an image without a content type", "", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "page is not HTML (image/png)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pageArticle(tt.body, tt.contentType, "https://news.example/a", "x", 1<<20)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestPagesInOtherCharsetsAreConverted(t *testing.T) {
	t.Parallel()
	// "Café" and curly quotes in windows-1252.
	page := []byte("<html><head><title>Caf\xe9 reopens</title></head><body><article><p>" +
		strings.Repeat("The caf\xe9 on the square reopened on Monday after a long renovation. ", 8) +
		"</p><p>\x93We missed our regulars,\x94 owner Luc Martin said.</p></article></body></html>")
	a, err := pageArticle(page, "text/html; charset=windows-1252", "https://news.example/cafe", "x", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Text, "café on the square") || !strings.Contains(a.Text, "\u201cWe missed our regulars,\u201d") {
		t.Errorf("text not converted to UTF-8: %q", a.Text)
	}
}
