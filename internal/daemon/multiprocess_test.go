package daemon_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to make a schema per test

	"github.com/briefbot/briefbot/briefing/store"
	"github.com/briefbot/briefbot/internal/demo"
	"github.com/briefbot/briefbot/internal/fakeslack"
)

// EnvTestPostgres names the PostgreSQL database the multi-process tests share between processes.
const EnvTestPostgres = "BRIEFBOT_TEST_POSTGRES"

// postgresSchema makes a schema of its own for a test in the database of $BRIEFBOT_TEST_POSTGRES
// and returns a DSN that uses it; the test is skipped when the variable is unset.
func postgresSchema(t *testing.T) string {
	t.Helper()
	dsn := requirePostgres(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "bb_mp_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		db.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = db.Exec("DROP SCHEMA " + schema + " CASCADE")
		db.Close()
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// requirePostgres returns $BRIEFBOT_TEST_POSTGRES, skipping the test when it is unset.
func requirePostgres(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv(EnvTestPostgres)
	if dsn == "" {
		t.Skipf("%s is not set: the multi-process test needs a PostgreSQL database, e.g. %s=postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
			EnvTestPostgres, EnvTestPostgres)
	}
	return dsn
}

// buildBriefbot builds the briefbot binary into a temporary folder, once per test binary.
var buildBriefbot = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "briefbot-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "briefbot")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/briefbot/briefbot/cmd/briefbot").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// replica is one `briefbot run` process.
type replica struct {
	name string
	cmd  *exec.Cmd
	log  *lockedWriter // its stdout and stderr
	done chan error    // its exit, once
}

// startReplica starts `briefbot run --config cfg --replica-id name`.
func startReplica(t *testing.T, bin, cfg, name string) *replica {
	t.Helper()
	r := &replica{name: name, log: &lockedWriter{w: &bytes.Buffer{}}, done: make(chan error, 1)}
	r.cmd = exec.Command(bin, "run", "--config", cfg, "--replica-id", name)
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { r.done <- r.cmd.Wait() }()
	t.Cleanup(func() {
		r.terminate(t)
		if t.Failed() {
			t.Logf("log of %s:\n%s", name, r.log.String())
		}
	})
	return r
}

// terminate stops the process with SIGTERM and waits for its clean exit.
func (r *replica) terminate(t *testing.T) {
	select {
	case err := <-r.done: // exited already
		r.done <- err
		return
	default:
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-r.done:
		r.done <- err
		if err != nil && !strings.Contains(err.Error(), "killed") {
			t.Errorf("%s exited with %v after SIGTERM", r.name, err)
		}
	case <-time.After(30 * time.Second):
		_ = r.cmd.Process.Kill()
		t.Errorf("%s did not exit within 30s of SIGTERM", r.name)
	}
}

// kill ends the process with SIGKILL: no shutdown, claims left behind.
func (r *replica) kill(t *testing.T) {
	_ = r.cmd.Process.Kill()
	select {
	case err := <-r.done:
		r.done <- err
	case <-time.After(10 * time.Second):
		t.Fatalf("%s survived SIGKILL", r.name)
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.String()
}

// multiSetup is what the multi-process tests share: a PostgreSQL schema, the sample articles
// in a folder, and a config file pointing at a Slack API.
type multiSetup struct {
	dsn, cfg string
	st       store.Store
	slot     time.Time // the slot every subscription has due
}

// newMultiSetup writes the config and creates n subscriptions, each with one slot due: the
// minute just begun, as a daily schedule, for subscriptions created a few minutes before. The
// processes deliver it at once (on time or marked late, within the grace window).
func newMultiSetup(t *testing.T, slackURL string, n int) *multiSetup {
	t.Helper()
	dsn := postgresSchema(t)
	dir := t.TempDir()
	articles := filepath.Join(dir, "articles")
	if err := os.MkdirAll(articles, 0o755); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	files, err := demo.Files(now)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(articles, f.Name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(dir, "briefbot.yaml")
	yaml := fmt.Sprintf(`
store: %q
http: {listen: "127.0.0.1:0"}
slack:
  mode: http
  bot_token: %s
  signing_secret: %s
  api_url: %s
sources:
  - {name: samples, path: %q, every: 1h}
topics:
  ports: {query: 'port OR dockworkers OR harbour'}
schedule: {lease: 10s}
log: {level: debug, format: json}
`, dsn, testBotToken, testSigningSecret, slackURL, articles)
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	slot := now.UTC().Truncate(time.Minute)
	spec := fmt.Sprintf("%d %d * * *", slot.Minute(), slot.Hour())
	for i := 1; i <= n; i++ {
		_, err := st.PutSubscription(ctx, store.Subscription{
			Platform: "slack", ChannelID: fmt.Sprintf("C%09d", i), Topic: "ports",
			Schedule: spec, Timezone: "UTC", Stories: 3,
			CreatedAt: slot.Add(-5 * time.Minute), CreatedBy: "U0ADMIN",
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return &multiSetup{dsn: dsn, cfg: cfg, st: st, slot: slot}
}

// waitDelivered waits until every subscription's slot is finished in the ledger.
func (m *multiSetup) waitDelivered(t *testing.T, n int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		subs, err := m.st.Subscriptions(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		finished := 0
		for _, s := range subs {
			slots, err := m.st.Slots(context.Background(), s.ID, 10)
			if err != nil {
				t.Fatal(err)
			}
			for _, sl := range slots {
				if sl.Key.At.Equal(m.slot) && sl.State == store.SlotDelivered {
					finished++
				}
			}
		}
		if finished == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d slots delivered after %s", finished, n, within)
		}
		time.Sleep(200 * time.Millisecond) // the processes are outside this test's clock
	}
}

// postsByKey counts the first messages of each delivery (part 0) by delivery key and channel.
func postsByKey(fs *fakeslack.Server) (byKey map[string]int, byChannel map[string]int) {
	byKey, byChannel = map[string]int{}, map[string]int{}
	for _, p := range fs.Posts() {
		if p.Metadata == nil {
			continue
		}
		if part, _ := p.Metadata.EventPayload["part"].(float64); part != 0 {
			continue
		}
		key, _ := p.Metadata.EventPayload["key"].(string)
		byKey[key]++
		byChannel[p.Channel]++
	}
	return byKey, byChannel
}

func TestThreeReplicasOnOnePostgreSQLPostEachOfFiftySlotsExactlyOnceDespite429sAnd5xx(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three briefbot processes")
	}
	requirePostgres(t)
	bin, err := buildBriefbot()
	if err != nil {
		t.Fatal(err)
	}
	fs := fakeslack.New(t)
	fs.FailNext("chat.postMessage", http.StatusTooManyRequests, time.Second, 6)
	fs.FailNext("chat.postMessage", http.StatusServiceUnavailable, 0, 6)
	const n = 50
	m := newMultiSetup(t, fs.URL(), n)
	for _, name := range []string{"replica-a", "replica-b", "replica-c"} {
		startReplica(t, bin, m.cfg, name)
	}
	began := time.Now()
	m.waitDelivered(t, n, 60*time.Second)
	t.Logf("%d slots delivered by 3 replicas in %s", n, time.Since(began).Round(100*time.Millisecond))

	byKey, byChannel := postsByKey(fs)
	if len(byChannel) != n {
		t.Errorf("%d channels got a briefing, want %d", len(byChannel), n)
	}
	for key, c := range byKey {
		if c != 1 {
			t.Errorf("delivery %s was posted %d times", key, c)
		}
	}
	failed := 0
	for _, r := range fs.Calls("chat.postMessage") {
		if r.Status != http.StatusOK {
			failed++
		}
	}
	if failed != 12 {
		t.Errorf("%d failed post attempts reached the fake, want the 12 injected (6 × 429, 6 × 503)", failed)
	}
}

// holdingProxy passes requests to a Slack API, except that it forwards the first
// chat.postMessage and then holds its answer back until released: the post is made, but its
// sender never hears so.
type holdingProxy struct {
	srv      *httptest.Server
	held     chan struct{} // closed when the first post is held
	release  chan struct{}
	holdOnce sync.Once
}

func newHoldingProxy(t *testing.T, target string) *holdingProxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &holdingProxy{held: make(chan struct{}), release: make(chan struct{})}
	rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(&url.URL{Scheme: u.Scheme, Host: u.Host})
	}}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hold := false
		if strings.HasSuffix(r.URL.Path, "/chat.postMessage") {
			p.holdOnce.Do(func() { hold = true })
		}
		if !hold {
			rp.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		rp.ServeHTTP(rec, r)
		close(p.held)
		select {
		case <-p.release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() {
		select {
		case <-p.release:
		default:
			close(p.release)
		}
		p.srv.Close()
	})
	return p
}

func TestAReplicaKilledMidPostAndRestartedLeavesExactlyOnePostPerSlot(t *testing.T) {
	if testing.Short() {
		t.Skip("starts briefbot processes")
	}
	requirePostgres(t)
	bin, err := buildBriefbot()
	if err != nil {
		t.Fatal(err)
	}
	fs := fakeslack.New(t)
	proxy := newHoldingProxy(t, fs.URL())
	const n = 5
	m := newMultiSetup(t, proxy.srv.URL+"/api/", n)

	a := startReplica(t, bin, m.cfg, "replica-a")
	select {
	case <-proxy.held:
	case <-time.After(30 * time.Second):
		t.Fatal("replica-a posted nothing within 30s")
	}
	// replica-a's first post is in the channel, but replica-a dies before it hears so: its
	// claim is left in the ledger, unfinished.
	a.kill(t)
	close(proxy.release)

	startReplica(t, bin, m.cfg, "replica-a") // restarted under the same name
	startReplica(t, bin, m.cfg, "replica-b")
	m.waitDelivered(t, n, 60*time.Second)

	byKey, byChannel := postsByKey(fs)
	if len(byChannel) != n {
		t.Errorf("%d channels got a briefing, want %d", len(byChannel), n)
	}
	for key, c := range byKey {
		if c != 1 {
			t.Errorf("delivery %s was posted %d times: the retry after the crash posted again", key, c)
		}
	}
	if len(fs.Calls("conversations.history")) == 0 {
		t.Errorf("the slot left unfinished by the crash was retried without looking for its earlier post")
	}
}
