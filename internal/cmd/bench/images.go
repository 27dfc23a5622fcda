//go:build linux

package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/metalform/terraform-provider-baremetal/internal/image"
)

const gib = 1 << 30

// makeFile writes size random bytes (random, so no layer can compress or skip them).
func makeFile(path string, size int64) error {
	if st, err := os.Stat(path); err == nil && st.Size() == size {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.CopyN(f, rand.Reader, size)
	return err
}

// hashRows: the engine's checksum of a 1 GiB file against openssl dgst on the same file.
func hashRows(e *env) ([]row, error) {
	path := filepath.Join(e.dir, "1g.img")
	fmt.Fprintln(os.Stderr, "bench: writing a 1 GiB test file")
	if err := makeFile(path, gib); err != nil {
		return nil, err
	}
	eng, err := image.New(image.Options{CacheDir: filepath.Join(e.dir, "cache")})
	if err != nil {
		return nil, err
	}
	_ = exec.Command("cat", path).Run() // warm the page cache for both sides
	var rows []row
	for _, algo := range []string{"md5", "sha256", "sha512"} {
		fmt.Fprintf(os.Stderr, "bench: hashing 1 GiB with %s\n", algo)
		ours := best(3, func() error {
			_, err := eng.Fetch(context.Background(), image.Request{URL: "file://" + path, Expected: image.Expected{Algorithm: algo}})
			return err
		})
		theirs := best(3, func() error { return exec.Command("openssl", "dgst", "-"+algo, path).Run() })
		rows = append(rows, row{
			what: fmt.Sprintf("hash 1 GiB %s: engine vs openssl dgst (throughput)", algo),
			ours: mbps(gib, ours), theirs: mbps(gib, theirs),
			ratio: fmt.Sprintf("%.2fx", theirs.Seconds()/ours.Seconds()), goal: ">= 0.9x",
		})
	}
	return rows, nil
}

// fetchRows: download + checksum + write of a 1 GiB image from a local server, against
// curl | tee | openssl, and the fetch's peak memory for 256 MiB and 2 GiB images.
func fetchRows(e *env) ([]row, error) {
	path := filepath.Join(e.dir, "1g.img")
	if err := makeFile(path, gib); err != nil {
		return nil, err
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(e.dir)))
	defer srv.Close()
	url := srv.URL + "/1g.img"
	cache := filepath.Join(e.dir, "fetch-cache")
	fmt.Fprintln(os.Stderr, "bench: fetching 1 GiB over HTTP")
	ours := best(3, func() error {
		os.RemoveAll(cache)
		_, _, err := fetchInChild(url, cache)
		return err
	})
	out := filepath.Join(e.dir, "curl-copy.img")
	theirs := best(3, func() error {
		os.Remove(out)
		cmd := exec.Command("sh", "-c", fmt.Sprintf("curl -sf %q | tee %q | openssl dgst -sha256 >/dev/null", url, out))
		return cmd.Run()
	})
	os.Remove(out)
	rows := []row{{
		what: "fetch 1 GiB sha256 to cache (fsync) vs curl|tee|openssl (no fsync)",
		ours: seconds(ours), theirs: seconds(theirs),
		ratio: fmt.Sprintf("%.2fx", theirs.Seconds()/ours.Seconds()), goal: ">= 1x (no slower)",
	}}
	for _, size := range []int64{256 << 20, 2 * gib} {
		name := fmt.Sprintf("%dm.img", size>>20)
		if err := makeFile(filepath.Join(e.dir, name), size); err != nil {
			return nil, err
		}
		os.RemoveAll(cache)
		_, rss, err := fetchInChild(srv.URL+"/"+name, cache)
		if err != nil {
			return nil, err
		}
		os.Remove(filepath.Join(e.dir, name))
		rows = append(rows, row{
			what: fmt.Sprintf("peak memory of a fetch, %d MiB image (whole process)", size>>20),
			ours: fmt.Sprintf("%.1f MiB", float64(rss)/(1<<20)), theirs: "64 MiB",
			ratio: fmt.Sprintf("%.2fx", float64(rss)/(64<<20)), goal: "< 1x of 64 MiB",
		})
	}
	os.RemoveAll(cache)
	return rows, nil
}

