//go:build linux

package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
)

// startStateServer serves Terraform's http state backend from memory (GET, POST,
// DELETE of a state by path; no locking): a remote backend, which keeps the state in
// memory during an apply and saves it every 20 s, where the local one rewrites and
// syncs terraform.tfstate after every object.
func startStateServer() (*httptest.Server, error) {
	var mu sync.Mutex
	states := map[string][]byte{}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch r.Method {
		case http.MethodGet:
			body, ok := states[r.URL.Path]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Write(body)
		case http.MethodPost:
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			states[r.URL.Path] = body
		case http.MethodDelete:
			delete(states, r.URL.Path)
		default:
			http.Error(w, "no such method", http.StatusMethodNotAllowed)
		}
	})), nil
}
