//go:build linux

package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// countingProxy is a reverse proxy in front of Ironic that counts the requests of the
// phase it is in (by method and path pattern) and the answers that say Ironic was busy
// (409: the node is locked by a conductor; 500 and 503: e.g. sqlite's "database is
// locked"), so
// that the bench can put the requests per node of the provider and of the direct API
// calls side by side. Requests outside a phase (setup, cleanup) are not counted.
type countingProxy struct {
	srv *httptest.Server

	mu      sync.Mutex
	phase   string
	started time.Time                        // of the phase
	counts  map[string]map[string]*kindCount // phase -> kind -> count
}

type kindCount struct {
	n, conflict, failed, unavailable int
	spent                            time.Duration // summed time to the answer's headers
	first                            time.Duration // the first one's, since the phase began
}

// startCountingProxy proxies to endpoint (Ironic's URL, with or without a path).
func startCountingProxy(endpoint string) (*countingProxy, error) {
	target, err := url.Parse(endpoint)
	if err != nil {
		return nil, err
	}
	p := &countingProxy{counts: map[string]map[string]*kindCount{}}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	rp.Transport = &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
	}
	rp.ErrorLog = nil
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind := requestKind(r)
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		rp.ServeHTTP(sw, r)
		p.record(kind, sw.status, time.Since(start))
	}))
	u := *target
	u.Host = strings.TrimPrefix(p.srv.URL, "http://")
	p.srv.URL = u.String()
	return p, nil
}

// URL is the proxy's address, with the path of the endpoint it was started on.
func (p *countingProxy) URL() string { return p.srv.URL }

func (p *countingProxy) Close() { p.srv.Close() }

// setPhase counts the requests from now on under phase ("": not counted).
func (p *countingProxy) setPhase(phase string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.phase, p.started = phase, time.Now()
}

func (p *countingProxy) record(kind string, status int, spent time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.phase == "" {
		return
	}
	kinds := p.counts[p.phase]
	if kinds == nil {
		kinds = map[string]*kindCount{}
		p.counts[p.phase] = kinds
	}
	c := kinds[kind]
	if c == nil {
		c = &kindCount{first: time.Since(p.started) - spent}
		kinds[kind] = c
	}
	c.n++
	c.spent += spent
	switch status {
	case http.StatusConflict:
		c.conflict++
	case http.StatusInternalServerError:
		c.failed++
	case http.StatusServiceUnavailable:
		c.unavailable++
	}
}

var (
	uuidSegment = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	nameSegment = regexp.MustCompile(`^bench-[a-z]+-[0-9]+$`)
)

// requestKind is the request's method and path pattern: ids and names as {id}, the
// query's keys (not their values) kept.
func requestKind(r *http.Request) string {
	segs := strings.Split(r.URL.Path, "/")
	for i, s := range segs {
		if uuidSegment.MatchString(s) || nameSegment.MatchString(s) {
			segs[i] = "{id}"
		}
	}
	kind := r.Method + " " + strings.Join(segs, "/")
	if q := r.URL.Query(); len(q) > 0 {
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		kind += "?" + strings.Join(keys, "&")
	}
	return kind
}

// perNodeRows compares the requests per node of two phases, one row per kind seen in
// either (most frequent first), then the totals and the busy answers.
func (p *countingProxy) perNodeRows(ours, theirs string, n int) []row {
	p.mu.Lock()
	defer p.mu.Unlock()
	o, t := p.counts[ours], p.counts[theirs]
	kinds := map[string]int{}
	for k, c := range o {
		kinds[k] += c.n
	}
	for k, c := range t {
		kinds[k] += c.n
	}
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	slices.SortFunc(names, func(a, b string) int {
		if kinds[a] != kinds[b] {
			return kinds[b] - kinds[a]
		}
		return strings.Compare(a, b)
	})
	per := func(x int) string { return fmt.Sprintf("%.2f", float64(x)/float64(n)) }
	ratio := func(a, b int) string {
		if b == 0 {
			return ""
		}
		return fmt.Sprintf("%.2fx", float64(a)/float64(b))
	}
	get := func(m map[string]*kindCount, k string) kindCount {
		if c := m[k]; c != nil {
			return *c
		}
		return kindCount{}
	}
	var rows []row
	var to, tt, co, ct, fo, ft, uo, ut int
	for _, k := range names {
		a, b := get(o, k), get(t, k)
		rows = append(rows, row{what: "  requests per node: " + k, ours: per(a.n), theirs: per(b.n), ratio: ratio(a.n, b.n)})
		fmt.Fprintf(os.Stderr, "bench: %-50s ours %6d in %7.1f ms avg (first after %6.1f s), direct %6d in %7.1f ms avg (first after %6.1f s)\n",
			k, a.n, avgMillis(a), a.first.Seconds(), b.n, avgMillis(b), b.first.Seconds())
		to, tt = to+a.n, tt+b.n
		co, ct = co+a.conflict, ct+b.conflict
		fo, ft = fo+a.failed, ft+b.failed
		uo, ut = uo+a.unavailable, ut+b.unavailable
	}
	rows = append(rows,
		row{what: "  requests per node, all kinds", ours: per(to), theirs: per(tt), ratio: ratio(to, tt)},
		row{what: "  409 (locked) / 500 / 503 (busy) answers per node", ours: per(co) + "/" + per(fo) + "/" + per(uo),
			theirs: per(ct) + "/" + per(ft) + "/" + per(ut)},
	)
	return rows
}

func avgMillis(c kindCount) float64 {
	if c.n == 0 {
		return 0
	}
	return float64(c.spent.Microseconds()) / 1000 / float64(c.n)
}

// statusWriter remembers the status code a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
