package ironic

import (
	"context"
	"time"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/metalform/terraform-provider-baremetal/internal/backoff"
)

// Client is the one value every Ironic call goes through: the service client (which
// carries the authentication, the microversion and the retry hook), the retry policy of
// idempotent creates, the logger, and the pace of status polling. Connect builds it once
// per provider configuration.
type Client struct {
	SC    *gophercloud.ServiceClient
	Retry *RetryPolicy // nil: DefaultRetryPolicy
	Log   backoff.Logger
	Poll  backoff.Policy
	clock backoff.Sleeper // spaces polls; tests replace it with one that records the waits
	// progress hears where a node is while a wait polls it (WithProgress); nil: nobody.
	progress Progress
}

// DefaultPoll polls after 50 ms, then 60, 72, ... up to every 3 s: a wait overshoots the
// transition by at most a fifth of its length (fake hardware settles in a fraction of a
// second once Ironic answered the request: the first read after 50 ms mostly finds it
// done), and a real deploy, which takes minutes, is not asked about more than every 3 s.
// Each read is work for Ironic too: a thousand nodes moving at once share one.
var DefaultPoll = backoff.Policy{Initial: 50 * time.Millisecond, Factor: 1.2, Max: 3 * time.Second}

// NewClient wraps a connected service client; it polls at DefaultPoll.
func NewClient(sc *gophercloud.ServiceClient, retry *RetryPolicy, log backoff.Logger) *Client {
	return &Client{SC: sc, Retry: retry, Log: log, Poll: DefaultPoll, clock: backoff.Clock{}}
}

// Microversion is the API version negotiated at Connect.
func (c *Client) Microversion() string { return c.SC.Microversion }

// log writes through Log, if there is one.
func (c *Client) log(ctx context.Context, msg string, fields map[string]any) {
	if c.Log != nil {
		c.Log(ctx, msg, fields)
	}
}

// sleeper is the clock that spaces polls: the real one unless a test set another.
func (c *Client) sleeper() backoff.Sleeper {
	if c.clock == nil {
		return backoff.Clock{}
	}
	return c.clock
}
