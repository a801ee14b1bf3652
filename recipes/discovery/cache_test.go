package discovery_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/recipes/discovery"
	"github.com/zkcurator/zkcurator/zk"
)

// discoveryPair returns a ServiceDiscovery that registers and another, on
// its own client, that looks up, both under a fresh base path.
func discoveryPair(t *testing.T) (reg, look *discovery.ServiceDiscovery) {
	t.Helper()
	srv := zktest.Server(t)
	base := zktest.UniquePath(t) + "/services"
	reg, err := discovery.New(zktest.Connect(t, srv.ConnectString()), base)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, reg.Close()) })
	look, err = discovery.New(zktest.Connect(t, srv.ConnectString()), base)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, look.Close()) })
	return reg, look
}

// summary is an instance as the tests compare it.
func summary(insts []*discovery.ServiceInstance) []string {
	var out []string
	for _, i := range insts {
		out = append(out, fmt.Sprintf("%s@%s/%v", i.ID, i.Address, i.Disabled))
	}
	return out
}

// Each change (register, update, disable, unregister) is in Instances by
// the time the cache's listener is told, and in the provider's lookups
// once its cache has the event: the snapshot is never stale after an
// event.
func TestServiceCacheSnapshotFollowsEvents(t *testing.T) {
	ctx := zktest.Context(t)
	reg, look := discoveryPair(t)
	sc, err := look.NewServiceCache("api")
	require.NoError(t, err)
	defer sc.Close()
	seen := make(chan []string, 64) // Instances as each listener call finds it
	sc.Listen(func() { seen <- summary(sc.Instances()) })
	require.NoError(t, sc.Start(ctx))
	require.Empty(t, sc.Instances())
	p, err := look.NewServiceProvider("api")
	require.NoError(t, err)
	defer p.Close()
	require.NoError(t, p.Start(ctx))
	_, err = p.Instance()
	require.ErrorIs(t, err, discovery.ErrNoInstances)

	// step makes a change and checks both views of it.
	step := func(what string, change func(), want ...string) {
		t.Helper()
		change()
		require.Equal(t, want, zktest.Recv(t, seen), what+": Instances in the listener")
		require.Equal(t, want, summary(sc.Instances()), what+": Instances after the event")
		zktest.Eventually(t, func() bool { return slices.Equal(want, summary(p.AllInstances())) }, what+": provider")
	}
	a := &discovery.ServiceInstance{Name: "api", ID: "a", Address: "10.0.0.1"}
	b := &discovery.ServiceInstance{Name: "api", ID: "b", Address: "10.0.0.2"}
	step("register a", func() { require.NoError(t, reg.Register(ctx, a)) }, "a@10.0.0.1/false")
	got, err := p.Instance()
	require.NoError(t, err)
	require.Equal(t, "10.0.0.1", got.Address)

	step("register b", func() { require.NoError(t, reg.Register(ctx, b)) }, "a@10.0.0.1/false", "b@10.0.0.2/false")
	a.Address = "10.0.0.9"
	step("update a", func() { require.NoError(t, reg.Update(ctx, a)) }, "a@10.0.0.9/false", "b@10.0.0.2/false")
	for range 4 {
		got, err := p.Instance()
		require.NoError(t, err)
		require.NotEqual(t, "10.0.0.1", got.Address, "old address of a")
	}

	b.Disabled = true
	step("disable b", func() { require.NoError(t, reg.Update(ctx, b)) }, "a@10.0.0.9/false", "b@10.0.0.2/true")
	for range 4 {
		got, err := p.Instance()
		require.NoError(t, err)
		require.Equal(t, "a", got.ID, "b is disabled")
	}

	step("unregister a", func() { require.NoError(t, reg.Unregister(a)) }, "b@10.0.0.2/true")
	_, err = p.Instance()
	require.ErrorIs(t, err, discovery.ErrNoInstances, "only a disabled instance is left")

	// The slice Instances returns is the caller's.
	mine := sc.Instances()
	mine[0] = nil
	require.Equal(t, []string{"b@10.0.0.2/true"}, summary(sc.Instances()))
}

// A down report takes effect on the next lookup, without a cache event,
// and ends after the down timeout.
func TestProviderDownReportIsImmediate(t *testing.T) {
	ctx := zktest.Context(t)
	reg, look := discoveryPair(t)
	for _, id := range []string{"1", "2"} {
		require.NoError(t, reg.Register(ctx, &discovery.ServiceInstance{Name: "api", ID: id}))
	}
	p, err := look.NewServiceProvider("api", discovery.WithDownInstancePolicy(200*time.Millisecond, 1))
	require.NoError(t, err)
	defer p.Close()
	require.NoError(t, p.Start(ctx))
	zktest.Eventually(t, func() bool { return len(p.AllInstances()) == 2 }, "both instances cached")

	p.NoteError(p.AllInstances()[0])
	for range 4 {
		got, err := p.Instance()
		require.NoError(t, err)
		require.Equal(t, "2", got.ID, "1 is down")
	}
	zktest.Eventually(t, func() bool {
		got, err := p.Instance()
		return err == nil && got.ID == "1"
	}, "1 usable again after the down timeout")
}

