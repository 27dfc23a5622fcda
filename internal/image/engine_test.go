package image

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testBody(n int) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{1, 2, 3})
	r.Read(b)
	return b
}

func newTestEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := New(Options{CacheDir: t.TempDir(), BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, IdleTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func md5hex(b []byte) string    { s := md5.Sum(b); return hex.EncodeToString(s[:]) }
func sha256hex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func mustExpected(t testing.TB, value, algo string) Expected {
	t.Helper()
	exp, err := ParseExpected(value, algo)
	if err != nil {
		t.Fatal(err)
	}
	return exp
}

// cacheFiles lists the cache directory without lock files.
func cacheFiles(t testing.TB, e *Engine) []string {
	t.Helper()
	entries, err := os.ReadDir(e.opts.CacheDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range entries {
		if !strings.HasSuffix(d.Name(), ".lock") {
			names = append(names, d.Name())
		}
	}
	return names
}

func TestFetchHTTPChecksumsAndCacheHit(t *testing.T) {
	body := testBody(3<<20 + 17)
	srv := newImageServer(t, body)
	e := newTestEngine(t)
	ctx := context.Background()

	for _, c := range []struct{ algo, want string }{{"md5", md5hex(body)}, {"sha256", sha256hex(body)}} {
		res, err := e.Fetch(ctx, Request{URL: srv.url("disk.qcow2"), Expected: mustExpected(t, "", c.algo)})
		if err != nil {
			t.Fatal(err)
		}
		if res.Checksum != c.want || res.Algorithm != c.algo {
			t.Fatalf("%s: got %s %s, want %s", c.algo, res.Algorithm, res.Checksum, c.want)
		}
		got, _ := os.ReadFile(res.LocalPath)
		if !bytes.Equal(got, body) || res.Info.Size != int64(len(body)) {
			t.Fatalf("local copy differs (%d bytes)", len(got))
		}
	}
	// The second fetch (sha256) was a cache hit: one GET in all, then a HEAD.
	if g := srv.gets.Load(); g != 1 {
		t.Fatalf("%d GETs, want 1 (second fetch should hit the cache)", g)
	}
	if h := srv.heads.Load(); h != 1 {
		t.Fatalf("%d HEADs, want 1", h)
	}
}

func TestFetchFreshnessRules(t *testing.T) {
	cases := []struct {
		name     string
		change   func(*imageServer)
		wantGets int32
	}{
		{"same Last-Modified: cache hit", func(*imageServer) {}, 1},
		{"older Last-Modified: cache hit", func(s *imageServer) { s.lastModified = "Tue, 20 Oct 2026 07:28:00 GMT" }, 1},
		{"newer Last-Modified: fetched again", func(s *imageServer) { s.lastModified = "Thu, 22 Oct 2026 07:28:00 GMT" }, 2},
		{"header removed: fetched again", func(s *imageServer) { s.lastModified = "" }, 2},
		{"header unparseable: fetched again", func(s *imageServer) { s.lastModified = "yesterday" }, 2},
		{"RFC 850 date, equal: cache hit", func(s *imageServer) { s.lastModified = "Wednesday, 21-Oct-26 07:28:00 GMT" }, 1},
		{"ANSI C date, equal: cache hit", func(s *imageServer) { s.lastModified = "Wed Oct 21 07:28:00 2026" }, 1},
		{"ETag changed, same time: fetched again", func(s *imageServer) { s.etag = `"v2"` }, 2},
		{"size changed, same time (cp -p): fetched again", func(s *imageServer) { s.body = append(s.body, 'x') }, 2},
		{"no-store: fetched again", func(s *imageServer) { s.cacheControl = "private, no-store" }, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := newImageServer(t, testBody(4096))
			srv.etag = `"v1"`
			e := newTestEngine(t)
			req := Request{URL: srv.url("x.img"), Expected: mustExpected(t, "", "md5")}
			if _, err := e.Fetch(context.Background(), req); err != nil {
				t.Fatal(err)
			}
			srv.set(c.change)
			res, err := e.Fetch(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if g := srv.gets.Load(); g != c.wantGets {
				t.Fatalf("%d GETs, want %d", g, c.wantGets)
			}
			srv.mu.Lock()
			want := md5hex(srv.body)
			srv.mu.Unlock()
			if res.Checksum != want {
				t.Fatalf("checksum %s, want %s", res.Checksum, want)
			}
		})
	}
}

func TestFetchNoLastModifiedEveryTime(t *testing.T) {
	srv := newImageServer(t, testBody(1000))
	srv.lastModified = ""
	e := newTestEngine(t)
	req := Request{URL: srv.url("dynamic.img"), Expected: mustExpected(t, "", "md5")}
	for i := 0; i < 3; i++ {
		if _, err := e.Fetch(context.Background(), req); err != nil {
			t.Fatal(err)
		}
	}
	if g := srv.gets.Load(); g != 3 {
		t.Fatalf("%d GETs, want 3", g)
	}
}

func TestProbe(t *testing.T) {
	body := testBody(1234)
	srv := newImageServer(t, body)
	srv.etag = `"abc"`
	e := newTestEngine(t)
	info, err := e.Probe(context.Background(), srv.url("a.img"))
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 10, 21, 7, 28, 0, 0, time.UTC)
	if !info.LastModified.Equal(want) || info.ETag != `"abc"` || info.Size != 1234 {
		t.Fatalf("probe: %+v", info)
	}
	if srv.gets.Load() != 0 {
		t.Fatal("probe downloaded the image")
	}
	// HEAD refused: the probe falls back to a GET and reads only the headers.
	srv.set(func(s *imageServer) { s.headStatus = http.StatusMethodNotAllowed })
	if info, err = e.Probe(context.Background(), srv.url("a.img")); err != nil || info.Size != 1234 {
		t.Fatalf("probe after HEAD 405: %+v %v", info, err)
	}
	// Without Content-Length on HEAD: also a GET.
	srv.set(func(s *imageServer) { s.headStatus = 0; s.noLength = true })
	if _, err = e.Probe(context.Background(), srv.url("a.img")); err != nil {
		t.Fatal(err)
	}
	if g := srv.gets.Load(); g != 2 {
		t.Fatalf("%d GETs, want 2", g)
	}
	// 404: an error naming the URL, no retry.
	srv.set(func(s *imageServer) { s.status = http.StatusNotFound })
	heads := srv.heads.Load()
	_, err = e.Probe(context.Background(), srv.url("a.img"))
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 404 || !strings.Contains(err.Error(), "/images/a.img") {
		t.Fatalf("404 probe: %v", err)
	}
	if srv.heads.Load() != heads+1 {
		t.Fatal("a 404 was retried")
	}
}

func TestFetchFaults(t *testing.T) {
	body := testBody(256 << 10)
	cases := []struct {
		name     string
		fault    func(*imageServer)
		wantErr  string // "" means success
		wantGets int32
	}{
		{"500 then 200", func(s *imageServer) { s.failGets = 1 }, "", 2},
		{"truncated then whole", func(s *imageServer) { s.truncGets = 2 }, "", 3},
		{"stalled then whole", func(s *imageServer) { s.stallGets = 1 }, "", 2},
		{"always 500", func(s *imageServer) { s.failGets = 100 }, "HTTP 500", 5},
		{"always truncated", func(s *imageServer) { s.truncGets = 100 }, "after 5 attempts", 5},
		{"always stalls", func(s *imageServer) { s.stallGets = 100 }, "idle timeout", 5},
		{"404 is not retried", func(s *imageServer) { s.status = http.StatusNotFound }, "HTTP 404", 1},
		{"403 is not retried", func(s *imageServer) { s.status = http.StatusForbidden }, "HTTP 403", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := newImageServer(t, body)
			srv.set(c.fault)
			e := newTestEngine(t)
			res, err := e.Fetch(context.Background(), Request{URL: srv.url("f.img"), Expected: mustExpected(t, "", "sha256")})
			if g := srv.gets.Load(); g != c.wantGets {
				t.Errorf("%d GETs, want %d", g, c.wantGets)
			}
			if c.wantErr == "" {
				if err != nil || res.Checksum != sha256hex(body) {
					t.Fatalf("want success, got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, c.wantErr)
			}
			if files := cacheFiles(t, e); len(files) != 0 {
				t.Fatalf("failed fetch left %v in the cache", files)
			}
		})
	}
}

func TestFetchChecksumMismatchKeepsNothingAndKeepsGoodEntry(t *testing.T) {
	body := testBody(10000)
	srv := newImageServer(t, body)
	e := newTestEngine(t)
	wrong := strings.Repeat("0", 32)
	_, err := e.Fetch(context.Background(), Request{URL: srv.url("m.img"), Expected: mustExpected(t, wrong, "")})
	var mm *MismatchError
	if !errors.As(err, &mm) || mm.Expected != wrong || mm.Actual != md5hex(body) || mm.Algorithm != "md5" ||
		!strings.Contains(err.Error(), srv.url("m.img")) {
		t.Fatalf("mismatch error: %v", err)
	}
	if files := cacheFiles(t, e); len(files) != 0 {
		t.Fatalf("mismatch left %v in the cache", files)
	}

	// A good entry survives a later bad download.
	good, err := e.Fetch(context.Background(), Request{URL: srv.url("m.img"), Expected: mustExpected(t, md5hex(body), "")})
	if err != nil {
		t.Fatal(err)
	}
	srv.set(func(s *imageServer) { s.body = testBody(9999); s.lastModified = "Thu, 22 Oct 2026 07:28:00 GMT" })
	if _, err := e.Fetch(context.Background(), Request{URL: srv.url("m.img"), Expected: mustExpected(t, md5hex(body), "")}); !errors.As(err, &mm) {
		t.Fatalf("want a mismatch, got %v", err)
	}
	got, _ := os.ReadFile(good.LocalPath)
	if !bytes.Equal(got, body) {
		t.Fatal("the good entry was replaced by a failed download")
	}
	if _, ok := e.cache.load(cacheKey(srv.url("m.img"))); !ok {
		t.Fatal("the good entry's metadata was lost")
	}
}

func TestFetchRedirects(t *testing.T) {
	body := testBody(100)
	srv := newImageServer(t, body)
	mux := http.NewServeMux()
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, srv.url("r.img"), http.StatusFound) })
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	front := newHandlerServer(t, mux)
	e := newTestEngine(t)
	res, err := e.Fetch(context.Background(), Request{URL: front + "/moved", Expected: mustExpected(t, "", "md5")})
	if err != nil || res.Checksum != md5hex(body) {
		t.Fatalf("redirect: %v", err)
	}
	_, err = e.Fetch(context.Background(), Request{URL: front + "/loop", Expected: mustExpected(t, "", "md5")})
	if err == nil || !strings.Contains(err.Error(), "redirect") || strings.Contains(err.Error(), "attempts") {
		t.Fatalf("redirect loop: %v (want one attempt and a redirect error)", err)
	}
}

