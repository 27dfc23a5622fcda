package ironic

import (
	"context"
	"time"

	"github.com/metalform/terraform-provider-baremetal/internal/backoff"
)

// PollPolicy paces status polling: a short first interval (fake-hardware transitions take
// well under a second) growing to a cap (a real deploy takes minutes).
type PollPolicy = backoff.Policy

// DefaultPoll polls after 20 ms, then 24, 29, ... up to every 3 s: a wait overshoots the
// transition by at most a fifth of its length (fake hardware settles in about a second).
var DefaultPoll = PollPolicy{Initial: 20 * time.Millisecond, Factor: 1.2, Max: 3 * time.Second}

// clock spaces polls and retries; tests replace it with one that records the waits.
type clock = backoff.Sleeper

type realClock = backoff.Clock

// poll calls check until it reports done, returns an error, or ctx ends. The first check
// runs at once; the intervals then grow by the policy.
func poll(ctx context.Context, c clock, p PollPolicy, check func() (bool, error)) error {
	return backoff.Poll(ctx, c, p, check)
}
