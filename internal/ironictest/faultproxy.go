//go:build linux

package ironictest

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Fault is what the proxy does to one request.
type Fault int

const (
	Pass        Fault = iota // forward untouched
	Locked                   // answer 409 NodeLocked without forwarding
	Unavailable              // answer 503 without forwarding
	ResetBefore              // close the connection without forwarding
	ResetAfter               // forward, let Ironic act, then close without answering
	Slow                     // forward after a delay
)

// FaultProxy sits in front of a real Ironic and injects faults: lock conflicts, 503
// bursts, connections reset before or after Ironic acted, slow answers. Each request
// (method and path) gets at most MaxInARow faults in a row, so bounded retries succeed.
type FaultProxy struct {
	URL string

	srv       *httptest.Server
	proxy     *httputil.ReverseProxy
	rate      float64
	maxInARow int
	delay     time.Duration

	mu     sync.Mutex
	rng    *rand.Rand
	streak map[string]int
	Counts map[Fault]*atomic.Int64
}

// NewFaultProxy faults the given share of requests (0..1), deterministically from seed.
func NewFaultProxy(target string, rate float64, seed uint64) *FaultProxy {
	u, _ := url.Parse(target)
	p := &FaultProxy{
		proxy: httputil.NewSingleHostReverseProxy(u), rate: rate, maxInARow: 2, delay: 300 * time.Millisecond,
		rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), streak: map[string]int{}, Counts: map[Fault]*atomic.Int64{},
	}
	for f := Pass; f <= Slow; f++ {
		p.Counts[f] = &atomic.Int64{}
	}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	p.URL = p.srv.URL
	return p
}

// Close stops the proxy.
func (p *FaultProxy) Close() { p.srv.Close() }

func (p *FaultProxy) pick(r *http.Request) Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	key := r.Method + " " + r.URL.Path
	if r.URL.Path == "/" || p.streak[key] >= p.maxInARow || p.rng.Float64() >= p.rate {
		p.streak[key] = 0
		return Pass
	}
	p.streak[key]++
	faults := []Fault{Locked, Unavailable, ResetBefore, ResetAfter, Slow}
	return faults[p.rng.IntN(len(faults))]
}

const lockedBody = `{"error_message": "{\"faultcode\": \"Client\", \"faultstring\": \"Node is locked by host fault-proxy, please retry after the current operation is completed.\", \"debuginfo\": null}"}`

func (p *FaultProxy) serve(w http.ResponseWriter, r *http.Request) {
	f := p.pick(r)
	p.Counts[f].Add(1)
	switch f {
	case Locked:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		io.WriteString(w, lockedBody)
	case Unavailable:
		w.WriteHeader(http.StatusServiceUnavailable)
	case ResetBefore:
		hangUp(w)
	case ResetAfter:
		rec := httptest.NewRecorder()
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		p.proxy.ServeHTTP(rec, r) // Ironic acts on it; the answer is lost
		hangUp(w)
	case Slow:
		time.Sleep(p.delay)
		p.proxy.ServeHTTP(w, r)
	default:
		p.proxy.ServeHTTP(w, r)
	}
}

func hangUp(w http.ResponseWriter) {
	if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
		conn.Close()
	}
}

// Summary says how many requests got each fault.
func (p *FaultProxy) Summary() string {
	names := []string{"pass", "409 locked", "503", "reset before", "reset after", "slow"}
	var b strings.Builder
	for f := Pass; f <= Slow; f++ {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(names[f] + ": ")
		b.WriteString(strconv.FormatInt(p.Counts[f].Load(), 10))
	}
	return b.String()
}
