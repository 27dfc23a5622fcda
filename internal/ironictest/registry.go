//go:build linux

package ironictest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// RegistryBinary is Debian's docker-registry (the CNCF distribution registry).
const RegistryBinary = "docker-registry"

// Media types of an OCI artifact as Ironic 2025.1 and later read it: an image manifest
// whose config is the empty descriptor and whose single layer is the disk image.
const (
	mediaOCIManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaOCIEmpty    = "application/vnd.oci.empty.v1+json"
	// DiskArtifactType marks the manifest as an artifact (Ironic's is_oci_artifact_image).
	DiskArtifactType = "application/vnd.metalform.disk-image.v1"
)

// RegistryAuth is how a test registry lets its images be pulled.
type RegistryAuth int

const (
	RegistryAnonymous RegistryAuth = iota
	RegistryBasic                  // user and password on every request (htpasswd)
	RegistryToken                  // a bearer token from the registry's token service, for the user and password
)

// Registry is a docker-registry on loopback, plain HTTP, with its own storage
// directory, anonymous or asking for credentials.
type Registry struct {
	Host           string // 127.0.0.1:port
	User, Password string // "" when anonymous
	auth           RegistryAuth
	tokens         *tokenService
	dir            string
	proc           *process
	client         *http.Client
}

// RegistryMissing says why no registry can be started here; "" when one can.
func RegistryMissing() string {
	if _, err := exec.LookPath(RegistryBinary); err != nil {
		return "Debian's docker-registry package is not installed (internal/scripts/deps.sh installs it)"
	}
	return ""
}

