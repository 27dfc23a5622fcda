package image

import (
	"encoding/hex"
	"fmt"
	"net"
	"regexp"
	"strings"
)

// OCIRef is an oci:// image reference: oci://registry[:port]/repository[:tag] or
// oci://registry[:port]/repository@algo:hex. Without tag or digest the tag is "latest",
// as in Ironic.
type OCIRef struct {
	Registry   string // host[:port]
	Repository string // path in the registry, without leading slash
	Tag        string // "" when Digest is set
	Digest     string // algo:hex, "" for a tag
}

var (
	ociRepository = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$`)
	ociTag        = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$`)
)

// ParseOCI checks an oci:// reference.
func ParseOCI(raw string) (OCIRef, error) {
	rest, ok := strings.CutPrefix(raw, "oci://")
	if !ok {
		return OCIRef{}, fmt.Errorf("%q is not an oci:// reference", raw)
	}
	host, path, _ := strings.Cut(rest, "/")
	if host == "" || strings.ContainsAny(host, "@?#") {
		return OCIRef{}, fmt.Errorf("%q names no registry: write oci://registry/repository:tag", raw)
	}
	if strings.ContainsAny(path, "?#") {
		return OCIRef{}, fmt.Errorf("%q: an oci:// reference has no query or fragment", raw)
	}
	ref := OCIRef{Registry: host}
	if repo, digest, ok := strings.Cut(path, "@"); ok {
		if err := checkDigest(digest); err != nil {
			return OCIRef{}, fmt.Errorf("%q: %v", raw, err)
		}
		ref.Repository, ref.Digest = repo, strings.ToLower(digest)
	} else {
		ref.Repository, ref.Tag = path, "latest"
		if i := strings.LastIndex(path, ":"); i >= 0 {
			ref.Repository, ref.Tag = path[:i], path[i+1:]
			if !ociTag.MatchString(ref.Tag) {
				return OCIRef{}, fmt.Errorf("%q: %q is not a valid tag", raw, ref.Tag)
			}
		}
	}
	if !ociRepository.MatchString(ref.Repository) {
		return OCIRef{}, fmt.Errorf("%q: %q is not a valid repository name (lower-case path components)", raw, ref.Repository)
	}
	return ref, nil
}

// checkDigest accepts what Ironic accepts: sha256 with 64 hex digits, sha512 with 128.
func checkDigest(d string) error {
	algo, value, ok := strings.Cut(strings.ToLower(d), ":")
	want := map[string]int{"sha256": 64, "sha512": 128}[algo]
	if !ok || want == 0 {
		return fmt.Errorf("%q is not a sha256: or sha512: digest", d)
	}
	if _, err := hex.DecodeString(value); err != nil || len(value) != want {
		return fmt.Errorf("%q: a %s digest has %d hex digits", d, algo, want)
	}
	return nil
}

// Reference is the tag or the digest, as the registry's manifest endpoint takes it.
func (r OCIRef) Reference() string {
	if r.Digest != "" {
		return r.Digest
	}
	return r.Tag
}

func (r OCIRef) String() string {
	if r.Digest != "" {
		return "oci://" + r.Registry + "/" + r.Repository + "@" + r.Digest
	}
	return "oci://" + r.Registry + "/" + r.Repository + ":" + r.Tag
}

// Pinned is the reference to one manifest of the same repository.
func (r OCIRef) Pinned(digest string) string {
	return OCIRef{Registry: r.Registry, Repository: r.Repository, Digest: digest}.String()
}

// loopback: a registry on this machine may speak plain HTTP, as Docker allows for
// 127.0.0.0/8.
func (r OCIRef) loopback() bool {
	host := r.Registry
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// DigestHex splits algo:hex.
func DigestHex(d string) (algo, hexValue string) {
	algo, hexValue, _ = strings.Cut(d, ":")
	return algo, hexValue
}
