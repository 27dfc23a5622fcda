package image

import (
	"context"
	"fmt"
	"net/http"
	"testing"
)

// BenchmarkFetch measures download + hash + write + fsync + commit from a local server,
// in MB/s (-benchmem for allocations: they do not grow with the image).
func BenchmarkFetch(b *testing.B) {
	body := testBody(64 << 20)
	srv := newHandlerServer(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(body))) // no Last-Modified: every fetch downloads
		if r.Method == http.MethodGet {
			w.Write(body)
		}
	}))
	for _, algo := range []string{"md5", "sha256", "sha512"} {
		b.Run(algo, func(b *testing.B) {
			e := newTestEngine(b)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Fetch(context.Background(), Request{URL: srv + "/bench.img", Expected: Expected{Algorithm: algo}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHash is the hashing alone, for comparison with BenchmarkFetch.
func BenchmarkHash(b *testing.B) {
	buf := testBody(copyBufferSize)
	for _, algo := range []string{"md5", "sha1", "sha256", "sha512"} {
		b.Run(algo, func(b *testing.B) {
			h, _ := NewHash(algo)
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				h.Write(buf)
			}
		})
	}
}
