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
	Pass         Fault = iota // forward untouched
	Locked                    // answer 409 NodeLocked without forwarding
	Unavailable               // answer 503 without forwarding
	ResetBefore               // close the connection without forwarding
	ResetAfter                // forward, let Ironic act, then close without answering
	Slow                      // forward after a delay
	BadGateway                // answer 502 without forwarding, as a load balancer whose backend failed
	TimeoutAfter              // forward, let Ironic act, then answer 504 as a load balancer that gave up
)

// faultNames, by Fault.
var faultNames = []string{"pass", "409 locked", "503", "reset before", "reset after", "slow", "502", "504 after"}

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

	faults  []Fault                  // what pick chooses from
	applies func(*http.Request) bool // which requests may be faulted
	burst   *burst
}

// burst answers 502 to the matching requests for a while, once armed by a trigger.
type burst struct {
	trigger, match func(*http.Request) bool
	length         time.Duration
	until          time.Time
}

// NewFaultProxy faults the given share of requests (0..1), deterministically from seed.
func NewFaultProxy(target string, rate float64, seed uint64) *FaultProxy {
	u, _ := url.Parse(target)
	p := &FaultProxy{
		proxy: httputil.NewSingleHostReverseProxy(u), rate: rate, maxInARow: 2, delay: 300 * time.Millisecond,
		rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), streak: map[string]int{}, Counts: map[Fault]*atomic.Int64{},
	}
	for f := Pass; f <= TimeoutAfter; f++ {
		p.Counts[f] = &atomic.Int64{}
	}
	p.faults = []Fault{Locked, Unavailable, ResetBefore, ResetAfter, Slow, BadGateway, TimeoutAfter}
	p.applies = func(*http.Request) bool { return true }
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	p.URL = p.srv.URL
	return p
}

// Only limits the proxy to these faults, on the requests of these methods (a load
// balancer whose backends fail some reads, say).
func (p *FaultProxy) Only(methods []string, faults ...Fault) *FaultProxy {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = faults
	p.applies = func(r *http.Request) bool {
		for _, m := range methods {
			if r.Method == m {
				return true
			}
		}
		return false
	}
	return p
}

// BurstAfter answers 502 to every request match accepts, for length, from the first
// request trigger accepts (which passes): an outage in the middle of an operation.
func (p *FaultProxy) BurstAfter(trigger, match func(*http.Request) bool, length time.Duration) *FaultProxy {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.burst = &burst{trigger: trigger, match: match, length: length}
	return p
}

// Close stops the proxy.
func (p *FaultProxy) Close() { p.srv.Close() }

func (p *FaultProxy) pick(r *http.Request) Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	if b := p.burst; b != nil {
		switch {
		case b.until.IsZero() && b.trigger(r):
			b.until = time.Now().Add(b.length)
			return Pass
		case !b.until.IsZero() && time.Now().Before(b.until) && b.match(r):
			return BadGateway
		}
	}
	key := r.Method + " " + r.URL.Path
	if r.URL.Path == "/" || !p.applies(r) || p.streak[key] >= p.maxInARow || p.rng.Float64() >= p.rate {
		p.streak[key] = 0
		return Pass
	}
	p.streak[key]++
	return p.faults[p.rng.IntN(len(p.faults))]
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
	case BadGateway:
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
	case TimeoutAfter:
		rec := httptest.NewRecorder()
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		p.proxy.ServeHTTP(rec, r) // Ironic acts on it; the load balancer gives up all the same
		w.WriteHeader(http.StatusGatewayTimeout)
		io.WriteString(w, "<html><body><h1>504 Gateway Time-out</h1></body></html>")
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
	var b strings.Builder
	for f := Pass; f <= TimeoutAfter; f++ {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(faultNames[f] + ": ")
		b.WriteString(strconv.FormatInt(p.Counts[f].Load(), 10))
	}
	return b.String()
}
