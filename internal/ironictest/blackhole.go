package ironictest

import (
	"net"
	"sync"
	"sync/atomic"
)

// BlackHole accepts TCP connections and never answers on them: the endpoint of a hung
// server, a stuck load balancer, or a firewall that swallows replies. Every request to
// it must end by a client-side timeout.
type BlackHole struct {
	URL      string       // http://127.0.0.1:port
	Accepted atomic.Int32 // connections accepted so far
	ln       net.Listener
	mu       sync.Mutex
	conns    []net.Conn
}

// NewBlackHole listens on a free local port until Close.
func NewBlackHole() (*BlackHole, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &BlackHole{URL: "http://" + ln.Addr().String(), ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b.Accepted.Add(1)
			b.mu.Lock()
			b.conns = append(b.conns, c) // held open, never read from or written to
			b.mu.Unlock()
		}
	}()
	return b, nil
}

// Close stops listening and drops the held connections.
func (b *BlackHole) Close() {
	b.ln.Close()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.conns {
		c.Close()
	}
}
