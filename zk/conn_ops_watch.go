package zk

import (
	"context"
	"errors"
	"fmt"

	"github.com/zkcurator/zkcurator/jute"
)

// A one-shot watch channel (from ExistsW, GetW, ChildrenW) has room for one
// event and receives exactly one: the node's change, or EventNotWatching
// (Err ErrSessionExpired / ErrClosed) when the session ends first, or a
// *WatchRemoved event after RemoveWatches. One-shot watches survive
// reconnects (they are restored with SetWatches). The channel is never
// closed.
//
// The callback forms (ExistsWFunc, GetWFunc, ChildrenWFunc, AddWatchFunc)
// deliver the same events by calling a function instead, like the Java
// client's Watcher and Curator's usingWatcher: no channel per watch, so a
// session can hold many watches cheaply. The function runs on the Conn's
// event goroutine, in order with every other event of the Conn (other
// watches, the WithEventHandler handler); it must return quickly, since
// nothing else is delivered while it runs (hand slow work to another
// goroutine), and it must not call Close. Close waits until every watch
// has had its EventNotWatching (Err ErrClosed).

// validateWatch checks a watch call's path and callback.
func validateWatch(op, path string, fn func(Event)) error {
	if err := ValidatePath(path, false); err != nil {
		return wrapErr(op, path, err)
	}
	if fn == nil {
		return wrapErr(op, path, fmt.Errorf("%w: nil watch callback", ErrBadArguments))
	}
	return nil
}

// oneShotRequest is a request that registers a one-shot watch delivering
// to o (kind watchData: exists turns it into watchExist on NoNode).
func (c *Conn) oneShotRequest(opcode int32, path string, body, resp jute.Record, o *oneShot) *request {
	r := newRequest(opcode, body, resp)
	r.watch = &watchReg{kind: watchData, path: path, spath: c.spath(path), oneshot: o}
	return r
}

// existsW is Exists registering the one-shot watch o: on NoNode too.
func (c *Conn) existsW(ctx context.Context, path string, o *oneShot) (bool, *Stat, error) {
	resp := &jute.ExistsResponse{}
	r := c.oneShotRequest(jute.OpExists, path, &jute.ExistsRequest{Path: c.spath(path), Watch: true}, resp, o)
	err := c.do(ctx, r)
	if errors.Is(err, ErrNoNode) {
		return false, nil, nil
	}
	if err != nil {
		return false, nil, wrapErr("exists", path, err)
	}
	return true, statOf(&resp.Stat), nil
}

// getW is Get registering the one-shot watch o.
func (c *Conn) getW(ctx context.Context, path string, o *oneShot) ([]byte, *Stat, error) {
	resp := &jute.GetDataResponse{}
	r := c.oneShotRequest(jute.OpGetData, path, &jute.GetDataRequest{Path: c.spath(path), Watch: true}, resp, o)
	if err := c.do(ctx, r); err != nil {
		return nil, nil, wrapErr("get", path, err)
	}
	return resp.Data, statOf(&resp.Stat), nil
}

// childrenW is Children registering the one-shot watch o.
func (c *Conn) childrenW(ctx context.Context, path string, o *oneShot) ([]string, *Stat, error) {
	resp := &jute.GetChildren2Response{}
	r := c.oneShotRequest(jute.OpGetChildren2, path, &jute.GetChildren2Request{Path: c.spath(path), Watch: true}, resp, o)
	r.watch.kind = watchChild
	if err := c.do(ctx, r); err != nil {
		return nil, nil, wrapErr("children", path, err)
	}
	return resp.Children, statOf(&resp.Stat), nil
}

// ExistsW is Exists that also sets a watch: on an existing node it fires on
// data change or delete, on a missing node when it is created.
func (c *Conn) ExistsW(ctx context.Context, path string) (bool, *Stat, <-chan Event, error) {
	if err := ValidatePath(path, false); err != nil {
		return false, nil, nil, wrapErr("exists", path, err)
	}
	ch := make(chan Event, 1)
	ok, st, err := c.existsW(ctx, path, &oneShot{ch: ch})
	if err != nil {
		return false, nil, nil, err
	}
	return ok, st, ch, nil
}

