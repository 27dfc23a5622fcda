package ironic

import (
	"context"
	"fmt"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"

	"github.com/metalform/terraform-provider-baremetal/internal/backoff"
)

// Progress hears, while a wait polls a node, where the node is: one line when its
// provision or power state changes, and one every progressEvery without a change, so a
// person watching an action knows it is alive.
type Progress func(line string)

// progressEvery is how often an unchanged node is reported while a wait goes on.
const progressEvery = 30 * time.Second

// WithProgress is c with its waits reporting to p.
func (c *Client) WithProgress(p Progress) *Client {
	cp := *c
	cp.progress = p
	return &cp
}

// watch wraps the clock that spaces one wait's polls: before each pause it reports the
// node last read (*last) when that says something new.
func (p Progress) watch(clk backoff.Sleeper, last **nodes.Node) backoff.Sleeper {
	return &progressClock{Sleeper: clk, report: p, last: last}
}

type progressClock struct {
	backoff.Sleeper
	report   Progress
	last     **nodes.Node
	elapsed  time.Duration // the pauses so far: the least time this wait has taken
	said     string
	saidAt   time.Duration
	anything bool
}

func (p *progressClock) Sleep(ctx context.Context, d time.Duration) error {
	if n := *p.last; n != nil {
		line := DescribeNode(n)
		if !p.anything || line != p.said || p.elapsed-p.saidAt >= progressEvery {
			p.report(line)
			p.said, p.saidAt, p.anything = line, p.elapsed, true
		}
	}
	p.elapsed += d
	return p.Sleeper.Sleep(ctx, d)
}

// DescribeNode says where a node is, in Ironic's words: `node rack1-07: provision state
// "clean wait" (target "manageable"), power on`.
func DescribeNode(n *nodes.Node) string {
	who := n.Name
	if who == "" {
		who = n.UUID
	}
	s := fmt.Sprintf("node %s: provision state %q", who, n.ProvisionState)
	if n.TargetProvisionState != "" {
		s += fmt.Sprintf(" (target %q)", n.TargetProvisionState)
	}
	switch {
	case n.PowerState != "":
		s += ", " + n.PowerState
	case n.TargetPowerState != "":
		s += ", power state unknown" // fake power before the conductor's first sync
	}
	if n.TargetPowerState != "" {
		s += fmt.Sprintf(" (target %q)", n.TargetPowerState)
	}
	return s
}
