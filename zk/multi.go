package zk

import (
	"fmt"

	"github.com/zkcurator/zkcurator/jute"
)

// OpType is the kind of one operation of a Multi or a MultiRead, and of
// its result.
type OpType int32

// Operation kinds of a Multi.
const (
	OpCreate  OpType = iota + 1 // create a node (CreateOp); containers too
	OpDelete                    // delete a node (DeleteOp)
	OpSetData                   // set a node's data (SetOp)
	OpCheck                     // check a node's version (CheckOp)
	OpFailed                    // the result of every op of a Multi that failed
)

// String returns the kind's name: "create", "delete", "set", "check",
// "failed", "getData", "getChildren".
func (t OpType) String() string {
	switch t {
	case OpCreate:
		return "create"
	case OpDelete:
		return "delete"
	case OpSetData:
		return "set"
	case OpCheck:
		return "check"
	case OpFailed:
		return "failed"
	case OpGetData:
		return "getData"
	case OpGetChildren:
		return "getChildren"
	}
	return fmt.Sprintf("OpType(%d)", int32(t))
}

// Op is one operation of a Multi transaction. Build it with CreateOp,
// DeleteOp, SetOp or CheckOp.
type Op struct {
	Type    OpType
	Path    string
	Data    []byte     // OpCreate, OpSetData
	Mode    CreateMode // OpCreate; TTL modes are not allowed in a Multi
	ACL     []ACL      // OpCreate; nil means the default ACL (WithDefaultACL)
	Version int32      // OpDelete, OpSetData, OpCheck; AnyVersion matches any
}

// CreateOp creates a node as part of a Multi. The result carries the created
// path and its Stat. acl nil means the default ACL, as for Create. TTL
// modes are not supported inside a Multi.
func CreateOp(path string, data []byte, mode CreateMode, acl []ACL) Op {
	return Op{Type: OpCreate, Path: path, Data: data, Mode: mode, ACL: acl}
}

// DeleteOp deletes a node as part of a Multi; version AnyVersion (-1)
// matches any version.
func DeleteOp(path string, version int32) Op {
	return Op{Type: OpDelete, Path: path, Version: version}
}

// SetOp sets a node's data as part of a Multi; version AnyVersion (-1)
// matches any version.
func SetOp(path string, data []byte, version int32) Op {
	return Op{Type: OpSetData, Path: path, Data: data, Version: version}
}

// CheckOp makes a Multi fail unless the node exists with the given version
// (AnyVersion: exists at all).
func CheckOp(path string, version int32) Op {
	return Op{Type: OpCheck, Path: path, Version: version}
}

func (op Op) name() string { return op.Type.String() }

// opTypeOf returns the kind of a wire result type.
func opTypeOf(wire int32) OpType {
	switch wire {
	case jute.OpCreate, jute.OpCreate2, jute.OpCreateContainer, jute.OpCreateTTL:
		return OpCreate
	case jute.OpDelete:
		return OpDelete
	case jute.OpSetData:
		return OpSetData
	case jute.OpCheck:
		return OpCheck
	}
	return OpFailed
}

// OpResult is the outcome of one operation of a Multi. Path is the created
// path for creates (chroot stripped), else the op's path. Stat is set for
// creates and sets that succeeded. Err is nil on success; in a failed Multi
// every result has Type OpFailed, the failing op has its real error and the
// others ErrRuntimeInconsistency (ops after it) or nil (ops before it,
// rolled back).
type OpResult struct {
	Type OpType
	Path string
	Stat *Stat
	Err  error
}

// buildMultiRequest validates ops and encodes them with chroot applied;
// creates with a nil ACL get defaultACL.
func buildMultiRequest(ops []Op, chroot string, defaultACL []ACL) (*jute.MultiRequest, error) {
	req := &jute.MultiRequest{Ops: make([]jute.MultiOp, 0, len(ops))}
	for i, op := range ops {
		var rec jute.Record
		p := chrootPath(chroot, op.Path)
		var wire int32
		switch op.Type {
		case OpCreate:
			wire = jute.OpCreate2
			if op.Mode.IsContainer() {
				wire = jute.OpCreateContainer
			}
			if !op.Mode.valid() || op.Mode.IsTTL() {
				return nil, wrapErr("multi", op.Path, fmt.Errorf("%w: op %d: create mode %v not allowed in multi", ErrBadArguments, i, op.Mode))
			}
			if err := ValidatePath(op.Path, op.Mode.IsSequential()); err != nil {
				return nil, wrapErr("multi", op.Path, err)
			}
			acl := op.ACL
			if acl == nil {
				acl = defaultACL
			}
			rec = &jute.CreateRequest{Path: p, Data: op.Data, ACL: toWireACL(acl), Flags: int32(op.Mode)}
		case OpDelete, OpCheck:
			wire = jute.OpDelete
			if op.Type == OpCheck {
				wire = jute.OpCheck
			}
			if err := ValidatePath(op.Path, false); err != nil {
				return nil, wrapErr("multi", op.Path, err)
			}
			rec = &jute.PathVersionRequest{Path: p, Version: op.Version}
		case OpSetData:
			wire = jute.OpSetData
			if err := ValidatePath(op.Path, false); err != nil {
				return nil, wrapErr("multi", op.Path, err)
			}
			rec = &jute.SetDataRequest{Path: p, Data: op.Data, Version: op.Version}
		default:
			return nil, wrapErr("multi", op.Path, fmt.Errorf("%w: op %d: type %d not allowed in multi", ErrBadArguments, i, op.Type))
		}
		req.Ops = append(req.Ops, jute.MultiOp{Type: wire, Record: rec})
	}
	return req, nil
}

// multiResults turns a multi response into per-op results. The error is the
// failing op's error wrapped with its name and path, or nil.
func multiResults(resp *jute.MultiResponse, ops []Op, chroot string) ([]OpResult, error) {
	if len(resp.Results) != len(ops) {
		return nil, wrapErr("multi", "", fmt.Errorf("%w: %d results for %d ops", ErrProtocol, len(resp.Results), len(ops)))
	}
	res := make([]OpResult, len(ops))
	var first error
	for i, r := range resp.Results {
		out := OpResult{Type: opTypeOf(r.Type), Path: ops[i].Path}
		switch rec := r.Record.(type) {
		case *jute.CreateResponse:
			out.Path = stripChroot(chroot, rec.Path)
		case *jute.Create2Response:
			out.Path = stripChroot(chroot, rec.Path)
			st := Stat(rec.Stat)
			out.Stat = &st
		case *jute.SetDataResponse:
			st := Stat(rec.Stat)
			out.Stat = &st
		}
		if r.Type == jute.OpError && r.Err != 0 {
			out.Err = codeError(r.Err)
			if first == nil && r.Err != jute.ErrRuntimeInconsistency {
				first = wrapErr("multi "+ops[i].name(), ops[i].Path, out.Err)
			}
		}
		res[i] = out
	}
	if first == nil {
		for i, r := range res {
			if r.Err != nil {
				first = wrapErr("multi "+ops[i].name(), ops[i].Path, r.Err)
				break
			}
		}
	}
	return res, first
}
