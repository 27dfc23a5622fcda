package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/metalform/terraform-provider-baremetal/internal/httpclient"
)

// fakeRegistry is an in-process OCI distribution registry: blobs, manifests by digest,
// tags, and optionally basic or bearer-token auth.
type fakeRegistry struct {
	*httptest.Server
	mu        sync.Mutex
	blobs     map[string][]byte
	manifests map[string][]byte
	types     map[string]string
	tags      map[string]string
	auth      string // "", "basic", "bearer"
	user, pw  string
	noDigest  bool // send no Docker-Content-Digest
	blobGets  atomic.Int32
	seenAuth  []string // Authorization headers on blob requests
}

func newFakeRegistry(t testing.TB, tlsServer bool) *fakeRegistry {
	r := &fakeRegistry{blobs: map[string][]byte{}, manifests: map[string][]byte{}, types: map[string]string{}, tags: map[string]string{}}
	if tlsServer {
		r.Server = httptest.NewTLSServer(r)
	} else {
		r.Server = httptest.NewServer(r)
	}
	t.Cleanup(r.Close)
	return r
}

func (r *fakeRegistry) host() string {
	return strings.TrimPrefix(strings.TrimPrefix(r.URL, "http://"), "https://")
}

func digestOf(b []byte) string { s := sha256.Sum256(b); return "sha256:" + hex.EncodeToString(s[:]) }

func (r *fakeRegistry) blob(b []byte) ociDescriptor {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := digestOf(b)
	r.blobs[d] = b
	return ociDescriptor{MediaType: "application/octet-stream", Digest: d, Size: int64(len(b))}
}

func (r *fakeRegistry) putManifest(mediaType string, v any) string {
	b, _ := json.Marshal(v)
	r.mu.Lock()
	defer r.mu.Unlock()
	d := digestOf(b)
	r.manifests[d] = b
	r.types[d] = mediaType
	return d
}

// artifact pushes a disk image as an ORAS-style artifact and returns the manifest digest.
func (r *fakeRegistry) artifact(disk []byte) string {
	layer := r.blob(disk)
	layer.Annotations = map[string]string{"org.opencontainers.image.title": "disk.raw"}
	cfg := r.blob([]byte("{}"))
	cfg.MediaType = MediaOCIEmpty
	return r.putManifest(MediaOCIManifest, map[string]any{
		"schemaVersion": 2, "mediaType": MediaOCIManifest, "artifactType": "application/vnd.example.disk",
		"config": cfg, "layers": []ociDescriptor{layer},
	})
}

func (r *fakeRegistry) tag(name, digest string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tags[name] = digest
}

func (r *fakeRegistry) authorized(req *http.Request) bool {
	switch r.auth {
	case "basic":
		u, p, ok := req.BasicAuth()
		return ok && u == r.user && p == r.pw
	case "bearer":
		return req.Header.Get("Authorization") == "Bearer tok-"+r.user
	}
	return true
}

func (r *fakeRegistry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	p := req.URL.Path
	if p == "/token" {
		u, pw, ok := req.BasicAuth()
		if !ok || u != r.user || pw != r.pw || req.URL.Query().Get("scope") != "repository:disks/fedora:pull" {
			http.Error(w, "denied", http.StatusUnauthorized)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"token": "tok-" + u})
		return
	}
	if !r.authorized(req) {
		switch r.auth {
		case "basic":
			w.Header().Set("WWW-Authenticate", `Basic realm="registry"`)
		case "bearer":
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="%s/token",service="fake"`, r.URL))
		}
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if p == "/v2/" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if ref, ok := strings.CutPrefix(p, "/v2/disks/fedora/manifests/"); ok {
		d := ref
		if t, ok := r.tags[ref]; ok {
			d = t
		}
		body, ok := r.manifests[d]
		if !ok {
			http.Error(w, `{"errors":[{"code":"MANIFEST_UNKNOWN"}]}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", r.types[d])
		if !r.noDigest {
			w.Header().Set("Docker-Content-Digest", d)
		}
		w.Write(body)
		return
	}
	if d, ok := strings.CutPrefix(p, "/v2/disks/fedora/blobs/"); ok {
		r.blobGets.Add(1)
		r.seenAuth = append(r.seenAuth, req.Header.Get("Authorization"))
		if b, ok := r.blobs[d]; ok {
			w.Write(b)
			return
		}
	}
	http.NotFound(w, req)
}

