package ironic

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type item struct{ ID, Value string }

// fakeKind is a kind of object with counted list and get calls.
type fakeKind struct {
	mu      sync.Mutex
	objects map[string]string
	lists   atomic.Int32
	gets    atomic.Int32
	listErr error
	gate    chan struct{} // when set, List waits for it
}

func (f *fakeKind) snapshot(after int) *Snapshot[item] {
	return &Snapshot[item]{
		List: func(ctx context.Context) ([]item, error) {
			f.lists.Add(1)
			if f.gate != nil {
				<-f.gate
			}
			if f.listErr != nil {
				return nil, f.listErr
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			var out []item
			for id, v := range f.objects {
				out = append(out, item{id, v})
			}
			return out, nil
		},
		Get: func(ctx context.Context, id string) (*item, error) {
			f.gets.Add(1)
			f.mu.Lock()
			defer f.mu.Unlock()
			v, ok := f.objects[id]
			if !ok {
				return nil, errNotFound
			}
			return &item{id, v}, nil
		},
		ID:    func(i *item) string { return i.ID },
		After: after,
	}
}

var errNotFound = errors.New("404")

func newFakeKind(n int) *fakeKind {
	f := &fakeKind{objects: map[string]string{}}
	for i := range n {
		f.objects[fmt.Sprint(i)] = fmt.Sprint("v", i)
	}
	return f
}

func readAll(t *testing.T, s *Snapshot[item], ids []string) []*item {
	t.Helper()
	out := make([]*item, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			obj, err := s.Read(context.Background(), id)
			if err != nil && !errors.Is(err, errNotFound) {
				t.Errorf("read %s: %v", id, err)
			}
			out[i] = obj
		}()
	}
	wg.Wait()
	return out
}

func TestSnapshotFewReadsGetEach(t *testing.T) {
	f := newFakeKind(100)
	s := f.snapshot(8)
	readAll(t, s, []string{"1", "2", "3"})
	if f.lists.Load() != 0 || f.gets.Load() != 3 {
		t.Fatalf("3 reads: %d lists, %d gets; want 0 and 3", f.lists.Load(), f.gets.Load())
	}
}

func TestSnapshotManyReadsShareOneList(t *testing.T) {
	f := newFakeKind(300)
	s := f.snapshot(8)
	ids := make([]string, 300)
	for i := range ids {
		ids[i] = fmt.Sprint(i)
	}
	got := readAll(t, s, ids)
	for i, obj := range got {
		if obj == nil || obj.Value != fmt.Sprint("v", i) {
			t.Fatalf("read %d: %+v", i, obj)
		}
	}
	if f.lists.Load() != 1 || f.gets.Load() > 8 {
		t.Fatalf("300 reads: %d lists, %d gets; want 1 list and at most 8 gets", f.lists.Load(), f.gets.Load())
	}
}

// An object not in the list is read on its own: gone (not found) or newer than the list.
func TestSnapshotMissingObjectConfirmedByGet(t *testing.T) {
	f := newFakeKind(20)
	s := f.snapshot(0)
	readAll(t, s, []string{"1"}) // takes the list
	f.mu.Lock()
	f.objects["new"] = "created after the list"
	f.mu.Unlock()
	gets := f.gets.Load()
	if obj, err := s.Read(context.Background(), "new"); err != nil || obj.Value != "created after the list" {
		t.Fatalf("object newer than the list: %+v, %v", obj, err)
	}
	if _, err := s.Read(context.Background(), "gone"); !errors.Is(err, errNotFound) {
		t.Fatalf("object in neither: %v, want its GET's not-found", err)
	}
	if f.gets.Load()-gets != 2 || f.lists.Load() != 1 {
		t.Fatalf("%d gets, %d lists; want 2 gets and still 1 list", f.gets.Load()-gets, f.lists.Load())
	}
}

// A list the caller may not make (or that fails) leaves every read to its own GET.
func TestSnapshotListFailureFallsBackToGets(t *testing.T) {
	f := newFakeKind(50)
	f.listErr = errors.New("403 forbidden")
	s := f.snapshot(2)
	ids := []string{"1", "2", "3", "4", "5", "6"}
	got := readAll(t, s, ids)
	for i, obj := range got {
		if obj == nil || obj.ID != ids[i] {
			t.Fatalf("read %s: %+v", ids[i], obj)
		}
	}
	if f.lists.Load() != 1 || f.gets.Load() != 6 {
		t.Fatalf("%d lists, %d gets; want the list tried once and 6 gets", f.lists.Load(), f.gets.Load())
	}
}

// A read that gives up while the list is under way fails alone; the others get theirs.
func TestSnapshotCancelledReaderDoesNotSpoilTheList(t *testing.T) {
	f := newFakeKind(10)
	f.gate = make(chan struct{})
	s := f.snapshot(0)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := s.Read(ctx, "1")
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond) // let it start the list
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled read: %v", err)
	}
	close(f.gate)
	if obj, err := s.Read(context.Background(), "2"); err != nil || obj.Value != "v2" {
		t.Fatalf("read after a cancelled one: %+v, %v", obj, err)
	}
	if f.lists.Load() != 1 {
		t.Fatalf("%d lists, want 1", f.lists.Load())
	}
}

// withProbe answers the snapshot's probe from the kind's real size, counting probes.
func (f *fakeKind) withProbe(s *Snapshot[item], probes *atomic.Int32) *Snapshot[item] {
	s.Probe = func(_ context.Context, limit int) (bool, error) {
		probes.Add(1)
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.objects) <= limit, nil
	}
	return s
}

// A small workspace beside a big Ironic reads its objects one by one and never lists
// them all: its cost follows the workspace. A workspace that is most of Ironic lists.
func TestSnapshotCostFollowsTheWorkspace(t *testing.T) {
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprint(i)
		}
		return out
	}
	var probes atomic.Int32
	big := newFakeKind(20000)
	readAll(t, big.withProbe(big.snapshot(8), &probes), ids(12))
	if big.lists.Load() != 0 || big.gets.Load() != 12 || probes.Load() > 1 {
		t.Fatalf("12 reads beside 20,000: %d lists, %d gets, %d probes; want 0, 12, at most 1", big.lists.Load(), big.gets.Load(), probes.Load())
	}
	probes.Store(0)
	whole := newFakeKind(300)
	got := readAll(t, whole.withProbe(whole.snapshot(8), &probes), ids(300))
	for i, obj := range got {
		if obj == nil || obj.Value != fmt.Sprint("v", i) {
			t.Fatalf("read %d: %+v", i, obj)
		}
	}
	if whole.lists.Load() != 1 || whole.gets.Load() > 40 {
		t.Fatalf("300 reads of 300: %d lists, %d gets; want 1 list and few gets", whole.lists.Load(), whole.gets.Load())
	}
}
