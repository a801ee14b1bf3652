package zk

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/zkcurator/zkcurator/retry"
)

// classify maps an error to how the retry loop treats it.
func classify(err error) retry.Class {
	switch {
	case errors.Is(err, ErrClosed):
		return retry.Permanent
	case IsRetryable(err):
		return retry.Retryable
	case errors.Is(err, ErrSessionExpired):
		return retry.SessionExpired
	}
	return retry.Permanent
}

// do runs fn on the current session under the retry policy, in one span.
func (c *Client) do(ctx context.Context, op, path string, fn func(ctx context.Context, conn *Conn) error) error {
	if c.done == nil {
		return wrapErr(op, path, errNotConnected)
	}
	ctx, sp := c.tel.startOp(ctx, op, path)
	err := retry.Do(ctx, c.policy, classify, func(ctx context.Context) error {
		sp.attempt()
		conn, err := c.liveConn(ctx, c.connTO)
		if err != nil {
			return wrapErr(op, path, err)
		}
		err = fn(ctx, conn)
		if errors.Is(err, ErrClosed) && !c.isClosed() {
			// The Client closed this Conn because its session was lost; the
			// retry policy decides whether to go on with the new session.
			return wrapErr(op, path, ErrSessionExpired)
		}
		return err
	}, retry.OnRetry(func(attempt int, err error, sleep time.Duration) {
		sp.retry(attempt, err, sleep)
		c.log.Debug("zk: retrying", "op", op, "path", path, "attempt", attempt, "err", err, "sleep", sleep)
	}))
	err = wrapRetryErr(op, path, err)
	sp.end(ctx, err)
	return err
}

// wrapRetryErr puts the op and path in front of an error of the retry loop
// itself (ctx ended, policy gave up): "zk: get /x: context canceled after
// 2 attempts: connection loss". Other errors are returned as they are.
func wrapRetryErr(op, path string, err error) error {
	re, ok := err.(*retry.Error) // an attempt's own error is already an OpError
	if !ok {
		return err
	}
	return &OpError{Op: op, Path: path, Err: retryError{re}}
}

// retryError shows a retry.Error without the "retry:" prefix and without
// repeating the op and path of the last attempt's error.
type retryError struct{ re *retry.Error }

func (e retryError) Error() string {
	var s string
	switch {
	case e.re.Ctx == nil:
		s = "gave up after " + attempts(e.re.Attempts)
	case e.re.Err == nil:
		return e.re.Ctx.Error()
	default:
		s = e.re.Ctx.Error() + " after " + attempts(e.re.Attempts)
	}
	cause := e.re.Err
	var oe *OpError
	if errors.As(cause, &oe) {
		cause = oe.Err
	}
	return s + ": " + trimPrefix(cause.Error())
}

// Unwrap returns the retry.Error, which unwraps to ctx's error and the last
// attempt's.
func (e retryError) Unwrap() error { return e.re }

func attempts(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return strconv.Itoa(n) + " attempts"
}

// Create creates a node and returns its path (with the sequence number
// for sequential modes). acl nil means the default ACL (WithDefaultACL,
// else OpenACLUnsafe); data nil means the client's default data
// (WithDefaultData). For protected creates, parents and TTLs use
// CreateWith.
func (c *Client) Create(ctx context.Context, path string, data []byte, mode CreateMode, acl []ACL) (string, error) {
	p, _, err := c.CreateWith(ctx, path, data, CreateOptions{Mode: mode, ACL: acl})
	return p, err
}

// Delete deletes a node if its version matches (-1 matches any).
func (c *Client) Delete(ctx context.Context, path string, version int32) error {
	return c.do(ctx, "delete", path, func(ctx context.Context, conn *Conn) error {
		return conn.Delete(ctx, path, version)
	})
}

// Exists reports whether a node exists, with its Stat when it does.
func (c *Client) Exists(ctx context.Context, path string) (ok bool, st *Stat, err error) {
	err = c.do(ctx, "exists", path, func(ctx context.Context, conn *Conn) (err error) {
		ok, st, err = conn.Exists(ctx, path)
		return err
	})
	return ok, st, err
}

// ExistsW is Exists that also leaves a watch: the channel receives one event
// when the node is created, deleted or changed (or EventNotWatching when the
// session ends first).
func (c *Client) ExistsW(ctx context.Context, path string) (ok bool, st *Stat, ch <-chan Event, err error) {
	err = c.do(ctx, "exists", path, func(ctx context.Context, conn *Conn) (err error) {
		ok, st, ch, err = conn.ExistsW(ctx, path)
		return err
	})
	return ok, st, ch, err
}

// Get returns a node's data and Stat.
func (c *Client) Get(ctx context.Context, path string) (data []byte, st *Stat, err error) {
	err = c.do(ctx, "get", path, func(ctx context.Context, conn *Conn) (err error) {
		data, st, err = conn.Get(ctx, path)
		return err
	})
	return data, st, err
}

// GetW is Get that also leaves a one-shot data watch.
func (c *Client) GetW(ctx context.Context, path string) (data []byte, st *Stat, ch <-chan Event, err error) {
	err = c.do(ctx, "get", path, func(ctx context.Context, conn *Conn) (err error) {
		data, st, ch, err = conn.GetW(ctx, path)
		return err
	})
	return data, st, ch, err
}

