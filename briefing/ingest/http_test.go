package ingest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const apiToken = "s3cret-token"

// post sends body to the handler and returns the status and the decoded JSON answer.
func post(t *testing.T, h http.Handler, method, auth, contentType, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, "/api/articles", strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	raw, _ := io.ReadAll(rec.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%d answer is not JSON: %q", rec.Code, raw)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("answer content type %q", ct)
	}
	return rec.Code, out
}

func TestHandlerRefusesRequestsItCannotAccept(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{MaxBytes: 1024})
	h := e.in.Handler(apiToken)
	good := `{"title":"t","body":"Some text."}`
	tests := []struct {
		name                      string
		handler                   http.Handler
		method, auth, ctype, body string
		want                      int
		wantError                 string
	}{
		{"no token configured", e.in.Handler(""), "POST", "Bearer " + apiToken, "application/json", good, 503, "ingest API disabled"},
		{"another method", h, "GET", "Bearer " + apiToken, "", "", 405, "use POST"},
		{"no Authorization header", h, "POST", "", "application/json", good, 401, "bearer token"},
		{"a wrong token", h, "POST", "Bearer s3cret-tokem", "application/json", good, 401, "bearer token"},
		{"the token as a prefix", h, "POST", "Bearer " + apiToken + "x", "application/json", good, 401, "bearer token"},
		{"another scheme", h, "POST", "Basic " + apiToken, "application/json", good, 401, "bearer token"},
		{"an empty bearer", h, "POST", "Bearer ", "application/json", good, 401, "bearer token"},
		{"no content type", h, "POST", "Bearer " + apiToken, "", good, 415, "application/json"},
		{"a form", h, "POST", "Bearer " + apiToken, "application/x-www-form-urlencoded", good, 415, "application/json"},
		{"a body over the cap", h, "POST", "Bearer " + apiToken, "application/json", `{"title":"t","body":"` + strings.Repeat("x", 2000) + `"}`, 413, "larger than 1 KB"},
		{"undecodable JSON", h, "POST", "Bearer " + apiToken, "application/json", `{"title": "t", "body": }`, 400, "not valid JSON"},
		{"a JSON string", h, "POST", "Bearer " + apiToken, "application/json", `"an article"`, 400, "object or an array"},
		{"trailing garbage", h, "POST", "Bearer " + apiToken, "application/json", good + `}`, 400, "not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := post(t, tt.handler, tt.method, tt.auth, tt.ctype, tt.body)
			if code != tt.want {
				t.Errorf("status %d, want %d (%v)", code, tt.want, out)
			}
			if msg, _ := out["error"].(string); !strings.Contains(msg, tt.wantError) {
				t.Errorf("error %q, want it to mention %q", msg, tt.wantError)
			}
		})
	}
	if e.count() != 0 {
		t.Errorf("refused requests stored %d articles", e.count())
	}
	if got := e.failures(DefaultAPISource, "unauthorized"); got != 5 {
		t.Errorf("unauthorized metric = %v, want 5", got)
	}
}

func TestHandlerSetsTheAuthenticateHeader(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/api/articles", strings.NewReader("{}"))
	e.in.Handler(apiToken).ServeHTTP(rec, req)
	if got := rec.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
		t.Errorf("WWW-Authenticate = %q", got)
	}
}

