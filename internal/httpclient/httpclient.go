// Package httpclient builds the HTTP transports both engines use: TLS settings from the
// provider, proxies from the environment, and one shared connection pool per setting.
package httpclient

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"
)

// TLS holds the user's TLS settings.
type TLS struct {
	CAFile   string // PEM CA certificates trusted in addition to the system's
	CertFile string // client certificate, with KeyFile
	KeyFile  string
	Insecure bool // skip verification: only when the user asks
}

// Config builds the tls.Config the settings describe.
func (t TLS) Config() (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: t.Insecure} //nolint:gosec // only when the user asks
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("reading ca_file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s holds no PEM certificate", t.CAFile)
		}
		tc.RootCAs = pool
	}
	if (t.CertFile == "") != (t.KeyFile == "") {
		return nil, errors.New("cert_file and key_file go together: set both or neither")
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("loading cert_file/key_file: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

// transports holds one transport per TLS setting for the whole process. Every provider
// configuration (and every test) connecting anew would otherwise leave its idle
// keep-alive connections open, and Ironic's eventlet server stops accepting requests
// once its green-thread pool is held by idle connections.
var transports sync.Map // TLS -> *http.Transport

// Transport returns the shared transport for t, building it on first use.
func Transport(t TLS) (*http.Transport, error) {
	if tr, ok := transports.Load(t); ok {
		return tr.(*http.Transport), nil
	}
	tc, err := t.Config()
	if err != nil {
		return nil, err
	}
	tr, _ := transports.LoadOrStore(t, NewTransport(tc))
	return tr.(*http.Transport), nil
}

// NewTransport clones the default transport (proxies from the environment included):
// http.DefaultTransport itself is never mutated.
func NewTransport(tc *tls.Config) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tc
	tr.MaxIdleConnsPerHost = 32 // parallel applies talk to one host
	tr.IdleConnTimeout = 15 * time.Second
	return tr
}