func TestParseOCI(t *testing.T) {
	d := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		in, repo, tag, digest, err string
	}{
		{in: "oci://quay.io/disks/fedora:42", repo: "disks/fedora", tag: "42"},
		{in: "oci://127.0.0.1:5000/disks/fedora", repo: "disks/fedora", tag: "latest"},
		{in: "oci://127.0.0.1:5000/disks/fedora@sha256:" + d, repo: "disks/fedora", digest: "sha256:" + d},
		{in: "oci://reg/disks/fedora@sha256:abc", err: "64 hex digits"},
		{in: "oci://reg/disks/fedora@md5:" + d[:32], err: "not a sha256: or sha512: digest"},
		{in: "oci:///disks/fedora", err: "names no registry"},
		{in: "oci://reg/Disks:1", err: "not a valid repository"},
		{in: "oci://reg/disks:bad/tag", err: "not a valid tag"},
	} {
		ref, err := ParseOCI(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || ref.Repository != tc.repo || ref.Tag != tc.tag || ref.Digest != tc.digest {
			t.Errorf("%s: %+v, %v", tc.in, ref, err)
		}
		if kind, _, err := ParseSource(tc.in); err != nil || kind != KindOCI {
			t.Errorf("ParseSource(%s) = %v, %v", tc.in, kind, err)
		}
	}
	if !(OCIRef{Registry: "127.0.0.1:5000"}).loopback() || (OCIRef{Registry: "registry.example:5000"}).loopback() {
		t.Error("loopback")
	}
}

func TestOCIFetchByTag(t *testing.T) {
	r := newFakeRegistry(t, false)
	disk := testBody(3 << 20)
	m := r.artifact(disk)
	r.tag("42", m)
	// A loopback registry in plain HTTP: HTTPS is tried once, not retried.
	e, err := New(Options{CacheDir: t.TempDir(), BaseDelay: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	url := "oci://" + r.host() + "/disks/fedora:42"
	start := time.Now()
	res, err := e.Fetch(context.Background(), Request{URL: url, Expected: Expected{Algorithm: "sha256"}})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Errorf("the fetch took %s: the HTTPS attempt was retried", d)
	}
	if res.Algorithm != "sha256" || res.Checksum != sha256hex(disk) || res.Info.Size != int64(len(disk)) {
		t.Fatalf("result %+v; want the disk layer's sha256 %s", res, sha256hex(disk))
	}
	if res.Info.Digest != m || res.OCI.Manifest != m || res.OCI.Pinned() != "oci://"+r.host()+"/disks/fedora@"+m || res.OCI.Title != "disk.raw" {
		t.Fatalf("digest %s, OCI %+v; want manifest %s", res.Info.Digest, res.OCI, m)
	}
	got, _ := os.ReadFile(res.LocalPath)
	if string(got) != string(disk) {
		t.Fatal("cached bytes differ")
	}
	// The blob is content-addressed: a second fetch is served from the cache.
	res2, err := e.Fetch(context.Background(), Request{URL: url, Expected: Expected{Algorithm: "sha256"}})
	if err != nil || !res2.CacheHit || r.blobGets.Load() != 1 {
		t.Fatalf("second fetch: hit %v, blob GETs %d, %v", res2 != nil && res2.CacheHit, r.blobGets.Load(), err)
	}
	// An expected checksum that is not the layer's fails.
	_, err = e.Fetch(context.Background(), Request{URL: url, Expected: Expected{Algorithm: "sha256", Hex: strings.Repeat("0", 64)}})
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("wrong expected checksum: %v", err)
	}
}

