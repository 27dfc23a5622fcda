package image

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/metalform/terraform-provider-baremetal/internal/backoff"
	"github.com/metalform/terraform-provider-baremetal/internal/httpclient"
)

// Options configure an Engine; zero values take the defaults noted.
type Options struct {
	CacheDir      string         // required
	TLS           httpclient.TLS // trust settings for https:// sources
	Retries       int            // extra attempts after a transient failure; default 4
	BaseDelay     time.Duration  // first backoff; default 250 ms, doubling
	MaxDelay      time.Duration  // backoff cap; default 5 s
	IdleTimeout   time.Duration  // no byte for this long fails the attempt; default 60 s
	MaxRedirects  int            // default 10
	ProgressEvery time.Duration  // progress log interval; default 5 s
	// RequestTimeout bounds each probe and checksums-file request, answer and body
	// included; default 30 s. Downloads are bounded by IdleTimeout instead.
	RequestTimeout time.Duration
	// TimeoutHint names the setting that changes RequestTimeout, for error messages.
	TimeoutHint string
	Limits      Limits // eviction; zero: keep everything
	UserAgent   string
	Log         backoff.Logger
}

// DefaultRequestTimeout bounds one probe or checksums-file request.
const DefaultRequestTimeout = 30 * time.Second

// Engine fetches and verifies images.
type Engine struct {
	opts   Options
	client *http.Client // downloads: bounded by the idle watchdog
	probes *http.Client // probes and checksums files: bounded per request
	cache  cache

	prepareMu sync.Mutex
	prepared  bool

	layouts sync.Map // URL -> *layoutEntry: what Layout read (probe.go)
}

// New checks the options; it touches no file. The cache directory is created (and
// cleaned of crashed downloads) by the first fetch that needs it, so probing, which
// plans do, works on a machine whose cache directory cannot even be created.
func New(opts Options) (*Engine, error) {
	if opts.CacheDir == "" {
		return nil, errors.New("image cache directory not set")
	}
	if opts.Retries == 0 {
		opts.Retries = 4
	}
	if opts.BaseDelay == 0 {
		opts.BaseDelay = 250 * time.Millisecond
	}
	if opts.MaxDelay == 0 {
		opts.MaxDelay = 5 * time.Second
	}
	if opts.IdleTimeout == 0 {
		opts.IdleTimeout = 60 * time.Second
	}
	if opts.MaxRedirects == 0 {
		opts.MaxRedirects = 10
	}
	if opts.ProgressEvery == 0 {
		opts.ProgressEvery = 5 * time.Second
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "terraform-provider-baremetal"
	}
	if opts.RequestTimeout == 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	transport, err := httpclient.Transport(opts.TLS)
	if err != nil {
		return nil, err
	}
	e := &Engine{opts: opts, cache: cache{dir: opts.CacheDir}}
	checkRedirect := func(_ *http.Request, via []*http.Request) error {
		if len(via) >= opts.MaxRedirects {
			return &redirectError{max: opts.MaxRedirects}
		}
		return nil
	}
	e.client = &http.Client{Transport: transport, CheckRedirect: checkRedirect}
	e.probes = &http.Client{
		Transport:     httpclient.Bounded(transport, opts.RequestTimeout, opts.TimeoutHint),
		CheckRedirect: checkRedirect,
	}
	return e, nil
}

// prepare creates the cache directory and, once per engine, removes leftovers of
// crashed downloads and applies the eviction limits.
func (e *Engine) prepare(ctx context.Context) error {
	e.prepareMu.Lock()
	defer e.prepareMu.Unlock()
	if e.prepared {
		return nil
	}
	if err := os.MkdirAll(e.opts.CacheDir, 0o700); err != nil {
		return fmt.Errorf("creating image cache directory: %w", err)
	}
	if n := e.cache.sweep(); n > 0 {
		e.log(ctx, "removed leftovers of interrupted downloads", map[string]any{"files": n, "cache_dir": e.opts.CacheDir})
	}
	e.evict(ctx)
	e.prepared = true
	return nil
}

// evict applies the cache limits and logs what it removed.
func (e *Engine) evict(ctx context.Context) {
	for _, ev := range e.cache.evict(time.Now(), e.opts.Limits) {
		e.log(ctx, "evicted cached image", map[string]any{"url": ev.URL, "bytes": ev.Size, "reason": ev.Reason})
	}
}

func (e *Engine) log(ctx context.Context, msg string, fields map[string]any) {
	if e.opts.Log != nil {
		e.opts.Log(ctx, msg, fields)
	}
}

// Probe asks the source what it holds now: HEAD (or GET headers) for http(s), stat for
// file://. Plans use it; it never downloads the image.
func (e *Engine) Probe(ctx context.Context, url string) (Info, error) {
	kind, path, err := ParseSource(url)
	if err != nil {
		return Info{}, err
	}
	if kind == KindFile {
		return statInfo(path)
	}
	if kind == KindOCI {
		return e.ProbeOCI(ctx, url, OCIOptions{})
	}
	return e.probeHTTP(ctx, url)
}

