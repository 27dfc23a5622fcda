package image

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
)

// The media types Ironic reads (ironic/common/oci_registry.py): an OCI image index or an
// OCI image manifest. Docker's manifest types are refused, as Ironic refuses them.
const (
	MediaOCIManifest = "application/vnd.oci.image.manifest.v1+json"
	MediaOCIIndex    = "application/vnd.oci.image.index.v1+json"
	// MediaOCIEmpty is the empty config of an artifact (ORAS).
	MediaOCIEmpty = "application/vnd.oci.empty.v1+json"
)

// maxManifestSize caps a manifest or index read from a registry.
const maxManifestSize = 4 << 20

// OCIOptions say how to reach and choose: the pull secret ("user:password", or a bare
// token, as Ironic's image_pull_secret), and the preferences Ironic applies to an index:
// the node's cpu_arch and image_download_source ("" means http: a raw disk first).
type OCIOptions struct {
	PullSecret     string
	CPUArch        string
	DownloadSource string
}

// OCIImage is what a reference resolves to, chosen the way Ironic 2025.1 and later choose:
// the manifest, its single disk-image layer and where the blob is.
type OCIImage struct {
	Ref OCIRef
	// Resolved is the digest of what the reference names now (an index or a manifest):
	// what a moved tag changes.
	Resolved string
	// Manifest is the digest of the manifest chosen; Ref.Pinned(Manifest) names exactly it.
	Manifest    string
	LayerDigest string // algo:hex of the disk image: what Ironic and its agent verify
	Size        int64
	MediaType   string // the layer's
	DiskFormat  string // from the index's disktype annotation: raw, qcow2, or "" when not said
	Title       string // org.opencontainers.image.title, the file name it was pushed as
	BlobURL     string // http(s) URL of the layer
}

// Pinned names the chosen manifest by digest.
func (i *OCIImage) Pinned() string { return i.Ref.Pinned(i.Manifest) }

// Algorithm and Checksum are the layer digest's parts: the checksum Ironic verifies.
func (i *OCIImage) Algorithm() string { a, _ := DigestHex(i.LayerDigest); return a }
func (i *OCIImage) Checksum() string  { _, h := DigestHex(i.LayerDigest); return h }

type ociDescriptor struct {
	MediaType    string            `json:"mediaType"`
	Digest       string            `json:"digest"`
	Size         int64             `json:"size"`
	ArtifactType string            `json:"artifactType"`
	Annotations  map[string]string `json:"annotations"`
	Platform     struct {
		Architecture string `json:"architecture"`
	} `json:"platform"`
}

type ociManifest struct {
	MediaType    string          `json:"mediaType"`
	ArtifactType string          `json:"artifactType"`
	Config       ociDescriptor   `json:"config"`
	Layers       []ociDescriptor `json:"layers"`
	Manifests    []ociDescriptor `json:"manifests"`
}

// artifact: Ironic's is_oci_artifact_image. Anything else is a container image, which
// Ironic deploys with bootc, not as a disk image.
func (m *ociManifest) artifact() bool {
	return m.ArtifactType != "" || m.Config.MediaType == MediaOCIEmpty
}

// ociSession talks to one repository of one registry.
type ociSession struct {
	e    *Engine
	ref  OCIRef
	base string // scheme://registry/v2/
	auth string // Authorization header, "" for anonymous
}

// ProbeOCI asks the registry what the reference names now, without choosing or
// downloading anything: Info.Digest is the digest of the index or manifest.
func (e *Engine) ProbeOCI(ctx context.Context, raw string, opts OCIOptions) (Info, error) {
	ref, err := ParseOCI(raw)
	if err != nil {
		return Info{}, err
	}
	s, err := e.ociConnect(ctx, ref, opts.PullSecret)
	if err != nil {
		return Info{}, err
	}
	_, digest, err := s.manifest(ctx, ref.Reference(), MediaOCIIndex, MediaOCIManifest)
	if err != nil {
		return Info{}, err
	}
	return Info{Digest: digest, Size: -1}, nil
}

// ResolveOCI finds the manifest and disk-image layer Ironic would deploy for the reference.
func (e *Engine) ResolveOCI(ctx context.Context, raw string, opts OCIOptions) (*OCIImage, error) {
	img, _, err := e.resolveOCI(ctx, raw, opts)
	return img, err
}