func TestHandlerStoresEachItemAndReportsWhatBecameOfIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	h := e.in.Handler(apiToken)
	body := `[
	  {"title":"Harbour council approves sea wall","body":"The council approved the wall.\n\n\"It will keep the water out,\" council leader Maria Okafor said.","url":"https://news.example/wall?utm_source=api","source":"Gazette","published":"2024-02-12T09:30:00Z"},
	  {"title":"No body"},
	  {"title":"From HTML","html":"<p>The library will open late.</p><p>\"Readers asked for it,\" librarian Ana Ruiz said.</p>","url":"https://news.example/library"},
	  {"title":"Bad date","body":"Text.","published":"yesterday"},
	  {"title":"Wrong type","body":42},
	  "not an object",
	  {"title":"Harbour council approves sea wall","body":"The council approved the wall.\n\n\"It will keep the water out,\" council leader Maria Okafor said.","url":"https://news.example/wall"}
	]`
	code, out := post(t, h, "POST", "Bearer "+apiToken, "application/json; charset=utf-8", body)
	if code != 200 {
		t.Fatalf("status %d: %v", code, out)
	}
	var resp APIResponse
	raw, _ := json.Marshal(out)
	if err := json.Unmarshal(raw, &resp); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		status Status
		reason string
	}{
		{StatusNew, ""},
		{StatusRefused, `no "body" text`},
		{StatusNew, ""},
		{StatusRefused, `published "yesterday"`},
		{StatusRefused, `field "body": want a string`},
		{StatusRefused, "not a JSON object"},
		{StatusDuplicate, ""},
	}
	if len(resp.Results) != len(want) {
		t.Fatalf("%d results, want %d: %+v", len(resp.Results), len(want), resp.Results)
	}
	for i, w := range want {
		r := resp.Results[i]
		if r.Index != i || r.Status != w.status || !strings.Contains(r.Reason, w.reason) {
			t.Errorf("result %d = %+v, want %s %q", i, r, w.status, w.reason)
		}
		if (r.Status == StatusRefused) != (r.ID == 0) {
			t.Errorf("result %d: id %d with status %s", i, r.ID, r.Status)
		}
	}
	if resp.Results[6].ID != resp.Results[0].ID {
		t.Errorf("the duplicate names id %d, want the stored article %d", resp.Results[6].ID, resp.Results[0].ID)
	}
	if resp.Summary[StatusNew] != 2 || resp.Summary[StatusRefused] != 4 || resp.Summary[StatusDuplicate] != 1 || resp.Summary[StatusUpdated] != 0 {
		t.Errorf("summary = %v", resp.Summary)
	}
	wall := e.byHeadline("Harbour council approves sea wall")
	if wall.URL != "https://news.example/wall" || wall.Source != "Gazette" || len(wall.Quotes) != 1 || !wall.Published.Equal(time.Date(2024, 2, 12, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("stored %+v", wall)
	}
	lib := e.byHeadline("From HTML")
	if lib.Source != DefaultAPISource || !strings.Contains(lib.Text, "Ana Ruiz said") || strings.Contains(lib.Text, "<p>") {
		t.Errorf("html item stored as source %q text %q", lib.Source, lib.Text)
	}
	if !lib.Published.Equal(e.clock.Now()) {
		t.Errorf("an item without a date: published %v, want now", lib.Published)
	}
}

func TestHandlerAcceptsOneObject(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	code, out := post(t, e.in.Handler(apiToken), "POST", "bearer "+apiToken, "application/json",
		`{"title":"One","body":"Just one article, sent on its own."}`)
	results, _ := out["results"].([]any)
	if code != 200 || len(results) != 1 || results[0].(map[string]any)["status"] != "new" {
		t.Errorf("status %d, answer %v", code, out)
	}
	// Sending it again updates nothing.
	_, out = post(t, e.in.Handler(apiToken), "POST", "Bearer "+apiToken, "application/json",
		`{"title":"One","body":"Just one article, sent on its own."}`)
	if s := out["summary"].(map[string]any); s["duplicate"] != 1.0 {
		t.Errorf("second post: %v", out)
	}
}

// unreadBody fails the test when read: a body announced too large must be refused unread.
type unreadBody struct{ t *testing.T }

func (b unreadBody) Read([]byte) (int, error) {
	b.t.Error("the body was read")
	return 0, io.EOF
}

// A request whose Content-Length is over the cap is refused with the endpoint's JSON error,
// before its body is read; one within the cap is read.
func TestHandlerRefusesAnAnnouncedBodyOverTheCapUnread(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{MaxBytes: 1024})
	h := e.in.Handler(apiToken)
	tests := []struct {
		name      string
		length    int64
		auth      string
		want      int
		wantError string
	}{
		{"a gigabyte announced", 1 << 30, "Bearer " + apiToken, 413, "request body larger than 1 KB"},
		{"one byte over the cap", 1025, "Bearer " + apiToken, 413, "request body larger than 1 KB"},
		{"over the cap without the token", 1 << 30, "Bearer wrong-token", 401, "bearer token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/api/articles", unreadBody{t})
			req.ContentLength = tt.length
			req.Header.Set("Authorization", tt.auth)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var out map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
				t.Fatalf("%d answer is not JSON: %q", rec.Code, rec.Body.String())
			}
			if ct := rec.Header().Get("Content-Type"); rec.Code != tt.want || !strings.HasPrefix(ct, "application/json") || !strings.Contains(out["error"], tt.wantError) {
				t.Errorf("answer %d %s %v, want %d and a JSON error mentioning %q", rec.Code, ct, out, tt.want, tt.wantError)
			}
		})
	}
	if got := e.failures(DefaultAPISource, "too_large"); got != 2 {
		t.Errorf("too_large metric = %v, want 2", got)
	}
}
