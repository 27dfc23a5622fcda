package image

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// efiGUID is the EFI system partition type C12A7328-F81F-11D2-BA4B-00A0C93EC93B as GPT
// stores it, written out here rather than taken from the code under test.
var efiGUID = []byte{0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b}

// linuxGUID is the Linux file system partition type 0FC63DAF-8483-4772-8E79-3D69D8477DE4.
var linuxGUID = []byte{0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47, 0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4}

// gptDisk is a disk of size bytes with a real GPT (protective MBR, header with its
// CRCs, 128 entries) holding one partition of each type given, as sgdisk writes it.
func gptDisk(size int64, sector int, types ...[]byte) []byte {
	d := make([]byte, size)
	lbas := size / int64(sector)
	le := binary.LittleEndian
	mbr := d[446:]
	mbr[4] = 0xee
	le.PutUint32(mbr[8:], 1)
	le.PutUint32(mbr[12:], uint32(min(lbas-1, 0xffffffff)))
	d[510], d[511] = 0x55, 0xaa
	entries := d[2*sector : 2*sector+128*128]
	first := int64(2048 * 512 / sector)
	for i, typ := range types {
		e := entries[i*128:]
		copy(e, typ)
		e[16] = byte(i + 1) // unique GUID
		le.PutUint64(e[32:], uint64(first))
		le.PutUint64(e[40:], uint64(first+int64(512<<10/sector)-1))
		first += int64(512 << 10 / sector)
	}
	h := d[sector : sector+92]
	copy(h, "EFI PART")
	le.PutUint32(h[8:], 0x00010000)
	le.PutUint32(h[12:], 92)
	le.PutUint64(h[24:], 1)
	le.PutUint64(h[32:], uint64(lbas-1))
	le.PutUint64(h[40:], 34)
	le.PutUint64(h[48:], uint64(lbas-34))
	h[56] = 0x42 // disk GUID
	le.PutUint64(h[72:], 2)
	le.PutUint32(h[80:], 128)
	le.PutUint32(h[84:], 128)
	le.PutUint32(h[88:], crc32.ChecksumIEEE(entries))
	le.PutUint32(h[16:], crc32.ChecksumIEEE(h))
	return d
}

// mbrDisk is a disk with a DOS partition table holding partitions of these types.
func mbrDisk(size int64, types ...byte) []byte {
	d := make([]byte, size)
	for i, typ := range types {
		e := d[446+16*i:]
		e[0] = 0x80 * byte(1-min(i, 1))
		e[4] = typ
		binary.LittleEndian.PutUint32(e[8:], uint32(2048+i*1024))
		binary.LittleEndian.PutUint32(e[12:], 1024)
	}
	d[510], d[511] = 0x55, 0xaa
	return d
}

// qemuImg runs qemu-img in dir and returns the named output's bytes.
func qemuImg(t *testing.T, dir, out string, args ...string) []byte {
	t.Helper()
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img (qemu-utils) is not installed")
	}
	cmd := exec.Command("qemu-img", args...)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("qemu-img %v: %v: %s", args, err, b)
	}
	b, err := os.ReadFile(filepath.Join(dir, out))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// qcow2Disk converts raw into a qcow2 with qemu-img (more options after "-O qcow2"),