// GetW is Get that also sets a watch firing on the node's data change or
// delete.
func (c *Conn) GetW(ctx context.Context, path string) ([]byte, *Stat, <-chan Event, error) {
	if err := ValidatePath(path, false); err != nil {
		return nil, nil, nil, wrapErr("get", path, err)
	}
	ch := make(chan Event, 1)
	data, st, err := c.getW(ctx, path, &oneShot{ch: ch})
	if err != nil {
		return nil, nil, nil, err
	}
	return data, st, ch, nil
}

// ChildrenW is Children that also sets a watch firing when a child is
// created or deleted, or the node is deleted.
func (c *Conn) ChildrenW(ctx context.Context, path string) ([]string, *Stat, <-chan Event, error) {
	if err := ValidatePath(path, false); err != nil {
		return nil, nil, nil, wrapErr("children", path, err)
	}
	ch := make(chan Event, 1)
	children, st, err := c.childrenW(ctx, path, &oneShot{ch: ch})
	if err != nil {
		return nil, nil, nil, err
	}
	return children, st, ch, nil
}

// ExistsWFunc is ExistsW with a callback instead of a channel: fn is
// called exactly once, on the event goroutine, with the event ExistsW's
// channel would receive (see the callback forms above). fn is called only
// if ExistsWFunc returns a nil error; a nil fn fails with ErrBadArguments.
func (c *Conn) ExistsWFunc(ctx context.Context, path string, fn func(Event)) (bool, *Stat, error) {
	if err := validateWatch("exists", path, fn); err != nil {
		return false, nil, err
	}
	return c.existsW(ctx, path, &oneShot{fn: fn})
}

// GetWFunc is GetW with a callback instead of a channel: fn is called
// exactly once, on the event goroutine, with the event GetW's channel would
// receive (see the callback forms above). fn is called only if GetWFunc
// returns a nil error; a nil fn fails with ErrBadArguments.
func (c *Conn) GetWFunc(ctx context.Context, path string, fn func(Event)) ([]byte, *Stat, error) {
	if err := validateWatch("get", path, fn); err != nil {
		return nil, nil, err
	}
	return c.getW(ctx, path, &oneShot{fn: fn})
}

// ChildrenWFunc is ChildrenW with a callback instead of a channel: fn is
// called exactly once, on the event goroutine, with the event ChildrenW's
// channel would receive (see the callback forms above). fn is called only
// if ChildrenWFunc returns a nil error; a nil fn fails with ErrBadArguments.
func (c *Conn) ChildrenWFunc(ctx context.Context, path string, fn func(Event)) ([]string, *Stat, error) {
	if err := validateWatch("children", path, fn); err != nil {
		return nil, nil, err
	}
	return c.childrenW(ctx, path, &oneShot{fn: fn})
}

// AddWatch sets a persistent watch (AddWatchPersistent: every event of the
// node, including NodeChildrenChanged) or a persistent-recursive one
// (AddWatchPersistentRecursive: created/deleted/data-changed events of the
// node and every descendant). The node need not exist. The watch stays
// until Watcher.Remove, RemoveWatches(WatcherAny), session expiry or Close.
// Needs ZooKeeper 3.6+ (else ErrUnimplemented). If the session later moves
// to a server before 3.6 (a rolling downgrade), which refuses to restore
// it (setWatches2), the watch ends with EventNotWatching, Err
// ErrUnimplemented; the one-shot watches are restored with setWatches.
//
// One-shot and persistent watches of one session may share a path, on
// every server version. Servers before 3.9 (ZOOKEEPER-4466) keep one
// watch per path, session and table (data: GetW, ExistsW; child:
// ChildrenW), so a one-shot watch set on the server over a persistent one
// would silently end it once fired. The Conn therefore never sets such a
// one-shot watch on the server: a one-shot watch on a path where this
// session has a persistent watch covering its table (AddWatchPersistent:
// both; AddWatchPersistentRecursive: data, on its own path only; a
// recursive watch on an ancestor is another path and needs nothing) is
// read without the watch flag and fired here by the persistent watch's
// events, exactly once and as the server would have (from the read's
// reply on). When that persistent watch is removed (Watcher.Remove) the
// one-shot watches still waiting are set on the server again, relative
// to the removal, so that none misses a change; reconnects restore both
// kinds. What remains of the 3.8 limit: one session's PERSISTENT and
// PERSISTENT_RECURSIVE watches on the same path replace each other on
// such servers (the later one wins); use a second session for that.
func (c *Conn) AddWatch(ctx context.Context, path string, mode AddWatchMode) (*Watcher, error) {
	if err := ValidatePath(path, false); err != nil {
		return nil, wrapErr("addWatch", path, err)
	}
	return c.addWatch(ctx, path, mode, nil)
}

