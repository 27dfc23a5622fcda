package main

import (
	"runtime"
	"testing"
	"time"
)

func TestGCSetting(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		ours bool
	}{
		{"nothing set: the provider's", nil, true},
		{"GOGC set: the user's", map[string]string{"GOGC": "100"}, false},
		{"GOGC off: the user's", map[string]string{"GOGC": "off"}, false},
		{"GOMEMLIMIT set: the user's", map[string]string{"GOMEMLIMIT": "512MiB"}, false},
		{"both set: the user's", map[string]string{"GOGC": "50", "GOMEMLIMIT": "1GiB"}, false},
		{"set empty counts as unset", map[string]string{"GOGC": "", "GOMEMLIMIT": ""}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := gcSetting(func(k string) string { return tc.env[k] }); got != tc.ours {
				t.Errorf("gcSetting = %v, want %v", got, tc.ours)
			}
		})
	}
}

// Past half the soft limit, the limit would make the collector run more often than Go's
// default: the provider falls back to the default.
func TestGCFallBack(t *testing.T) {
	for _, tc := range []struct {
		live uint64
		want bool
	}{
		{0, false},
		{100 << 20, false},
		{gcSoftLimit / 2, false},
		{gcSoftLimit/2 + 1, true},
		{2 * gcSoftLimit, true},
	} {
		if got := gcFallBack(tc.live); got != tc.want {
			t.Errorf("gcFallBack(%d MiB) = %v, want %v", tc.live>>20, got, tc.want)
		}
	}
}

func TestAfterEachGC(t *testing.T) {
	calls := make(chan uint64, 10)
	afterEachGC(func(live uint64) bool {
		calls <- live
		return len(calls) < 2
	})
	for range 4 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(calls); n != 2 {
		t.Fatalf("f called %d times over 4 collections, want 2 (it asked to stop after the second)", n)
	}
	if live := <-calls; live == 0 {
		t.Errorf("live heap 0")
	}
}