func (e *Engine) resolveOCI(ctx context.Context, raw string, opts OCIOptions) (*OCIImage, *ociSession, error) {
	ref, err := ParseOCI(raw)
	if err != nil {
		return nil, nil, err
	}
	s, err := e.ociConnect(ctx, ref, opts.PullSecret)
	if err != nil {
		return nil, nil, err
	}
	top, digest, err := s.manifest(ctx, ref.Reference(), MediaOCIIndex, MediaOCIManifest)
	if err != nil {
		return nil, nil, err
	}
	img := &OCIImage{Ref: ref, Resolved: digest}
	if ref.Digest != "" {
		// Ironic's path for a reference to one manifest: its first layer, no choice.
		if top.MediaType == MediaOCIIndex {
			return nil, nil, fmt.Errorf("%s names an image index; Ironic needs the digest of one manifest, or a tag", ref)
		}
		if err := s.useManifest(img, digest, top, ""); err != nil {
			return nil, nil, err
		}
		return img, s, nil
	}
	var candidates []ociDescriptor
	switch top.MediaType {
	case MediaOCIIndex:
		candidates = top.Manifests
	case MediaOCIManifest:
		self := ociDescriptor{MediaType: top.MediaType, Digest: digest, ArtifactType: top.ArtifactType}
		if top.artifact() {
			self.ArtifactType = "artifact"
		}
		candidates = []ociDescriptor{self}
	default:
		return nil, nil, fmt.Errorf("%s is a %q, which Ironic does not read: push the image as an OCI image index or OCI "+
			"image manifest (%s)", ref, top.MediaType, MediaOCIManifest)
	}
	for _, c := range filterManifests(candidates, opts) {
		disk := normalDiskFormat(c.Annotations["disktype"])
		if disk == "" && c.ArtifactType == "" {
			return nil, nil, fmt.Errorf("%s: the manifest Ironic would choose (%s) is a container image, not a disk "+
				"image: Ironic deploys it with bootc. Push the disk image as an artifact (artifactType, or the empty "+
				"config %s), or mark it in the index with a disktype annotation", ref, c.Digest, MediaOCIEmpty)
		}
		m := top
		if c.Digest != digest {
			if m, _, err = s.manifest(ctx, c.Digest, MediaOCIManifest); err != nil {
				return nil, nil, err
			}
		}
		if len(m.Layers) != 1 {
			continue // a container construction, which Ironic skips too
		}
		if err := s.useManifest(img, c.Digest, m, disk); err != nil {
			return nil, nil, err
		}
		return img, s, nil
	}
	return nil, nil, fmt.Errorf("%s holds no manifest Ironic would deploy: none with a single disk-image layer%s", ref,
		archNote(opts.CPUArch))
}

func archNote(arch string) string {
	if arch == "" {
		return ""
	}
	return " for cpu_arch " + arch
}

func (s *ociSession) useManifest(img *OCIImage, digest string, m *ociManifest, disk string) error {
	if !m.artifact() && disk == "" {
		return fmt.Errorf("%s is a container image, not a disk image: Ironic deploys it with bootc", img.Ref)
	}
	if len(m.Layers) != 1 {
		return fmt.Errorf("%s: manifest %s has %d layers; Ironic downloads a disk image from exactly one", img.Ref, digest, len(m.Layers))
	}
	l := m.Layers[0]
	if err := checkDigest(l.Digest); err != nil {
		return fmt.Errorf("%s: layer of manifest %s: %v", img.Ref, digest, err)
	}
	img.Manifest = digest
	img.LayerDigest = strings.ToLower(l.Digest)
	img.Size = l.Size
	img.MediaType = l.MediaType
	img.DiskFormat = disk
	img.Title = l.Annotations["org.opencontainers.image.title"]
	img.BlobURL = s.base + s.ref.Repository + "/blobs/" + img.LayerDigest
	return nil
}