func TestOCIFetchByDigestAndMovedTag(t *testing.T) {
	r := newFakeRegistry(t, false)
	r.noDigest = true // the digest comes from the bytes
	old := r.artifact(testBody(1000))
	r.tag("stable", old)
	e := newTestEngine(t)
	ctx := context.Background()
	tagURL := "oci://" + r.host() + "/disks/fedora:stable"
	before, err := e.Probe(ctx, tagURL)
	if err != nil || before.Digest != old {
		t.Fatalf("probe: %+v, %v; want %s", before, err, old)
	}
	newDisk := testBody(2000)
	moved := r.artifact(newDisk)
	r.tag("stable", moved)
	after, err := e.Probe(ctx, tagURL)
	if err != nil || after.Digest != moved {
		t.Fatalf("probe after move: %+v, %v", after, err)
	}
	if changed, reason := Changed(KindOCI, before, after); !changed || !strings.Contains(reason, moved) {
		t.Fatalf("moved tag: changed %v (%s)", changed, reason)
	}
	if changed, _ := Changed(KindOCI, after, after); changed {
		t.Fatal("same digest counts as changed")
	}
	// By digest: the old manifest, still there.
	res, err := e.Fetch(ctx, Request{URL: "oci://" + r.host() + "/disks/fedora@" + old, Expected: Expected{Algorithm: "sha256"}})
	if err != nil || res.Checksum != sha256hex(testBody(1000)) || res.Info.Digest != old {
		t.Fatalf("by digest: %+v, %v", res, err)
	}
	if _, err := e.Fetch(ctx, Request{URL: "oci://" + r.host() + "/disks/fedora@sha256:" + strings.Repeat("1", 64)}); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("unknown digest: %v", err)
	}
}

func TestOCIIndexChoosesAsIronic(t *testing.T) {
	r := newFakeRegistry(t, false)
	raw, qcow, arm := testBody(100), testBody(200), testBody(300)
	mRaw, mQcow, mArm := r.artifact(raw), r.artifact(qcow), r.artifact(arm)
	desc := func(d, arch, disk string) map[string]any {
		return map[string]any{"mediaType": MediaOCIManifest, "digest": d, "size": 1,
			"platform": map[string]string{"architecture": arch, "os": "linux"}, "annotations": map[string]string{"disktype": disk}}
	}
	idx := r.putManifest(MediaOCIIndex, map[string]any{"schemaVersion": 2, "mediaType": MediaOCIIndex, "manifests": []any{
		desc(mQcow, "amd64", "qcow2"), desc(mArm, "arm64", "raw"), desc(mRaw, "amd64", "raw"),
	}})
	r.tag("multi", idx)
	e := newTestEngine(t)
	ctx := context.Background()
	url := "oci://" + r.host() + "/disks/fedora:multi"
	for _, tc := range []struct {
		opts       OCIOptions
		want, disk string
	}{
		{OCIOptions{}, mArm, "raw"},                                              // raw first, the index's order among equals
		{OCIOptions{CPUArch: "x86_64"}, mRaw, "raw"},                             // x86_64 matches amd64
		{OCIOptions{CPUArch: "aarch64"}, mArm, "raw"},                            // aarch64 matches arm64
		{OCIOptions{CPUArch: "x86_64", DownloadSource: "local"}, mQcow, "qcow2"}, // the conductor prefers qcow2
	} {
		img, err := e.ResolveOCI(ctx, url, tc.opts)
		if err != nil || img.Manifest != tc.want || img.DiskFormat != tc.disk || img.Resolved != idx {
			t.Errorf("%+v: %+v, %v; want %s", tc.opts, img, err, tc.want)
		}
	}
	if _, err := e.ResolveOCI(ctx, url, OCIOptions{CPUArch: "ppc64le"}); err == nil || !strings.Contains(err.Error(), "no manifest Ironic would deploy") {
		t.Errorf("no match: %v", err)
	}
	if _, err := e.ResolveOCI(ctx, "oci://"+r.host()+"/disks/fedora@"+idx, OCIOptions{}); err == nil || !strings.Contains(err.Error(), "image index") {
		t.Errorf("index by digest: %v", err)
	}
}

