package ingest

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// APIResult is one item's outcome in the answer to POST /api/articles.
type APIResult struct {
	Index   int    `json:"index"`
	Status  Status `json:"status"`
	ID      int64  `json:"id,omitempty"`
	StoryID int64  `json:"story_id,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// APIResponse is the answer to POST /api/articles.
type APIResponse struct {
	Results []APIResult    `json:"results"`
	Summary map[Status]int `json:"summary"`
}

// Handler serves POST /api/articles: one JSON article or an array of them (fields title, body or
// html, url, source, published in RFC 3339), authorised by "Authorization: Bearer TOKEN". It
// answers 200 with each item's outcome (new, updated, duplicate or refused with a reason) even
// when some are refused; 400 for a body that is not JSON, 401 without the right token, 405 for
// another method, 413 for a body over the size cap (Options.MaxBytes), 415 for another content
// type, and 503 when token is "" (the API is off).
func (in *Ingester) Handler(token string) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token == "" {
			apiError(w, http.StatusServiceUnavailable, "ingest API disabled: set http.ingest_token in the configuration to enable it")
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			apiError(w, http.StatusMethodNotAllowed, "use POST")
			return
		}
		got, ok := bearerToken(r.Header.Get("Authorization"))
		gotSum := sha256.Sum256([]byte(got))
		// Comparing hashes takes the same time whatever the token's length.
		if subtle.ConstantTimeCompare(gotSum[:], want[:]) != 1 || !ok {
			in.metrics.IngestFailed(DefaultAPISource, "unauthorized")
			in.log.Warn("ingest api: unauthorized request", "remote_addr", r.RemoteAddr, "has_token", ok)
			w.Header().Set("WWW-Authenticate", `Bearer realm="briefbot"`)
			apiError(w, http.StatusUnauthorized, "missing or wrong bearer token")
			return
		}
		if mt := mediaType(r.Header.Get("Content-Type")); mt != "application/json" && !strings.HasSuffix(mt, "+json") {
			apiError(w, http.StatusUnsupportedMediaType, "send Content-Type: application/json")
			return
		}
		if r.ContentLength > in.maxBytes {
			// Announced too large: turned away before any of it is read.
			in.metrics.IngestFailed(DefaultAPISource, "too_large")
			apiError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %s", formatBytes(in.maxBytes)))
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, in.maxBytes))
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			in.metrics.IngestFailed(DefaultAPISource, "too_large")
			apiError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %s", formatBytes(in.maxBytes)))
			return
		case err != nil:
			apiError(w, http.StatusBadRequest, "could not read the request body")
			return
		}
		items, err := decodeAPIBody(body)
		if err != nil {
			in.metrics.IngestFailed(DefaultAPISource, "bad_json")
			apiError(w, http.StatusBadRequest, err.Error())
			return
		}
		resp := APIResponse{Results: make([]APIResult, 0, len(items)),
			Summary: map[Status]int{StatusNew: 0, StatusUpdated: 0, StatusDuplicate: 0, StatusRefused: 0}}
		for i, raw := range items {
			res := in.apiItem(r, i, raw)
			resp.Results = append(resp.Results, APIResult{Index: i, Status: res.Status, ID: res.ID, StoryID: res.StoryID, Reason: res.Reason})
			resp.Summary[res.Status]++
		}
		in.log.Info("ingest api: articles received", "remote_addr", r.RemoteAddr, "items", len(items),
			"new", resp.Summary[StatusNew], "updated", resp.Summary[StatusUpdated],
			"duplicates", resp.Summary[StatusDuplicate], "refused", resp.Summary[StatusRefused])
		writeJSON(w, http.StatusOK, resp)
	})
}

func (in *Ingester) apiItem(r *http.Request, i int, raw json.RawMessage) Result {
	item := fmt.Sprintf("#%d", i)
	if err := r.Context().Err(); err != nil {
		return Result{Item: item, Status: StatusRefused, Reason: "request cancelled"}
	}
	a, err := DecodeArticle(raw, DefaultAPISource, int(in.maxBytes))
	if err != nil {
		return in.refused(Result{Item: item}, DefaultAPISource, err)
	}
	return in.save(r.Context(), a, saveOptions{source: DefaultAPISource, item: item})
}

// decodeAPIBody splits a request body into its articles: one object, or an array of them. Each
// item is decoded on its own later, so one bad item does not refuse the others.
func decodeAPIBody(body []byte) ([]json.RawMessage, error) {
	if !json.Valid(body) {
		var v any
		err := json.Unmarshal(body, &v)
		if err == nil {
			err = errors.New("invalid JSON")
		}
		return nil, fmt.Errorf("request body is not valid JSON: %s", jsonError(err))
	}
	switch firstByte(body) {
	case '{':
		return []json.RawMessage{bytes.TrimSpace(body)}, nil
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(body, &items); err != nil {
			return nil, fmt.Errorf("request body: %s", jsonError(err))
		}
		return items, nil
	}
	return nil, errors.New("request body must be a JSON article object or an array of them")
}

// bearerToken returns the token of an "Authorization: Bearer TOKEN" header.
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func apiError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client has gone away; nothing left to tell it
}
