package lock

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// The Curator interoperability tests run testdata/CuratorContender.java
// (Apache Curator 5.x from Debian's libcurator-*-java packages) against
// Go locks on one path of a real ZooKeeper. Both sides check exclusion
// with flag files in a shared directory: a holder creates its flag file
// (O_EXCL for exclusive holders) and then looks at the others' — whichever
// of two overlapping holders looks second sees the other.

// buildContender compiles the Java contender and returns the classpath to
// run it. Missing Java or Curator jars fail the test (it only runs with
// ZKCURATOR_REAL_ZK=1).
func buildContender(t *testing.T) string {
	t.Helper()
	return zktest.CompileJava(t, zktest.CuratorJars,
		filepath.Join("testdata", "CuratorContender.java"))
}

// startJava starts the contender with args; it is killed when the test
// ends if still running. An OVERLAP line (the contender saw another
// holder inside) is a test error, whichever read sees it.
func startJava(t *testing.T, cp string, args ...string) *zktest.JavaProcess {
	t.Helper()
	p := zktest.StartJava(t, cp, "CuratorContender", args...)
	p.FailOn("OVERLAP")
	return p
}

// runJava runs the contender to completion and returns the paths of its
// "<prefix> <path>" lines.
func runJava(t *testing.T, cp, prefix string, args ...string) []string {
	t.Helper()
	p := startJava(t, cp, args...)
	lines := p.ReadToEOF()
	p.Wait()
	var nodes []string
	for _, l := range lines {
		if n, ok := strings.CutPrefix(l, prefix+" "); ok {
			nodes = append(nodes, n)
		}
	}
	return nodes
}

// flags is the Go side of the flag-file protocol.
type flags struct {
	dir      string
	overlaps atomic.Int32
	why      sync.Map
}

func (f *flags) overlap(why string) {
	f.overlaps.Add(1)
	f.why.Store(why, true)
}

func (f *flags) create(name string) bool {
	fh, err := os.OpenFile(filepath.Join(f.dir, name), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return false
	}
	_ = fh.Close()
	return true
}

func (f *flags) count(prefix string) int {
	ents, _ := os.ReadDir(f.dir)
	n := 0
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), prefix) {
			n++
		}
	}
	return n
}

func (f *flags) exclusive() {
	if !f.create("inside") {
		f.overlap("go entered while inside was taken")
		return
	}
	for range 3 {
		if _, err := os.Stat(filepath.Join(f.dir, "inside")); err != nil {
			f.overlap("go's flag vanished")
		}
	}
	_ = os.Remove(filepath.Join(f.dir, "inside"))
}

func (f *flags) writer() {
	if !f.create("writer") {
		f.overlap("go writer while another writer holds")
		return
	}
	if f.count("reader-") > 0 {
		f.overlap("go writer while readers hold")
	}
	_ = os.Remove(filepath.Join(f.dir, "writer"))
}

func (f *flags) reader(id string) {
	name := "reader-" + id
	f.create(name)
	if _, err := os.Stat(filepath.Join(f.dir, "writer")); err == nil {
		f.overlap("go reader while a writer holds")
	}
	_ = os.Remove(filepath.Join(f.dir, name))
}

func (f *flags) lease(id string, maxLeases int) {
	name := "lease-" + id
	f.create(name)
	if n := f.count("lease-"); n > maxLeases {
		f.overlap(fmt.Sprintf("go lease: %d leases held, max %d", n, maxLeases))
	}
	_ = os.Remove(filepath.Join(f.dir, name))
}

func (f *flags) check(t *testing.T) {
	t.Helper()
	var whys []string
	f.why.Range(func(k, _ any) bool { whys = append(whys, k.(string)); return true })
	require.Zero(t, f.overlaps.Load(), "go side saw overlaps: %v", whys)
}

// goWorkers runs work on each client's goroutine, iterations times.
func goWorkers(t *testing.T, clients []*zk.Client, iterations int, work func(ctx context.Context, c *zk.Client, w, i int) error) {
	t.Helper()
	ctx := zktest.Context(t)
	zktest.Workers(t, len(clients), func(w int) error {
		for i := range iterations {
			if err := work(ctx, clients[w], w, i); err != nil {
				return err
			}
		}
		return nil
	})
}

func notYet(t *testing.T, got <-chan error, what string) {
	t.Helper()
	select {
	case err := <-got:
		t.Fatalf("%s acquired too early (err %v)", what, err)
	default:
	}
}

