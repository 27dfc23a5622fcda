package image

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Limits bound the cache like Ironic's own image cache (master_image_ttl, image_cache_size):
// entries unused for longer than MaxAge go, then the least recently used until the
// entries take at most MaxSize bytes. Zero means no limit of that kind.
type Limits struct {
	MaxSize int64
	MaxAge  time.Duration
}

// Eviction defaults, Ironic's: 20 GiB and 7 days.
const (
	DefaultMaxSize = 20 << 30
	DefaultMaxAge  = 7 * 24 * time.Hour
)

// evicted is one entry evict removed, for the log.
type evicted struct {
	URL    string
	Size   int64
	Reason string
}

// candidate is an entry evict may remove; it holds the entry's lock meanwhile.
type candidate struct {
	key    string
	meta   *entryMeta
	size   int64
	unlock func()
}

// evict applies the limits. An entry whose lock is held (a fetch of it is running, in
// this process or another) is never removed, but its bytes count towards MaxSize.
// Metadata without bytes or bytes without valid metadata are removed as broken.
func (c cache) evict(now time.Time, lim Limits) []evicted {
	var out []evicted
	var free []candidate
	var held int64
	for _, key := range c.keys() {
		unlock, ok := tryLockFile(c.path(key, ".lock"))
		if !ok {
			if st, err := os.Stat(c.path(key, ".img")); err == nil {
				held += st.Size()
			}
			continue
		}
		meta, ok := c.load(key)
		if !ok {
			_ = c.remove(key)
			unlock()
			continue
		}
		free = append(free, candidate{key: key, meta: meta, size: meta.Size, unlock: unlock})
	}
	defer func() {
		for _, f := range free {
			f.unlock()
		}
	}()
	sort.Slice(free, func(i, j int) bool { return free[i].meta.lastUse().Before(free[j].meta.lastUse()) })
	total := held
	for _, f := range free {
		total += f.size
	}
	for _, f := range free {
		reason := ""
		switch {
		case lim.MaxAge > 0 && now.Sub(f.meta.lastUse()) > lim.MaxAge:
			reason = "unused for longer than " + lim.MaxAge.String()
		case lim.MaxSize > 0 && total > lim.MaxSize:
			reason = "cache larger than its size limit"
		default:
			continue
		}
		if c.remove(f.key) == nil {
			total -= f.size
			out = append(out, evicted{URL: f.meta.URL, Size: f.size, Reason: reason})
		}
	}
	return out
}

// keys lists the entries that have metadata or bytes.
func (c cache) keys() []string {
	seen := map[string]bool{}
	var keys []string
	for _, pattern := range []string{"*.json", "*.img"} {
		matches, _ := filepath.Glob(filepath.Join(c.dir, pattern))
		for _, m := range matches {
			key := strings.TrimSuffix(filepath.Base(m), filepath.Ext(m))
			if !seen[key] && !strings.Contains(key, ".tmp-") {
				seen[key] = true
				keys = append(keys, key)
			}
		}
	}
	return keys
}
