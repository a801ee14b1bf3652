package zk

import (
	"errors"
	"fmt"

	"github.com/zkcurator/zkcurator/jute"
)

// CodeError is a ZooKeeper error code (KeeperException.Code) as a Go error.
// Each code has one sentinel value below; match them with errors.Is.
type CodeError struct {
	Code int32
	msg  string
}

func (e *CodeError) Error() string { return "zk: " + e.msg }

// Is reports whether target is a CodeError with the same code, so that an
// error for an unknown code still matches a sentinel created for it.
func (e *CodeError) Is(target error) bool {
	t, ok := target.(*CodeError)
	return ok && t.Code == e.Code
}

func newCode(code int32, msg string) *CodeError { return &CodeError{Code: code, msg: msg} }

// Sentinels, one per ZooKeeper error code.
var (
	ErrSystemError                  = newCode(jute.ErrSystemError, "system error")
	ErrRuntimeInconsistency         = newCode(jute.ErrRuntimeInconsistency, "runtime inconsistency")
	ErrDataInconsistency            = newCode(jute.ErrDataInconsistency, "data inconsistency")
	ErrConnectionLoss               = newCode(jute.ErrConnectionLoss, "connection loss")
	ErrMarshallingError             = newCode(jute.ErrMarshallingError, "marshalling error")
	ErrUnimplemented                = newCode(jute.ErrUnimplemented, "unimplemented")
	ErrOperationTimeout             = newCode(jute.ErrOperationTimeout, "operation timeout")
	ErrBadArguments                 = newCode(jute.ErrBadArguments, "bad arguments")
	ErrUnknownSession               = newCode(jute.ErrUnknownSession, "unknown session")
	ErrNewConfigNoQuorum            = newCode(jute.ErrNewConfigNoQuorum, "new config has no quorum")
	ErrReconfigInProgress           = newCode(jute.ErrReconfigInProgress, "reconfig in progress")
	ErrAPIError                     = newCode(jute.ErrAPIError, "api error")
	ErrNoNode                       = newCode(jute.ErrNoNode, "node does not exist")
	ErrNoAuth                       = newCode(jute.ErrNoAuth, "not authorized")
	ErrBadVersion                   = newCode(jute.ErrBadVersion, "bad version")
	ErrNoChildrenForEphemerals      = newCode(jute.ErrNoChildrenForEphemerals, "ephemeral nodes may not have children")
	ErrNodeExists                   = newCode(jute.ErrNodeExists, "node already exists")
	ErrNotEmpty                     = newCode(jute.ErrNotEmpty, "node has children")
	ErrSessionExpired               = newCode(jute.ErrSessionExpired, "session expired")
	ErrInvalidCallback              = newCode(jute.ErrInvalidCallback, "invalid callback")
	ErrInvalidACL                   = newCode(jute.ErrInvalidACL, "invalid ACL")
	ErrAuthFailed                   = newCode(jute.ErrAuthFailed, "authentication failed")
	ErrSessionMoved                 = newCode(jute.ErrSessionMoved, "session moved to another server")
	ErrNotReadOnly                  = newCode(jute.ErrNotReadOnly, "not a read-only call")
	ErrEphemeralOnLocalSession      = newCode(jute.ErrEphemeralOnLocalSession, "ephemeral node on a local session")
	ErrNoWatcher                    = newCode(jute.ErrNoWatcher, "no such watcher")
	ErrRequestTimeout               = newCode(jute.ErrRequestTimeout, "request timeout")
	ErrReconfigDisabled             = newCode(jute.ErrReconfigDisabled, "reconfig disabled")
	ErrSessionClosedRequireSaslAuth = newCode(jute.ErrSessionClosedRequireSaslAuth, "session closed: SASL auth required")
	ErrQuotaExceeded                = newCode(jute.ErrQuotaExceeded, "quota exceeded")
	ErrThrottled                    = newCode(jute.ErrThrottled, "request throttled")
)