// interop is the set-up of an interop test: the compiled Java contender,
// a real server (skipped without ZKCURATOR_REAL_ZK=1), the test's context
// and path, and two Go clients, each its own session.
func interop(t *testing.T) (cp, addr string, ctx context.Context, path string, c1, c2 *zk.Client) {
	t.Helper()
	cp = buildContender(t)
	addr = zktest.RealConnectString(t)
	c1, c2 = zktest.Connect(t, addr), zktest.Connect(t, addr)
	return cp, addr, zktest.Context(t), zktest.UniquePath(t), c1, c2
}

// finish waits for the Java loop to end and checks what both sides
// flagged.
func (f *flags) finish(t *testing.T, loop *zktest.JavaProcess) {
	t.Helper()
	loop.Expect("DONE")
	loop.Wait()
	f.check(t)
}

func TestCuratorInteropMutex(t *testing.T) {
	cp, addr, ctx, path, c1, c2 := interop(t)

	// Order: Go holds, Java waits, Go waits. Both sides list the same
	// participants in the same order.
	m1 := newMutexT(t, c1, path, WithData([]byte("go-1")))
	_, err := m1.Acquire(ctx)
	require.NoError(t, err)
	java := startJava(t, cp, addr, "hold-mutex", path, "java-1")
	zktest.Eventually(t, func() bool { return len(zktest.Children(t, c1, path)) == 2 }, "the Java waiter")
	m2 := newMutexT(t, c2, path, WithData([]byte("go-2")))
	got := make(chan error, 1)
	go func() {
		_, err := m2.Acquire(ctx)
		got <- err
	}()
	waitParticipants(t, c1, path, 3)
	ids, err := m1.Participants(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"go-1", "java-1", "go-2"}, ids)
	nodes, err := m1.ParticipantNodes(ctx)
	require.NoError(t, err)
	require.Equal(t, nodes, runJava(t, cp, "NODE", addr, "participants-mutex", path, "java-list"), "Curator's order")

	// Exclusion both ways: Java gets it after Go, Go waits for Java.
	require.NoError(t, m1.Release(ctx))
	java.Expect("ACQUIRED")
	notYet(t, got, "the Go waiter behind Java")
	java.Send("")
	java.Expect("RELEASED")
	java.Wait()
	require.NoError(t, zktest.Recv(t, got))
	require.NoError(t, m2.Release(ctx))

	// Contention: two Java threads and two Go workers.
	f := &flags{dir: t.TempDir()}
	loop := startJava(t, cp, addr, "loop-mutex", path, "java-loop", f.dir, "2", "25")
	goWorkers(t, []*zk.Client{c1, c2}, 25, func(ctx context.Context, c *zk.Client, w, i int) error {
		m := newMutexT(t, c, path)
		if _, err := m.Acquire(ctx); err != nil {
			return err
		}
		f.exclusive()
		return m.Release(ctx)
	})
	f.finish(t, loop)
	require.Empty(t, zktest.Children(t, c1, path))
}