// then grows its virtual size to virtual bytes when that is larger.
func qcow2Disk(t *testing.T, raw []byte, virtual int64, opts ...string) []byte {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "in.raw"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	args := append(append([]string{"convert", "-f", "raw", "-O", "qcow2"}, opts...), "in.raw", "out.qcow2")
	b := qemuImg(t, dir, "out.qcow2", args...)
	if virtual > int64(len(raw)) {
		b = qemuImg(t, dir, "out.qcow2", "resize", "-f", "qcow2", "out.qcow2", itoa(virtual))
	}
	return b
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// rangeServer serves body at /img, with Range requests unless ranges is false, and
// counts the requests.
type rangeServer struct {
	*httptest.Server
	requests atomic.Int32
}

func newRangeServer(t *testing.T, body []byte, ranges bool) *rangeServer {
	s := &rangeServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if r.URL.Path != "/img" {
			http.NotFound(w, r)
			return
		}
		if ranges {
			http.ServeContent(w, r, "img", time.Time{}, bytes.NewReader(body))
			return
		}
		w.Header().Set("Content-Length", itoa(int64(len(body))))
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func layoutEngine(t *testing.T) *Engine {
	e, err := New(Options{CacheDir: t.TempDir(), Retries: 1, BaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// Real images, read three ways (a file, HTTP with Range, HTTP without): the size on disk,
// the partition table and its EFI system partition, in one request when the server
// answers Range requests, none more for the same URL.
func TestLayout_images(t *testing.T) {
	const mib = 1 << 20
	espRaw := gptDisk(4*mib, 512, linuxGUID, efiGUID)
	noESPRaw := gptDisk(4*mib, 512, linuxGUID)
	for _, c := range []struct {
		name       string
		image      func(t *testing.T) []byte
		format     string
		diskSize   int64 // -1 unknown; 0: the file's size
		partitions string
		esp        ESP
		unread     string // part of Unread
	}{
		{"raw GPT with an ESP", func(*testing.T) []byte { return espRaw }, "raw", 0, "gpt", ESPPresent, ""},
		{"raw GPT without an ESP", func(*testing.T) []byte { return noESPRaw }, "raw", 0, "gpt", ESPAbsent, ""},
		{"raw GPT of 4096-byte sectors with an ESP", func(*testing.T) []byte { return gptDisk(4*mib, 4096, efiGUID) }, "raw", 0, "gpt", ESPPresent, ""},
		{"raw GPT of 4096-byte sectors without", func(*testing.T) []byte { return gptDisk(4*mib, 4096, linuxGUID) }, "raw", 0, "gpt", ESPAbsent, ""},
		{"raw MBR with an ESP", func(*testing.T) []byte { return mbrDisk(2*mib, 0x83, 0xef) }, "raw", 0, "mbr", ESPPresent, ""},
		{"raw MBR without", func(*testing.T) []byte { return mbrDisk(2*mib, 0x83, 0x82) }, "raw", 0, "mbr", ESPAbsent, ""},
		{"raw without a partition table", func(*testing.T) []byte { return []byte("os image v1") }, "raw", 0, "", ESPUnknown, "no partition table"},
		{"qcow2 of a GPT with an ESP, grown to 20 GiB", func(t *testing.T) []byte { return qcow2Disk(t, espRaw, 20<<30) }, "qcow2", 20 << 30, "gpt", ESPPresent, ""},
		{"qcow2 of a GPT without an ESP", func(t *testing.T) []byte { return qcow2Disk(t, noESPRaw, 6<<30) }, "qcow2", 6 << 30, "gpt", ESPAbsent, ""},
		{"qcow2 of 4 KiB clusters (16 clusters read)", func(t *testing.T) []byte { return qcow2Disk(t, espRaw, 0, "-o", "cluster_size=4096") },
			"qcow2", 4 * mib, "gpt", ESPPresent, ""},
		{"qcow2 version 2 (compat 0.10)", func(t *testing.T) []byte { return qcow2Disk(t, noESPRaw, 0, "-o", "compat=0.10") },
			"qcow2", 4 * mib, "gpt", ESPAbsent, ""},
		{"empty qcow2 of 20 GiB", func(t *testing.T) []byte {
			return qemuImg(t, t.TempDir(), "e.qcow2", "create", "-f", "qcow2", "e.qcow2", "20G")
		}, "qcow2", 20 << 30, "", ESPUnknown, "no partition table"},
		{"compressed qcow2", func(t *testing.T) []byte { return qcow2Disk(t, espRaw, 0, "-c") }, "qcow2", 4 * mib, "", ESPUnknown, "compressed"},
		{"gzip", func(*testing.T) []byte {
			var b bytes.Buffer
			z := gzip.NewWriter(&b)
			z.Write(espRaw)
			z.Close()
			return b.Bytes()
		}, "gzip", -1, "", ESPUnknown, "unpacked"},
	} {
		t.Run(c.name, func(t *testing.T) {
			img := c.image(t)
			want := c.diskSize
			if want == 0 {
				want = int64(len(img))
			}
			path := filepath.Join(t.TempDir(), "img")
			if err := os.WriteFile(path, img, 0o644); err != nil {
				t.Fatal(err)
			}
			ranged, plain := newRangeServer(t, img, true), newRangeServer(t, img, false)
			for _, src := range []struct {
				url    string
				server *rangeServer
			}{{"file://" + path, nil}, {ranged.URL + "/img", ranged}, {plain.URL + "/img", plain}} {
				e := layoutEngine(t)
				l, err := e.Layout(context.Background(), src.url)
				if err != nil {
					t.Fatalf("%s: %v", src.url, err)
				}
				unread := c.unread
				if src.server == plain && c.format == "qcow2" && len(img) > HeadBytes && c.unread == "" {
					unread = "does not answer Range requests" // only this server's head is available
				}
				if l.Format != c.format || l.DiskSize != want || l.FileSize != int64(len(img)) || !strings.Contains(l.Unread, unread) ||
					(unread == c.unread && (l.Partitions != c.partitions || l.ESP != c.esp)) || (unread == "") != (l.Unread == "") {
					t.Fatalf("%s: %+v, want format %s, size %d (file %d), %q, ESP %d, unread %q", src.url, l, c.format, want, len(img), c.partitions, c.esp, unread)
				}
				if src.server == nil {
					continue
				}
				n := src.server.requests.Load()
				if src.server == ranged && n != 1 {
					t.Errorf("%s: %d requests, want one bounded read", src.url, n)
				}
				if again, err := e.Layout(context.Background(), src.url); err != nil || again != l || src.server.requests.Load() != n {
					t.Errorf("%s: the second read was not served from the engine: %+v %v", src.url, again, err)
				}
			}
		})
	}
}

// A qcow2 whose first clusters lie beyond the head read (written last, as a pipeline
// that writes the partition table at the end does): its L1 entry may be in the head,
// its L2 table and the cluster are read with a few more bounded Range requests.
func TestLayout_qcow2BeyondTheHead(t *testing.T) {
	if _, err := exec.LookPath("qemu-io"); err != nil {
		t.Skip("qemu-io (qemu-utils) is not installed")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "gpt.raw"), gptDisk(64<<10, 512, linuxGUID, efiGUID)[:64<<10], 0o644); err != nil {
		t.Fatal(err)
	}
	qemuImg(t, dir, "q.qcow2", "create", "-f", "qcow2", "q.qcow2", "16G")
	for _, cmd := range []string{"write -P 0x5a 8G 4M", "write -s gpt.raw 0 64k"} {
		c := exec.Command("qemu-io", "-f", "qcow2", "-c", cmd, "q.qcow2")
		c.Dir = dir
		if b, err := c.CombinedOutput(); err != nil {
			t.Fatalf("qemu-io %s: %v: %s", cmd, err, b)
		}
	}
	img, err := os.ReadFile(filepath.Join(dir, "q.qcow2"))
	if err != nil {
		t.Fatal(err)
	}
	if len(img) <= HeadBytes+(64<<10) {
		t.Fatalf("the qcow2 is %d bytes: its first cluster is within the head", len(img))
	}
	s := newRangeServer(t, img, true)
	l, err := layoutEngine(t).Layout(context.Background(), s.URL+"/img")
	if err != nil {
		t.Fatal(err)
	}
	if l.Format != "qcow2" || l.DiskSize != 16<<30 || l.Partitions != "gpt" || l.ESP != ESPPresent || l.Unread != "" {
		t.Fatalf("%+v", l)
	}
	if n := s.requests.Load(); n < 2 || n > 1+maxLayoutReads {
		t.Fatalf("%d requests, want the head and a few bounded reads", n)
	}
	// A server without Range requests: the head only, and a reason.
	plain := newRangeServer(t, img, false)
	l, err = layoutEngine(t).Layout(context.Background(), plain.URL+"/img")
	if err != nil || l.DiskSize != 16<<30 || l.ESP != ESPUnknown || !strings.Contains(l.Unread, "Range") {
		t.Fatalf("without ranges: %+v %v", l, err)
	}
}

// What cannot be read is an error (the source) or a reason (the format), never a guess.
func TestLayout_unreadable(t *testing.T) {
	s := newRangeServer(t, []byte("x"), true)
	if _, err := layoutEngine(t).Layout(context.Background(), s.URL+"/missing"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("a missing image: %v", err)
	}
	if _, err := layoutEngine(t).Layout(context.Background(), "file:///nonexistent/image.raw"); err == nil {
		t.Fatal("a missing file read")
	}
	dir := t.TempDir()
	base := filepath.Join(dir, "base.qcow2")
	qemuImg(t, dir, "base.qcow2", "create", "-f", "qcow2", "base.qcow2", "1G")
	qemuImg(t, dir, "top.qcow2", "create", "-f", "qcow2", "-b", base, "-F", "qcow2", "top.qcow2")
	l, err := layoutEngine(t).Layout(context.Background(), "file://"+filepath.Join(dir, "top.qcow2"))
	if err != nil || l.DiskSize != 1<<30 || l.ESP != ESPUnknown || !strings.Contains(l.Unread, "backing file") {
		t.Fatalf("a qcow2 with a backing file: %+v %v", l, err)
	}
	empty := newRangeServer(t, nil, true)
	if l, err := layoutEngine(t).Layout(context.Background(), empty.URL+"/img"); err != nil || l.DiskSize != 0 {
		t.Fatalf("an empty image: %+v %v", l, err)
	}
}

// Whatever the first bytes say, reading the layout never panics nor reads more than
// its bounds.
func FuzzLayout(f *testing.F) {
	small := gptDisk(64<<10, 512, efiGUID)[:2048] // small seeds keep the fuzzer fast
	binary.LittleEndian.PutUint32(small[512+80:], 8)
	f.Add(small)
	f.Add(mbrDisk(1024, 0xef))
	hdr := make([]byte, 104)
	copy(hdr, []byte{'Q', 'F', 'I', 0xfb, 0, 0, 0, 3})
	binary.BigEndian.PutUint32(hdr[20:], 16)
	binary.BigEndian.PutUint64(hdr[24:], 1<<30)
	binary.BigEndian.PutUint32(hdr[36:], 1)
	binary.BigEndian.PutUint64(hdr[40:], 0xffffffffffffff00)
	f.Add(hdr)
	f.Fuzz(func(t *testing.T, head []byte) {
		r := &headRanger{head: head, r: &fileRanger{size: int64(len(head))}}
		l, _ := layoutOf(context.Background(), r, int64(len(head)))
		if r.reads > maxLayoutReads || (l.Format == "raw" && l.DiskSize != int64(len(head))) {
			t.Fatalf("%+v after %d reads", l, r.reads)
		}
	})
}

// Deployments of one image plan side by side: their reads of it are one request.
func TestLayout_concurrentReadsAreOne(t *testing.T) {
	s := newRangeServer(t, bytes.Repeat([]byte{0}, 4096), true)
	e := layoutEngine(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if l, err := e.Layout(context.Background(), s.URL+"/img"); err != nil || l.DiskSize != 4096 {
				t.Errorf("layout: %+v %v", l, err)
			}
		}()
	}
	wg.Wait()
	if n := s.requests.Load(); n != 1 {
		t.Fatalf("8 concurrent reads of one image made %d requests, want 1", n)
	}
}
