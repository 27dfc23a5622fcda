package image

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestHelperFetchProcess is not a test: TestConcurrentFetchFromTwoProcesses runs the test
// binary twice with it, as two `terraform apply` runs sharing one cache directory.
func TestHelperFetchProcess(t *testing.T) {
	url, dir := os.Getenv("IMAGE_HELPER_URL"), os.Getenv("IMAGE_HELPER_CACHE")
	if url == "" {
		t.Skip("helper process only")
	}
	e, err := New(Options{CacheDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Fetch(context.Background(), Request{URL: url, Expected: Expected{Algorithm: "sha256"}})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("RESULT %s %v\n", res.Checksum, res.CacheHit)
}

func TestConcurrentFetchFromTwoProcesses(t *testing.T) {
	body := testBody(8 << 20)
	var gets atomic.Int32
	srv := newHandlerServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Last-Modified", "Wed, 21 Oct 2026 07:28:00 GMT")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		if r.Method == http.MethodHead {
			return
		}
		gets.Add(1)
		// Slow enough that both processes are inside Fetch at once.
		for i := 0; i < len(body); i += len(body) / 8 {
			w.Write(body[i : i+len(body)/8])
			w.(http.Flusher).Flush()
			time.Sleep(40 * time.Millisecond)
		}
	}))
	dir := t.TempDir()
	cmds := make([]*exec.Cmd, 2)
	outs := make([]*strings.Builder, 2)
	for i := range cmds {
		cmds[i] = exec.Command(os.Args[0], "-test.run=^TestHelperFetchProcess$", "-test.v")
		cmds[i].Env = append(os.Environ(), "IMAGE_HELPER_URL="+srv+"/img.raw", "IMAGE_HELPER_CACHE="+dir)
		outs[i] = &strings.Builder{}
		cmds[i].Stdout, cmds[i].Stderr = outs[i], outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	hits := 0
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("process %d: %v\n%s", i, err, outs[i])
		}
		if !strings.Contains(outs[i].String(), "RESULT "+sha256hex(body)) {
			t.Fatalf("process %d: %s", i, outs[i])
		}
		if strings.Contains(outs[i].String(), " true\n") {
			hits++
		}
	}
	if g := gets.Load(); g != 1 || hits != 1 {
		t.Fatalf("%d downloads and %d cache hits, want 1 and 1: the second process should wait and reuse", g, hits)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(entries) != 3 { // .img, .json, .lock
		t.Fatalf("cache holds %v", names)
	}
}

// A provider killed with SIGKILL mid-download leaves a partial temp file; the next run
// removes it and fetches the image whole.
func TestKilledMidDownloadIsCleanedUp(t *testing.T) {
	body := testBody(4 << 20)
	release := make(chan struct{})
	srv := newHandlerServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		if r.Method == http.MethodHead {
			return
		}
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		select { // stall until the test lets go (after the kill)
		case <-release:
		case <-r.Context().Done():
		}
		w.Write(body[len(body)/2:])
	}))
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperFetchProcess$", "-test.v")
	cmd.Env = append(os.Environ(), "IMAGE_HELPER_URL="+srv+"/big.img", "IMAGE_HELPER_CACHE="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var partial string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		matches, _ := filepath.Glob(filepath.Join(dir, "*.tmp-*"))
		if len(matches) == 1 {
			if st, err := os.Stat(matches[0]); err == nil && st.Size() >= int64(len(body)/2) {
				partial = matches[0]
				break
			}
		}
	}
	cmd.Process.Kill() // SIGKILL: no cleanup code runs
	cmd.Wait()
	close(release)
	if partial == "" {
		t.Fatal("the child never wrote a partial download")
	}
	e, err := New(Options{CacheDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.prepare(context.Background()); err != nil { // what the next fetch does first
		t.Fatal(err)
	}
	if _, err := os.Stat(partial); !os.IsNotExist(err) {
		t.Fatal("the partial download survived the next start")
	}
	res, err := e.Fetch(context.Background(), Request{URL: srv + "/big.img", Expected: Expected{Algorithm: "sha256"}})
	if err != nil || res.Checksum != sha256hex(body) {
		t.Fatalf("fetch after the crash: %v", err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.tmp-*")); len(m) != 0 {
		t.Fatalf("leftovers: %v", m)
	}
}
