package ingest

import (
	"errors"
	"net/url"
	"sort"
	"strings"
)

// ErrBadURL is returned (wrapped) by CanonicalURL for a URL that is not an absolute http(s) URL.
var ErrBadURL = errors.New("not an absolute http or https URL")

// trackingParams are query parameters that say how a reader arrived, not which article they
// read. Keys are compared in lower case; trackingPrefixes drop whole families.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gbraid": true, "wbraid": true, "msclkid": true,
	"yclid": true, "twclid": true, "ttclid": true, "igshid": true, "igsh": true, "li_fat_id": true,
	"mc_cid": true, "mc_eid": true, "mkt_tok": true, "_ga": true, "_gl": true, "_hsenc": true,
	"_hsmi": true, "ref": true, "ref_src": true, "ref_url": true, "referrer": true, "cmpid": true,
	"ocid": true, "icid": true, "ncid": true, "s_cid": true, "smid": true, "smtyp": true,
	"sr_share": true, "spm": true, "__twitter_impression": true, "oly_enc_id": true,
	"oly_anon_id": true, "vero_id": true,
}

var trackingPrefixes = []string{"utm_", "hsa_", "at_", "pk_", "mtm_", "itm_"}

func isTrackingParam(key string) bool {
	k := strings.ToLower(key)
	if trackingParams[k] {
		return true
	}
	for _, p := range trackingPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// CanonicalURL returns the form of an article URL that ingest stores and deduplicates on: the
// scheme and host in lower case, no default port, no user info, no fragment, dot segments
// resolved, an empty path as "/", tracking parameters (utm_*, fbclid, gclid, mc_cid, ref, …)
// dropped and the remaining query parameters sorted by key (the values of one key keep their
// order). Only absolute http and https URLs are accepted.
func CanonicalURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.Join(ErrBadURL, err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return "", ErrBadURL
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return "", ErrBadURL
	}
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	// Resolving the URL against itself removes "." and ".." segments (RFC 3986 §5.2.4).
	u = u.ResolveReference(&url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery})
	if u.Path == "" {
		u.Path, u.RawPath = "/", ""
	}
	u.RawQuery = canonicalQuery(u.RawQuery)
	u.ForceQuery = false
	return u.String(), nil
}

// canonicalQuery drops tracking parameters and sorts the rest by key, keeping each pair's
// encoding as it was written (re-encoding could change what the server sees).
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	type pair struct{ key, text string }
	var pairs []pair
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		key, _, _ := strings.Cut(part, "=")
		if k, err := url.QueryUnescape(key); err == nil {
			key = k
		}
		if isTrackingParam(key) {
			continue
		}
		pairs = append(pairs, pair{key, part})
	}
	sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].key < pairs[j].key })
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.text
	}
	return strings.Join(parts, "&")
}
