package image

import (
	"context"
	"time"

	"github.com/gofrs/flock"
)

// lockPoll is how often a waiting lockFile tries again.
const lockPoll = 20 * time.Millisecond

// lockFile takes an exclusive lock on path, waiting until ctx ends. gofrs/flock uses
// flock(2) on Unix and LockFileEx on Windows: locks belong to the open file, so they
// exclude other processes and other goroutines of this one alike, and the OS drops them
// when a process dies (a killed apply leaves no stale lock to take over).
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	l := flock.New(path, flock.SetPermissions(0o600))
	ok, err := l.TryLockContext(ctx, lockPoll)
	if err != nil || !ok {
		l.Close()
		if err == nil {
			err = ctx.Err()
		}
		return nil, err
	}
	return func() { l.Close() }, nil // Close unlocks
}

// tryLockFile takes the lock only if it is free.
func tryLockFile(path string) (unlock func(), ok bool) {
	l := flock.New(path, flock.SetPermissions(0o600))
	if ok, err := l.TryLock(); err != nil || !ok {
		l.Close()
		return nil, false
	}
	return func() { l.Close() }, true
}
