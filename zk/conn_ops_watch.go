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

func (c *Conn) oneShotRequest(opcode int32, path string, body, resp jute.Record) (*request, chan Event) {
	ch := make(chan Event, 1)
	r := newRequest(opcode, body, resp)
	r.watch = &watchReg{kind: watchData, spath: c.spath(path), oneshot: &oneShot{ch: ch, path: path}}
	return r, ch
}

// ExistsW is Exists that also sets a watch: on an existing node it fires on
// data change or delete, on a missing node when it is created.
func (c *Conn) ExistsW(ctx context.Context, path string) (bool, *Stat, <-chan Event, error) {
	if err := ValidatePath(path, false); err != nil {
		return false, nil, nil, wrapErr("exists", path, err)
	}
	resp := &jute.ExistsResponse{}
	r, ch := c.oneShotRequest(jute.OpExists, path, &jute.ExistsRequest{Path: c.spath(path), Watch: true}, resp)
	err := c.do(ctx, r)
	if errors.Is(err, ErrNoNode) {
		return false, nil, ch, nil
	}
	if err != nil {
		return false, nil, nil, wrapErr("exists", path, err)
	}
	return true, statOf(&resp.Stat), ch, nil
}

// GetW is Get that also sets a watch firing on the node's data change or
// delete.
func (c *Conn) GetW(ctx context.Context, path string) ([]byte, *Stat, <-chan Event, error) {
	if err := ValidatePath(path, false); err != nil {
		return nil, nil, nil, wrapErr("get", path, err)
	}
	resp := &jute.GetDataResponse{}
	r, ch := c.oneShotRequest(jute.OpGetData, path, &jute.GetDataRequest{Path: c.spath(path), Watch: true}, resp)
	if err := c.do(ctx, r); err != nil {
		return nil, nil, nil, wrapErr("get", path, err)
	}
	return resp.Data, statOf(&resp.Stat), ch, nil
}

// ChildrenW is Children that also sets a watch firing when a child is
// created or deleted, or the node is deleted.
func (c *Conn) ChildrenW(ctx context.Context, path string) ([]string, *Stat, <-chan Event, error) {
	if err := ValidatePath(path, false); err != nil {
		return nil, nil, nil, wrapErr("children", path, err)
	}
	resp := &jute.GetChildren2Response{}
	r, ch := c.oneShotRequest(jute.OpGetChildren2, path, &jute.GetChildren2Request{Path: c.spath(path), Watch: true}, resp)
	r.watch.kind = watchChild
	if err := c.do(ctx, r); err != nil {
		return nil, nil, nil, wrapErr("children", path, err)
	}
	return resp.Children, statOf(&resp.Stat), ch, nil
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
func (c *Conn) AddWatch(ctx context.Context, path string, mode AddWatchMode) (*Watcher, error) {
	if err := ValidatePath(path, false); err != nil {
		return nil, wrapErr("addWatch", path, err)
	}
	kind := watchPersistent
	switch mode {
	case AddWatchPersistent:
	case AddWatchPersistentRecursive:
		kind = watchRecursive
	default:
		return nil, wrapErr("addWatch", path, fmt.Errorf("%w: unknown watch mode %d", ErrBadArguments, int32(mode)))
	}
	sp := c.spath(path)
	w := newWatcher(c, path, sp, mode)
	resp := &jute.ErrorResponse{}
	r := newRequest(jute.OpAddWatch, &jute.AddWatchRequest{Path: sp, Type: int32(mode)}, resp)
	r.watch = &watchReg{kind: kind, spath: sp, watcher: w}
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
// nil). Locally, ErrNoWatcher is returned when nothing was removed.
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
	if !local {
		if err := c.removeWatchesServer(ctx, sp, typ); err != nil {
			return wrapErr("removeWatches", path, err)
		}
	}
	data, child, ws := c.watches.removeLocal(sp, typ)
	if local && len(data)+len(child)+len(ws) == 0 {
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