// StartRegistry starts a registry in dir; with RegistryBasic or RegistryToken, user and
// password are required to pull.
func StartRegistry(ctx context.Context, dir string, mode RegistryAuth, user, password string) (*Registry, error) {
	if why := RegistryMissing(); why != "" {
		return nil, errors.New(why)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	r := &Registry{Host: fmt.Sprintf("127.0.0.1:%d", port), dir: dir, auth: mode,
		client: &http.Client{Timeout: 30 * time.Second}}
	if mode != RegistryAnonymous {
		r.User, r.Password = user, password
	}
	if err := os.MkdirAll(filepath.Join(dir, "storage"), 0o755); err != nil {
		return nil, err
	}
	auth := ""
	switch mode {
	case RegistryToken:
		cert := filepath.Join(dir, "token-issuer.pem")
		if r.tokens, err = newTokenService(cert, user, password); err != nil {
			return nil, err
		}
		auth = fmt.Sprintf("auth:\n  token:\n    realm: %s/token\n    service: %s\n    issuer: %s\n    rootcertbundle: %s\n",
			r.tokens.URL, registryService, tokenIssuer, cert)
	case RegistryBasic:
		hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "htpasswd"), []byte(user+":"+string(hash)+"\n"), 0o600); err != nil {
			return nil, err
		}
		auth = fmt.Sprintf("auth:\n  htpasswd:\n    realm: test-registry\n    path: %s\n", filepath.Join(dir, "htpasswd"))
	}
	config := fmt.Sprintf(`version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
%s`, filepath.Join(dir, "storage"), r.Host, auth)
	conf := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(conf, []byte(config), 0o600); err != nil {
		return nil, err
	}
	if r.proc, err = startProcess(filepath.Join(dir, "registry.log"), nil, RegistryBinary, "serve", conf); err != nil {
		r.Stop()
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		if resp, err := r.do(ctx, http.MethodGet, "/v2/", "", nil); err == nil {
			resp.Body.Close()
			// Up: it answers (a registry with token auth asks even here for a token).
			if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
				return r, nil
			}
		}
		if err, done := r.proc.exitErr(); done {
			r.Stop()
			return nil, fmt.Errorf("docker-registry exited during start-up (%v): %s", err, r.LogTail())
		}
		select {
		case <-ctx.Done():
			r.Stop()
			return nil, fmt.Errorf("docker-registry did not answer within 30s: %s", r.LogTail())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Stop ends the registry (and its token service).
func (r *Registry) Stop() {
	if r.proc != nil {
		r.proc.stop()
	}
	if r.tokens != nil {
		r.tokens.Close()
	}
}

// LogTail is the end of the registry's log.
func (r *Registry) LogTail() string {
	b, _ := os.ReadFile(filepath.Join(r.dir, "registry.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// PullSecret is the secret Ironic and the provider take for this registry ("user:password").
func (r *Registry) PullSecret() string {
	if r.User == "" {
		return ""
	}
	return r.User + ":" + r.Password
}

// Ref is the oci:// reference of repository:tag here.
func (r *Registry) Ref(repository, tag string) string {
	return "oci://" + r.Host + "/" + repository + ":" + tag
}

func (r *Registry) do(ctx context.Context, method, path, contentType string, body []byte) (*http.Response, error) {
	return r.doAccept(ctx, method, path, contentType, "", body)
}

func (r *Registry) doAccept(ctx context.Context, method, path, contentType, accept string, body []byte) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	u := path
	if !strings.HasPrefix(path, "http") {
		u = "http://" + r.Host + path
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	switch r.auth {
	case RegistryBasic:
		req.SetBasicAuth(r.User, r.Password)
	case RegistryToken: // the harness pushes with a token it signs itself
		if repo := repositoryOf(req.URL.Path); repo != "" {
			token, err := r.tokens.sign(r.User, []map[string]any{{"type": "repository", "name": repo, "actions": []string{"pull", "push"}}})
			if err != nil {
				return nil, err
			}
			req.Header.Set("Authorization", "Bearer "+token)
		}
	}
	return r.client.Do(req)
}

// pushBlob uploads a blob (monolithic: POST for an upload, PUT with the digest).
func (r *Registry) pushBlob(ctx context.Context, repository string, data []byte) (string, error) {
	digest := "sha256:" + sha256hex(data)
	resp, err := r.do(ctx, http.MethodPost, "/v2/"+repository+"/blobs/uploads/", "", nil)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusAccepted || loc == "" {
		return "", fmt.Errorf("starting a blob upload: HTTP %d", resp.StatusCode)
	}
	if !strings.HasPrefix(loc, "http") {
		loc = "http://" + r.Host + loc
	}
	sep := "?"
	if strings.Contains(loc, "?") {
		sep = "&"
	}
	resp, err = r.do(ctx, http.MethodPut, loc+sep+"digest="+digest, "application/octet-stream", data)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("uploading blob %s: HTTP %d", digest, resp.StatusCode)
	}
	return digest, nil
}

func sha256hex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// PushDisk pushes disk as an OCI artifact (the empty config, one layer of the disk
// image, annotated with its file name) under repository:tag, and returns the manifest's
// and the layer's digests.
func (r *Registry) PushDisk(ctx context.Context, repository, tag string, disk []byte) (manifest, layer string, err error) {
	if layer, err = r.pushBlob(ctx, repository, disk); err != nil {
		return "", "", err
	}
	empty := []byte("{}")
	emptyDigest, err := r.pushBlob(ctx, repository, empty)
	if err != nil {
		return "", "", err
	}
	body, _ := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     mediaOCIManifest,
		"artifactType":  DiskArtifactType,
		"config":        map[string]any{"mediaType": mediaOCIEmpty, "digest": emptyDigest, "size": len(empty)},
		"layers": []any{map[string]any{
			"mediaType": "application/octet-stream", "digest": layer, "size": len(disk),
			"annotations": map[string]string{"org.opencontainers.image.title": "disk.raw"},
		}},
	})
	manifest = "sha256:" + sha256hex(body)
	if err := r.putManifest(ctx, repository, tag, body); err != nil {
		return "", "", err
	}
	return manifest, layer, nil
}

// Tag points repository:tag at a manifest already pushed (moving the tag when it
// names another one).
func (r *Registry) Tag(ctx context.Context, repository, tag, manifest string) error {
	// distribution 2.8 answers 404 for an OCI manifest asked for without its media type.
	resp, err := r.doAccept(ctx, http.MethodGet, "/v2/"+repository+"/manifests/"+manifest, "", mediaOCIManifest, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("reading manifest %s: HTTP %d %v", manifest, resp.StatusCode, err)
	}
	return r.putManifest(ctx, repository, tag, body)
}

func (r *Registry) putManifest(ctx context.Context, repository, ref string, body []byte) error {
	resp, err := r.do(ctx, http.MethodPut, "/v2/"+repository+"/manifests/"+ref, mediaOCIManifest, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2000))
		return fmt.Errorf("pushing manifest %s:%s: HTTP %d %s", repository, ref, resp.StatusCode, msg)
	}
	return nil
}

// repositoryOf is the repository a /v2/<name>/(blobs|manifests)/... path names.
func repositoryOf(path string) string {
	rest, ok := strings.CutPrefix(path, "/v2/")
	if !ok {
		return ""
	}
	for _, sep := range []string{"/blobs/", "/manifests/"} {
		if i := strings.Index(rest, sep); i >= 0 {
			return rest[:i]
		}
	}
	return ""
}
