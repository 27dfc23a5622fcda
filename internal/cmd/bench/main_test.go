//go:build linux

package main

import "testing"

// BENCH takes one section name, or several comma-separated: nodes,refresh measures the
// refresh rows on the nodes the apply rows provisioned, as a full run does.
func TestWantedSections(t *testing.T) {
	for _, c := range []struct {
		only, section string
		want          bool
	}{
		{"", "nodes", true},
		{"nodes", "nodes", true},
		{"nodes", "refresh", false},
		{"nodes,refresh", "refresh", true},
		{"nodes, refresh", "nodes", true},
		{"nodes,refresh", "query", false},
		{"fetch", "fetch", true},
		{",", "nodes", false},
	} {
		if got := wanted(c.only, c.section); got != c.want {
			t.Errorf("wanted(%q, %q) = %v, want %v", c.only, c.section, got, c.want)
		}
	}
}