// Set replaces a node's data if its version matches (-1 matches any).
func (c *Client) Set(ctx context.Context, path string, data []byte, version int32) (st *Stat, err error) {
	err = c.do(ctx, "set", path, func(ctx context.Context, conn *Conn) (err error) {
		st, err = conn.Set(ctx, path, data, version)
		return err
	})
	return st, err
}

// Children returns a node's children (unsorted, as the server sends them)
// and its Stat.
func (c *Client) Children(ctx context.Context, path string) (children []string, st *Stat, err error) {
	err = c.do(ctx, "children", path, func(ctx context.Context, conn *Conn) (err error) {
		children, st, err = conn.Children(ctx, path)
		return err
	})
	return children, st, err
}

// ChildrenW is Children that also leaves a one-shot child watch.
func (c *Client) ChildrenW(ctx context.Context, path string) (children []string, st *Stat, ch <-chan Event, err error) {
	err = c.do(ctx, "children", path, func(ctx context.Context, conn *Conn) (err error) {
		children, st, ch, err = conn.ChildrenW(ctx, path)
		return err
	})
	return children, st, ch, err
}

// GetACL returns a node's ACL and Stat.
func (c *Client) GetACL(ctx context.Context, path string) (acl []ACL, st *Stat, err error) {
	err = c.do(ctx, "getACL", path, func(ctx context.Context, conn *Conn) (err error) {
		acl, st, err = conn.GetACL(ctx, path)
		return err
	})
	return acl, st, err
}

// SetACL replaces a node's ACL if its ACL version matches (-1 matches any).
func (c *Client) SetACL(ctx context.Context, path string, acl []ACL, version int32) (st *Stat, err error) {
	err = c.do(ctx, "setACL", path, func(ctx context.Context, conn *Conn) (err error) {
		st, err = conn.SetACL(ctx, path, acl, version)
		return err
	})
	return st, err
}

// Sync waits until the server the client is connected to has caught up
// with the leader for path.
func (c *Client) Sync(ctx context.Context, path string) (p string, err error) {
	err = c.do(ctx, "sync", path, func(ctx context.Context, conn *Conn) (err error) {
		p, err = conn.Sync(ctx, path)
		return err
	})
	return p, err
}

// Multi runs ops as one atomic transaction. As in Curator, a Multi that
// failed with connection loss is retried by the policy although the lost
// attempt may have been applied: guard transactions that must not run twice
// with a CheckOp.
func (c *Client) Multi(ctx context.Context, ops ...Op) (res []OpResult, err error) {
	path := ""
	if len(ops) > 0 {
		path = ops[0].Path
	}
	err = c.do(ctx, "multi", path, func(ctx context.Context, conn *Conn) (err error) {
		res, err = conn.Multi(ctx, ops...)
		return err
	})
	return res, err
}

// GetEphemerals returns the current session's ephemeral nodes whose paths
// start with prefix (ZooKeeper 3.6+).
func (c *Client) GetEphemerals(ctx context.Context, prefix string) (paths []string, err error) {
	err = c.do(ctx, "getEphemerals", prefix, func(ctx context.Context, conn *Conn) (err error) {
		paths, err = conn.GetEphemerals(ctx, prefix)
		return err
	})
	return paths, err
}

// AllChildrenNumber returns the number of descendants of path
// (ZooKeeper 3.6+).
func (c *Client) AllChildrenNumber(ctx context.Context, path string) (n int32, err error) {
	err = c.do(ctx, "allChildrenNumber", path, func(ctx context.Context, conn *Conn) (err error) {
		n, err = conn.AllChildrenNumber(ctx, path)
		return err
	})
	return n, err
}

// AddWatch sets a persistent or persistent-recursive watch on the current
// session (ZooKeeper 3.6+). It ends (EventNotWatching) when that session
// is lost; set it again on Reconnected after Lost.
func (c *Client) AddWatch(ctx context.Context, path string, mode AddWatchMode) (w *Watcher, err error) {
	err = c.do(ctx, "addWatch", path, func(ctx context.Context, conn *Conn) (err error) {
		w, err = conn.AddWatch(ctx, path, mode)
		return err
	})
	return w, err
}

// RemoveWatches removes the current session's watches of type typ on path;
// local removes them on the client even when the server cannot be reached.
func (c *Client) RemoveWatches(ctx context.Context, path string, typ WatcherType, local bool) error {
	return c.do(ctx, "removeWatches", path, func(ctx context.Context, conn *Conn) error {
		return conn.RemoveWatches(ctx, path, typ, local)
	})
}

// AddAuth adds a credential to the current session and remembers it for
// every later session of this Client.
func (c *Client) AddAuth(ctx context.Context, scheme string, auth []byte) error {
	err := c.do(ctx, "addAuth", "", func(ctx context.Context, conn *Conn) error {
		return conn.AddAuth(ctx, scheme, auth)
	})
	if err == nil {
		c.mu.Lock()
		c.cfg.auths = append(c.cfg.auths, authCred{scheme: scheme, auth: append([]byte(nil), auth...)})
		c.mu.Unlock()
	}
	return err
}