func TestFetchChecksumsFile(t *testing.T) {
	body := testBody(5000)
	srv := newImageServer(t, body)
	sums := "# SHA256 sums\n" + sha256hex([]byte("other")) + "  other.img\n" + sha256hex(body) + " *c.img\n"
	mux := http.NewServeMux()
	mux.HandleFunc("/SHA256SUMS", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(sums)) })
	mux.HandleFunc("/BSD", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("SHA256 (c.img) = " + sha256hex(body) + "\n"))
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("# nothing\n")) })
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("a"), MaxChecksumsFileSize+1))
	})
	sumsSrv := newHandlerServer(t, mux)
	e := newTestEngine(t)
	ctx := context.Background()

	res, err := e.Fetch(ctx, Request{URL: srv.url("c.img"), Expected: mustExpected(t, sumsSrv+"/SHA256SUMS", "sha256")})
	if err != nil || res.Checksum != sha256hex(body) {
		t.Fatalf("GNU checksums file: %v", err)
	}
	if _, err := e.Fetch(ctx, Request{URL: srv.url("c.img"), Expected: mustExpected(t, sumsSrv+"/BSD", "sha256")}); err != nil {
		t.Fatalf("BSD checksums file: %v", err)
	}
	if _, err := e.Fetch(ctx, Request{URL: srv.url("c.img"), Expected: mustExpected(t, sumsSrv+"/BSD", "")}); err == nil ||
		!strings.Contains(err.Error(), "gives a sha256 digest") {
		t.Fatalf("BSD sha256 with md5 algorithm: %v", err)
	}
	if _, err := e.Fetch(ctx, Request{URL: srv.url("c.img"), Expected: mustExpected(t, sumsSrv+"/empty", "sha256")}); err == nil ||
		!strings.Contains(err.Error(), `no entry for "c.img"`) {
		t.Fatalf("no entry: %v", err)
	}
	if _, err := e.Fetch(ctx, Request{URL: srv.url("c.img"), Expected: mustExpected(t, sumsSrv+"/huge", "sha256")}); err == nil ||
		!strings.Contains(err.Error(), "larger than") {
		t.Fatalf("oversized checksums file: %v", err)
	}
	dir := t.TempDir()
	local := filepath.Join(dir, "SHA256SUMS")
	os.WriteFile(local, []byte(sums), 0o600)
	if _, err := e.Fetch(ctx, Request{URL: srv.url("c.img"), Expected: mustExpected(t, "file://"+local, "sha256")}); err != nil {
		t.Fatalf("file:// checksums file: %v", err)
	}
}

