package harness

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	gozk "github.com/go-zookeeper/zk"
	"github.com/zkcurator/zkcurator/recipes/lock"
	"github.com/zkcurator/zkcurator/zk"
)

// LockRoot is the parent of every lock the benchmarks use; each
// implementation gets its own child (LockPath).
const LockRoot = "/bench-lock"

// LockClient names a lock implementation (or the round-trip bound).
type LockClient string

// The lock implementations compared.
const (
	// LockZkcurator is recipes/lock.Mutex on a zk.Client.
	LockZkcurator LockClient = "zkcurator"
	// LockGozk is go-zookeeper's zk.Lock.
	LockGozk LockClient = "gozk"
	// LockBound is no lock but its round-trip floor: one
	// create(ephemeral-sequential), one getChildren and one delete, each
	// waited for in turn, on a zk.Conn. It has no hand-off.
	LockBound LockClient = "bound"
)

// LockClients lists the uncontended comparison in report order.
var LockClients = []LockClient{LockZkcurator, LockGozk, LockBound}

// HandoffClients lists the implementations with a contended hand-off.
var HandoffClients = []LockClient{LockZkcurator, LockGozk}

// LockPath is the lock node (the parent of the lock's sequential nodes)
// that implementation c uses in a benchmark named name.
func LockPath(name string, c LockClient) string {
	return LockRoot + "/" + name + "-" + string(c)
}

// PrepareLock creates path and its parent as persistent nodes (not
// containers: an empty container between two cycles could be reaped by the
// server and cost the next acquire extra round trips), so every
// implementation starts from the same state.
func PrepareLock(ctx context.Context, addr, path string) error {
	conn, err := zk.Dial(ctx, addr, zk.WithSessionTimeout(sessionTimeout))
	if err != nil {
		return fmt.Errorf("prepare lock %s: %w", path, err)
	}
	defer conn.Close()
	for _, p := range []string{LockRoot, path} {
		if _, err := conn.Create(ctx, p, nil, zk.ModePersistent, zk.OpenACLUnsafe); err != nil && !errors.Is(err, zk.ErrNodeExists) {
			return fmt.Errorf("prepare lock: %w", err)
		}
	}
	return nil
}

// Locker is one session's lock of one implementation.
type Locker interface {
	// Lock blocks until the lock is held.
	Lock(ctx context.Context) error
	// Unlock releases it.
	Unlock(ctx context.Context) error
	// Close ends the session.
	Close() error
}

// DialLocker opens a session of implementation c to addr with a lock on
// path (see PrepareLock). A non-nil counter counts the session's requests.
func DialLocker(ctx context.Context, c LockClient, addr, path string, counter *OpCounter) (Locker, error) {
	zopts := []zk.Option{zk.WithSessionTimeout(sessionTimeout)}
	var gdial gozk.Dialer
	if counter != nil {
		zopts = append(zopts, zk.WithDialer(counter.ZkDialer()))
		gdial = counter.GozkDialer()
	}
	switch c {
	case LockZkcurator:
		cl, err := zk.Connect(ctx, addr, zopts...)
		if err != nil {
			return nil, fmt.Errorf("zkcurator: connect %s: %w", addr, err)
		}
		m, err := lock.NewMutex(cl, path)
		if err != nil {
			_ = cl.Close()
			return nil, fmt.Errorf("zkcurator: %w", err)
		}
		return &mutexLocker{c: cl, m: m}, nil
	case LockGozk:
		g, err := dialGozk(ctx, addr, gdial)
		if err != nil {
			return nil, err
		}
		return &gozkLocker{g: g, l: gozk.NewLock(g.conn, path, gozk.WorldACL(gozk.PermAll))}, nil
	case LockBound:
		conn, err := zk.Dial(ctx, addr, zopts...)
		if err != nil {
			return nil, fmt.Errorf("bound: dial %s: %w", addr, err)
		}
		return &boundLocker{conn: conn, path: path}, nil
	}
	return nil, fmt.Errorf("harness: unknown lock client %q", c)
}

type mutexLocker struct {
	c *zk.Client
	m *lock.Mutex
}

func (l *mutexLocker) Lock(ctx context.Context) error {
	_, err := l.m.Acquire(ctx)
	return err
}
func (l *mutexLocker) Unlock(ctx context.Context) error { return l.m.Release(ctx) }
func (l *mutexLocker) Close() error                     { return l.c.Close() }

// gozkLocker adapts go-zookeeper's Lock, which takes no context.
type gozkLocker struct {
	g *Gozk
	l *gozk.Lock
}

func (l *gozkLocker) Lock(context.Context) error {
	if err := l.l.Lock(); err != nil {
		return fmt.Errorf("gozk: lock: %w", err)
	}
	return nil
}