// AddWatchFunc is AddWatch with a callback instead of a channel: fn is
// called on the event goroutine with each event Watcher.Events would
// deliver, in server order, the last one EventNotWatching (see the
// callback forms above); the Watcher's Events is nil. fn is called only if
// AddWatchFunc returns a nil error; a nil fn fails with ErrBadArguments.
func (c *Conn) AddWatchFunc(ctx context.Context, path string, mode AddWatchMode, fn func(Event)) (*Watcher, error) {
	if err := validateWatch("addWatch", path, fn); err != nil {
		return nil, err
	}
	return c.addWatch(ctx, path, mode, fn)
}

func (c *Conn) addWatch(ctx context.Context, path string, mode AddWatchMode, fn func(Event)) (*Watcher, error) {
	kind := watchPersistent
	switch mode {
	case AddWatchPersistent:
	case AddWatchPersistentRecursive:
		kind = watchRecursive
	default:
		return nil, wrapErr("addWatch", path, fmt.Errorf("%w: unknown watch mode %d", ErrBadArguments, int32(mode)))
	}
	sp := c.spath(path)
	w := newWatcher(c, path, sp, mode, fn)
	resp := &jute.ErrorResponse{}
	r := newRequest(jute.OpAddWatch, &jute.AddWatchRequest{Path: sp, Type: int32(mode)}, resp)
	r.watch = &watchReg{kind: kind, path: path, spath: sp, watcher: w}
	err := c.do(ctx, r)
	if err == nil && resp.Value != 0 {
		err = codeError(resp.Value)
	}
	if err != nil && !errors.Is(err, ErrNoNode) {
		return nil, wrapErr("addWatch", path, err)
	}
	return w, nil
}

// RemoveWatches removes the watches of kind typ on path. With local false
// the server's watches are removed first (ErrNoWatcher if it has none); with
// local true only this Conn's are, without contacting the server (whose
// later notification, if any, goes to the event handler). Removed one-shot
// watches get EventDataWatchRemoved or EventChildWatchRemoved; with
// WatcherAny persistent Watchers on path end too (EventNotWatching, Err
// nil). Locally, ErrNoWatcher is returned when nothing was removed. The
// one-shot watches a persistent watch on path covers (see AddWatch) are
// removed locally only, whatever local says: the server's watch of that
// kind is the persistent watch's.
func (c *Conn) RemoveWatches(ctx context.Context, path string, typ WatcherType, local bool) error {
	if err := ValidatePath(path, false); err != nil {
		return wrapErr("removeWatches", path, err)
	}
	if typ != WatcherChildren && typ != WatcherData && typ != WatcherAny {
		return wrapErr("removeWatches", path, fmt.Errorf("%w: unknown watcher type %d", ErrBadArguments, int32(typ)))
	}
	if err := c.closedErr(); err != nil {
		return wrapErr("removeWatches", path, err)
	}
	sp := c.spath(path)
	if !local && !c.watches.covers(sp, typ) {
		if err := c.removeWatchesServer(ctx, sp, typ); err != nil {
			return wrapErr("removeWatches", path, err)
		}
	}
	data, child, ws := c.watches.removeLocal(sp, typ)
	if len(data)+len(child)+len(ws) == 0 && (local || c.watches.covers(sp, typ)) {
		return wrapErr("removeWatches", path, ErrNoWatcher)
	}
	st := c.State()
	if len(data) > 0 {
		c.events.Push(eventItem{ev: Event{Type: EventDataWatchRemoved, State: st, Path: path}, oneshots: data})
	}
	if len(child) > 0 {
		c.events.Push(eventItem{ev: Event{Type: EventChildWatchRemoved, State: st, Path: path}, oneshots: child})
	}
	if len(ws) > 0 {
		c.events.Push(eventItem{ev: Event{Type: EventNotWatching, State: st, Path: path}, watchers: ws, final: true})
	}
	return nil
}
