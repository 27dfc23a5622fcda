package backoff

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestDelayGrowsToTheCap(t *testing.T) {
	ms := time.Millisecond
	for _, c := range []struct {
		name string
		p    Policy
		want []time.Duration // Delay(1), Delay(2), ...
	}{
		{"doubling by default", Policy{Initial: 100 * ms, Max: 500 * ms}, []time.Duration{100 * ms, 200 * ms, 400 * ms, 500 * ms, 500 * ms}},
		{"factor 1.2, truncated at each step", Policy{Initial: 20 * ms, Factor: 1.2, Max: 30 * ms},
			[]time.Duration{20 * ms, 24 * ms, 28800 * time.Microsecond, 30 * ms}},
		{"zero initial waits the cap", Policy{Max: time.Second}, []time.Duration{time.Second, time.Second}},
		{"no overflow after many retries", Policy{Initial: time.Second, Max: time.Hour}, nil},
	} {
		for i, want := range c.want {
			if got := c.p.Delay(uint(i + 1)); got != want {
				t.Errorf("%s: Delay(%d) = %v, want %v", c.name, i+1, got, want)
			}
		}
	}
	if d := (Policy{Initial: time.Second, Max: time.Hour}).Delay(500); d != time.Hour {
		t.Errorf("Delay(500) = %v, want the cap", d)
	}
}

// Jitter spreads each delay over [1-j, 1+j) of it, never beyond.
func TestDelayJitter(t *testing.T) {
	p := Policy{Initial: 100 * time.Millisecond, Max: 5 * time.Second, Jitter: 0.2}
	seen := map[time.Duration]bool{}
	for range 200 {
		d := p.Delay(2)
		if d < 160*time.Millisecond || d >= 240*time.Millisecond {
			t.Fatalf("Delay(2) = %v, outside 200 ms ± 20%%", d)
		}
		seen[d] = true
	}
	if len(seen) < 10 {
		t.Fatalf("jitter gave only %d distinct delays", len(seen))
	}
}

func TestPollBacksOffToTheCap(t *testing.T) {
	s := &Recorder{}
	calls := 0
	p := Policy{Initial: 20 * time.Millisecond, Factor: 2, Max: 100 * time.Millisecond}
	if err := Poll(context.Background(), s, p, func() (bool, error) { calls++; return calls == 6, nil }); err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{20, 40, 80, 100, 100}
	for i := range want {
		want[i] *= time.Millisecond
	}
	if fmt.Sprint(s.Sleeps()) != fmt.Sprint(want) {
		t.Fatalf("sleeps %v, want %v", s.Sleeps(), want)
	}
}

// After a request that starts the change, the first check waits the first delay: a check
// at once could only see the change under way.
func TestPollAfterWaitWaitsBeforeTheFirstCheck(t *testing.T) {
	s := &Recorder{}
	var sleptBefore []int // waits recorded before each check
	p := Policy{Initial: 20 * time.Millisecond, Factor: 2, Max: 100 * time.Millisecond}
	if err := PollAfterWait(context.Background(), s, p, func() (bool, error) {
		sleptBefore = append(sleptBefore, len(s.Sleeps()))
		return len(sleptBefore) == 3, nil
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(sleptBefore) != "[1 2 3]" {
		t.Fatalf("waits before each check %v, want [1 2 3]", sleptBefore)
	}
	if want := []time.Duration{20 * time.Millisecond, 40 * time.Millisecond, 80 * time.Millisecond}; fmt.Sprint(s.Sleeps()) != fmt.Sprint(want) {
		t.Fatalf("sleeps %v, want %v", s.Sleeps(), want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	checked := false
	if err := PollAfterWait(ctx, &Recorder{}, p, func() (bool, error) { checked = true; return true, nil }); !errors.Is(err, context.Canceled) || checked {
		t.Fatalf("cancelled: %v, checked %v", err, checked)
	}
}

func TestPollStopsOnCancelAndError(t *testing.T) {
	p := Policy{Initial: time.Millisecond, Max: time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Poll(ctx, &Recorder{}, p, func() (bool, error) { return false, nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	boom := errors.New("boom")
	if err := Poll(context.Background(), &Recorder{}, p, func() (bool, error) { return false, boom }); err != boom {
		t.Fatalf("error: %v", err)
	}
}

// The real sleep returns promptly when its context ends, with the context's error.
func TestSleepEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := (Clock{}).Sleep(ctx, time.Hour); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("cancellation was not prompt")
	}
}

func TestSleep(t *testing.T) {
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled sleep: %v", err)
	}
}
