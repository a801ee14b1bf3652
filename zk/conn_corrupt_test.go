package zk_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/zk"
)

// Every Conn operation fed replies with the right xid and a random body
// (truncated, garbage lengths, wrong record types): no panic, no hang;
// each call returns a result or an error.
func TestConnCorruptRepliesNeverPanic(t *testing.T) {
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(1, 2))
	fs := newFakeServer(t, &fakeServer{timeout: 10000, answer: func(xid, op int32) []byte {
		mu.Lock()
		defer mu.Unlock()
		body := make([]byte, rng.IntN(48))
		for i := range body {
			// Mostly small or all-ones bytes, so lengths come out as
			// small, huge and negative values.
			switch rng.IntN(3) {
			case 0:
				body[i] = byte(rng.IntN(4))
			case 1:
				body[i] = 0xff
			default:
				body[i] = byte(rng.Uint32())
			}
		}
		return replyFrame(xid, 1, 0, body)
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := dialConn(t, fs.addr()+"/chroot")
	acl := zk.OpenACLUnsafe
	ops := []func() error{
		func() error { _, err := c.Create(ctx, "/a", nil, zk.ModePersistentSequential, acl); return err },
		func() error { _, _, err := c.Create2(ctx, "/a", nil, zk.ModePersistent, acl); return err },
		func() error { _, _, err := c.Create2(ctx, "/a", nil, zk.ModeContainer, acl); return err },
		func() error {
			_, _, err := c.CreateTTL(ctx, "/a", nil, zk.ModePersistentTTL, acl, time.Minute)
			return err
		},
		func() error { return c.Delete(ctx, "/a", -1) },
		func() error { _, _, err := c.Exists(ctx, "/a"); return err },
		func() error { _, _, err := c.Get(ctx, "/a"); return err },
		func() error { _, err := c.Set(ctx, "/a", nil, -1); return err },
		func() error { _, _, err := c.Children(ctx, "/a"); return err },
		func() error { _, _, err := c.GetACL(ctx, "/a"); return err },
		func() error { _, err := c.SetACL(ctx, "/a", acl, -1); return err },
		func() error { _, err := c.Sync(ctx, "/a"); return err },
		func() error {
			_, err := c.Multi(ctx, zk.CreateOp("/a", nil, zk.ModePersistent, acl), zk.SetOp("/a", nil, -1), zk.CheckOp("/a", -1))
			return err
		},
		func() error { _, err := c.GetEphemerals(ctx, "/"); return err },
		func() error { _, err := c.AllChildrenNumber(ctx, "/a"); return err },
		func() error { _, _, _, err := c.ExistsW(ctx, "/a"); return err },
		func() error { _, _, _, err := c.GetW(ctx, "/a"); return err },
		func() error { _, _, _, err := c.ChildrenW(ctx, "/a"); return err },
		func() error { _, err := c.AddWatch(ctx, "/a", zk.AddWatchPersistentRecursive); return err },
		func() error { return c.RemoveWatches(ctx, "/a", zk.WatcherAny, false) },
		func() error {
			_, _, _, cerr, lerr := c.CreateAndList(ctx, "/a", nil, zk.ModePersistent, acl)
			return errors.Join(cerr, lerr)
		},
	}
	// Each corrupt reply costs a reconnect (a random pause up to 1s), so
	// one round; FuzzHandleFrame feeds the reader many more.
	for i, op := range ops {
		_ = op() // any result or error, as long as it returns
		require.NoError(t, ctx.Err(), "op %d hung", i)
	}
}