// filterManifests is Ironic's _filter_manifests: by cpu_arch (amd64 and x86_64 alike,
// arm64 and aarch64 alike), then by the disktype annotation's priority, which depends on
// who downloads (the agent prefers raw, the conductor qcow2); entries without a disktype
// come last, an unknown disktype is dropped. The order among equals is the index's.
func filterManifests(in []ociDescriptor, opts OCIOptions) []ociDescriptor {
	priority := map[string]int{"raw": 1, "applehv": 2, "qcow2": 3, "qemu": 4}
	if opts.DownloadSource == "local" {
		priority = map[string]int{"qcow2": 1, "qemu": 2, "raw": 3, "applehv": 4}
	}
	var arches []string
	switch opts.CPUArch {
	case "":
	case "x86_64", "amd64":
		arches = []string{"x86_64", "amd64"}
	case "arm64", "aarch64":
		arches = []string{"aarch64", "arm64"}
	default:
		arches = []string{opts.CPUArch}
	}
	type ranked struct {
		d ociDescriptor
		p int
	}
	var out []ranked
	for _, d := range in {
		if a := d.Platform.Architecture; len(arches) > 0 && a != "" && !contains(arches, a) {
			continue
		}
		disk := d.Annotations["disktype"]
		p, ok := priority[disk]
		switch {
		case disk == "":
			p = 100
		case !ok:
			continue
		}
		out = append(out, ranked{d, p})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].p < out[j].p })
	res := make([]ociDescriptor, len(out))
	for i, r := range out {
		res[i] = r.d
	}
	return res
}

func normalDiskFormat(disk string) string {
	switch disk {
	case "", "raw":
		return disk
	case "applehv":
		return "raw"
	}
	return "qcow2"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ociConnect finds how to talk to the registry: HTTPS (plain HTTP only for a loopback
// registry or when TLS verification is off, as Docker's insecure registries), and with
// which credentials (anonymous, a bearer token from the registry's token service, or
// basic auth), by asking /v2/ as Ironic does.
func (e *Engine) ociConnect(ctx context.Context, ref OCIRef, secret string) (*ociSession, error) {
	s := &ociSession{e: e, ref: ref, base: "https://" + ref.Registry + "/v2/"}
	resp, err := s.ping(ctx, "")
	if err != nil && schemeMismatch(err) {
		if !ref.loopback() && !e.opts.TLS.Insecure {
			return nil, fmt.Errorf("registry %s speaks plain HTTP: only a registry on loopback, or one reached with TLS "+
				"verification turned off (insecure), is used over plain HTTP", ref.Registry)
		}
		s.base = "http://" + ref.Registry + "/v2/"
		resp, err = s.ping(ctx, "")
	}
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", ref.Registry, err)
	}
	if resp.StatusCode == http.StatusOK {
		return s, nil
	}
	if resp.StatusCode != http.StatusUnauthorized {
		return nil, fmt.Errorf("registry %s: GET %s: HTTP %d %s", ref.Registry, s.base, resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	scheme, params := parseChallenge(resp.Header.Get("WWW-Authenticate"))
	user, password, hasSecret := splitSecret(secret)
	switch strings.ToLower(scheme) {
	case "bearer":
		token, err := s.token(ctx, params, user, password, hasSecret)
		if err != nil {
			return nil, err
		}
		s.auth = "Bearer " + token
	case "basic":
		if user == "" || password == "" {
			return nil, fmt.Errorf("registry %s asks for a user name and password (basic auth): give a pull secret "+
				"\"user:password\"", ref.Registry)
		}
		s.auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
		check, err := s.ping(ctx, s.auth)
		if err != nil {
			return nil, fmt.Errorf("registry %s: %w", ref.Registry, err)
		}
		if check.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("registry %s refused the pull secret (HTTP %d)", ref.Registry, check.StatusCode)
		}
	default:
		return nil, fmt.Errorf("registry %s asks for authentication Ironic does not speak (%q)", ref.Registry, resp.Header.Get("WWW-Authenticate"))
	}
	return s, nil
}

// splitSecret reads a pull secret as Ironic does: "user:password", else a bare token
// (an empty user name with the token as password).
func splitSecret(secret string) (user, password string, ok bool) {
	if secret == "" {
		return "", "", false
	}
	if u, p, found := strings.Cut(secret, ":"); found {
		return u, p, true
	}
	return "", secret, true
}

// ping asks GET /v2/; its body is not needed.
func (s *ociSession) ping(ctx context.Context, auth string) (*http.Response, error) {
	var resp *http.Response
	err := s.e.withRetry(ctx, "registry check", s.base, func(ctx context.Context) error {
		r, err := s.e.do(withAuthorization(ctx, s.ref.Registry, auth), s.e.probes, http.MethodGet, s.base)
		if err != nil {
			return err
		}
		r.Body.Close()
		if r.StatusCode >= 500 || r.StatusCode == http.StatusTooManyRequests {
			return &retryable{&StatusError{URL: s.base, Method: http.MethodGet, Code: r.StatusCode}}
		}
		resp = r
		return nil
	})
	return resp, err
}

var challengeParam = regexp.MustCompile(`(\w+)="([^"]*)"`)

func parseChallenge(h string) (string, map[string]string) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	params := map[string]string{}
	for _, m := range challengeParam.FindAllStringSubmatch(rest, -1) {
		params[strings.ToLower(m[1])] = m[2]
	}
	return scheme, params
}

// token asks the registry's token service for a pull token of the repository, with
// the pull secret as basic auth when there is one.
func (s *ociSession) token(ctx context.Context, params map[string]string, user, password string, hasSecret bool) (string, error) {
	realm := params["realm"]
	u, err := url.Parse(realm)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("registry %s names token service %q, not an http(s) URL", s.ref.Registry, realm)
	}
	if u.Scheme == "http" && !s.ref.loopback() && !s.e.opts.TLS.Insecure && strings.HasPrefix(s.base, "https:") {
		return "", fmt.Errorf("registry %s names a token service over plain HTTP (%s): refused, the pull secret would travel in clear", s.ref.Registry, Redact(realm))
	}
	q := u.Query()
	if svc := params["service"]; svc != "" {
		q.Set("service", svc)
	}
	q.Set("scope", "repository:"+s.ref.Repository+":pull")
	u.RawQuery = q.Encode()
	var token string
	err = s.e.withRetry(ctx, "registry token", u.String(), func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return err
		}
		req.Header.Set("User-Agent", s.e.opts.UserAgent)
		if hasSecret {
			req.SetBasicAuth(user, password)
		}
		resp, err := s.e.probes.Do(req)
		if err != nil {
			return classify(ctx, err)
		}
		defer resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
			if !hasSecret {
				return fmt.Errorf("registry %s grants no anonymous pull of %s (HTTP %d): give a pull secret", s.ref.Registry, s.ref.Repository, resp.StatusCode)
			}
			return fmt.Errorf("registry %s refused the pull secret for %s (HTTP %d)", s.ref.Registry, s.ref.Repository, resp.StatusCode)
		case resp.StatusCode != http.StatusOK:
			return statusErr(resp, Redact(u.String()))
		}
		var body struct {
			Token       string `json:"token"`
			AccessToken string `json:"access_token"`
		}
		if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body); err != nil {
			return fmt.Errorf("registry %s: token service answer: %v", s.ref.Registry, err)
		}
		token = body.Token
		if token == "" {
			token = body.AccessToken
		}
		if token == "" {
			return fmt.Errorf("registry %s: the token service sent no token", s.ref.Registry)
		}
		return nil
	})
	return token, err
}

