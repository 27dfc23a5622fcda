package image

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/metalform/terraform-provider-baremetal/internal/backoff"
	"github.com/metalform/terraform-provider-baremetal/internal/httpclient"
)

// StatusError is a non-2xx answer.
type StatusError struct {
	URL    string
	Method string
	Code   int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d %s", e.Method, e.URL, e.Code, http.StatusText(e.Code))
}

// retryable errors are worth another attempt: connection failures, truncated or stalled
// bodies, 5xx and 429. 4xx, TLS failures, redirect loops and cancellation are not.
type retryable struct{ err error }

func (r *retryable) Error() string { return r.err.Error() }
func (r *retryable) Unwrap() error { return r.err }

func isRetryable(err error) bool {
	var r *retryable
	return errors.As(err, &r)
}

// classify wraps transport errors that a new attempt may cure.
func classify(ctx context.Context, err error) error {
	if err == nil || ctx.Err() != nil {
		return err
	}
	var redirect *redirectError
	if errors.As(err, &redirect) || schemeMismatch(err) { // plain HTTP stays plain HTTP
		return err
	}
	var netErr net.Error
	var opErr *net.OpError
	if errors.As(err, &opErr) || errors.As(err, &netErr) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, errIdle) || errors.Is(err, errNoAnswer) || errors.Is(err, errTruncated) {
		if isTLSError(err) {
			return err
		}
		return &retryable{err}
	}
	return err
}

var (
	errIdle      = errors.New("no data received within the idle timeout")
	errNoAnswer  = errors.New("no answer within the idle timeout")
	errTruncated = errors.New("body shorter than Content-Length")
)

type redirectError struct{ max int }

func (e *redirectError) Error() string {
	return fmt.Sprintf("stopped after %d redirects (a redirect loop?)", e.max)
}

// withRetry runs op until it succeeds, fails for good, or runs out of attempts.
func (e *Engine) withRetry(ctx context.Context, what, url string, op func(context.Context) error) error {
	for attempt := 1; ; attempt++ {
		err := op(ctx)
		// A source that let a whole request time out gets one more chance, not Retries:
		// together they must stay well inside a plan's patience.
		timedOut := (httpclient.IsTimeout(err) || errors.Is(err, errNoAnswer)) && attempt >= 2
		if err == nil || !isRetryable(err) || attempt > e.opts.Retries || ctx.Err() != nil || timedOut {
			if err != nil && attempt > 1 {
				return fmt.Errorf("%w (after %d attempts)", err, attempt)
			}
			return err
		}
		delay := backoff.Policy{Initial: e.opts.BaseDelay, Max: e.opts.MaxDelay}.Delay(uint(attempt))
		e.log(ctx, "retrying image "+what, map[string]any{"url": Redact(url), "attempt": attempt, "error": err.Error(), "delay_ms": delay.Milliseconds()})
		if backoff.Sleep(ctx, delay) != nil {
			return err
		}
	}
}

// probeHTTP asks for the headers: HEAD, or GET when HEAD is refused (405, 501) or says
// nothing of the size.
func (e *Engine) probeHTTP(ctx context.Context, url string) (Info, error) {
	var info Info
	err := e.withRetry(ctx, "probe", url, func(ctx context.Context) error {
		resp, err := e.do(ctx, e.probes, http.MethodHead, url)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusMethodNotAllowed || resp.StatusCode == http.StatusNotImplemented ||
			(resp.StatusCode == http.StatusOK && resp.ContentLength < 0) {
			resp, err = e.do(ctx, e.probes, http.MethodGet, url)
			if err != nil {
				return err
			}
			resp.Body.Close() // headers are all a probe needs
		}
		if err := statusErr(resp, url); err != nil {
			return err
		}
		info = infoFromHeader(resp.Header, resp.ContentLength)
		return nil
	})
	return info, err
}

func (e *Engine) do(ctx context.Context, client *http.Client, method, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return nil, err
	}
	return e.send(req, client)
}

func statusErr(resp *http.Response, url string) error {
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	err := &StatusError{URL: Redact(url), Method: resp.Request.Method, Code: resp.StatusCode}
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		return &retryable{err}
	}
	return err
}

