package daemon_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/internal/daemon"
)

// A body announced larger than the cap is turned away with 413: in the JSON of the endpoint's
// other errors on POST /api/articles, in plain text elsewhere.
func TestA413ForAnAnnouncedBodyIsJSONOnTheIngestAPI(t *testing.T) {
	cfg := consoleConfig(t, t.TempDir())
	cfg.Ingest.MaxBytes = 2 * config.MB
	app, err := daemon.New(cfg, daemon.Options{Logger: testLogger(t), Console: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, app)
	tests := []struct {
		name      string
		path      string
		token     string
		size      int
		want      int
		wantJSON  bool
		wantError string
	}{
		{"over the cap on the ingest API", "/api/articles", testIngestToken, 3 << 20, 413, true, "request body larger than 2 MB"},
		{"over the cap without the token", "/api/articles", "wrong-token", 3 << 20, 401, true, "bearer token"},
		{"over the cap elsewhere", "/healthz", "", 3 << 20, 413, false, "request body larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, r.url+tt.path, bytes.NewReader(bytes.Repeat([]byte("x"), tt.size)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tt.token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tt.want, body)
			}
			ct := resp.Header.Get("Content-Type")
			if isJSON := strings.HasPrefix(ct, "application/json"); isJSON != tt.wantJSON {
				t.Errorf("Content-Type %q, want JSON: %v", ct, tt.wantJSON)
			}
			msg := string(body)
			if tt.wantJSON {
				var out map[string]string
				if err := json.Unmarshal(body, &out); err != nil {
					t.Fatalf("answer is not JSON: %q", body)
				}
				msg = out["error"]
			}
			if !strings.Contains(msg, tt.wantError) {
				t.Errorf("error %q, want it to mention %q", msg, tt.wantError)
			}
		})
	}
}