func statInfo(path string) (Info, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Info{}, err
	}
	if !st.Mode().IsRegular() {
		return Info{}, fmt.Errorf("%s is not a regular file", path)
	}
	return Info{LastModified: st.ModTime().UTC(), Size: st.Size()}, nil
}

// Request is one image to fetch.
type Request struct {
	URL      string
	Expected Expected // Algorithm always set; Hex or URL when the user gave a checksum
	// PullSecret authenticates to an oci:// registry ("user:password" or a token).
	PullSecret string
}

// Result describes verified bytes.
type Result struct {
	LocalPath string // the cache file, or the file itself for file://
	Algorithm string
	Checksum  string    // lower-case hex
	Info      Info      // what the source said at fetch time; Size is the real size
	CacheHit  bool      // no download was needed
	OCI       *OCIImage // oci:// only: the manifest and layer chosen
}

// Fetch returns verified bytes for the request: from the cache when the entry is still
// fresh (by the same rules as Changed), else by downloading. file:// images are hashed in
// place. On any failure nothing partial is left and an earlier good entry is untouched.
func (e *Engine) Fetch(ctx context.Context, req Request) (*Result, error) {
	kind, path, err := ParseSource(req.URL)
	if err != nil {
		return nil, err
	}
	if kind == KindOCI {
		return e.fetchOCI(ctx, req)
	}
	expectedHex, err := e.expectedHex(ctx, req)
	if err != nil {
		return nil, err
	}
	algo := req.Expected.Algorithm
	if kind == KindFile {
		return e.hashFile(ctx, req.URL, path, algo, expectedHex)
	}
	if err := e.prepare(ctx); err != nil {
		return nil, err
	}
	res, err := e.fetchLocked(ctx, cacheKey(req.URL), req.URL, algo, expectedHex)
	if err == nil {
		e.evict(ctx) // after the entry's lock is released: it may go too if it alone exceeds the limit
	}
	return res, err
}

func (e *Engine) fetchLocked(ctx context.Context, key, url, algo, expectedHex string) (*Result, error) {
	unlock, err := e.cache.lock(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("waiting for the cache entry of %s: %w", Redact(url), err)
	}
	defer unlock()
	e.cache.cleanTemps(key)

	if meta, ok := e.cache.load(key); ok {
		if res, err := e.tryHit(ctx, key, meta, url, algo, expectedHex); res != nil || err != nil {
			return res, err
		}
	}
	return e.download(ctx, key, url, algo, expectedHex)
}

// tryHit serves a fresh entry without downloading; nil, nil means it is stale.
func (e *Engine) tryHit(ctx context.Context, key string, meta *entryMeta, url, algo, expectedHex string) (*Result, error) {
	current, err := e.probeHTTP(ctx, url)
	if err != nil {
		return nil, err
	}
	if changed, reason := Changed(KindHTTP, meta.info(), current); changed {
		e.log(ctx, "cached image is stale", map[string]any{"url": Redact(url), "reason": reason})
		return nil, nil
	}
	digest, ok := meta.Digests[algo]
	if !ok { // first use with this algorithm: hash the local copy once and remember it
		if digest, err = hashPath(ctx, e.cache.path(key, ".img"), algo); err != nil {
			return nil, err
		}
		meta.Digests[algo] = digest
	}
	meta.UsedAt = time.Now().UTC() // eviction removes the least recently used first
	if err := e.cache.writeMeta(key, meta); err != nil {
		return nil, err
	}
	if expectedHex != "" && digest != expectedHex {
		// Keep no bytes that fail the user's expectation.
		_ = e.cache.remove(key)
		return nil, &MismatchError{URL: Redact(url), Algorithm: algo, Expected: expectedHex, Actual: digest}
	}
	e.log(ctx, "image served from cache", map[string]any{"url": Redact(url), "size": meta.Size})
	return &Result{LocalPath: e.cache.path(key, ".img"), Algorithm: algo, Checksum: digest, Info: meta.info(), CacheHit: true}, nil
}