// downloadOnce streams one GET into w. An idle watchdog cancels the request when no
// byte arrives for IdleTimeout; the caller's context bounds the whole.
func (e *Engine) downloadOnce(ctx context.Context, url string, w io.Writer, progress func(int64)) (Info, int64, error) {
	reqCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var idle atomic.Bool
	watchdog := time.AfterFunc(e.opts.IdleTimeout, func() { idle.Store(true); cancel() })
	defer watchdog.Stop()

	resp, err := e.do(reqCtx, e.client, http.MethodGet, url)
	if err != nil {
		if idle.Load() {
			return Info{}, 0, &retryable{fmt.Errorf("GET %s: %w", Redact(url), errNoAnswer)}
		}
		return Info{}, 0, err
	}
	defer resp.Body.Close()
	if err := statusErr(resp, url); err != nil {
		return Info{}, 0, err
	}
	info := infoFromHeader(resp.Header, resp.ContentLength)
	body := &watchedReader{r: resp.Body, watchdog: watchdog, idle: e.opts.IdleTimeout, progress: progress}
	n, err := io.CopyBuffer(w, body, make([]byte, copyBufferSize))
	switch {
	case idle.Load():
		return info, n, &retryable{fmt.Errorf("GET %s after %d bytes: %w", Redact(url), n, errIdle)}
	case err != nil:
		return info, n, classifyBody(ctx, url, n, err)
	case resp.ContentLength >= 0 && n != resp.ContentLength:
		return info, n, &retryable{fmt.Errorf("GET %s: %w (%d of %d bytes)", Redact(url), errTruncated, n, resp.ContentLength)}
	}
	if info.Size < 0 {
		info.Size = n
	}
	return info, n, nil
}

func classifyBody(ctx context.Context, url string, n int64, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var r *retryable
	if errors.As(err, &r) {
		return err
	}
	var writeErr *writeError
	if errors.As(err, &writeErr) { // a full disk is not cured by downloading again
		return err
	}
	return &retryable{fmt.Errorf("GET %s after %d bytes: %w", Redact(url), n, err)}
}

// copyBufferSize: large reads keep syscalls and hash calls few.
const copyBufferSize = 1 << 20

type watchedReader struct {
	r        io.Reader
	watchdog *time.Timer
	idle     time.Duration
	progress func(int64)
}

func (w *watchedReader) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	if n > 0 {
		w.watchdog.Reset(w.idle)
		if w.progress != nil {
			w.progress(int64(n))
		}
	}
	return n, err
}

// writeError marks a failure to write the local copy.
type writeError struct{ err error }

func (e *writeError) Error() string { return "writing the cache file: " + e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

type errWriter struct{ w io.Writer }

func (e errWriter) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	if err != nil {
		return n, &writeError{err}
	}
	return n, nil
}

// getSmall fetches a small document (a checksums file), refusing more than max bytes.
func (e *Engine) getSmall(ctx context.Context, url string, max int64) ([]byte, error) {
	var body []byte
	err := e.withRetry(ctx, "checksums file download", url, func(ctx context.Context) error {
		resp, err := e.do(ctx, e.probes, http.MethodGet, url)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if err := statusErr(resp, url); err != nil {
			return err
		}
		if resp.ContentLength > max {
			return fmt.Errorf("checksums file %s is %d bytes, more than the %d allowed", Redact(url), resp.ContentLength, max)
		}
		body, err = io.ReadAll(io.LimitReader(resp.Body, max+1))
		if err != nil {
			return classifyBody(ctx, url, int64(len(body)), err)
		}
		if int64(len(body)) > max {
			return fmt.Errorf("checksums file %s is larger than the %d bytes allowed", Redact(url), max)
		}
		return nil
	})
	return body, err
}

// isTLSError: a certificate problem is not cured by trying again.
func isTLSError(err error) bool {
	var verify *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var header tls.RecordHeaderError
	return errors.As(err, &verify) || errors.As(err, &unknownCA) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &header)
}
