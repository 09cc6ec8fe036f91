package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefing"
)

// fetcher makes ingest's outbound requests (feeds and article pages) with two clients: one that
// refuses private-network addresses at dial time, and one for sources that allow them.
type fetcher struct {
	public    *http.Client
	private   *http.Client
	userAgent string
	// privateFix tells how to allow a refused private-network address.
	privateFix string
}

func newFetcher(base *http.Client, userAgent string, log *slog.Logger) *fetcher {
	f := &fetcher{userAgent: userAgent}
	public, guarded := cloneClient(base, true)
	if !guarded {
		log.Warn("ingest: the HTTP client's transport is not an *http.Transport; private-network addresses are refused only when a URL names one literally")
	}
	private, _ := cloneClient(base, false)
	f.public, f.private = public, private
	return f
}

// cloneClient returns a copy of base (or a default client) that limits redirects, refuses
// redirects to other schemes and, when guard is set, refuses to dial private-network addresses.
// It reports whether the dial guard could be installed.
func cloneClient(base *http.Client, guard bool) (*http.Client, bool) {
	c := &http.Client{}
	if base != nil {
		*c = *base
	}
	var t *http.Transport
	switch rt := c.Transport.(type) {
	case nil:
		t = defaultTransport()
	case *http.Transport:
		t = rt.Clone()
	}
	guarded := t != nil
	if t != nil {
		if guard {
			d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, ControlContext: guardDial}
			t.DialContext = d.DialContext
			// A proxy would be dialled instead of the article's host, and the guard would judge
			// the proxy's address: fetches of guarded sources go direct.
			t.Proxy = nil
		}
		c.Transport = t
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > MaxRedirects {
			return refuse("redirects", "stopped after %d redirects", MaxRedirects)
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return refuse("bad_url", "redirect to a %s: URL", req.URL.Scheme)
		}
		if guard {
			if err := checkLiteralHost(req.URL.Host); err != nil {
				return err
			}
		}
		return nil
	}
	return c, guarded
}

func defaultTransport() *http.Transport {
	return &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// fetchRequest is one GET.
type fetchRequest struct {
	URL          string
	AllowPrivate bool
	Timeout      time.Duration
	MaxBytes     int64
	Accept       string
	// What names the document in a refusal: "feed" or "page".
	What string
	// ETag and LastModified make the request conditional.
	ETag, LastModified string
}

// fetchResponse is what a GET brought back.
type fetchResponse struct {
	Body        []byte
	NotModified bool
	ETag        string
	// LastModified is the response's Last-Modified header, as sent.
	LastModified string
	ContentType  string
	// URL is where the document was found, after redirects.
	URL string
}

// get fetches one document within the request's timeout and size cap.
func (f *fetcher) get(ctx context.Context, r fetchRequest) (*fetchResponse, error) {
	u, err := url.Parse(r.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, refuse("bad_url", "%s URL %q is not an absolute http or https URL", r.What, clip(r.URL, 200))
	}
	client := f.public
	if r.AllowPrivate {
		client = f.private
	} else if err := checkLiteralHost(u.Host); err != nil {
		return nil, refuse("private_address", "%s %s: %w (%s)", r.What, u.Host, ErrPrivateAddress, f.privateFix)
	}
	ctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, refuse("bad_url", "%s URL %q: %w", r.What, clip(r.URL, 200), err)
	}
	req.Header.Set("User-Agent", f.userAgent)
	if r.Accept != "" {
		req.Header.Set("Accept", r.Accept)
	}
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fetchError(r, err, f.privateFix)
	}
	defer resp.Body.Close()

	out := &fetchResponse{
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		ContentType:  resp.Header.Get("Content-Type"),
		URL:          resp.Request.URL.String(),
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		out.NotModified = true
		return out, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, refuse("http_status", "%s %s: HTTP %s", r.What, r.URL, resp.Status)
	}
	if resp.ContentLength > r.MaxBytes {
		return nil, tooLarge(r.What, r.MaxBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, r.MaxBytes+1))
	if err != nil {
		return nil, fetchError(r, err, f.privateFix)
	}
	if int64(len(body)) > r.MaxBytes {
		return nil, tooLarge(r.What, r.MaxBytes)
	}
	out.Body = body
	return out, nil
}

// fetchError turns a transport error into a refusal with a message a person can act on;
// privateFix says how to allow a private-network address.
func fetchError(r fetchRequest, err error, privateFix string) error {
	var ref *refusal
	var netErr net.Error
	switch {
	case errors.As(err, &ref):
		return ref
	case errors.Is(err, ErrPrivateAddress):
		return refuse("private_address", "%s %s: %w (%s)", r.What, r.URL, ErrPrivateAddress, privateFix)
	case errors.Is(err, context.Canceled):
		return refuse("canceled", "%s %s: %w", r.What, r.URL, context.Canceled)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return refuse("timeout", "%s %s: no complete answer within %s: %w", r.What, r.URL, r.Timeout, context.DeadlineExceeded)
	}
	return refuse("network", "%s %s: %s", r.What, r.URL, unwrapURLError(err))
}

// unwrapURLError drops the "Get \"URL\": " prefix net/http puts on transport errors.
func unwrapURLError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// tooLargeError is a document over its size cap; it matches briefing.ErrTooLarge.
type tooLargeError struct {
	what  string
	limit int64
}

func tooLarge(what string, limit int64) error {
	e := &tooLargeError{what, limit}
	return &refusal{code: "too_large", msg: e.Error(), err: e}
}

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("%s larger than %s", e.what, formatBytes(e.limit))
}

func (e *tooLargeError) Is(target error) bool { return target == briefing.ErrTooLarge }

// formatBytes formats a size for a person: "10 MB", "512 KB", "1.5 MB", "300 bytes".
func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// mediaType returns the lower-case media type of a Content-Type header ("text/html").
func mediaType(contentType string) string {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}
