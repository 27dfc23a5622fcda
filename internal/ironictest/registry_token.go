//go:build linux

package ironictest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"
)

// tokenService is the token service of a registry with token auth (the protocol of
// Docker Hub, Quay, Harbor...): it hands a pull token to the user with the password,
// signed (ES256, the certificate in the x5c header) by a key the registry trusts.
type tokenService struct {
	*httptest.Server
	key            *ecdsa.PrivateKey
	cert           []byte // DER
	user, password string
}

const (
	tokenIssuer     = "ironictest-token-issuer"
	registryService = "ironictest-registry"
)

// newTokenService starts the service and writes the certificate the registry trusts
// to certPath.
func newTokenService(certPath, user, password string) (*tokenService, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: tokenIssuer},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(48 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return nil, err
	}
	s := &tokenService{key: key, cert: der, user: user, password: password}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s, nil
}

// serve grants pull (and push, when asked) of the scopes asked for to the user with the
// password; anyone else gets 401, as a registry's token service answers a wrong secret.
func (s *tokenService) serve(w http.ResponseWriter, r *http.Request) {
	u, p, ok := r.BasicAuth()
	if !ok || u != s.user || p != s.password {
		http.Error(w, `{"details":"invalid username or password"}`, http.StatusUnauthorized)
		return
	}
	var access []map[string]any
	for _, scope := range r.URL.Query()["scope"] {
		parts := strings.Split(scope, ":")
		if len(parts) != 3 || parts[0] != "repository" {
			continue
		}
		access = append(access, map[string]any{"type": "repository", "name": parts[1], "actions": strings.Split(parts[2], ",")})
	}
	token, err := s.sign(u, access)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"token": token, "access_token": token, "expires_in": 300})
}

// sign makes a JWT the registry accepts: issuer, audience (the service), times, and
// the access granted.
func (s *tokenService) sign(subject string, access []map[string]any) (string, error) {
	now := time.Now()
	header, _ := json.Marshal(map[string]any{"typ": "JWT", "alg": "ES256", "x5c": []string{base64.StdEncoding.EncodeToString(s.cert)}})
	claims, _ := json.Marshal(map[string]any{
		"iss": tokenIssuer, "sub": subject, "aud": registryService, "exp": now.Add(5 * time.Minute).Unix(),
		"nbf": now.Add(-10 * time.Second).Unix(), "iat": now.Unix(), "jti": randomHex(8), "access": access,
	})
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(input))
	r, sig, err := ecdsa.Sign(rand.Reader, s.key, sum[:])
	if err != nil {
		return "", err
	}
	raw := make([]byte, 64)
	r.FillBytes(raw[:32])
	sig.FillBytes(raw[32:])
	return input + "." + enc.EncodeToString(raw), nil
}
