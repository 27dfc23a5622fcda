//go:build linux

package ironictest

import (
	"context"
	"net/http"
	"os"
	"testing"
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
