//go:build linux

package ironictest

import (
	"context"
	"io"
	"net/http"
	"os"
	"testing"
	"time"
)

func TestStartStop(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("starts a real Ironic; set TF_ACC=1 (the README's test command does)")
	}
	s, err := Start(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Remove()
	resp, err := http.Get(s.Endpoint + "/v1/nodes")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/nodes: %d", resp.StatusCode)
	}
	s.Stop()
	if _, err := http.Get(s.Endpoint + "/v1/nodes"); err == nil {
		t.Fatal("ironic still answers after Stop")
	}
}

func TestStartWithKeystone(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("starts a real Keystone and Ironic; set TF_ACC=1 (the README's test command does)")
	}
	ctx := context.Background()
	k, err := StartKeystone(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer k.Remove()
	s, err := Start(ctx, Options{Keystone: k})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Remove()
	get := func(token string) int {
		req, _ := http.NewRequest(http.MethodGet, s.Endpoint+"/v1/nodes", nil)
		if token != "" {
			req.Header.Set("X-Auth-Token", token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(""); code != http.StatusUnauthorized {
		t.Fatalf("GET /v1/nodes without a token: %d, want 401", code)
	}
	token, err := k.AdminToken()
	if err != nil {
		t.Fatal(err)
	}
	if code := get(token); code != http.StatusOK {
		t.Fatalf("GET /v1/nodes with the admin's token: %d, want 200", code)
	}

	// Clients keep their connections open (keep-alive); more of them than Keystone has
	// workers must not leave the next request waiting.
	for i := 0; i < 8; i++ {
		// Well below the 4 s a worker would wait on an idle connection before giving up.
		c := &http.Client{Transport: &http.Transport{}, Timeout: 2 * time.Second}
		resp, err := c.Get(k.URL)
		if err != nil {
			t.Fatalf("client %d of 8, each keeping its connection open: %v", i+1, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
