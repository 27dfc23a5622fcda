package image

import (
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
)

// Expected is what the user expects a download to hash to: a hex digest, or the URL of
// a checksums file to look it up in.
type Expected struct {
	Algorithm string // hashlib name
	Hex       string // lower-case digest; empty when URL is set
	URL       string // checksums file
}

// ParseExpected reads an expected checksum the way Ironic does: an explicit algorithm
// wins; then an "algo:hex" prefix; then the hex length (32 md5, 64 sha256, 128 sha512...).
// A value that is an http(s) or file URL names a checksums file; its algorithm is the
// explicit one, or md5. Hex is compared case-insensitively and its length is checked.
func ParseExpected(value, explicitAlgorithm string) (Expected, error) {
	value = strings.TrimSpace(value)
	algo := ""
	if explicitAlgorithm != "" {
		algo = NormalizeAlgorithm(explicitAlgorithm)
		if _, err := NewHash(algo); err != nil {
			return Expected{}, err
		}
	}
	if value == "" {
		return Expected{Algorithm: orDefault(algo)}, nil
	}
	if u, err := url.Parse(value); err == nil && (u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "file") {
		return Expected{Algorithm: orDefault(algo), URL: value}, nil
	}
	digest := value
	if prefix, rest, ok := strings.Cut(value, ":"); ok {
		p := NormalizeAlgorithm(prefix)
		if _, err := NewHash(p); err != nil {
			return Expected{}, fmt.Errorf("checksum prefix %q is not a known algorithm; supported: %s", prefix, strings.Join(Algorithms(), ", "))
		}
		if algo != "" && algo != p {
			return Expected{}, fmt.Errorf("checksum says %s but the algorithm is %s", p, algo)
		}
		algo, digest = p, rest
	}
	digest = strings.ToLower(digest)
	if _, err := hex.DecodeString(digest); err != nil || digest == "" {
		return Expected{}, fmt.Errorf("%q is not a hex digest (or algo:hex, or the URL of a checksums file)", value)
	}
	if algo == "" {
		var ok bool
		if algo, ok = byHexLength[len(digest)]; !ok {
			return Expected{}, fmt.Errorf("a %d-character digest matches no algorithm by length; name it, as in sha3_256:<hex>", len(digest))
		}
	}
	if want := HexLength(algo); len(digest) != want {
		return Expected{}, fmt.Errorf("a %s digest has %d hex characters, this one has %d", algo, want, len(digest))
	}
	return Expected{Algorithm: algo, Hex: digest}, nil
}

func orDefault(algo string) string {
	if algo == "" {
		return DefaultAlgorithm
	}
	return algo
}

// MismatchError says a download did not hash to what was expected.
type MismatchError struct {
	URL, Algorithm, Expected, Actual string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("checksum mismatch for %s: %s expected %s, got %s", e.URL, e.Algorithm, e.Expected, e.Actual)
}
