//go:build linux

package ironictest

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// The agent downloads an OCI blob with the Authorization header Ironic hands it,
// base64-encoded, as image_request_authorization (IPA 2025.1 and later).
func TestAgentSendsRegistryAuthorization(t *testing.T) {
	const auth = "Basic cHVsbGVyOnMzY3JldA=="
	blob := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != auth {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		w.Write([]byte("disk"))
	}))
	defer blob.Close()
	m := &machine{agent: &Agent{IPAVersion: "11.1.0", client: http.DefaultClient}, uuid: "n1"}
	if _, err := m.download(context.Background(), blob.URL, "os", map[string]any{}); err == nil {
		t.Fatal("downloaded without authorization")
	}
	body, err := m.download(context.Background(), blob.URL, "os", map[string]any{
		"image_request_authorization": base64.StdEncoding.EncodeToString([]byte(auth))})
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	if b, _ := io.ReadAll(body); string(b) != "disk" {
		t.Fatalf("got %q", b)
	}
}
