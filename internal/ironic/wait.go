package ironic

import (
	"context"
	"time"
)

// PollPolicy paces status polling: a short first interval (fake-hardware transitions take
// well under a second) growing to a cap (a real deploy takes minutes).
type PollPolicy struct {
	Initial time.Duration
	Factor  float64
	Max     time.Duration
}

// DefaultPoll polls after 20 ms, then 24, 29, ... up to every 3 s: a wait overshoots the
// transition by at most a fifth of its length (fake hardware settles in about a second).
var DefaultPoll = PollPolicy{Initial: 20 * time.Millisecond, Factor: 1.2, Max: 3 * time.Second}

// clock is time, replaceable in tests.
type clock interface {
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Sleep(ctx context.Context, d time.Duration) error { return sleepCtx(ctx, d) }

// poll calls check until it reports done, returns an error, or ctx ends. The first check
// runs at once; the intervals then grow by the policy.
func poll(ctx context.Context, c clock, p PollPolicy, check func() (bool, error)) error {
	delay := p.Initial
	for {
		done, err := check()
		if err != nil || done {
			return err
		}
		if err := c.Sleep(ctx, delay); err != nil {
			return err
		}
		delay = time.Duration(float64(delay) * p.Factor)
		if delay > p.Max {
			delay = p.Max
		}
	}
}