// Client-side errors, not sent by a server.
var (
	// ErrClosed is returned by every call on a Conn or Client after Close.
	ErrClosed = errors.New("zk: connection closed")
	// ErrInvalidPath is wrapped by every path validation error.
	ErrInvalidPath = errors.New("zk: invalid path")
	// ErrProtocol means the server sent something that violates the wire
	// protocol (an unexpected xid, a corrupt or oversized frame); the
	// connection is dropped.
	ErrProtocol = errors.New("zk: protocol error")
	// ErrNoServer means no server could be reached before the context ended.
	ErrNoServer = errors.New("zk: could not connect to a server")
	// ErrInvalidOption is wrapped by the error Dial or Connect returns for
	// an option with a bad value, or a Client-only option given to Dial;
	// the message names the option.
	ErrInvalidOption = errors.New("zk: invalid option")
	// ErrInvalidArgument is wrapped by the error of a call (in zk or in a
	// recipe constructor) given a nil or zero argument it cannot use: a nil
	// callback, a count below 1, a nil client.
	ErrInvalidArgument = errors.New("zk: invalid argument")
)

var codeErrors = func() map[int32]*CodeError {
	m := make(map[int32]*CodeError)
	for _, e := range []*CodeError{
		ErrSystemError, ErrRuntimeInconsistency, ErrDataInconsistency, ErrConnectionLoss,
		ErrMarshallingError, ErrUnimplemented, ErrOperationTimeout, ErrBadArguments,
		ErrUnknownSession, ErrNewConfigNoQuorum, ErrReconfigInProgress, ErrAPIError,
		ErrNoNode, ErrNoAuth, ErrBadVersion, ErrNoChildrenForEphemerals, ErrNodeExists,
		ErrNotEmpty, ErrSessionExpired, ErrInvalidCallback, ErrInvalidACL, ErrAuthFailed,
		ErrSessionMoved, ErrNotReadOnly, ErrEphemeralOnLocalSession, ErrNoWatcher,
		ErrRequestTimeout, ErrReconfigDisabled, ErrSessionClosedRequireSaslAuth,
		ErrQuotaExceeded, ErrThrottled,
	} {
		m[e.Code] = e
	}
	return m
}()

// codeError returns the sentinel for a server error code, nil for 0, and a
// CodeError carrying the code for codes this package does not know.
func codeError(code int32) error {
	if code == 0 {
		return nil
	}
	if e, ok := codeErrors[code]; ok {
		return e
	}
	return newCode(code, fmt.Sprintf("unknown error code %d", code))
}

// ErrorCode returns the ZooKeeper error code carried by err, if any.
func ErrorCode(err error) (int32, bool) {
	var ce *CodeError
	if errors.As(err, &ce) {
		return ce.Code, true
	}
	return 0, false
}

// IsRetryable reports whether an operation that failed with err may succeed
// if tried again on the same session: connection loss, operation timeout,
// session moved and throttling. Session expiry is not retryable on the same
// session.
func IsRetryable(err error) bool {
	return errors.Is(err, ErrConnectionLoss) || errors.Is(err, ErrOperationTimeout) ||
		errors.Is(err, ErrSessionMoved) || errors.Is(err, ErrThrottled)
}

// OpError is an error of one operation, carrying the operation's name and
// path. It unwraps to the cause, so errors.Is(err, ErrNoNode) works.
type OpError struct {
	Op   string // "create", "get", ...
	Path string // the path as the caller gave it
	Err  error  // the cause: a sentinel, ctx.Err(), or another error
}

func (e *OpError) Error() string {
	if e.Path == "" {
		return "zk: " + e.Op + ": " + trimPrefix(e.Err.Error())
	}
	return "zk: " + e.Op + " " + e.Path + ": " + trimPrefix(e.Err.Error())
}

// Unwrap returns the cause.
func (e *OpError) Unwrap() error { return e.Err }

func trimPrefix(s string) string {
	if len(s) > 4 && s[:4] == "zk: " {
		return s[4:]
	}
	return s
}

// wrapErr wraps err with the operation and path; nil stays nil.
func wrapErr(op, path string, err error) error {
	if err == nil {
		return nil
	}
	return &OpError{Op: op, Path: path, Err: err}
}