func (l *gozkLocker) Unlock(context.Context) error {
	if err := l.l.Unlock(); err != nil {
		return fmt.Errorf("gozk: unlock: %w", err)
	}
	return nil
}
func (l *gozkLocker) Close() error { return l.g.Close() }

// boundLocker is the round-trip floor of an uncontended lock: Lock creates
// an ephemeral-sequential child and lists the children (one round trip
// each), Unlock deletes the child. It does not exclude anyone.
type boundLocker struct {
	conn *zk.Conn
	path string
	node string
}

func (l *boundLocker) Lock(ctx context.Context) error {
	p, err := l.conn.Create(ctx, l.path+"/lock-", nil, zk.ModeEphemeralSequential, zk.OpenACLUnsafe)
	if err != nil {
		return fmt.Errorf("bound: %w", err)
	}
	l.node = p
	if _, _, err := l.conn.Children(ctx, l.path); err != nil {
		return fmt.Errorf("bound: %w", err)
	}
	return nil
}

func (l *boundLocker) Unlock(ctx context.Context) error {
	if err := l.conn.Delete(ctx, l.node, -1); err != nil {
		return fmt.Errorf("bound: %w", err)
	}
	return nil
}
func (l *boundLocker) Close() error { return l.conn.Close() }

// Cycles runs n Lock+Unlock cycles on l, one after another.
func Cycles(ctx context.Context, l Locker, n int) error {
	for range n {
		if err := l.Lock(ctx); err != nil {
			return err
		}
		if err := l.Unlock(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Contenders is a set of sessions contending for one lock.
type Contenders struct {
	lockers []Locker
	grants  int64 // grants in the last Handoffs
}

// Grants returns the number of grants the last Handoffs saw, the first n
// (the queue filling) included.
func (cs *Contenders) Grants() int64 { return cs.grants }

// DialContenders opens n sessions of implementation c (not LockBound),
// each with a lock on path; a non-nil counter counts their requests.
func DialContenders(ctx context.Context, c LockClient, addr, path string, n int, counter *OpCounter) (*Contenders, error) {
	if c == LockBound {
		return nil, errors.New("harness: the bound has no hand-off")
	}
	cs := &Contenders{}
	for range n {
		l, err := DialLocker(ctx, c, addr, path, counter)
		if err != nil {
			return nil, errors.Join(err, cs.Close())
		}
		cs.lockers = append(cs.lockers, l)
	}
	return cs, nil
}

// Close ends every session.
func (cs *Contenders) Close() error {
	var errs []error
	for _, l := range cs.lockers {
		errs = append(errs, l.Close())
	}
	return errors.Join(errs...)
}

// errNotExclusive reports two holders of the lock at once.
var errNotExclusive = errors.New("harness: two contenders held the lock at once")

// Handoffs makes every contender loop lock, unlock, lock again…, and
// returns the hand-off latencies: for each grant, the time from the
// previous holder's Unlock call to the new holder's Lock return. Holders
// release at once, so with n contenders n-1 wait at each hand-off (n-2
// while the releaser is still queueing again). The first n grants (the
// queue filling) are not counted; after want latencies are recorded the
// contenders stop, each after one more grant.
//
// go-zookeeper's Lock takes no context: if the server stops answering,
// Handoffs returns only when its session times out.
func (cs *Contenders) Handoffs(ctx context.Context, want int) ([]time.Duration, error) {
	var (
		base     = time.Now()
		released atomic.Int64 // monotonic ns since base of the last Unlock call; 0: none
		holders  atomic.Int32
		grants   atomic.Int64
		stop     atomic.Bool
		mu       sync.Mutex
		lat      = make([]time.Duration, 0, want)
		first    error
		wg       sync.WaitGroup
	)
	skip := int64(len(cs.lockers))
	fail := func(err error) {
		mu.Lock()
		if first == nil {
			first = err
		}
		mu.Unlock()
		stop.Store(true)
	}
	for _, l := range cs.lockers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if err := l.Lock(ctx); err != nil {
					fail(err)
					return
				}
				now := time.Since(base)
				if holders.Add(1) != 1 {
					fail(errNotExclusive)
				}
				g := grants.Add(1)
				if r := released.Load(); r != 0 && g > skip && !stop.Load() {
					mu.Lock()
					lat = append(lat, now-time.Duration(r))
					if len(lat) >= want {
						stop.Store(true)
					}
					mu.Unlock()
				}
				done := stop.Load()
				holders.Add(-1)
				released.Store(int64(time.Since(base)))
				if err := l.Unlock(ctx); err != nil {
					fail(err)
					return
				}
				if done {
					return
				}
			}
		}()
	}
	wg.Wait()
	cs.grants = grants.Load()
	return lat, first
}
