package backoff

import (
	"context"
	"sync"
	"time"
)

// Recorder is a Sleeper for tests: it records the waits it is asked for and returns at
// once (with the context's error, as Sleep would).
type Recorder struct {
	mu     sync.Mutex
	sleeps []time.Duration
}

func (r *Recorder) Sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.sleeps = append(r.sleeps, d)
	r.mu.Unlock()
	return ctx.Err()
}

// Sleeps is a copy of the waits recorded so far, in order.
func (r *Recorder) Sleeps() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.sleeps...)
}
