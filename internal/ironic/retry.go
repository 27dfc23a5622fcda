package ironic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/metalform/terraform-provider-baremetal/internal/backoff"
	"github.com/metalform/terraform-provider-baremetal/internal/httpclient"
)

// RetryPolicy bounds retries of transient API answers: 409 NodeLocked (the conductor
// holds the node for a moment), 502, 503 and 504 (a proxy or load balancer in front of
// Ironic), and connection errors, on requests that are safe to send again.
type RetryPolicy struct {
	MaxRetries int
	Backoff    backoff.Policy
	Log        backoff.Logger
	// sleep is replaced in tests.
	sleep func(context.Context, time.Duration) error
	// current reads the object a PATCH was sent to, to resend only what did not apply.
	current func(ctx context.Context, url string) (map[string]any, error)
}

// DefaultRetryPolicy: 8 retries, 100 ms doubling to 5 s (about 15 s in all).
func DefaultRetryPolicy(log backoff.Logger) *RetryPolicy {
	return &RetryPolicy{MaxRetries: 8, Backoff: backoff.Policy{Initial: 100 * time.Millisecond, Max: 5 * time.Second, Jitter: 0.2}, Log: log}
}

// Func adapts the policy to gophercloud's retry hook: nil means send again.
func (p *RetryPolicy) Func() gophercloud.RetryFunc {
	return func(ctx context.Context, method, url string, opts *gophercloud.RequestOpts, err error, failCount uint) error {
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
			sleep = backoff.Sleep
		}
		if serr := sleep(ctx, delay); serr != nil {
			return err
		}
		if method == http.MethodPatch && StatusCode(err) != http.StatusConflict && p.current != nil && opts != nil {
			// The first attempt may have been carried out (its answer lost): a remove it
			// already applied would now fail, so only what is still to do is sent again.
			if obj, gerr := p.current(ctx, url); gerr == nil {
				opts.JSONBody = pendingOps(opts.JSONBody, obj)
			}
		}
		return nil
	}
}

// pendingOps drops, from a JSON patch, the removals already in effect on obj; adding
// and replacing are the same when sent twice.
func pendingOps(body any, obj map[string]any) any {
	b, err := json.Marshal(body)
	if err != nil {
		return body
	}
	var ops []map[string]any
	if json.Unmarshal(b, &ops) != nil {
		return body
	}
	out := make([]map[string]any, 0, len(ops))
	for _, op := range ops {
		if path, _ := op["path"].(string); op["op"] == OpRemove && !pointerExists(obj, path) {
			continue
		}
		out = append(out, op)
	}
	return out
}

// pointerExists reports whether a JSON pointer (RFC 6901) names a value in obj.
func pointerExists(obj map[string]any, pointer string) bool {
	var cur any = obj
	for _, part := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[part]; !ok {
			return false
		}
	}
	return true
}

// Delay is the wait before retry n (1-based): exponential with ±20% jitter, capped.
func (p *RetryPolicy) Delay(n uint) time.Duration { return p.Backoff.Delay(n) }

// retryReason says why err is worth another try, or "" when it is not. A create (POST)
// is never sent again here: whether its lost attempt was carried out is asked by
// createOnce, by the UUID the caller chose.
func retryReason(method string, err error) string {
	switch code := StatusCode(err); code {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if method == http.MethodPost {
			return ""
		}
		return fmt.Sprintf("%d %s", code, http.StatusText(code))
	case http.StatusInternalServerError:
		// An Ironic on sqlite (standalone, as metal3 and bifrost run it) answers "database
		// is locked" when two writes meet; its transaction was rolled back.
		if strings.Contains(Message(err), "database is locked") && method != http.MethodPost {
			return "500 database is locked"
		}
		return ""
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
		// Only a lock is transient (the request was not carried out); a duplicate name
		// or MAC is not.
		if strings.Contains(strings.ToLower(Message(err)), "locked") {
			return "409 node locked"
		}
		return ""
	case 0:
		if !IsTransient(err) || method == http.MethodPost {
			return ""
		}
		return "connection error: " + err.Error()
	default:
		return ""
	}
}

// IsTransient reports whether an API error may go away by itself: a proxy's 502, 503
// or 504, a node locked for a moment, a connection reset or refused. Ironic's own
// verdicts (4xx) and a cancelled or expired context are not.
func IsTransient(err error) bool {
	switch StatusCode(err) {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	case http.StatusConflict:
		return strings.Contains(strings.ToLower(Message(err)), "locked")
	case 0:
		var ue gophercloud.ErrUnexpectedResponseCode
		return err != nil && !errors.As(err, &ue) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
	}
	return false
}
