package httpclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestBoundedTimesOutASilentServer(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := &http.Client{Transport: Bounded(http.DefaultTransport, 100*time.Millisecond, "request_timeout")}
	start := time.Now()
	_, err := c.Get(srv.URL + "/v1/nodes")
	if !IsTimeout(err) {
		t.Fatalf("want a TimeoutError, got %v", err)
	}
	for _, want := range []string{srv.URL + "/v1/nodes", "no answer within 100ms", "request_timeout"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("the timeout did not bound the request")
	}
}

func TestBoundedCoversTheBodyAndLeavesTheCallersErrorsAlone(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("start"))
		w.(http.Flusher).Flush()
		<-r.Context().Done() // the rest never comes
	}))
	defer srv.Close()
	c := &http.Client{Transport: Bounded(http.DefaultTransport, 100*time.Millisecond, "request_timeout")}
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !IsTimeout(err) {
		t.Fatalf("a stalled body: want a TimeoutError, got %v", err)
	}

	// The caller's own cancellation stays a cancellation.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	if _, err := c.Do(req); IsTimeout(err) || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled by the caller: got %v", err)
	}
}

func TestBoundedZeroIsUnbounded(t *testing.T) {
	if Bounded(http.DefaultTransport, 0, "") != http.DefaultTransport {
		t.Fatal("zero timeout wrapped the transport")
	}
}
