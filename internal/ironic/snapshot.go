package ironic

import (
	"context"
	"sync"
)

// Snapshot serves the reads of one plan (one provider process) from one paged list call
// per object kind instead of one GET per object, when that is cheaper. A plan over a
// whole rack costs a few list calls; a plan over a handful of objects costs a handful of
// GETs, as before. Its cost follows the workspace, not the shared Ironic: a list is taken
// only once a probe shows that the objects read so far are a large share of all Ironic
// holds, so a small workspace beside thousands of other nodes never lists them.
//
//   - Never staler than the plan: the list is taken when the plan's reads need it, by
//     the process serving the plan.
//   - An object missing from the list is read with its own GET before it is reported
//     gone (it may be newer than the list).
//   - If the list fails (a policy that allows GET but not list, say), every read falls
//     back to its own GET.
type Snapshot[T any] struct {
	// List returns every object of the kind, following Ironic's pagination.
	List func(context.Context) ([]T, error)
	// Get reads one object.
	Get func(context.Context, string) (*T, error)
	// ID is an object's UUID, the key reads ask for.
	ID func(*T) string
	// After this many reads, the rest are served from the list (zero: the first read).
	After int
	// Log reports each list call and each fallback.
	Log func(ctx context.Context, msg string, fields map[string]any)
	// Probe reports whether Ironic holds at most limit objects of the kind (one page of
	// UUIDs only). Nil: the list is taken after After reads, whatever Ironic holds.
	Probe func(ctx context.Context, limit int) (bool, error)

	mu        sync.Mutex
	reads     int
	load      *snapshotLoad[T]
	nextProbe int           // the read count at which to probe again
	probing   chan struct{} // closed when the probe under way has answered
}

// listShare: the list is taken once the reads so far are at least 1/listShare of what
// Ironic holds (a listed object costs far less than a GET, but not nothing); the probe
// runs again each time the reads have grown by probeGrowth, so the probes together
// fetch a bounded multiple of the reads in UUIDs.
const (
	listShare   = 16
	probeGrowth = 4
)

type snapshotLoad[T any] struct {
	done chan struct{}
	byID map[string]*T
	err  error
}

// Read returns the object with this UUID, from the list when the snapshot has one.
func (s *Snapshot[T]) Read(ctx context.Context, id string) (*T, error) {
	load := s.loadFor(ctx)
	if load == nil {
		return s.Get(ctx, id)
	}
	select {
	case <-load.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if load.err == nil {
		if obj, ok := load.byID[id]; ok {
			return obj, nil
		}
	}
	// Not in the list (created since, or gone: its own GET says which), or no list.
	return s.Get(ctx, id)
}

// loadFor decides whether this read uses the list, starting the list call if it is
// the first that does; nil means a GET of its own. A read that arrives while the probe
// runs waits for its answer.
func (s *Snapshot[T]) loadFor(ctx context.Context) *snapshotLoad[T] {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	if s.reads <= s.After {
		return nil
	}
	for s.probing != nil && s.load == nil {
		wait := s.probing
		s.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
		}
		s.mu.Lock()
		if ctx.Err() != nil {
			return nil
		}
	}
	if s.load == nil && (s.Probe == nil || s.worthListing(ctx)) {
		s.load = &snapshotLoad[T]{done: make(chan struct{})}
		// Detached from this read's cancellation (other reads wait for it too), but not
		// from its deadline's purpose: each request is bounded by request_timeout.
		go s.fill(context.WithoutCancel(ctx), s.load)
	}
	return s.load
}

// worthListing probes, when due, whether Ironic holds few enough objects for a list to
// cost less than the GETs it saves. Called with s.mu held; the probe runs without it.
func (s *Snapshot[T]) worthListing(ctx context.Context) bool {
	if s.reads < s.nextProbe {
		return false
	}
	done := make(chan struct{})
	s.probing = done
	reads := s.reads
	s.mu.Unlock()
	few, err := s.Probe(ctx, listShare*reads)
	s.mu.Lock()
	s.probing = nil
	close(done)
	if err != nil || !few {
		s.nextProbe = reads * probeGrowth
		if s.Log != nil {
			s.Log(ctx, "Ironic holds many more objects than this plan reads; reading them one by one",
				map[string]any{"reads": reads, "probe_limit": listShare * reads})
		}
		return false
	}
	return true
}

func (s *Snapshot[T]) fill(ctx context.Context, load *snapshotLoad[T]) {
	defer close(load.done)
	all, err := s.List(ctx)
	if err != nil {
		load.err = err
		if s.Log != nil {
			s.Log(ctx, "list call failed; reading objects one by one", map[string]any{"error": Message(err)})
		}
		return
	}
	load.byID = make(map[string]*T, len(all))
	for i := range all {
		load.byID[s.ID(&all[i])] = &all[i]
	}
	if s.Log != nil {
		s.Log(ctx, "refresh served from one list", map[string]any{"objects": len(all)})
	}
}
