package image

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
)

// What an image writes to a disk, read from its first bytes without downloading it:
// its format, the bytes it occupies on a disk once written (a raw image's own size, a
// qcow2's virtual size), and whether its partition table holds an EFI system partition.
// One bounded read (HeadBytes, an HTTP Range request or the head of a file) serves a
// raw image; a qcow2 needs at most a few more small reads, of the clusters that hold
// its first sectors. Answers are kept per engine (one per provider process: a plan),
// so a plan that deploys one image on many nodes reads it once.

// HeadBytes is the most a layout read asks for in one request.
const HeadBytes = 1 << 20

// partitionBytes is how much of the disk's start a partition table is read from: the
// MBR, a GPT header and 128 entries, for 512- and 4096-byte sectors.
const partitionBytes = 64 << 10

// maxLayoutReads bounds the small reads beyond the head (qcow2 tables and clusters).
const maxLayoutReads = 8

// ESP says whether an image has an EFI system partition.
type ESP int

const (
	ESPUnknown ESP = iota // the partition table could not be read (Layout.Unread says why)
	ESPPresent
	ESPAbsent
)

// Layout is what an image writes to a disk.
type Layout struct {
	// Format is raw or qcow2, or what the first bytes say when the size on disk cannot
	// be told without unpacking: gzip, xz, zstd, bzip2, vmdk, vhdx, vdi.
	Format     string
	DiskSize   int64  // bytes on the disk once written (qcow2: its virtual size); -1 unknown
	FileSize   int64  // bytes of the file; -1 unknown
	Partitions string // gpt, mbr; "" when the first sectors hold none (or were not read)
	ESP        ESP
	Unread     string // why the partition table was not read; "" when it was
}

// SizeKnown reports whether DiskSize says what the image occupies on a disk.
func (l Layout) SizeKnown() bool { return l.DiskSize >= 0 }

// layoutEntry is one URL's answer; its lock makes the plans' concurrent reads of one
// image a single read (deployments of one image plan side by side).
type layoutEntry struct {
	mu     sync.Mutex
	done   bool
	layout Layout
	err    error
}

// Layout reads what the image at url writes to a disk. The first answer for a URL is
// kept for the engine's life, errors included; callers asking while it is read wait
// for it.
func (e *Engine) Layout(ctx context.Context, url string) (Layout, error) {
	v, _ := e.layouts.LoadOrStore(url, &layoutEntry{})
	en := v.(*layoutEntry)
	en.mu.Lock()
	defer en.mu.Unlock()
	if en.done {
		return en.layout, en.err
	}
	l, err := e.readLayout(ctx, url)
	if ctx.Err() == nil { // a cancelled plan says nothing about the image
		en.layout, en.err, en.done = l, err, true
	}
	return l, err
}

func (e *Engine) readLayout(ctx context.Context, url string) (Layout, error) {
	kind, path, err := ParseSource(url)
	if err != nil {
		return Layout{}, err
	}
	var r ranger
	if kind == KindFile {
		f, err := os.Open(path)
		if err != nil {
			return Layout{}, err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return Layout{}, err
		}
		if !st.Mode().IsRegular() {
			return Layout{}, fmt.Errorf("%s is not a regular file", path)
		}
		r = &fileRanger{f: f, size: st.Size()}
	} else {
		r = &httpRanger{e: e, url: url, size: -1}
	}
	head, err := r.readAt(ctx, 0, HeadBytes)
	if err != nil {
		return Layout{}, err
	}
	return layoutOf(ctx, &headRanger{head: head, r: r}, r.total())
}