func TestOCIRefusesWhatIronicRefuses(t *testing.T) {
	r := newFakeRegistry(t, false)
	layer := r.blob(testBody(10))
	cfg := r.blob([]byte(`{"architecture":"amd64"}`))
	cfg.MediaType = "application/vnd.oci.image.config.v1+json"
	container := r.putManifest(MediaOCIManifest, map[string]any{"schemaVersion": 2, "mediaType": MediaOCIManifest, "config": cfg, "layers": []ociDescriptor{layer}})
	r.tag("container", container)
	docker := r.putManifest("application/vnd.docker.distribution.manifest.v2+json", map[string]any{"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "config": cfg, "layers": []ociDescriptor{layer}})
	r.tag("docker", docker)
	e := newTestEngine(t)
	for tag, want := range map[string]string{"container": "bootc", "docker": "Ironic does not read", "missing": "not found"} {
		_, err := e.ResolveOCI(context.Background(), "oci://"+r.host()+"/disks/fedora:"+tag, OCIOptions{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", tag, err, want)
		}
	}
}

func TestOCIBearerAndBasicAuth(t *testing.T) {
	for _, mode := range []string{"bearer", "basic"} {
		t.Run(mode, func(t *testing.T) {
			r := newFakeRegistry(t, false)
			r.auth, r.user, r.pw = mode, "puller", "s3cret"
			disk := testBody(5000)
			r.tag("42", r.artifact(disk))
			e := newTestEngine(t)
			url := "oci://" + r.host() + "/disks/fedora:42"
			ctx := context.Background()
			if _, err := e.Fetch(ctx, Request{URL: url, Expected: Expected{Algorithm: "sha256"}}); err == nil || !strings.Contains(err.Error(), "pull secret") {
				t.Fatalf("anonymous: %v", err)
			}
			if _, err := e.Fetch(ctx, Request{URL: url, PullSecret: "puller:wrong", Expected: Expected{Algorithm: "sha256"}}); err == nil || !strings.Contains(err.Error(), "refused the pull secret") {
				t.Fatalf("wrong secret: %v", err)
			}
			if strings.Contains(fmt.Sprint(e.Probe(ctx, url)), "s3cret") {
				t.Fatal("secret in an error")
			}
			res, err := e.Fetch(ctx, Request{URL: url, PullSecret: "puller:s3cret", Expected: Expected{Algorithm: "sha256"}})
			if err != nil || res.Checksum != sha256hex(disk) {
				t.Fatalf("with secret: %+v, %v", res, err)
			}
			if info, err := e.ProbeOCI(ctx, url, OCIOptions{PullSecret: "puller:s3cret"}); err != nil || info.Digest == "" {
				t.Fatalf("probe with secret: %+v, %v", info, err)
			}
			if len(r.seenAuth) != 1 || r.seenAuth[0] == "" {
				t.Fatalf("blob requests carried %q", r.seenAuth)
			}
		})
	}
}

// A registry over TLS is trusted through the engine's TLS settings, as image servers are;
// plain HTTP is used only for a loopback registry.
func TestOCITLSSettingsApply(t *testing.T) {
	r := newFakeRegistry(t, true)
	disk := testBody(100)
	r.tag("42", r.artifact(disk))
	url := "oci://" + r.host() + "/disks/fedora:42"
	if _, err := newTestEngine(t).Probe(context.Background(), url); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("untrusted registry: %v", err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.Certificate().Raw}), 0o600)
	e, err := New(Options{CacheDir: t.TempDir(), TLS: httpclient.TLS{CAFile: ca}, BaseDelay: 1})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Fetch(context.Background(), Request{URL: url, Expected: Expected{Algorithm: "sha256"}})
	if err != nil || res.Checksum != sha256hex(disk) {
		t.Fatalf("trusted by CA file: %+v, %v", res, err)
	}
}
