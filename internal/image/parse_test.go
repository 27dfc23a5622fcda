package image

import (
	"strings"
	"testing"
	"time"
)

func TestParseExpected(t *testing.T) {
	md5v := strings.Repeat("a", 32)
	sha256v := strings.Repeat("b", 64)
	sha512v := strings.Repeat("c", 128)
	cases := []struct {
		value, algo       string
		wantAlgo, wantHex string
		wantURL           string
		wantErr           string
	}{
		{value: "", algo: "", wantAlgo: "md5"},
		{value: "", algo: "SHA-256", wantAlgo: "sha256"},
		{value: md5v, wantAlgo: "md5", wantHex: md5v},
		{value: strings.ToUpper(sha256v), wantAlgo: "sha256", wantHex: sha256v},
		{value: sha512v, wantAlgo: "sha512", wantHex: sha512v},
		{value: "sha256:" + sha256v, wantAlgo: "sha256", wantHex: sha256v},
		{value: "SHA256:" + sha256v, algo: "sha256", wantAlgo: "sha256", wantHex: sha256v},
		{value: "sha3_256:" + sha256v, wantAlgo: "sha3_256", wantHex: sha256v},
		{value: sha256v, algo: "sha3_256", wantAlgo: "sha3_256", wantHex: sha256v},
		{value: "https://example.test/SHA256SUMS", algo: "sha256", wantAlgo: "sha256", wantURL: "https://example.test/SHA256SUMS"},
		{value: "file:///srv/MD5SUMS", wantAlgo: "md5", wantURL: "file:///srv/MD5SUMS"},
		{value: md5v, algo: "sha256", wantErr: "a sha256 digest has 64 hex characters, this one has 32"},
		{value: "md5:" + md5v, algo: "sha256", wantErr: "checksum says md5 but the algorithm is sha256"},
		{value: "whirlpool:" + md5v, wantErr: "not a known algorithm"},
		{value: "xyz", wantErr: "not a hex digest"},
		{value: strings.Repeat("a", 30), wantErr: "matches no algorithm by length"},
		{value: "", algo: "crc32", wantErr: "unknown checksum algorithm"},
		{value: "sha256:", wantErr: "not a hex digest"},
	}
	for _, c := range cases {
		got, err := ParseExpected(c.value, c.algo)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("ParseExpected(%q, %q) error %v, want %q", c.value, c.algo, err, c.wantErr)
			}
			continue
		}
		if err != nil || got.Algorithm != c.wantAlgo || got.Hex != c.wantHex || got.URL != c.wantURL {
			t.Errorf("ParseExpected(%q, %q) = %+v, %v", c.value, c.algo, got, err)
		}
	}
}

func TestLookupChecksum(t *testing.T) {
	h1, h2 := strings.Repeat("1", 64), strings.Repeat("2", 64)
	cases := []struct {
		name, content, url, want, wantAlgo, wantErr string
	}{
		{"bare hash", h1 + "\n", "http://s/img.qcow2", h1, "", ""},
		{"bare hash upper case", strings.ToUpper(h1), "http://s/img.qcow2", h1, "", ""},
		{"GNU two spaces", h1 + "  other.img\n" + h2 + "  img.qcow2\n", "http://s/img.qcow2", h2, "", ""},
		{"GNU binary marker", h2 + " *img.qcow2\n", "http://s/img.qcow2", h2, "", ""},
		{"GNU ./ prefix", h2 + "  ./img.qcow2\n", "http://s/img.qcow2", h2, "", ""},
		{"BSD tag", "SHA256 (img.qcow2) = " + h2 + "\n", "http://s/img.qcow2", h2, "sha256", ""},
		{"comments and blanks", "# made by sha256sum\n\n" + h2 + "  img.qcow2\n", "http://s/img.qcow2", h2, "", ""},
		{"query is ignored", h2 + "  img.qcow2\n", "http://s/img.qcow2?token=abc", h2, "", ""},
		{"name with spaces", h2 + "  my image.qcow2\n", "http://s/my%20image.qcow2", h2, "", ""},
		{"exact match only: no regex", h2 + "  c++.img\n" + h1 + "  cxximg\n", "http://s/c++.img", h2, "", ""},
		{"dot is not a wildcard", h1 + "  imgXqcow2\n", "http://s/img.qcow2", "", "", "no entry"},
		{"suffix is not a match", h1 + "  old-img.qcow2\n", "http://s/img.qcow2", "", "", "no entry"},
		{"two bare hashes", h1 + "\n" + h2 + "\n", "http://s/img.qcow2", "", "", "no entry"},
		{"empty", "", "http://s/img.qcow2", "", "", "no entry"},
	}
	for _, c := range cases {
		got, algo, err := LookupChecksum([]byte(c.content), c.url)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: error %v, want %q", c.name, err, c.wantErr)
			}
			continue
		}
		if err != nil || got != c.want || algo != c.wantAlgo {
			t.Errorf("%s: got %q %q %v, want %q %q", c.name, got, algo, err, c.want, c.wantAlgo)
		}
	}
}

