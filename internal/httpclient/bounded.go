package httpclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// TimeoutError is a request that got no complete answer within its per-request
// timeout. Its message names the setting that changes the timeout; the URL is named by
// the *url.Error the HTTP client wraps it in.
type TimeoutError struct {
	After   time.Duration
	Setting string // e.g. "request_timeout"; empty: not named
}

func (e *TimeoutError) Error() string {
	msg := fmt.Sprintf("no answer within %s", e.After)
	if e.Setting != "" {
		msg += fmt.Sprintf(" (the provider setting %s; raise it if the server is only slow)", e.Setting)
	}
	return msg
}

// Timeout makes it a net.Error timeout, as the standard library's own are.
func (e *TimeoutError) Timeout() bool   { return true }
func (e *TimeoutError) Temporary() bool { return true }

// IsTimeout reports whether err is, or wraps, a per-request timeout.
func IsTimeout(err error) bool {
	var t *TimeoutError
	return errors.As(err, &t)
}

// Bounded wraps rt so that each request ends after timeout: connecting, waiting for the
// answer and reading its body together. A server that accepts a connection and never
// answers then fails the request with a *TimeoutError instead of hanging. Zero or a
// negative timeout leaves rt unbounded.
func Bounded(rt http.RoundTripper, timeout time.Duration, setting string) http.RoundTripper {
	if timeout <= 0 {
		return rt
	}
	return &bounded{rt: rt, timeout: timeout, setting: setting}
}

type bounded struct {
	rt      http.RoundTripper
	timeout time.Duration
	setting string
}

func (b *bounded) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), b.timeout)
	resp, err := b.rt.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, b.translate(req.Context(), ctx, err)
	}
	resp.Body = &boundedBody{ReadCloser: resp.Body, cancel: cancel, b: b, parent: req.Context(), ctx: ctx}
	return resp, nil
}

// translate turns the expiry of our own deadline (not the caller's) into a TimeoutError.
func (b *bounded) translate(parent, ctx context.Context, err error) error {
	if err != nil && parent.Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &TimeoutError{After: b.timeout, Setting: b.setting}
	}
	return err
}

// boundedBody releases the request's timer when the body is closed.
type boundedBody struct {
	io.ReadCloser
	cancel      context.CancelFunc
	b           *bounded
	parent, ctx context.Context
}

func (r *boundedBody) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = r.b.translate(r.parent, r.ctx, err)
	}
	return n, err
}

func (r *boundedBody) Close() error {
	err := r.ReadCloser.Close()
	r.cancel()
	return err
}