func TestCuratorInteropRWMutex(t *testing.T) {
	cp, addr, ctx, path, c1, c2 := interop(t)

	w1 := newRWMutexT(t, c1, path, WithData([]byte("go-w1")))
	_, err := w1.WriteLock().Acquire(ctx)
	require.NoError(t, err)
	java := startJava(t, cp, addr, "hold-read", path, "java-r")
	zktest.Eventually(t, func() bool { return len(zktest.Children(t, c1, path)) == 2 }, "the Java reader")
	w2 := newRWMutexT(t, c2, path, WithData([]byte("go-w2")))
	got := make(chan error, 1)
	go func() {
		_, err := w2.WriteLock().Acquire(ctx)
		got <- err
	}()
	waitParticipants(t, c1, path, 3)
	ids, err := w1.Participants(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"go-w1", "java-r", "go-w2"}, ids)
	ids, err = w1.ReadLock().Participants(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"java-r"}, ids)
	ids, err = w1.WriteLock().Participants(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"go-w1", "go-w2"}, ids)
	all, err := w1.ParticipantNodes(ctx)
	require.NoError(t, err)
	readers, err := w1.ReadLock().ParticipantNodes(ctx)
	require.NoError(t, err)
	writers, err := w1.WriteLock().ParticipantNodes(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{all[1]}, readers)
	require.Equal(t, []string{all[0], all[2]}, writers)
	require.Equal(t, readers, runJava(t, cp, "READ", addr, "participants-rw", path, "java-list"), "Curator's read lock participants")
	require.Equal(t, writers, runJava(t, cp, "WRITE", addr, "participants-rw", path, "java-list"), "Curator's write lock participants")

	// The Java reader gets in after the Go writer; the second Go writer
	// waits for the Java reader.
	require.NoError(t, w1.WriteLock().Release(ctx))
	java.Expect("ACQUIRED")
	notYet(t, got, "the Go writer behind a Java reader")
	// A Go reader joins the Java reader? No: a writer is queued before it.
	r := newRWMutexT(t, c1, path)
	_, ok, err := r.ReadLock().TryAcquire(ctx, 0)
	require.NoError(t, err)
	require.False(t, ok, "a reader queued behind a writer waits")
	java.Send("")
	java.Expect("RELEASED")
	java.Wait()
	require.NoError(t, zktest.Recv(t, got))
	require.NoError(t, w2.WriteLock().Release(ctx))

	f := &flags{dir: t.TempDir()}
	loop := startJava(t, cp, addr, "loop-rw", path, "java-loop", f.dir, "2", "20")
	goWorkers(t, []*zk.Client{c1, c2}, 20, func(ctx context.Context, c *zk.Client, w, i int) error {
		rw := newRWMutexT(t, c, path)
		if (i+w)%3 == 0 {
			if _, err := rw.WriteLock().Acquire(ctx); err != nil {
				return err
			}
			f.writer()
			return rw.WriteLock().Release(ctx)
		}
		if _, err := rw.ReadLock().Acquire(ctx); err != nil {
			return err
		}
		f.reader(fmt.Sprintf("go-%d-%d", w, i))
		return rw.ReadLock().Release(ctx)
	})
	f.finish(t, loop)
	require.Empty(t, zktest.Children(t, c1, path))
}

func TestCuratorInteropSemaphore(t *testing.T) {
	cp, addr, ctx, path, c1, c2 := interop(t)
	const maxLeases = 2

	s1 := newSemaphoreT(t, c1, path, maxLeases, WithData([]byte("go-1")))
	l1, err := s1.Acquire(ctx)
	require.NoError(t, err)
	l2, err := newSemaphoreT(t, c2, path, maxLeases, WithData([]byte("go-2"))).Acquire(ctx)
	require.NoError(t, err)
	java := startJava(t, cp, addr, "hold-sem", path, "java-1", fmt.Sprint(maxLeases))
	zktest.Eventually(t, func() bool { return len(zktest.Children(t, c1, path+"/leases")) == 3 }, "the Java lease")
	ids, err := s1.Participants(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"go-1", "go-2", "java-1"}, ids)
	nodes, err := s1.ParticipantNodes(ctx)
	require.NoError(t, err)
	javaNodes := runJava(t, cp, "NODE", addr, "participants-sem", path, "java-list", fmt.Sprint(maxLeases))
	for i, n := range nodes {
		nodes[i] = n[strings.LastIndexByte(n, '/')+1:] // Curator lists names
	}
	slices.Sort(nodes)
	slices.Sort(javaNodes)
	require.Equal(t, nodes, javaNodes)

	// A third Go acquirer queues behind Java (on the internal mutex).
	got := make(chan error, 1)
	var l3 *Lease
	go func() {
		var err error
		l3, err = newSemaphoreT(t, c2, path, maxLeases).Acquire(ctx)
		got <- err
	}()
	waitParticipants(t, c1, path+"/locks", 2)
	require.NoError(t, l1.Release(ctx))
	java.Expect("ACQUIRED")
	notYet(t, got, "the third Go lease")
	java.Send("")
	java.Expect("RELEASED")
	java.Wait()
	require.NoError(t, zktest.Recv(t, got))
	require.NoError(t, l2.Release(ctx))
	require.NoError(t, l3.Release(ctx))

	f := &flags{dir: t.TempDir()}
	loop := startJava(t, cp, addr, "loop-sem", path, "java-loop", f.dir, "2", "20", fmt.Sprint(maxLeases))
	goWorkers(t, []*zk.Client{c1, c2}, 20, func(ctx context.Context, c *zk.Client, w, i int) error {
		l, err := newSemaphoreT(t, c, path, maxLeases).Acquire(ctx)
		if err != nil {
			return err
		}
		f.lease(fmt.Sprintf("go-%d-%d", w, i), maxLeases)
		return l.Release(ctx)
	})
	f.finish(t, loop)
	require.Empty(t, zktest.Children(t, c1, path+"/leases"))
}
