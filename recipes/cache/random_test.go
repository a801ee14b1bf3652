package cache

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// faulty is the fault injection of the embedded server.
type faulty interface {
	DropConnections() int
	ExpireSession(id int64) bool
}

// One client applies random creates, sets and deletes to a small subtree
// (so paths are deleted and re-created often) while, on the embedded
// server, connections are dropped and the cache's session is expired.
// Afterwards the cache equals the server's tree, and the event stream
// replayed over an empty tree gives the same tree.
func TestTreeCacheRandomized(t *testing.T) {
	for _, mode := range []WatchMode{WatchAuto, WatchOneShot} {
		t.Run(mode.String(), func(t *testing.T) { testRandomized(t, mode) })
	}
}

func testRandomized(t *testing.T, mode WatchMode) {
	target := zktest.Server(t)
	faults, _ := target.(faulty)
	c := zktest.Connect(t, target.ConnectString())
	w := zktest.Connect(t, target.ConnectString())
	ctx := zktest.Context(t)
	p := zktest.UniquePath(t)
	_, err := w.Create(ctx, p, nil, zk.ModePersistent, nil)
	require.NoError(t, err)

	tc := mustTree(t, c, p, WithWatchMode(mode))
	rec := newRecorder(tc.Listen)
	require.NoError(t, tc.Start(ctx))
	defer tc.Close()

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	ops := 5000
	if testing.Short() {
		ops = 1000
	}
	names := []string{"a", "b", "c", "d"}
	expired := false
	for i := range ops {
		if faults != nil {
			switch i {
			case ops * 3 / 10, ops * 8 / 10:
				faults.DropConnections()
			case ops * 6 / 10:
				expired = faults.ExpireSession(c.SessionID())
			}
		}
		var sb strings.Builder
		sb.WriteString(p)
		for range 1 + rng.IntN(3) {
			sb.WriteString("/" + names[rng.IntN(len(names))])
		}
		path := sb.String()
		data := fmt.Appendf(nil, "%d", i)
		switch r := rng.IntN(10); {
		case r < 4:
			_, err = w.Create(ctx, path, data, zk.ModePersistent, nil)
		case r < 7:
			_, err = w.Set(ctx, path, data, -1)
		default:
			err = w.Delete(ctx, path, -1)
		}
		if err != nil && !errors.Is(err, zk.ErrNoNode) && !errors.Is(err, zk.ErrNodeExists) &&
			!errors.Is(err, zk.ErrNotEmpty) && !errors.Is(err, zk.ErrBadVersion) {
			t.Logf("op %d on %s: %v", i, path, err) // a lost reply after a dropped connection
		}
	}
	if faults != nil {
		require.True(t, expired)
		rec.waitType(t, Lost, 1)
	}

	var want, got, replayed map[string]serverNode
	t.Cleanup(func() {
		if t.Failed() {
			for k, v := range want {
				if got[k] != v {
					t.Logf("server %s %+v cache %+v", k, v, got[k])
				}
			}
			for k, v := range got {
				if _, ok := want[k]; !ok {
					t.Logf("cache only %s %+v", k, v)
				}
			}
		}
	})
	zktest.Eventually(t, func() bool {
		var err error
		if want, err = readTree(ctx, w, p, -1); err != nil {
			return false
		}
		got = cacheTree(tc.All())
		evs := rec.events()
		replayed, err = replay(evs)
		if err != nil {
			for i, ev := range evs {
				t.Logf("%d %v", i, ev)
			}
		}
		require.NoError(t, err)
		return reflect.DeepEqual(want, got) && reflect.DeepEqual(want, replayed)
	}, "cache and replayed events equal to the server's tree")
	t.Logf("%d nodes, %d events (%d Suspended, %d Lost, %d Reconnected, %d Synced, %d Error)", len(want), len(rec.events()),
		rec.count(Suspended), rec.count(Lost), rec.count(Reconnected), rec.count(Synced), rec.count(Error))
}
