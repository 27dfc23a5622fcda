package ironictest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
)

// Request is one request a Recorder forwarded.
type Request struct {
	Method, Path string
	Query        string // the raw query, fields=... and marker=... included
	Body         string
	Status       int // the answer's HTTP status
}

// Recorder is a proxy in front of a real Ironic that remembers every request it
// forwards, to check what the provider asked for (a RAID clean's steps, say).
type Recorder struct {
	URL string
	srv *httptest.Server
	mu  sync.Mutex
	log []Request
}

// NewRecorder proxies to target until Close.
func NewRecorder(target string) *Recorder {
	u, _ := url.Parse(target)
	proxy := httputil.NewSingleHostReverseProxy(u)
	r := &Recorder{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		proxy.ServeHTTP(sw, req)
		r.mu.Lock()
		r.log = append(r.log, Request{Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery, Body: string(body), Status: sw.status})
		r.mu.Unlock()
	}))
	r.URL = r.srv.URL
	return r
}

// Requests returns what was forwarded so far, in order.
func (r *Recorder) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.log...)
}

// Reset forgets the requests forwarded so far.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = nil
}

// Close stops the proxy.
func (r *Recorder) Close() { r.srv.Close() }

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
