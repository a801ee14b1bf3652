package zk

import (
	"errors"
	"fmt"
)

// ErrorCode is a ZooKeeper error code (KeeperException.Code), as a server
// sends it. String gives the name Java's KeeperException.Code uses
// ("NONODE"). Get the code of an error with CodeOf; match errors with
// errors.Is and the Err* sentinels.
type ErrorCode int32

// Error codes (KeeperException.Code). Each code but CodeOK has a sentinel
// error below (CodeNoNode: ErrNoNode).
const (
	CodeOK                           ErrorCode = 0
	CodeSystemError                  ErrorCode = -1
	CodeRuntimeInconsistency         ErrorCode = -2
	CodeDataInconsistency            ErrorCode = -3
	CodeConnectionLoss               ErrorCode = -4
	CodeMarshallingError             ErrorCode = -5
	CodeUnimplemented                ErrorCode = -6
	CodeOperationTimeout             ErrorCode = -7
	CodeBadArguments                 ErrorCode = -8
	CodeUnknownSession               ErrorCode = -12
	CodeNewConfigNoQuorum            ErrorCode = -13
	CodeReconfigInProgress           ErrorCode = -14
	CodeAPIError                     ErrorCode = -100
	CodeNoNode                       ErrorCode = -101
	CodeNoAuth                       ErrorCode = -102
	CodeBadVersion                   ErrorCode = -103
	CodeNoChildrenForEphemerals      ErrorCode = -108
	CodeNodeExists                   ErrorCode = -110
	CodeNotEmpty                     ErrorCode = -111
	CodeSessionExpired               ErrorCode = -112
	CodeInvalidCallback              ErrorCode = -113
	CodeInvalidACL                   ErrorCode = -114
	CodeAuthFailed                   ErrorCode = -115
	CodeSessionMoved                 ErrorCode = -118
	CodeNotReadOnly                  ErrorCode = -119
	CodeEphemeralOnLocalSession      ErrorCode = -120
	CodeNoWatcher                    ErrorCode = -121
	CodeRequestTimeout               ErrorCode = -122
	CodeReconfigDisabled             ErrorCode = -123
	CodeSessionClosedRequireSaslAuth ErrorCode = -124
	CodeQuotaExceeded                ErrorCode = -125
	CodeThrottled                    ErrorCode = -127
)

var codeNames = map[ErrorCode]string{
	CodeOK:                           "OK",
	CodeSystemError:                  "SYSTEMERROR",
	CodeRuntimeInconsistency:         "RUNTIMEINCONSISTENCY",
	CodeDataInconsistency:            "DATAINCONSISTENCY",
	CodeConnectionLoss:               "CONNECTIONLOSS",
	CodeMarshallingError:             "MARSHALLINGERROR",
	CodeUnimplemented:                "UNIMPLEMENTED",
	CodeOperationTimeout:             "OPERATIONTIMEOUT",
	CodeBadArguments:                 "BADARGUMENTS",
	CodeUnknownSession:               "UNKNOWNSESSION",
	CodeNewConfigNoQuorum:            "NEWCONFIGNOQUORUM",
	CodeReconfigInProgress:           "RECONFIGINPROGRESS",
	CodeAPIError:                     "APIERROR",
	CodeNoNode:                       "NONODE",
	CodeNoAuth:                       "NOAUTH",
	CodeBadVersion:                   "BADVERSION",
	CodeNoChildrenForEphemerals:      "NOCHILDRENFOREPHEMERALS",
	CodeNodeExists:                   "NODEEXISTS",
	CodeNotEmpty:                     "NOTEMPTY",
	CodeSessionExpired:               "SESSIONEXPIRED",
	CodeInvalidCallback:              "INVALIDCALLBACK",
	CodeInvalidACL:                   "INVALIDACL",
	CodeAuthFailed:                   "AUTHFAILED",
	CodeSessionMoved:                 "SESSIONMOVED",
	CodeNotReadOnly:                  "NOTREADONLY",
	CodeEphemeralOnLocalSession:      "EPHEMERALONLOCALSESSION",
	CodeNoWatcher:                    "NOWATCHER",
	CodeRequestTimeout:               "REQUESTTIMEOUT",
	CodeReconfigDisabled:             "RECONFIGDISABLED",
	CodeSessionClosedRequireSaslAuth: "SESSIONCLOSEDREQUIRESASLAUTH",
	CodeQuotaExceeded:                "QUOTAEXCEEDED",
	CodeThrottled:                    "THROTTLEDOP",
}

// String returns the code's name in Java's KeeperException.Code
// ("NONODE", "CONNECTIONLOSS"), or "ErrorCode(n)" for an unknown code.
func (c ErrorCode) String() string {
	if s, ok := codeNames[c]; ok {
		return s
	}
	return fmt.Sprintf("ErrorCode(%d)", int32(c))
}

// CodeError is a ZooKeeper error code as a Go error. Each code has one
// sentinel value below; match them with errors.Is. An error for a code
// this package does not know is a CodeError too, and CodeOf gives its code.
type CodeError struct {
	Code ErrorCode
	msg  string
}

// Error returns "zk: " and the code's description, e.g. "zk: node does not
// exist".
func (e *CodeError) Error() string { return "zk: " + e.msg }