// layoutOf reads the layout of an image whose first bytes r serves.
func layoutOf(ctx context.Context, r *headRanger, fileSize int64) (Layout, error) {
	l := Layout{Format: "raw", DiskSize: fileSize, FileSize: fileSize}
	head := r.head
	if format := packedFormat(head); format != "" {
		l.Format, l.DiskSize = format, -1
		l.Unread = "a " + format + " image is unpacked before it is written; its size on disk and its partitions are not read"
		return l, nil
	}
	disk := func(ctx context.Context, off, n int64) ([]byte, error) { return r.readAt(ctx, off, n) }
	if isQcow2(head) {
		q, err := parseQcow2(head)
		if err != nil {
			return Layout{}, err
		}
		l.Format, l.DiskSize = "qcow2", q.size
		if why := q.unreadable(); why != "" {
			l.Unread = why
			return l, nil
		}
		disk = func(ctx context.Context, off, n int64) ([]byte, error) { return q.readGuest(ctx, r, off, n) }
	}
	first, err := disk(ctx, 0, partitionBytes)
	if err != nil {
		var u unreadable
		if errors.As(err, &u) {
			l.Unread = u.why
			return l, nil
		}
		return Layout{}, err
	}
	l.Partitions, l.ESP, l.Unread = partitionTable(first)
	return l, nil
}

