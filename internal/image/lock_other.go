//go:build !unix

package image

import (
	"context"
	"os"
	"time"
)

// Without flock, a lock is a file created exclusively beside the entry. A process that
// dies holding one leaves it behind; one older than staleLock is taken over.
const staleLock = time.Hour

func lockFile(ctx context.Context, path string) (func(), error) {
	held := path + ".held"
	delay := 5 * time.Millisecond
	for {
		if unlock, ok := tryLockFile(path); ok {
			return unlock, nil
		}
		if st, err := os.Stat(held); err == nil && time.Since(st.ModTime()) > staleLock {
			os.Remove(held)
			continue
		}
		if sleepCtx(ctx, delay) != nil {
			return nil, ctx.Err()
		}
		delay = min(delay*2, 100*time.Millisecond)
	}
}

func tryLockFile(path string) (func(), bool) {
	f, err := os.OpenFile(path+".held", os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil { // held by someone else, or not creatable at all
		return nil, false
	}
	f.Close()
	return func() { os.Remove(path + ".held") }, true
}
