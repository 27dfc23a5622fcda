package image

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// imageServer is a real HTTP server whose headers and faults each test controls.
type imageServer struct {
	*httptest.Server
	mu           sync.Mutex
	body         []byte
	lastModified string // Last-Modified header; "" sends none
	etag         string
	cacheControl string
	headStatus   int // answer HEAD with this status (e.g. 405); 0: normally
	noLength     bool
	failGets     int           // answer the next N GETs with 500
	truncGets    int           // cut the next N GET bodies in half, then close
	stallGets    int           // stall the next N GETs after half the body
	stall        time.Duration // how long a stall lasts
	status       int           // answer every request with this status; 0: 200
	gets, heads  atomic.Int32
}

func newImageServer(t testing.TB, body []byte) *imageServer {
	s := &imageServer{body: body, lastModified: "Wed, 21 Oct 2026 07:28:00 GMT", stall: time.Hour}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *imageServer) set(f func(*imageServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *imageServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	body, status := s.body, s.status
	h := w.Header()
	if s.lastModified != "" {
		h.Set("Last-Modified", s.lastModified)
	}
	if s.etag != "" {
		h.Set("ETag", s.etag)
	}
	if s.cacheControl != "" {
		h.Set("Cache-Control", s.cacheControl)
	}
	if !s.noLength {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	var fail, trunc, stall bool
	if r.Method == http.MethodHead {
		s.heads.Add(1)
		if s.headStatus != 0 {
			status = s.headStatus
		}
	} else {
		s.gets.Add(1)
		switch {
		case s.failGets > 0:
			s.failGets--
			fail = true
		case s.truncGets > 0:
			s.truncGets--
			trunc = true
		case s.stallGets > 0:
			s.stallGets--
			stall = true
		}
	}
	stallFor := s.stall
	s.mu.Unlock()

	switch {
	case status != 0 && status != http.StatusOK:
		h.Del("Content-Length")
		w.WriteHeader(status)
		return
	case fail:
		h.Del("Content-Length")
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	if r.Method == http.MethodHead {
		return
	}
	if s.noLength {
		w.(http.Flusher).Flush()
	}
	half := len(body) / 2
	switch {
	case trunc:
		w.Write(body[:half])
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	case stall:
		w.Write(body[:half])
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(stallFor):
		}
	default:
		w.Write(body)
	}
}

func (s *imageServer) url(name string) string { return fmt.Sprintf("%s/images/%s", s.URL, name) }