func TestFetchFileInPlace(t *testing.T) {
	body := testBody(70000)
	path := filepath.Join(t.TempDir(), "deploy.vmlinuz")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	e := newTestEngine(t)
	s512 := sha512.Sum512(body)
	res, err := e.Fetch(context.Background(), Request{URL: "file://" + path, Expected: mustExpected(t, "sha512:"+strings.ToUpper(hex.EncodeToString(s512[:])), "")})
	if err != nil {
		t.Fatal(err)
	}
	if res.LocalPath != path || res.Algorithm != "sha512" || res.Info.Size != int64(len(body)) {
		t.Fatalf("file fetch: %+v", res)
	}
	if files := cacheFiles(t, e); len(files) != 0 {
		t.Fatalf("file:// image was copied into the cache: %v", files)
	}
	before, _ := e.Probe(context.Background(), "file://"+path)
	later := time.Now().Add(time.Minute)
	os.Chtimes(path, later, later)
	after, _ := e.Probe(context.Background(), "file://"+path)
	if changed, reason := Changed(KindFile, before, after); !changed || !strings.Contains(reason, "modification time") {
		t.Fatalf("touch not noticed: %v %q", changed, reason)
	}
	if _, err := e.Fetch(context.Background(), Request{URL: "file://" + path + ".missing", Expected: mustExpected(t, "", "md5")}); err == nil {
		t.Fatal("missing file accepted")
	}
}

