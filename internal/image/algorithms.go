// Package image fetches instance and deploy images over HTTP(S) or from file:// paths,
// checksums them in the same streaming pass, keeps verified copies in a cache directory,
// and decides, the way Ironic does, whether a source changed since it was fetched.
// It has no Terraform imports; internal/provider translates.
package image

import (
	"crypto/md5"  //nolint:gosec // MD5 is Ironic's default image checksum, kept for compatibility
	"crypto/sha1" //nolint:gosec // offered because users' checksum files use it
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"fmt"
	"hash"
	"sort"
	"strings"
)

// DefaultAlgorithm is Ironic's default, kept for backward compatibility.
const DefaultAlgorithm = "md5"

// algorithms maps Python hashlib's names (which Ironic's image_os_hash_algo uses) to
// Go's standard library implementations.
var algorithms = map[string]func() hash.Hash{
	"md5":        md5.New,
	"sha1":       sha1.New,
	"sha224":     sha256.New224,
	"sha256":     sha256.New,
	"sha384":     sha512.New384,
	"sha512":     sha512.New,
	"sha512_224": sha512.New512_224,
	"sha512_256": sha512.New512_256,
	"sha3_224":   func() hash.Hash { return sha3.New224() },
	"sha3_256":   func() hash.Hash { return sha3.New256() },
	"sha3_384":   func() hash.Hash { return sha3.New384() },
	"sha3_512":   func() hash.Hash { return sha3.New512() },
}

// byHexLength names the algorithm a bare hex digest of that length implies, as Ironic
// does for 32, 64 and 128; the SHA-3 and truncated SHA-512 variants need naming.
var byHexLength = map[int]string{32: "md5", 40: "sha1", 56: "sha224", 64: "sha256", 96: "sha384", 128: "sha512"}

// Algorithms lists the supported names, sorted.
func Algorithms() []string {
	names := make([]string, 0, len(algorithms))
	for n := range algorithms {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// NewHash returns a hash for a supported algorithm name (case-insensitive; "sha-256" and
// "SHA256" are accepted too).
func NewHash(name string) (hash.Hash, error) {
	n := NormalizeAlgorithm(name)
	f, ok := algorithms[n]
	if !ok {
		return nil, fmt.Errorf("unknown checksum algorithm %q; supported: %s", name, strings.Join(Algorithms(), ", "))
	}
	return f(), nil
}

// NormalizeAlgorithm maps spellings such as "SHA-256" or "SHA3-256" to hashlib's names.
func NormalizeAlgorithm(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.ReplaceAll(n, "-", "_")
	switch {
	case strings.HasPrefix(n, "sha3_"):
	case strings.HasPrefix(n, "sha_"):
		n = "sha" + strings.TrimPrefix(n, "sha_")
	}
	if n == "sha512/224" || n == "sha512/256" {
		n = strings.ReplaceAll(n, "/", "_")
	}
	return n
}

// HexLength is the length of a hex digest of the algorithm.
func HexLength(name string) int {
	h, err := NewHash(name)
	if err != nil {
		return 0
	}
	return h.Size() * 2
}
