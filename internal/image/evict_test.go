package image

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/metalform/terraform-provider-baremetal/internal/httpclient"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// fetchAll fetches one image per name and returns their cache keys, oldest use first.
func fetchAll(t *testing.T, e *Engine, srv *imageServer, names ...string) []string {
	t.Helper()
	var keys []string
	for _, n := range names {
		url := srv.url(n)
		if _, err := e.Fetch(context.Background(), Request{URL: url, Expected: mustExpected(t, "", "md5")}); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, cacheKey(url))
	}
	return keys
}

// setLastUse backdates an entry's last use.
func setLastUse(t *testing.T, c cache, key string, at time.Time) {
	t.Helper()
	m, ok := c.load(key)
	if !ok {
		t.Fatalf("entry %s missing", key)
	}
	m.UsedAt = at
	if err := c.writeMeta(key, m); err != nil {
		t.Fatal(err)
	}
}

func present(c cache, key string) bool { _, ok := c.load(key); return ok }

func TestEvictByAgeThenLeastRecentlyUsed(t *testing.T) {
	srv := newImageServer(t, testBody(1000))
	e := newTestEngine(t)
	keys := fetchAll(t, e, srv, "a.img", "b.img", "c.img", "d.img")
	now := time.Now()
	setLastUse(t, e.cache, keys[0], now.Add(-8*24*time.Hour)) // too old
	setLastUse(t, e.cache, keys[1], now.Add(-3*time.Hour))    // least recently used of the rest
	setLastUse(t, e.cache, keys[2], now.Add(-2*time.Hour))
	setLastUse(t, e.cache, keys[3], now.Add(-1*time.Hour))

	gone := e.cache.evict(now, Limits{MaxSize: 2000, MaxAge: DefaultMaxAge})
	if len(gone) != 2 || !strings.Contains(gone[0].Reason, "unused for longer") || !strings.Contains(gone[1].Reason, "size limit") {
		t.Fatalf("evicted %+v", gone)
	}
	for i, want := range []bool{false, false, true, true} {
		if present(e.cache, keys[i]) != want {
			t.Errorf("entry %d present = %v, want %v", i, !want, want)
		}
	}
	// A hit counts as a use: c is used now, so d goes next.
	fetchAll(t, e, srv, "c.img")
	e.cache.evict(time.Now(), Limits{MaxSize: 1000})
	if !present(e.cache, keys[2]) || present(e.cache, keys[3]) {
		t.Fatal("eviction did not follow the last use")
	}
}

func TestEvictNeverRemovesAnEntryInUse(t *testing.T) {
	srv := newImageServer(t, testBody(1000))
	e := newTestEngine(t)
	keys := fetchAll(t, e, srv, "held.img", "free.img")
	setLastUse(t, e.cache, keys[0], time.Now().Add(-30*24*time.Hour))
	// Another process's fetch of "held" holds the entry's lock.
	unlock, err := lockFile(context.Background(), e.cache.path(keys[0], ".lock"))
	if err != nil {
		t.Fatal(err)
	}
	gone := e.cache.evict(time.Now(), Limits{MaxSize: 1, MaxAge: time.Hour})
	if !present(e.cache, keys[0]) {
		t.Fatal("evicted an entry whose lock was held")
	}
	if present(e.cache, keys[1]) || len(gone) != 1 {
		t.Fatalf("the free entry should have gone to make room: %+v", gone)
	}
	unlock()
	e.cache.evict(time.Now(), Limits{MaxAge: time.Hour})
	if present(e.cache, keys[0]) {
		t.Fatal("once released, the old entry should go")
	}
}

func TestFetchAppliesLimitsAndKeepsNoImageLargerThanTheCache(t *testing.T) {
	srv := newImageServer(t, testBody(5000))
	e, err := New(Options{CacheDir: t.TempDir(), Limits: Limits{MaxSize: 4000}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Fetch(context.Background(), Request{URL: srv.url("big.img"), Expected: mustExpected(t, "", "md5")})
	if err != nil || res.Checksum != md5hex(testBody(5000)) {
		t.Fatalf("%v %+v", err, res)
	}
	if files := cacheFiles(t, e); len(files) != 0 {
		t.Fatalf("an image larger than the cache was kept: %v", files)
	}
}

func TestBrokenEntriesAreEvicted(t *testing.T) {
	srv := newImageServer(t, testBody(100))
	e := newTestEngine(t)
	keys := fetchAll(t, e, srv, "x.img")
	os.WriteFile(e.cache.path(keys[0], ".img"), []byte("tampered"), 0o600)
	os.WriteFile(filepath.Join(e.opts.CacheDir, "0123.img"), []byte("no metadata"), 0o600)
	e.cache.evict(time.Now(), Limits{})
	if files := cacheFiles(t, e); len(files) != 0 {
		t.Fatalf("broken entries survived: %v", files)
	}
}

// Probing needs no cache directory: a plan works where the cache cannot even be made.
func TestProbeNeedsNoCacheDirectory(t *testing.T) {
	srv := newImageServer(t, testBody(10))
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, nil, 0o600)
	e, err := New(Options{CacheDir: filepath.Join(file, "cache")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Probe(context.Background(), srv.url("a.img")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Fetch(context.Background(), Request{URL: srv.url("a.img"), Expected: mustExpected(t, "", "md5")}); err == nil ||
		!strings.Contains(err.Error(), "creating image cache directory") {
		t.Fatalf("fetch into an impossible cache directory: %v", err)
	}
}

// A source that accepts connections and never answers: the probe and the checksums
// file fail after the request timeout and one retry, naming the setting.
func TestSilentSourceFailsInBoundedTime(t *testing.T) {
	hole, err := ironictest.NewBlackHole()
	if err != nil {
		t.Fatal(err)
	}
	defer hole.Close()
	e, err := New(Options{CacheDir: t.TempDir(), RequestTimeout: 150 * time.Millisecond, TimeoutHint: "request_timeout", BaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = e.Probe(context.Background(), hole.URL+"/os.qcow2")
	if !httpclient.IsTimeout(err) || !strings.Contains(err.Error(), hole.URL+"/os.qcow2") || !strings.Contains(err.Error(), "request_timeout") ||
		!strings.Contains(err.Error(), "after 2 attempts") {
		t.Fatalf("probe: %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("probe took %s", took)
	}
	_, err = e.Fetch(context.Background(), Request{URL: "file:///dev/null", Expected: Expected{Algorithm: "md5", URL: hole.URL + "/MD5SUMS"}})
	if !httpclient.IsTimeout(err) {
		t.Fatalf("checksums file: %v", err)
	}
	// A download that never gets an answer is bounded by the idle timeout, tried twice.
	e.opts.IdleTimeout = 150 * time.Millisecond
	start = time.Now()
	before := hole.Accepted.Load()
	_, err = e.Fetch(context.Background(), Request{URL: hole.URL + "/os.img", Expected: Expected{Algorithm: "md5"}})
	if err == nil || !strings.Contains(err.Error(), "no answer") || hole.Accepted.Load()-before > 2 {
		t.Fatalf("download: %v after %d connections", err, hole.Accepted.Load()-before)
	}
}
