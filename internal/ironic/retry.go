package ironic

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/metalform/terraform-provider-baremetal/internal/httpclient"
)

// Logger receives the engine's log lines; the provider passes tflog.
type Logger func(ctx context.Context, msg string, fields map[string]any)

// RetryPolicy bounds retries of transient API answers: 409 NodeLocked (the conductor
// holds the node for a moment) and 503, and connection errors on requests that are
// safe to send again.
type RetryPolicy struct {
	MaxRetries int
	BaseDelay  time.Duration
	MaxDelay   time.Duration
	Log        Logger
	// sleep is replaced in tests.
	sleep func(context.Context, time.Duration) error
}

// DefaultRetryPolicy: 8 retries, 100 ms doubling to 5 s (about 15 s in all).
func DefaultRetryPolicy(log Logger) *RetryPolicy {
	return &RetryPolicy{MaxRetries: 8, BaseDelay: 100 * time.Millisecond, MaxDelay: 5 * time.Second, Log: log}
}

// Func adapts the policy to gophercloud's retry hook: nil means send again.
func (p *RetryPolicy) Func() gophercloud.RetryFunc {
	return func(ctx context.Context, method, url string, _ *gophercloud.RequestOpts, err error, failCount uint) error {
		reason := retryReason(method, err)
		// A request that timed out is sent once more at most: an Ironic that let a whole
		// request time out twice is not answering, and the plan must say so in bounded time.
		if reason == "" || int(failCount) > p.MaxRetries || (httpclient.IsTimeout(err) && failCount > 1) {
			return err
		}
		delay := p.Delay(failCount)
		if p.Log != nil {
			p.Log(ctx, "retrying Ironic API request", map[string]any{
				"method": method, "url": url, "reason": reason, "attempt": failCount, "delay_ms": delay.Milliseconds(),
			})
		}
		sleep := p.sleep
		if sleep == nil {
			sleep = sleepCtx
		}
		if serr := sleep(ctx, delay); serr != nil {
			return err
		}
		return nil
	}
}

// Delay is the wait before retry n (1-based): exponential with ±20% jitter, capped.
func (p *RetryPolicy) Delay(n uint) time.Duration {
	d := p.BaseDelay << min(n-1, 20)
	if d > p.MaxDelay || d <= 0 {
		d = p.MaxDelay
	}
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * jitter)
}

// retryReason says why err is worth another try, or "" when it is not.
func retryReason(method string, err error) string {
	switch code := StatusCode(err); code {
	case http.StatusServiceUnavailable:
		return "503 Service Unavailable"
	case http.StatusBadRequest:
		// Ironic's lock bookkeeping tripping over itself under load ("Node ... found not
		// to be locked on release"): the request may have been carried out, so only one
		// that is safe to repeat is sent again (a repeated DELETE then finds 404: done).
		if strings.Contains(Message(err), "found not to be locked on release") &&
			(method == http.MethodGet || method == http.MethodDelete || method == http.MethodHead) {
			return "400 node not locked on release"
		}
		return ""
	case http.StatusConflict:
		// Only a lock is transient; a duplicate name or MAC is not.
		if strings.Contains(strings.ToLower(Message(err)), "locked") {
			return "409 node locked"
		}
		return ""
	case 0:
		var ue gophercloud.ErrUnexpectedResponseCode
		if errors.As(err, &ue) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return ""
		}
		// A POST that never got an answer may have been carried out: not resent here.
		if method == http.MethodPost {
			return ""
		}
		return "connection error: " + err.Error()
	default:
		return ""
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error { return httpclient.Sleep(ctx, d) }