// Is reports whether target is a CodeError with the same code, so that an
// error for an unknown code still matches a sentinel created for it.
func (e *CodeError) Is(target error) bool {
	t, ok := target.(*CodeError)
	return ok && t.Code == e.Code
}

func newCode(code ErrorCode, msg string) *CodeError { return &CodeError{Code: code, msg: msg} }

// Sentinels, one per ZooKeeper error code.
var (
	ErrSystemError                  = newCode(CodeSystemError, "system error")
	ErrRuntimeInconsistency         = newCode(CodeRuntimeInconsistency, "runtime inconsistency")
	ErrDataInconsistency            = newCode(CodeDataInconsistency, "data inconsistency")
	ErrConnectionLoss               = newCode(CodeConnectionLoss, "connection loss")
	ErrMarshallingError             = newCode(CodeMarshallingError, "marshalling error")
	ErrUnimplemented                = newCode(CodeUnimplemented, "unimplemented") // the server lacks the op; it drops the connection too (see Conn.WhoAmI)
	ErrOperationTimeout             = newCode(CodeOperationTimeout, "operation timeout")
	ErrBadArguments                 = newCode(CodeBadArguments, "bad arguments")
	ErrUnknownSession               = newCode(CodeUnknownSession, "unknown session")
	ErrNewConfigNoQuorum            = newCode(CodeNewConfigNoQuorum, "new config has no quorum")
	ErrReconfigInProgress           = newCode(CodeReconfigInProgress, "reconfig in progress")
	ErrAPIError                     = newCode(CodeAPIError, "api error")
	ErrNoNode                       = newCode(CodeNoNode, "node does not exist")
	ErrNoAuth                       = newCode(CodeNoAuth, "not authorized")
	ErrBadVersion                   = newCode(CodeBadVersion, "bad version")
	ErrNoChildrenForEphemerals      = newCode(CodeNoChildrenForEphemerals, "ephemeral nodes may not have children")
	ErrNodeExists                   = newCode(CodeNodeExists, "node already exists")
	ErrNotEmpty                     = newCode(CodeNotEmpty, "node has children")
	ErrSessionExpired               = newCode(CodeSessionExpired, "session expired")
	ErrInvalidCallback              = newCode(CodeInvalidCallback, "invalid callback")
	ErrInvalidACL                   = newCode(CodeInvalidACL, "invalid ACL")
	ErrAuthFailed                   = newCode(CodeAuthFailed, "authentication failed")
	ErrSessionMoved                 = newCode(CodeSessionMoved, "session moved to another server")
	ErrNotReadOnly                  = newCode(CodeNotReadOnly, "not a read-only call")
	ErrEphemeralOnLocalSession      = newCode(CodeEphemeralOnLocalSession, "ephemeral node on a local session")
	ErrNoWatcher                    = newCode(CodeNoWatcher, "no such watcher")
	ErrRequestTimeout               = newCode(CodeRequestTimeout, "request timeout")
	ErrReconfigDisabled             = newCode(CodeReconfigDisabled, "reconfig disabled")
	ErrSessionClosedRequireSaslAuth = newCode(CodeSessionClosedRequireSaslAuth, "session closed: SASL auth required")
	ErrQuotaExceeded                = newCode(CodeQuotaExceeded, "quota exceeded")
	ErrThrottled                    = newCode(CodeThrottled, "request throttled")
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
	// ErrRequestTooLarge means a request's encoded frame is longer than
	// the limit (WithMaxRequestSize, default the server's jute.maxbuffer).
	// It was not sent; the connection is untouched. Retrying cannot help,
	// so IsRetryable is false for it.
	ErrRequestTooLarge = errors.New("zk: request too large")
	// ErrResponseTooLarge means the server's reply to a request is longer
	// than the client accepts (WithMaxBuffer, default 1 MiB as the Java
	// client's jute.maxbuffer) — typically getChildren of a parent with
	// tens of thousands of children. The reply was read and thrown away;
	// the connection and everything else in flight on it are untouched.
	// Retrying cannot help (raise WithMaxBuffer instead), so IsRetryable
	// is false for it.
	ErrResponseTooLarge = errors.New("zk: response too large")
	// ErrInvalidConnectString means a connect string could not be parsed:
	// an empty host, a bad port, or a bad chroot.
	ErrInvalidConnectString = errors.New("zk: invalid connect string")
	// ErrInvalidOption means an option given to Connect or Dial has a bad
	// value (the error names the option).
	ErrInvalidOption = errors.New("zk: invalid option")
	// ErrInvalidArgument is wrapped by the error of a call (in zk or in a
	// recipe constructor) given a nil or zero argument it cannot use: a nil
	// callback, a count below 1, a nil client.
	ErrInvalidArgument = errors.New("zk: invalid argument")
)

var codeErrors = func() map[ErrorCode]*CodeError {
	m := make(map[ErrorCode]*CodeError)
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
	if e, ok := codeErrors[ErrorCode(code)]; ok {
		return e
	}
	return newCode(ErrorCode(code), fmt.Sprintf("unknown error code %d", code))
}

// CodeOf returns the ZooKeeper error code carried by err (anywhere in its
// chain), and false when err carries none.
func CodeOf(err error) (ErrorCode, bool) {
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

// Error returns "zk: <op> <path>: <cause>".
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