func TestSweepRemovesOrphansButNotActiveDownloads(t *testing.T) {
	dir := t.TempDir()
	orphan := filepath.Join(dir, "aaaa.tmp-123")
	active := filepath.Join(dir, "bbbb.tmp-456")
	os.WriteFile(orphan, []byte("partial"), 0o600)
	os.WriteFile(active, []byte("partial"), 0o600)
	unlock, err := lockFile(context.Background(), filepath.Join(dir, "bbbb.lock"))
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	// The sweep logs with the caller's context: tflog drops lines logged with any other.
	type key struct{}
	var logged []any
	e, err := New(Options{CacheDir: dir, Log: func(ctx context.Context, msg string, _ map[string]any) {
		if strings.Contains(msg, "leftovers") {
			logged = append(logged, ctx.Value(key{}))
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.prepare(context.WithValue(context.Background(), key{}, "caller")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Fatal("orphaned temp file survived")
	}
	if _, err := os.Stat(active); err != nil {
		t.Fatal("a download in progress lost its temp file")
	}
	if len(logged) != 1 || logged[0] != "caller" {
		t.Fatalf("sweep logged with contexts %v, want the caller's", logged)
	}
}

func TestFetchRespectsContext(t *testing.T) {
	srv := newImageServer(t, testBody(1<<20))
	srv.stallGets = 1
	e, _ := New(Options{CacheDir: t.TempDir(), IdleTimeout: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.Fetch(ctx, Request{URL: srv.url("slow.img"), Expected: mustExpected(t, "", "md5")})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want deadline exceeded, got %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("cancellation was not prompt")
	}
	if files := cacheFiles(t, e); len(files) != 0 {
		t.Fatalf("cancelled fetch left %v", files)
	}
}

func newHandlerServer(t testing.TB, h http.Handler) string {
	s := httptestServer(h)
	t.Cleanup(s.Close)
	return s.URL
}
