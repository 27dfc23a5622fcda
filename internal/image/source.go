package image

import (
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Kind is where an image comes from.
type Kind int

const (
	KindHTTP Kind = iota // http:// or https://
	KindFile             // file://, read in place
	KindOCI              // oci://, an OCI registry (Ironic 2025.1 and later)
)

// ParseSource checks an image URL and says what kind it is; for file:// it also returns
// the local path.
func ParseSource(raw string) (Kind, string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return 0, "", fmt.Errorf("%q is not a URL: %v", Redact(raw), err)
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return 0, "", fmt.Errorf("%q has no host", Redact(raw))
		}
		return KindHTTP, "", nil
	case "oci":
		if _, err := ParseOCI(raw); err != nil {
			return 0, "", err
		}
		return KindOCI, "", nil
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return 0, "", fmt.Errorf("%q names host %q: file:// images are read on this machine, use file:///path", raw, u.Host)
		}
		if u.Path == "" || u.Path[0] != '/' {
			return 0, "", fmt.Errorf("%q has no absolute path; write file:///path/to/image", raw)
		}
		return KindFile, u.Path, nil
	default:
		return 0, "", fmt.Errorf("unsupported scheme %q in %q: use http://, https://, file:// or oci://", u.Scheme, Redact(raw))
	}
}

// Redact drops credentials from a URL for logs and messages: the userinfo, and the
// values of the query (signed URLs carry tokens there).
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	u.User = nil
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			q.Set(k, "REDACTED")
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// Info is what a source tells about its content without sending it.
type Info struct {
	// LastModified is the server's Last-Modified (or the file's mtime); zero when the
	// server gave none or one that does not parse (which counts as none, as in Ironic).
	LastModified time.Time
	ETag         string
	Size         int64 // -1 when unknown
	NoStore      bool  // Cache-Control: no-store
	// Digest is, for oci://, the digest of the index or manifest the reference names:
	// where a registry's answer stands for Last-Modified.
	Digest string
}

// HasLastModified reports whether the source said when it last changed.
func (i Info) HasLastModified() bool { return !i.LastModified.IsZero() }

func infoFromHeader(h http.Header, contentLength int64) Info {
	info := Info{ETag: h.Get("ETag"), Size: contentLength}
	if lm := h.Get("Last-Modified"); lm != "" {
		if t, err := http.ParseTime(lm); err == nil { // the three HTTP date formats
			info.LastModified = t.UTC()
		}
	}
	for _, cc := range h.Values("Cache-Control") {
		if containsToken(cc, "no-store") {
			info.NoStore = true
		}
	}
	return info
}