// fetchInChild fetches in a child process of this binary, so its peak resident memory
// is the fetch's own.
func fetchInChild(url, cache string) (time.Duration, int64, error) {
	start := time.Now()
	cmd := exec.Command(os.Args[0], "-fetch-child", url, "-cache", cache)
	if strings.HasSuffix(os.Args[0], ".test") {
		return 0, 0, fmt.Errorf("run as a command")
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, 0, fmt.Errorf("fetch child: %v: %s", err, out)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return time.Since(start), ru.Maxrss * 1024, nil
}

// runFetchChild is the child's side of fetchInChild.
func runFetchChild(url, cache string) error {
	eng, err := image.New(image.Options{CacheDir: cache})
	if err != nil {
		return err
	}
	_, err = eng.Fetch(context.Background(), image.Request{URL: url, Expected: image.Expected{Algorithm: "sha256"}})
	return err
}

// planRows: a plan over 50 unchanged baremetal_images probes each once and downloads
// nothing; its wall time against a plan with no images.
func planRows(e *env) ([]row, error) {
	var heads, gets atomic.Int32
	body := make([]byte, 64<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Last-Modified", "Wed, 21 Oct 2026 07:28:00 GMT")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		if r.Method == http.MethodHead {
			heads.Add(1)
			return
		}
		gets.Add(1)
		w.Write(body)
	}))
	defer srv.Close()
	withImages := filepath.Join(e.dir, "plan-images")
	without := filepath.Join(e.dir, "plan-empty")
	for _, d := range []string{withImages, without} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	cfg := providerHeader + fmt.Sprintf(`
provider "baremetal" {
  image_cache_dir = %q
}
resource "baremetal_image" "img" {
  count = 50
  url   = "%s/images/${count.index}.qcow2"
}
`, filepath.Join(e.dir, "plan-cache"), srv.URL)
	os.WriteFile(filepath.Join(withImages, "main.tf"), []byte(cfg), 0o644)
	// The baseline: as many resources that Terraform plans without any provider call.
	os.WriteFile(filepath.Join(without, "main.tf"), []byte(providerHeader+`
provider "baremetal" {}
resource "terraform_data" "d" {
  count = 50
  input = count.index
}
`), 0o644)
	fmt.Fprintln(os.Stderr, "bench: applying 50 images, then planning with nothing changed")
	if err := e.terraformRun(withImages, "apply", "-auto-approve", "-input=false"); err != nil {
		return nil, err
	}
	heads.Store(0)
	gets.Store(0)
	ours := best(3, func() error { return e.terraformRun(withImages, "plan", "-input=false", "-detailed-exitcode") })
	probes, downloads := heads.Load()/3, gets.Load()
	if err := e.terraformRun(without, "apply", "-auto-approve", "-input=false"); err != nil {
		return nil, err
	}
	theirs := best(3, func() error { return e.terraformRun(without, "plan", "-input=false", "-detailed-exitcode") })
	_ = e.terraformRun(withImages, "destroy", "-auto-approve", "-input=false")
	return []row{
		{what: "plan over 50 unchanged images: requests per plan", ours: fmt.Sprintf("%d HEAD", probes),
			theirs: fmt.Sprintf("%d GET", downloads), ratio: "", goal: "50 probes, 0 downloads"},
		{what: "plan over 50 unchanged images vs 50 terraform_data", ours: seconds(ours), theirs: seconds(theirs),
			ratio: fmt.Sprintf("%.2fx", ours.Seconds()/theirs.Seconds()), goal: "(reported)"},
	}, nil
}

// best runs f n times and returns the fastest run: the least disturbed by neighbours.
func best(n int, f func() error) time.Duration {
	var min time.Duration
	for range n {
		start := time.Now()
		if err := f(); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			return time.Duration(1<<63 - 1)
		}
		if d := time.Since(start); min == 0 || d < min {
			min = d
		}
	}
	return min
}

func mbps(n int64, d time.Duration) string {
	return fmt.Sprintf("%.0f MB/s", float64(n)/d.Seconds()/1e6)
}
