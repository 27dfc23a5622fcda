package httpclient

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTransportIsSharedPerSetting(t *testing.T) {
	a, err := Transport(TLS{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Transport(TLS{})
	c, _ := Transport(TLS{Insecure: true})
	if a != b || a == c {
		t.Fatal("one transport per TLS setting expected")
	}
	if a == http.DefaultTransport || !c.TLSClientConfig.InsecureSkipVerify || a.TLSClientConfig.InsecureSkipVerify {
		t.Fatal("transport settings wrong")
	}
	if a.Proxy == nil {
		t.Fatal("proxies from the environment are not honoured")
	}
}

func TestTLSConfigErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o600)
	cases := map[string]TLS{
		"reading ca_file":   {CAFile: filepath.Join(dir, "missing.pem")},
		"holds no PEM":      {CAFile: notPEM},
		"go together":       {CertFile: notPEM},
		"loading cert_file": {CertFile: notPEM, KeyFile: notPEM},
	}
	for want, cfg := range cases {
		if _, err := cfg.Config(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: %v, want %q", cfg, err, want)
		}
	}
}
