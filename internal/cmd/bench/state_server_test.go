//go:build linux

package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestStateServerKeepsWhatTerraformPosts(t *testing.T) {
	srv, err := startStateServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	get := func() (int, string) {
		resp, err := http.Get(srv.URL + "/state")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, _ := get(); code != http.StatusNotFound {
		t.Fatalf("an empty backend answered %d, want 404 (no state yet)", code)
	}
	if _, err := http.Post(srv.URL+"/state", "application/json", strings.NewReader(`{"serial":1}`)); err != nil {
		t.Fatal(err)
	}
	if code, body := get(); code != http.StatusOK || body != `{"serial":1}` {
		t.Fatalf("%d %q", code, body)
	}
}
