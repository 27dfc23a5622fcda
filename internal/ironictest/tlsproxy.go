package ironictest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// TLSProxy serves a plain-HTTP Ironic over HTTPS with a private test CA, optionally
// requiring client certificates signed by that CA. Files holds PEM files for clients:
// ca.pem, client.pem and client-key.pem, and other-ca.pem (a CA that signed nothing here).
type TLSProxy struct {
	URL   string
	Files string
	srv   *httptest.Server
}

// NewTLSProxy starts the terminator; dir receives the PEM files.
func NewTLSProxy(target, dir string, requireClientCert bool) (*TLSProxy, error) {
	ca, caKey, err := newCert(nil, nil, "test CA", true)
	if err != nil {
		return nil, err
	}
	server, serverKey, err := newCert(ca, caKey, "127.0.0.1", false)
	if err != nil {
		return nil, err
	}
	client, clientKey, err := newCert(ca, caKey, "terraform", false)
	if err != nil {
		return nil, err
	}
	other, _, err := newCert(nil, nil, "another CA", true)
	if err != nil {
		return nil, err
	}
	for name, block := range map[string]*pem.Block{
		"ca.pem": certPEM(ca), "other-ca.pem": certPEM(other), "client.pem": certPEM(client), "client-key.pem": keyPEM(clientKey),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(block), 0o600); err != nil {
			return nil, err
		}
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	srv := httptest.NewUnstartedServer(httputil.NewSingleHostReverseProxy(u))
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{server.Raw}, PrivateKey: serverKey}},
		ClientCAs:    pool,
		MinVersion:   tls.VersionTLS12,
	}
	if requireClientCert {
		srv.TLS.ClientAuth = tls.RequireAndVerifyClientCert
	}
	srv.StartTLS()
	return &TLSProxy{URL: srv.URL, Files: dir, srv: srv}, nil
}

// Close stops the terminator.
func (p *TLSProxy) Close() { p.srv.Close() }

// newCert makes a certificate signed by parent (self-signed when parent is nil).
func newCert(parent *x509.Certificate, parentKey *ecdsa.PrivateKey, name string, isCA bool) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IsCA:        isCA, BasicConstraintsValid: true,
	}
	if ip := net.ParseIP(name); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

func certPEM(c *x509.Certificate) *pem.Block { return &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw} }

func keyPEM(k *ecdsa.PrivateKey) *pem.Block {
	der, _ := x509.MarshalECPrivateKey(k)
	return &pem.Block{Type: "EC PRIVATE KEY", Bytes: der}
}