func TestChanged(t *testing.T) {
	t0 := time.Date(2026, 10, 21, 7, 28, 0, 0, time.UTC)
	rec := Info{LastModified: t0, ETag: `"a"`, Size: 100}
	cases := []struct {
		name string
		kind Kind
		rec  Info
		cur  Info
		want bool
	}{
		{"http same", KindHTTP, rec, rec, false},
		{"http older", KindHTTP, rec, Info{LastModified: t0.Add(-time.Hour), ETag: `"a"`, Size: 100}, false},
		{"http newer", KindHTTP, rec, Info{LastModified: t0.Add(time.Second), ETag: `"a"`, Size: 100}, true},
		{"http no header", KindHTTP, rec, Info{ETag: `"a"`, Size: 100}, true},
		{"http none recorded", KindHTTP, Info{Size: 100}, rec, true},
		{"http etag", KindHTTP, rec, Info{LastModified: t0, ETag: `"b"`, Size: 100}, true},
		{"http etag appears", KindHTTP, Info{LastModified: t0, Size: 100}, rec, false},
		{"http size", KindHTTP, rec, Info{LastModified: t0, ETag: `"a"`, Size: 101}, true},
		{"http size unknown now", KindHTTP, rec, Info{LastModified: t0, ETag: `"a"`, Size: -1}, false},
		{"file same", KindFile, rec, rec, false},
		{"file touched", KindFile, rec, Info{LastModified: t0.Add(time.Nanosecond), Size: 100}, true},
		{"file older mtime", KindFile, rec, Info{LastModified: t0.Add(-time.Hour), Size: 100}, true},
		{"file size", KindFile, rec, Info{LastModified: t0, Size: 99}, true},
	}
	for _, c := range cases {
		got, reason := Changed(c.kind, c.rec, c.cur)
		if got != c.want || (got && reason == "") {
			t.Errorf("%s: Changed = %v %q, want %v", c.name, got, reason, c.want)
		}
	}
}

func TestParseSourceAndRedact(t *testing.T) {
	for _, ok := range []string{"http://h/x", "https://h:8443/x.qcow2", "file:///images/deploy.vmlinuz", "file://localhost/x"} {
		if _, _, err := ParseSource(ok); err != nil {
			t.Errorf("ParseSource(%q): %v", ok, err)
		}
	}
	for bad, want := range map[string]string{
		"ftp://h/x": "unsupported scheme", "/images/x": "unsupported scheme", "http:///x": "no host",
		"file://server/x": "file:// images are read on this machine", "file:relative": "no absolute path",
	} {
		if _, _, err := ParseSource(bad); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSource(%q) = %v, want %q", bad, err, want)
		}
	}
	got := Redact("https://user:s3cret@h/x.img?X-Amz-Signature=abc&v=1")
	if strings.Contains(got, "s3cret") || strings.Contains(got, "abc") || !strings.Contains(got, "h/x.img") {
		t.Errorf("Redact = %q", got)
	}
}

func TestAlgorithms(t *testing.T) {
	for _, a := range Algorithms() {
		h, err := NewHash(a)
		if err != nil || HexLength(a) != h.Size()*2 {
			t.Errorf("%s: %v", a, err)
		}
	}
	for in, want := range map[string]string{"SHA-256": "sha256", "sha_512": "sha512", "SHA3-256": "sha3_256", "MD5": "md5"} {
		if got := NormalizeAlgorithm(in); got != want {
			t.Errorf("NormalizeAlgorithm(%q) = %q, want %q", in, got, want)
		}
	}
}