// Lookups allocate nothing when every instance is usable, and at most a
// buffer now and then (reused) when some must be left out.
func TestProviderLookupAllocations(t *testing.T) {
	ctx := zktest.Context(t)
	reg, look := discoveryPair(t)
	for i := range 10 {
		require.NoError(t, reg.Register(ctx, &discovery.ServiceInstance{Name: "api", ID: fmt.Sprint(i)}))
	}
	p, err := look.NewServiceProvider("api", discovery.WithDownInstancePolicy(time.Hour, 1))
	require.NoError(t, err)
	defer p.Close()
	require.NoError(t, p.Start(ctx))
	zktest.Eventually(t, func() bool { return len(p.AllInstances()) == 10 }, "all instances cached")

	var lookupErr error
	lookup := func() {
		if _, err := p.Instance(); err != nil {
			lookupErr = err
		}
	}
	require.Zero(t, testing.AllocsPerRun(1000, lookup), "every instance usable")
	p.NoteError(p.AllInstances()[3])
	require.LessOrEqual(t, testing.AllocsPerRun(1000, lookup), 1.0, "one instance down")
	require.NoError(t, lookupErr)
}

// Lookups, down reports and instance changes at once (run with -race):
// every lookup returns a whole instance of the service.
func TestServiceCacheConcurrentLookupsAndUpdates(t *testing.T) {
	ctx := zktest.Context(t)
	reg, look := discoveryPair(t)
	insts := make([]*discovery.ServiceInstance, 5)
	for i := range insts {
		insts[i] = &discovery.ServiceInstance{Name: "api", ID: fmt.Sprint("i", i), Address: "v0"}
		require.NoError(t, reg.Register(ctx, insts[i]))
	}
	sc, err := look.NewServiceCache("api")
	require.NoError(t, err)
	defer sc.Close()
	require.NoError(t, sc.Start(ctx))
	p, err := look.NewServiceProvider("api", discovery.WithDownInstancePolicy(time.Millisecond, 1),
		discovery.WithFilter(func(i *discovery.ServiceInstance) bool { return i.ID != "i4" }))
	require.NoError(t, err)
	defer p.Close()
	require.NoError(t, p.Start(ctx))
	rr, err := look.NewServiceProvider("api")
	require.NoError(t, err)
	defer rr.Close()
	require.NoError(t, rr.Start(ctx))

	check := func(i *discovery.ServiceInstance) error {
		if !strings.HasPrefix(i.ID, "i") || !strings.HasPrefix(i.Address, "v") || i.Name != "api" {
			return fmt.Errorf("torn instance %+v", *i)
		}
		return nil
	}
	lctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var lookups atomic.Int64
	errs := make(chan error, 8)
	for g := range 4 {
		wg.Go(func() {
			for lctx.Err() == nil {
				lookups.Add(1)
				var got []*discovery.ServiceInstance
				switch g {
				case 0:
					got = sc.Instances()
				case 1:
					got = rr.AllInstances()
				default:
					for _, prov := range []*discovery.ServiceProvider{p, rr} {
						i, err := prov.Instance()
						if err == nil {
							got = append(got, i)
							prov.NoteError(i)
						}
					}
				}
				for _, i := range got {
					if err := check(i); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	for round := 1; round <= 20; round++ {
		i := insts[round%len(insts)]
		i.Address = fmt.Sprint("v", round)
		i.Disabled = round%3 == 0
		require.NoError(t, reg.Update(ctx, i))
		if round%5 == 0 {
			require.NoError(t, reg.Unregister(i))
			require.NoError(t, reg.Register(ctx, i))
		}
	}
	final := summary(insts)
	slices.Sort(final)
	zktest.Eventually(t, func() bool { return slices.Equal(final, summary(sc.Instances())) }, "cache has the last state")
	zktest.Eventually(t, func() bool { return slices.Equal(final, summary(rr.AllInstances())) }, "provider has the last state")
	stop()
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Positive(t, lookups.Load())
}

// After Close a provider's lookups fail with zk.ErrClosed and a cache's
// Instances is empty: a closed cache no longer follows the service, so what
// it last saw would be served stale. Close stays idempotent.
func TestProviderAndCacheAfterClose(t *testing.T) {
	ctx := zktest.Context(t)
	reg, look := discoveryPair(t)
	require.NoError(t, reg.Register(ctx, &discovery.ServiceInstance{Name: "api", ID: "a", Address: "10.0.0.1"}))
	p, err := look.NewServiceProvider("api")
	require.NoError(t, err)
	require.NoError(t, p.Start(ctx))
	zktest.Eventually(t, func() bool { return len(p.AllInstances()) == 1 }, "instance cached")
	_, err = p.Instance()
	require.NoError(t, err)

	require.NoError(t, p.Close())
	require.NoError(t, p.Close())
	_, err = p.Instance()
	require.ErrorIs(t, err, zk.ErrClosed)
	require.Empty(t, p.AllInstances())
	require.ErrorIs(t, p.Start(ctx), zk.ErrClosed)
}