// packedFormat names formats whose disk size the first bytes do not give.
func packedFormat(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		return "gzip"
	case bytes.HasPrefix(b, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		return "xz"
	case bytes.HasPrefix(b, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return "zstd"
	case bytes.HasPrefix(b, []byte("BZh")):
		return "bzip2"
	case bytes.HasPrefix(b, []byte("KDMV")), bytes.HasPrefix(b, []byte("# Disk DescriptorFile")):
		return "vmdk"
	case bytes.HasPrefix(b, []byte("vhdxfile")):
		return "vhdx"
	case len(b) >= 68 && binary.LittleEndian.Uint32(b[64:]) == 0xbeda107f:
		return "vdi"
	}
	return ""
}

// unreadable is a part of the image this probe cannot read without downloading it.
type unreadable struct{ why string }

func (u unreadable) Error() string { return u.why }

// --- partition tables ---

// espGUID is the EFI system partition's type GUID C12A7328-F81F-11D2-BA4B-00A0C93EC93B
// as GPT stores it (the first three fields little-endian).
var espGUID = []byte{0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b}

// partitionTable reads a GPT (512- or 4096-byte sectors) or an MBR from the first
// bytes of a disk.
func partitionTable(b []byte) (string, ESP, string) {
	for _, sector := range []int{512, 4096} {
		if len(b) < sector+92 || !bytes.Equal(b[sector:sector+8], []byte("EFI PART")) {
			continue
		}
		hdr := b[sector:]
		lba := binary.LittleEndian.Uint64(hdr[72:])
		count := int64(binary.LittleEndian.Uint32(hdr[80:]))
		size := int64(binary.LittleEndian.Uint32(hdr[84:]))
		entriesAt := int64(lba) * int64(sector)
		if size < 128 || size > 4096 || count == 0 || count > 1024 || lba > uint64(len(b)) || entriesAt+count*size > int64(len(b)) {
			return "gpt", ESPUnknown, fmt.Sprintf("its GPT partition entries lie beyond the first %d bytes read", len(b))
		}
		for i := int64(0); i < count; i++ {
			entry := b[entriesAt+i*size:]
			if bytes.Equal(entry[:16], espGUID) {
				return "gpt", ESPPresent, ""
			}
		}
		return "gpt", ESPAbsent, ""
	}
	const none = "its first sectors hold no partition table"
	if len(b) < 512 || b[510] != 0x55 || b[511] != 0xaa {
		return "", ESPUnknown, none
	}
	used, protective := 0, false
	for i := 0; i < 4; i++ {
		e := b[446+16*i:]
		if e[0] != 0 && e[0] != 0x80 {
			return "", ESPUnknown, none + " (a boot sector, of a bare file system?)"
		}
		switch e[4] {
		case 0:
			continue
		case 0xef:
			return "mbr", ESPPresent, ""
		case 0xee:
			protective = true
		}
		used++
	}
	switch {
	case protective:
		return "gpt", ESPUnknown, "its protective MBR announces a GPT whose header was not found"
	case used == 0:
		return "", ESPUnknown, none
	}
	return "mbr", ESPAbsent, ""
}

// --- qcow2 ---

func isQcow2(b []byte) bool { return bytes.HasPrefix(b, []byte{'Q', 'F', 'I', 0xfb}) }

type qcow2 struct {
	version      uint32
	backing      bool
	clusterBits  uint32
	size         int64
	encrypted    bool
	l1Size       int64
	l1Offset     int64
	incompatible uint64
}

func parseQcow2(b []byte) (*qcow2, error) {
	if len(b) < 72 {
		return nil, errors.New("qcow2 header truncated")
	}
	be := binary.BigEndian
	q := &qcow2{
		version:     be.Uint32(b[4:]),
		backing:     be.Uint64(b[8:]) != 0,
		clusterBits: be.Uint32(b[20:]),
		size:        int64(be.Uint64(b[24:])),
		encrypted:   be.Uint32(b[32:]) != 0,
		l1Size:      int64(be.Uint32(b[36:])),
		l1Offset:    int64(be.Uint64(b[40:])),
	}
	if q.version >= 3 && len(b) >= 80 {
		q.incompatible = be.Uint64(b[72:])
	}
	if q.version < 2 || q.clusterBits < 9 || q.clusterBits > 21 || q.size < 0 {
		return nil, fmt.Errorf("qcow2 header not understood (version %d, cluster bits %d)", q.version, q.clusterBits)
	}
	return q, nil
}

// unreadable says why the guest's first sectors cannot be read from the file alone.
func (q *qcow2) unreadable() string {
	switch {
	case q.backing:
		return "the qcow2 image has a backing file, which holds part of its sectors"
	case q.encrypted:
		return "the qcow2 image is encrypted"
	case q.incompatible&(1<<2) != 0:
		return "the qcow2 image keeps its data in an external file"
	case q.incompatible&(1<<4) != 0:
		return "the qcow2 image has extended L2 entries (subclusters), which this check does not read"
	case q.incompatible&^(1<<0|1<<3) != 0:
		return fmt.Sprintf("the qcow2 image has incompatible features %#x this check does not know", q.incompatible)
	}
	return ""
}

const qcow2OffsetMask = 0x00fffffffffffe00

// readGuest reads n bytes at guest offset off (within the first clusters), through the
// L1 and L2 tables; unallocated clusters read as zeros.
func (q *qcow2) readGuest(ctx context.Context, r *headRanger, off, n int64) ([]byte, error) {
	cluster := int64(1) << q.clusterBits
	perL2 := cluster / 8
	if off+n > q.size {
		n = max(q.size-off, 0)
	}
	out := make([]byte, 0, n)
	for pos := off; pos < off+n; {
		idx := pos / cluster
		within := pos % cluster
		chunk := min(cluster-within, off+n-pos)
		data, err := q.readCluster(ctx, r, idx/perL2, idx%perL2, within, chunk)
		if err != nil {
			return nil, err
		}
		out = append(out, data...)
		pos += chunk
	}
	return out, nil
}

func (q *qcow2) readCluster(ctx context.Context, r *headRanger, l1, l2, within, n int64) ([]byte, error) {
	if l1 >= q.l1Size {
		return make([]byte, n), nil
	}
	l1e, err := r.readAt(ctx, q.l1Offset+8*l1, 8)
	if err != nil || len(l1e) < 8 {
		return nil, unreadableOr(err, "its L1 table")
	}
	table := int64(binary.BigEndian.Uint64(l1e) & qcow2OffsetMask)
	if table == 0 {
		return make([]byte, n), nil
	}
	l2e, err := r.readAt(ctx, table+8*l2, 8)
	if err != nil || len(l2e) < 8 {
		return nil, unreadableOr(err, "its L2 table")
	}
	entry := binary.BigEndian.Uint64(l2e)
	if entry&(1<<62) != 0 {
		return nil, unreadable{"the qcow2 image's first sectors are compressed, which this check does not unpack"}
	}
	host := int64(entry & qcow2OffsetMask)
	if host == 0 || entry&1 != 0 {
		return make([]byte, n), nil // unallocated, or reads as zeros
	}
	data, err := r.readAt(ctx, host+within, n)
	if err != nil {
		return nil, unreadableOr(err, "its first cluster")
	}
	if int64(len(data)) < n { // past the end of the file: zeros
		data = append(data, make([]byte, n-int64(len(data)))...)
	}
	return data, nil
}

func unreadableOr(err error, what string) error {
	if err != nil {
		return err
	}
	return unreadable{"the qcow2 image ends before " + what}
}

// --- reading ranges ---

// ranger reads byte ranges of an image: fewer bytes at its end.
type ranger interface {
	readAt(ctx context.Context, off, n int64) ([]byte, error)
	total() int64 // the image's size; -1 unknown
}

type fileRanger struct {
	f    *os.File
	size int64
}

func (f *fileRanger) readAt(_ context.Context, off, n int64) ([]byte, error) {
	if off >= f.size {
		return nil, nil
	}
	b := make([]byte, min(n, f.size-off))
	k, err := f.f.ReadAt(b, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return b[:k], nil
}

func (f *fileRanger) total() int64 { return f.size }

// headRanger serves reads from the head read first, and counts the others.
type headRanger struct {
	head  []byte
	r     ranger
	reads int
}

func (h *headRanger) readAt(ctx context.Context, off, n int64) ([]byte, error) {
	if off < 0 || n < 0 || off > math.MaxInt64-n {
		return nil, unreadable{"its header points outside the file"}
	}
	end := off + n
	if end <= int64(len(h.head)) {
		return h.head[off:end], nil
	}
	if t := h.r.total(); t >= 0 && t <= int64(len(h.head)) { // the head is the whole image
		if off >= int64(len(h.head)) {
			return nil, nil
		}
		return h.head[off:], nil
	}
	if h.reads >= maxLayoutReads {
		return nil, unreadable{fmt.Sprintf("its partition table needs more than %d reads", maxLayoutReads)}
	}
	h.reads++
	return h.r.readAt(ctx, off, n)
}

// httpRanger reads ranges with HTTP Range requests.
type httpRanger struct {
	e    *Engine
	url  string
	size int64
}

func (h *httpRanger) total() int64 { return h.size }

func (h *httpRanger) readAt(ctx context.Context, off, n int64) ([]byte, error) {
	var data []byte
	err := h.e.withRetry(ctx, "layout read", h.url, func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.url, nil)
		if err != nil {
			return err
		}
		req.Header.Set("User-Agent", h.e.opts.UserAgent)
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+n-1))
		resp, err := h.e.probes.Do(req)
		if err != nil {
			return classify(ctx, err)
		}
		defer resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusPartialContent:
			if t := contentRangeTotal(resp.Header.Get("Content-Range")); t >= 0 {
				h.size = t
			}
		case http.StatusRequestedRangeNotSatisfiable: // past the end (an empty image)
			if t := contentRangeTotal(resp.Header.Get("Content-Range")); t >= 0 {
				h.size = t
			}
			data = nil
			return nil
		case http.StatusOK: // no ranges: the head is the start of the whole body
			h.size = resp.ContentLength
			if off > 0 {
				return unreadable{"the image server does not answer Range requests, and reading further means downloading the image"}
			}
		default:
			return statusErr(resp, h.url)
		}
		data, err = io.ReadAll(io.LimitReader(resp.Body, n))
		if err != nil {
			return classifyBody(ctx, h.url, int64(len(data)), err)
		}
		return nil
	})
	return data, err
}

// contentRangeTotal is the complete length a Content-Range names ("bytes 0-9/1234",
// "bytes */1234"); -1 when it names none.
func contentRangeTotal(v string) int64 {
	_, total, ok := strings.Cut(v, "/")
	if !ok {
		return -1
	}
	n, err := strconv.ParseInt(strings.TrimSpace(total), 10, 64)
	if err != nil {
		return -1
	}
	return n
}
