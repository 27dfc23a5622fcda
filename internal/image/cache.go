package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// cache is a directory of verified images. Per entry, named from a hash of the URL
// (never the URL itself): <key>.img (the bytes), <key>.json (metadata), <key>.lock, and
// while a download runs, <key>.tmp-* files. Nothing outside the engine depends on an
// entry being there: it only saves a download. Entries are shared by every resource,
// workspace and configuration that fetches the same URL, so none is deleted on destroy;
// evict removes them by age and size instead.
type cache struct{ dir string }

// entryMeta is kept with each entry, so freshness compares like with like (the server's
// Last-Modified with the server's, not with a local clock) and a hit needs no rehash.
type entryMeta struct {
	URL          string            `json:"url"` // redacted
	LastModified time.Time         `json:"last_modified,omitzero"`
	ETag         string            `json:"etag,omitempty"`
	Size         int64             `json:"size"`
	NoStore      bool              `json:"no_store,omitempty"`
	Digests      map[string]string `json:"digests"`
	FetchedAt    time.Time         `json:"fetched_at"`
	UsedAt       time.Time         `json:"used_at,omitzero"` // last fetch served by this entry
	// FileModNano is the data file's own mtime when written: a mismatch means the file
	// was touched or replaced since, and the entry is not trusted.
	FileModNano int64 `json:"file_mod_nano"`
}

// lastUse is when the entry last served a fetch (entries written before used_at existed
// count from their download).
func (m *entryMeta) lastUse() time.Time {
	if m.UsedAt.IsZero() {
		return m.FetchedAt
	}
	return m.UsedAt
}

func (m *entryMeta) info() Info {
	return Info{LastModified: m.LastModified, ETag: m.ETag, Size: m.Size, NoStore: m.NoStore}
}

// Key names the cache entry of a URL.
func Key(url string) string { return cacheKey(url) }

func cacheKey(url string) string {
	sum := sha256.Sum256([]byte(url))
	return hex.EncodeToString(sum[:16])
}

func (c cache) path(key, suffix string) string { return filepath.Join(c.dir, key+suffix) }

func (c cache) lock(ctx context.Context, key string) (func(), error) {
	return lockFile(ctx, c.path(key, ".lock"))
}

// load returns the entry's metadata when the entry is complete and untouched.
func (c cache) load(key string) (*entryMeta, bool) {
	b, err := os.ReadFile(c.path(key, ".json"))
	if err != nil {
		return nil, false
	}
	var m entryMeta
	if json.Unmarshal(b, &m) != nil {
		return nil, false
	}
	st, err := os.Stat(c.path(key, ".img"))
	if err != nil || st.Size() != m.Size || st.ModTime().UnixNano() != m.FileModNano {
		return nil, false
	}
	return &m, true
}

// newTemp creates a download file inside the cache directory, so the final rename stays
// on one file system and is atomic.
func (c cache) newTemp(key string) (*os.File, error) {
	return os.CreateTemp(c.dir, key+".tmp-*")
}

// commit moves a verified, fsynced temp file into place, then writes the metadata.
// A crash between the two renames leaves metadata that no longer matches the data file's
// mtime, so load refuses the entry: never a wrong file presented as verified.
func (c cache) commit(key, tmp string, m *entryMeta) error {
	if err := os.Rename(tmp, c.path(key, ".img")); err != nil {
		return err
	}
	st, err := os.Stat(c.path(key, ".img"))
	if err != nil {
		return err
	}
	m.FileModNano = st.ModTime().UnixNano()
	return c.writeMeta(key, m)
}

func (c cache) writeMeta(key string, m *entryMeta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(c.dir, key+".tmp-meta-*")
	if err != nil {
		return err
	}
	_, werr := f.Write(b)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), c.path(key, ".json")); err != nil {
		os.Remove(f.Name())
		return err
	}
	return syncDir(c.dir)
}

// remove deletes an entry (the caller holds its lock).
func (c cache) remove(key string) error {
	return errors.Join(ignoreNotExist(os.Remove(c.path(key, ".json"))), ignoreNotExist(os.Remove(c.path(key, ".img"))))
}

// cleanTemps removes download leftovers of one entry (the caller holds its lock, so
// nobody is writing them).
func (c cache) cleanTemps(key string) {
	matches, _ := filepath.Glob(c.path(key, ".tmp-*"))
	for _, m := range matches {
		os.Remove(m)
	}
}

// sweep removes leftovers of crashed downloads across the cache: temp files whose entry
// lock is free. An entry being downloaded right now is locked and left alone.
func (c cache) sweep() int {
	matches, _ := filepath.Glob(filepath.Join(c.dir, "*.tmp-*"))
	removed := 0
	for _, m := range matches {
		key, _, _ := strings.Cut(filepath.Base(m), ".tmp-")
		unlock, ok := tryLockFile(c.path(key, ".lock"))
		if !ok {
			continue
		}
		if os.Remove(m) == nil {
			removed++
		}
		unlock()
	}
	return removed
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func ignoreNotExist(err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
