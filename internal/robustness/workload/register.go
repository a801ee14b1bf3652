package workload

import (
	"context"
	"errors"
	"fmt"

	"github.com/zkcurator/zkcurator/internal/robustness/history"
	"github.com/zkcurator/zkcurator/zk"
)

// Register operations, as history.Event.Op.
const (
	OpRead  = "read"  // Sync then Get: linearizable
	OpSet   = "set"   // Set with AnyVersion
	OpCAS   = "cas"   // Set with the version last seen
	OpMulti = "multi" // Multi: SetOp with the version last seen + a CreateOp with a nil ACL
)

// RegisterKeys is how many registers the register workload spreads over:
// enough that each register's history (checked on its own) stays short,
// few enough that clients contend on each.
const RegisterKeys = 8

// RegisterPath returns the znode of register i under root.
func RegisterPath(root string, i int) string { return fmt.Sprintf("%s/reg/k%d", root, i) }

// registerLog is where the multi op's CreateOp makes its nodes.
func registerLog(root string) string { return root + "/reg-log" }

// SetupRegisters creates the registers (empty, version 0) and the multi
// log parent under root.
func SetupRegisters(ctx context.Context, c *zk.Client, root string) error {
	for i := range RegisterKeys {
		if _, _, err := c.CreateWith(ctx, RegisterPath(root, i), nil, zk.CreateOptions{CreateParents: true}); err != nil {
			return fmt.Errorf("workload: setup registers: %w", err)
		}
	}
	if _, err := c.Create(ctx, registerLog(root), nil, zk.ModePersistent, nil); err != nil {
		return fmt.Errorf("workload: setup registers: %w", err)
	}
	return nil
}

// Registers returns the register workload: linearizable reads (Sync+Get),
// unconditional sets, compare-and-set on the last version seen, and a
// Multi that does a compare-and-set together with a CreateOp. With nilACL
// the CreateOp's ACL is nil, which must mean the client's default ACL as
// it does for Create; else it is the open ACL, given explicitly. The
// client should have no retry policy, so that every call is one attempt
// with a clear or unknown outcome.
func Registers(nilACL bool) Workload {
	var acl []zk.ACL
	if !nilACL {
		acl = zk.WorldACL(zk.PermAll)
	}
	return func(ctx context.Context, env *Env) error { return registers(ctx, env, acl) }
}

func registers(ctx context.Context, env *Env, acl []zk.ACL) error {
	seen := make([]int32, RegisterKeys) // last version seen per key
	var id int64
	for env.think(ctx) {
		id++
		k := env.Rand.IntN(RegisterKeys)
		key := RegisterPath(env.Root, k)
		val := fmt.Sprintf("%s-%d", env.Name, id)
		switch p := env.Rand.IntN(100); {
		case p < 40:
			env.read(ctx, id, key, seen, k)
		case p < 60:
			env.write(ctx, id, OpSet, key, val, zk.AnyVersion, seen, k, acl)
		case p < 85:
			env.write(ctx, id, OpCAS, key, val, seen[k], seen, k, acl)
		default:
			env.write(ctx, id, OpMulti, key, val, seen[k], seen, k, acl)
		}
	}
	return nil
}

func (env *Env) read(ctx context.Context, id int64, key string, seen []int32, k int) {
	octx, cancel := env.opCtx(ctx)
	defer cancel()
	env.Sink.Emit(history.Event{Kind: history.Call, ID: id, Op: OpRead, Key: key})
	_, err := env.Client.Sync(octx, key)
	var data []byte
	var st *zk.Stat
	if err == nil {
		data, st, err = env.Client.Get(octx, key)
	}
	ev := history.Event{Kind: history.Return, ID: id, Result: result(err)}
	if err == nil {
		ev.Val, ev.Ver = string(data), st.Version
		seen[k] = st.Version
	}
	env.Sink.Emit(ev)
	if err == nil {
		env.progress()
	}
	env.unexpected("read "+key, err)
}

func (env *Env) write(ctx context.Context, id int64, op, key, val string, expect int32, seen []int32, k int, acl []zk.ACL) {
	octx, cancel := env.opCtx(ctx)
	defer cancel()
	env.Sink.Emit(history.Event{Kind: history.Call, ID: id, Op: op, Key: key, Val: val, Expect: expect})
	var st *zk.Stat
	var err error
	if op == OpMulti {
		var res []zk.OpResult
		res, err = env.Client.Multi(octx,
			zk.SetOp(key, []byte(val), expect),
			zk.CreateOp(registerLog(env.Root)+"/m-", nil, zk.ModeEphemeralSequential, acl))
		if err == nil && len(res) > 0 {
			st = res[0].Stat
		}
		if err == nil && st == nil {
			err = errors.New("multi: no stat for the set")
		}
	} else {
		st, err = env.Client.Set(octx, key, []byte(val), expect)
	}
	ev := history.Event{Kind: history.Return, ID: id, Result: result(err)}
	if err == nil {
		ev.Ver = st.Version
		seen[k] = st.Version
	}
	env.Sink.Emit(ev)
	if err == nil {
		env.progress()
	}
	env.unexpected(op+" "+key, err, zk.ErrBadVersion)
}
