package image

import (
	"net/http"
	"strings"
	"testing"
)

func FuzzParseExpected(f *testing.F) {
	for _, s := range []string{"", strings.Repeat("a", 32), "sha256:" + strings.Repeat("b", 64), "http://x/SUMS", "md5:", ":", "sha3_256:00"} {
		f.Add(s, "")
		f.Add(s, "sha256")
	}
	f.Fuzz(func(t *testing.T, value, algo string) {
		exp, err := ParseExpected(value, algo)
		if err != nil {
			return
		}
		if _, err := NewHash(exp.Algorithm); err != nil {
			t.Fatalf("accepted unknown algorithm %q", exp.Algorithm)
		}
		if exp.Hex != "" && (len(exp.Hex) != HexLength(exp.Algorithm) || strings.ToLower(exp.Hex) != exp.Hex) {
			t.Fatalf("accepted bad digest %q for %s", exp.Hex, exp.Algorithm)
		}
	})
}

func FuzzLookupChecksum(f *testing.F) {
	h := strings.Repeat("1", 64)
	for _, s := range []string{h, h + "  a.img\n", "SHA256 (a.img) = " + h, "# c\n" + h + " *a.img", "(", ") = ", " (x) = y"} {
		f.Add([]byte(s), "http://s/a.img")
	}
	f.Fuzz(func(t *testing.T, content []byte, url string) {
		digest, algo, err := LookupChecksum(content, url)
		if err != nil {
			return
		}
		if strings.ContainsAny(digest, "\n") {
			t.Fatalf("digest spans lines: %q", digest)
		}
		if algo != "" {
			if _, err := NewHash(algo); err != nil {
				t.Fatalf("unknown algorithm %q", algo)
			}
		}
	})
}

func FuzzInfoFromHeader(f *testing.F) {
	for _, s := range []string{"Wed, 21 Oct 2026 07:28:00 GMT", "Wednesday, 21-Oct-26 07:28:00 GMT", "Wed Oct 21 07:28:00 2026", "", "garbage"} {
		f.Add(s, "no-store")
	}
	f.Fuzz(func(t *testing.T, lastModified, cacheControl string) {
		h := http.Header{}
		h.Set("Last-Modified", lastModified)
		h.Set("Cache-Control", cacheControl)
		info := infoFromHeader(h, 10)
		if info.HasLastModified() && info.LastModified.Location().String() != "UTC" {
			t.Fatal("Last-Modified not in UTC")
		}
		// Unchanged headers never count as a change, unless the header is unusable or forbids caching.
		if changed, _ := Changed(KindHTTP, info, info); changed != (!info.HasLastModified() || info.NoStore) {
			t.Fatalf("Changed(info, info) = %v for %+v", changed, info)
		}
	})
}
