//go:build linux

package ironictest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The agent picks the algorithm and the expected digest as the IPA release it stands
// for does: md5 for a bare checksum in 2023.1, by length in later releases; a checksums
// file matched by the image URL's basename.
func TestAgentExpectedHash(t *testing.T) {
	sha := strings.Repeat("ab", 32)
	sums := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/SHA256SUMS":
			w.Write([]byte("# comment\n" + strings.Repeat("cd", 32) + "  other.img\n" + sha + " *os.img\n"))
		case "/ONE":
			w.Write([]byte(sha + "\n"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer sums.Close()
	cases := []struct {
		name, ipa string
		info      map[string]any
		algo      string // the hash's size in bytes says which: 16 md5, 32 sha256
		want      string
		err       string
	}{
		{"md5 checksum", "9.4.1", map[string]any{"checksum": strings.Repeat("0", 32)}, "md5", strings.Repeat("0", 32), ""},
		{"a sha256 checksum is still md5 for the 2023.1 agent", "9.4.1", map[string]any{"checksum": sha}, "md5", sha, ""},
		{"a sha256 checksum by length for newer agents", "11.1.0", map[string]any{"checksum": sha}, "sha256", sha, ""},
		{"os_hash pair wins", "9.4.1", map[string]any{"checksum": strings.Repeat("0", 32), "os_hash_algo": "sha256", "os_hash_value": sha}, "sha256", sha, ""},
		{"checksums file by basename", "9.4.1", map[string]any{"os_hash_algo": "sha256", "os_hash_value": sums.URL + "/SHA256SUMS"}, "sha256", sha, ""},
		{"checksums file, newer agent", "11.1.0", map[string]any{"checksum": sums.URL + "/SHA256SUMS"}, "sha256", sha, ""},
		{"single-hash file", "9.4.1", map[string]any{"os_hash_algo": "sha256", "os_hash_value": sums.URL + "/ONE"}, "sha256", sha, ""},
		{"no checksum", "9.4.1", map[string]any{}, "", "", "Unable to verify image os.img"},
		{"unknown algorithm without checksum", "9.4.1", map[string]any{"os_hash_algo": "crc32", "os_hash_value": "x"}, "", "", "currently crc32"},
		{"no entry in the checksums file", "9.4.1", map[string]any{"checksum": sums.URL + "/SHA256SUMS", "urls": []any{"http://i/missing.img"}}, "", "", "does not contain name missing.img"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := &machine{agent: &Agent{IPAVersion: c.ipa, client: http.DefaultClient}, uuid: "n1"}
			info := map[string]any{"id": "os.img", "urls": []any{"http://images/os.img"}}
			for k, v := range c.info {
				info[k] = v
			}
			want, h, err := m.expectedHash(context.Background(), info)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one with %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			size := map[string]int{"md5": 16, "sha256": 32}[c.algo]
			if want != c.want || h.Size() != size {
				t.Fatalf("expected %s with a %d-byte hash, want %s with %s", want, h.Size(), c.want, c.algo)
			}
		})
	}
}