// download streams the image into a temp file, hashing in the same pass, verifies it,
// and commits it to the cache.
func (e *Engine) download(ctx context.Context, key, url, algo, expectedHex string) (*Result, error) {
	h, err := NewHash(algo)
	if err != nil {
		return nil, err
	}
	tmp, err := e.cache.newTemp(key)
	if err != nil {
		return nil, err
	}
	committed := false
	defer func() {
		if !committed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	var info Info
	var size int64
	start := time.Now()
	err = e.withRetry(ctx, "download", url, func(ctx context.Context) error {
		if err := restart(tmp, h); err != nil {
			return err
		}
		var n int64
		var err error
		info, n, err = e.downloadOnce(ctx, url, errWriter{io.MultiWriter(tmp, h)}, e.progress(ctx, url, start))
		size = n
		return err
	})
	if err != nil {
		return nil, err
	}
	digest := hex.EncodeToString(h.Sum(nil))
	if expectedHex != "" && digest != expectedHex {
		return nil, &MismatchError{URL: Redact(url), Algorithm: algo, Expected: expectedHex, Actual: digest}
	}
	if err := tmp.Sync(); err != nil {
		return nil, &writeError{err}
	}
	if err := tmp.Close(); err != nil {
		return nil, &writeError{err}
	}
	info.Size = size
	meta := &entryMeta{
		URL: Redact(url), LastModified: info.LastModified, ETag: info.ETag, Size: size, NoStore: info.NoStore,
		Digests: map[string]string{algo: digest}, FetchedAt: time.Now().UTC(),
	}
	meta.UsedAt = meta.FetchedAt
	if err := e.cache.commit(key, tmp.Name(), meta); err != nil {
		return nil, err
	}
	committed = true
	elapsed := time.Since(start)
	e.log(ctx, "image downloaded and verified", map[string]any{
		"url": Redact(url), "bytes": size, "seconds": elapsed.Seconds(), "mb_per_s": mbps(size, elapsed), "algorithm": algo,
	})
	return &Result{LocalPath: e.cache.path(key, ".img"), Algorithm: algo, Checksum: digest, Info: info}, nil
}

func restart(f *os.File, h hash.Hash) error {
	h.Reset()
	if err := f.Truncate(0); err != nil {
		return &writeError{err}
	}
	_, err := f.Seek(0, io.SeekStart)
	return err
}

// progress logs bytes and rate at most every ProgressEvery.
func (e *Engine) progress(ctx context.Context, url string, start time.Time) func(int64) {
	var total atomic.Int64
	var last atomic.Int64
	last.Store(start.UnixNano())
	return func(n int64) {
		t := total.Add(n)
		now := time.Now()
		if now.UnixNano()-last.Load() < int64(e.opts.ProgressEvery) {
			return
		}
		last.Store(now.UnixNano())
		e.log(ctx, "downloading image", map[string]any{"url": Redact(url), "bytes": t, "mb_per_s": mbps(t, now.Sub(start))})
	}
}

func mbps(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds() / 1e6
}

// hashFile checksums a file:// image in place; the file must not change while read.
func (e *Engine) hashFile(ctx context.Context, url, path, algo, expectedHex string) (*Result, error) {
	before, err := statInfo(path)
	if err != nil {
		return nil, err
	}
	digest, err := hashPath(ctx, path, algo)
	if err != nil {
		return nil, err
	}
	after, err := statInfo(path)
	if err != nil {
		return nil, err
	}
	if changed, reason := Changed(KindFile, before, after); changed {
		return nil, fmt.Errorf("%s changed while it was being read (%s); try again", path, reason)
	}
	if expectedHex != "" && digest != expectedHex {
		return nil, &MismatchError{URL: url, Algorithm: algo, Expected: expectedHex, Actual: digest}
	}
	return &Result{LocalPath: path, Algorithm: algo, Checksum: digest, Info: after}, nil
}

func hashPath(ctx context.Context, path, algo string) (string, error) {
	h, err := NewHash(algo)
	if err != nil {
		return "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := io.CopyBuffer(h, ctxReader{ctx, f}, make([]byte, copyBufferSize)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ctxReader stops a long local read when the context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// expectedHex resolves the expected digest, fetching the checksums file if one is named.
func (e *Engine) expectedHex(ctx context.Context, req Request) (string, error) {
	exp := req.Expected
	if exp.URL == "" {
		return exp.Hex, nil
	}
	var content []byte
	kind, path, err := ParseSource(exp.URL)
	if err != nil {
		return "", fmt.Errorf("checksums file: %w", err)
	}
	if kind == KindFile {
		content, err = readCapped(path, MaxChecksumsFileSize)
	} else {
		content, err = e.getSmall(ctx, exp.URL, MaxChecksumsFileSize)
	}
	if err != nil {
		return "", err
	}
	digest, fileAlgo, err := LookupChecksum(content, req.URL)
	if err != nil {
		return "", fmt.Errorf("checksums file %s: %w", Redact(exp.URL), err)
	}
	if fileAlgo != "" && fileAlgo != exp.Algorithm {
		return "", fmt.Errorf("checksums file %s gives a %s digest for this image, but checksum_algorithm is %s", Redact(exp.URL), fileAlgo, exp.Algorithm)
	}
	if _, err := hex.DecodeString(digest); err != nil || len(digest) != HexLength(exp.Algorithm) {
		return "", fmt.Errorf("checksums file %s: %q is not a %s digest", Redact(exp.URL), digest, exp.Algorithm)
	}
	return digest, nil
}

func readCapped(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("checksums file %s is larger than the %d bytes allowed", path, max)
	}
	return b, nil
}
