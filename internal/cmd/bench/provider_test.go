//go:build linux

package main

import "testing"

func TestParseBenchmarks(t *testing.T) {
	out := []byte(`goos: linux
BenchmarkProviderPlan/node-2         	     300	  19995154 ns/op	  16314123 cpu-ns/op	11949210 B/op	   75335 allocs/op
BenchmarkNode/ReadResource           	     242	  10005961 ns/op	   5463570 cpu-ns/op	 2858998 B/op	   18551 allocs/op
--- FAIL: BenchmarkPort
PASS
`)
	got := parseBenchmarks(out)
	want := map[string]benchResult{
		"ProviderPlan/node": {nsPerOp: 19995154, cpuNsPerOp: 16314123, bytesPerOp: 11949210, allocsPerOp: 75335},
		"Node/ReadResource": {nsPerOp: 10005961, cpuNsPerOp: 5463570, bytesPerOp: 2858998, allocsPerOp: 18551},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: got %+v, want %+v", name, got[name], w)
		}
	}
	if ratio(1, 0) != "-" || ratio(1, 4) != "0.25x" {
		t.Errorf("ratio: %s, %s", ratio(1, 0), ratio(1, 4))
	}
}

// Every row of the provider section has its before reference.
func TestProviderBefore(t *testing.T) {
	for _, r := range providerRowOrder {
		if b := providerBefore[r.name]; b.cpuNsPerOp == 0 || b.allocsPerOp == 0 || b.nsPerOp == 0 {
			t.Errorf("%s: no before reference", r.name)
		}
	}
}
