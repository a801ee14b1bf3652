package zk

import "context"

// The Client's callback watch forms: Conn.ExistsWFunc, GetWFunc,
// ChildrenWFunc and AddWatchFunc under the retry policy. fn runs on the
// current session's event goroutine (see Conn.GetWFunc) and is called only
// if the call returns a nil error: an attempt that failed registered
// nothing. A watch belongs to the session it was set on: when that session
// is lost, fn gets EventNotWatching.

// ExistsWFunc is ExistsW with a callback instead of a channel: fn is called
// once, with the node's creation, deletion or change (or EventNotWatching
// when the session ends first).
func (c *Client) ExistsWFunc(ctx context.Context, path string, fn func(Event)) (ok bool, st *Stat, err error) {
	if err := validateWatch("exists", path, fn); err != nil {
		return false, nil, err
	}
	err = c.do(ctx, "exists", path, func(ctx context.Context, conn *Conn) (err error) {
		ok, st, err = conn.ExistsWFunc(ctx, path, fn)
		return err
	})
	return ok, st, err
}

// GetWFunc is GetW with a callback instead of a channel: fn is called once,
// with the node's next data change or deletion (or EventNotWatching).
func (c *Client) GetWFunc(ctx context.Context, path string, fn func(Event)) (data []byte, st *Stat, err error) {
	if err := validateWatch("get", path, fn); err != nil {
		return nil, nil, err
	}
	err = c.do(ctx, "get", path, func(ctx context.Context, conn *Conn) (err error) {
		data, st, err = conn.GetWFunc(ctx, path, fn)
		return err
	})
	return data, st, err
}

// ChildrenWFunc is ChildrenW with a callback instead of a channel: fn is
// called once, when a child is created or deleted or the node is deleted
// (or EventNotWatching).
func (c *Client) ChildrenWFunc(ctx context.Context, path string, fn func(Event)) (children []string, st *Stat, err error) {
	if err := validateWatch("children", path, fn); err != nil {
		return nil, nil, err
	}
	err = c.do(ctx, "children", path, func(ctx context.Context, conn *Conn) (err error) {
		children, st, err = conn.ChildrenWFunc(ctx, path, fn)
		return err
	})
	return children, st, err
}

// AddWatchFunc is AddWatch with a callback instead of a channel: fn gets
// every event of the watch, the last one EventNotWatching (Remove, or the
// session lost).
func (c *Client) AddWatchFunc(ctx context.Context, path string, mode AddWatchMode, fn func(Event)) (w *Watcher, err error) {
	if err := validateWatch("addWatch", path, fn); err != nil {
		return nil, err
	}
	err = c.do(ctx, "addWatch", path, func(ctx context.Context, conn *Conn) (err error) {
		w, err = conn.AddWatchFunc(ctx, path, mode, fn)
		return err
	})
	return w, err
}
