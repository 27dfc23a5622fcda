// Package backoff is how the engines wait: the delays between attempts (growing by a
// factor up to a cap, with optional jitter), a sleep that ends with its context, a
// polling loop, and the logger they report to. It imports no Terraform: the provider
// passes tflog as the Logger.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Logger receives an engine's log lines; the provider passes tflog. Nil logs nothing.
type Logger func(ctx context.Context, msg string, fields map[string]any)

// Sleep waits for d, or less if ctx ends first (then it returns ctx's error).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Sleeper spaces attempts; tests pass one that records the waits and returns at once.
type Sleeper interface {
	Sleep(ctx context.Context, d time.Duration) error
}

// Clock is the real Sleeper.
type Clock struct{}

// Sleep is the package's Sleep.
func (Clock) Sleep(ctx context.Context, d time.Duration) error { return Sleep(ctx, d) }

// Policy is a growing wait: Initial before the first retry, then each wait Factor times
// the one before (2 when Factor is zero), never more than Max. With Jitter j, each
// delay is scaled by a random factor in [1-j, 1+j) so that clients retrying together
// spread out.
type Policy struct {
	Initial time.Duration
	Factor  float64
	Max     time.Duration
	Jitter  float64
}

// Delay is the wait before retry n (1-based). A zero or overflowing delay is Max.
func (p Policy) Delay(n uint) time.Duration {
	d := p.Initial
	for i := uint(1); i < n && d > 0 && d < p.Max; i++ {
		d = p.next(d)
	}
	if d > p.Max || d <= 0 {
		d = p.Max
	}
	if p.Jitter > 0 {
		d = time.Duration(float64(d) * (1 - p.Jitter + 2*p.Jitter*rand.Float64()))
	}
	return d
}

// next is the delay after d, capped (unjittered).
func (p Policy) next(d time.Duration) time.Duration {
	f := p.Factor
	if f == 0 {
		f = 2
	}
	d = time.Duration(float64(d) * f)
	if d > p.Max {
		d = p.Max
	}
	return d
}

// PollAfterWait is Poll for something that cannot be done yet when polling starts (a
// request was just made whose answer says it is under way): the first check comes after
// the first wait, and the waits follow p from there.
func PollAfterWait(ctx context.Context, s Sleeper, p Policy, check func() (bool, error)) error {
	for n := uint(1); ; n++ {
		if err := s.Sleep(ctx, p.Delay(n)); err != nil {
			return err
		}
		done, err := check()
		if err != nil || done {
			return err
		}
	}
}

// Poll calls check until it reports done, returns an error, or ctx ends (then ctx's
// error). The first check runs at once; the waits between checks follow p.
func Poll(ctx context.Context, s Sleeper, p Policy, check func() (bool, error)) error {
	for n := uint(1); ; n++ {
		done, err := check()
		if err != nil || done {
			return err
		}
		if err := s.Sleep(ctx, p.Delay(n)); err != nil {
			return err
		}
	}
}