// manifest reads a manifest or index and its digest, checked against the bytes: the
// digest asked for, and the registry's Docker-Content-Digest.
func (s *ociSession) manifest(ctx context.Context, reference string, accept ...string) (*ociManifest, string, error) {
	u := s.base + s.ref.Repository + "/manifests/" + reference
	var m ociManifest
	var digest string
	err := s.e.withRetry(ctx, "manifest", u, func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(withAuthorization(ctx, s.ref.Registry, s.auth), http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Accept", strings.Join(accept, ", "))
		resp, err := s.e.send(req, s.e.probes)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
		case http.StatusUnauthorized:
			return fmt.Errorf("registry %s asks for credentials to read %s: give a pull secret (or a valid one)", s.ref.Registry, s.ref)
		case http.StatusNotFound, http.StatusForbidden:
			return fmt.Errorf("%s: manifest %s not found in the registry (HTTP %d)", s.ref, reference, resp.StatusCode)
		default:
			return statusErr(resp, u)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxManifestSize+1))
		if err != nil {
			return classifyBody(ctx, u, int64(len(body)), err)
		}
		if len(body) > maxManifestSize {
			return fmt.Errorf("%s: manifest %s is larger than %d bytes", s.ref, reference, maxManifestSize)
		}
		algo := "sha256"
		if strings.HasPrefix(reference, "sha512:") {
			algo = "sha512"
		}
		digest = algo + ":" + hexDigest(algo, body)
		if strings.Contains(reference, ":") && reference != digest {
			return fmt.Errorf("%s: the registry sent a manifest whose digest is %s, not the %s asked for", s.ref, digest, reference)
		}
		if h := strings.ToLower(resp.Header.Get("Docker-Content-Digest")); h != "" && strings.HasPrefix(h, algo+":") && h != digest {
			return fmt.Errorf("%s: the registry says manifest %s is %s, but its bytes hash to %s", s.ref, reference, h, digest)
		}
		if err := json.Unmarshal(body, &m); err != nil {
			return fmt.Errorf("%s: manifest %s is not JSON: %v", s.ref, reference, err)
		}
		if m.MediaType == "" {
			m.MediaType, _, _ = mime.ParseMediaType(resp.Header.Get("Content-Type"))
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return &m, digest, nil
}

func hexDigest(algo string, b []byte) string {
	var h hash.Hash = sha256.New()
	if algo == "sha512" {
		h = sha512.New()
	}
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// send is do with a prepared request; an OCI registry's Authorization goes to that
// registry only.
func (e *Engine) send(req *http.Request, client *http.Client) (*http.Response, error) {
	req.Header.Set("User-Agent", e.opts.UserAgent)
	addAuthorization(req)
	resp, err := client.Do(req)
	return resp, classify(req.Context(), err)
}

// schemeMismatch: the registry answered a TLS handshake in plain HTTP.
func schemeMismatch(err error) bool {
	var rh tls.RecordHeaderError
	return errors.Is(err, http.ErrSchemeMismatch) || (errors.As(err, &rh) && string(rh.RecordHeader[:]) == "HTTP/")
}

// authorizationKey carries a registry's Authorization header to the requests made for
// it, blob downloads included; it is sent to that registry only (a redirect to a
// storage service elsewhere goes without it, as Go's client and Ironic do).
type authorizationKey struct{}

type hostAuthorization struct{ host, value string }

func withAuthorization(ctx context.Context, host, value string) context.Context {
	if value == "" {
		return ctx
	}
	return context.WithValue(ctx, authorizationKey{}, hostAuthorization{host, value})
}

func addAuthorization(req *http.Request) {
	if a, ok := req.Context().Value(authorizationKey{}).(hostAuthorization); ok && req.URL.Host == a.host && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", a.value)
	}
}

// fetchOCI resolves the reference as Ironic does and downloads the chosen layer,
// verified against its digest (and against the user's expected checksum, if any). The
// cache entry is keyed by the layer's digest: content-addressed, so a cached copy needs
// no probe.
func (e *Engine) fetchOCI(ctx context.Context, req Request) (*Result, error) {
	img, s, err := e.resolveOCI(ctx, req.URL, OCIOptions{PullSecret: req.PullSecret})
	if err != nil {
		return nil, err
	}
	algo, layerHex := img.Algorithm(), img.Checksum()
	if req.Expected.Hex != "" || req.Expected.URL != "" {
		want, err := e.expectedHex(ctx, req)
		if err != nil {
			return nil, err
		}
		if req.Expected.Algorithm != algo || want != layerHex {
			return nil, &MismatchError{URL: img.Ref.String(), Algorithm: req.Expected.Algorithm, Expected: want, Actual: algo + ":" + layerHex + " (the disk-image layer's digest)"}
		}
	}
	if err := e.prepare(ctx); err != nil {
		return nil, err
	}
	key := cacheKey("oci://" + img.Ref.Registry + "/" + img.Ref.Repository + "@" + img.LayerDigest)
	unlock, err := e.cache.lock(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("waiting for the cache entry of %s: %w", img.Ref, err)
	}
	var res *Result
	if meta, ok := e.cache.load(key); ok && meta.Digests[algo] == layerHex {
		meta.UsedAt = time.Now().UTC()
		if err := e.cache.writeMeta(key, meta); err != nil {
			unlock()
			return nil, err
		}
		e.log(ctx, "image served from cache", map[string]any{"url": img.Ref.String(), "size": meta.Size})
		res = &Result{LocalPath: e.cache.path(key, ".img"), Algorithm: algo, Checksum: layerHex, Info: meta.info(), CacheHit: true}
	} else {
		e.cache.cleanTemps(key)
		res, err = e.download(withAuthorization(ctx, img.Ref.Registry, s.auth), key, img.BlobURL, algo, layerHex)
		if err != nil {
			unlock()
			return nil, fmt.Errorf("%s: layer %s: %w", img.Ref, img.LayerDigest, err)
		}
	}
	unlock()
	e.evict(ctx)
	if img.Size > 0 && res.Info.Size != img.Size {
		return nil, fmt.Errorf("%s: layer %s is %d bytes, the manifest says %d", img.Ref, img.LayerDigest, res.Info.Size, img.Size)
	}
	res.Info = Info{Size: res.Info.Size, Digest: img.Resolved}
	res.OCI = img
	return res, nil
}
