package zk

import (
	"fmt"

	"github.com/zkcurator/zkcurator/jute"
)

// Read operation kinds of a MultiRead (ZooKeeper 3.6+), next to the
// write kinds of a Multi.
const (
	OpGetData     OpType = iota + 16 // read a node's data and Stat (GetDataOp)
	OpGetChildren                    // read a node's child names (GetChildrenOp)
)

// ReadOp is one read of a MultiRead. Build it with GetDataOp or
// GetChildrenOp.
type ReadOp struct {
	Type OpType // OpGetData or OpGetChildren
	Path string
}

// GetDataOp reads a node's data and Stat as part of a MultiRead.
func GetDataOp(path string) ReadOp { return ReadOp{Type: OpGetData, Path: path} }

// GetChildrenOp reads a node's child names (unordered) as part of a
// MultiRead. The server sends no Stat with them.
func GetChildrenOp(path string) ReadOp { return ReadOp{Type: OpGetChildren, Path: path} }

// ReadResult is the outcome of one read of a MultiRead. Type and Path are
// the op's. For OpGetData, Data and Stat are set; for OpGetChildren,
// Children. Err is the read's own error (e.g. ErrNoNode, ErrNoAuth), nil
// on success; one read failing does not fail the others.
type ReadResult struct {
	Type     OpType
	Path     string
	Data     []byte
	Stat     *Stat
	Children []string
	Err      error
}

// buildMultiReadRequest validates ops and encodes them with chroot
// applied.
func buildMultiReadRequest(ops []ReadOp, chroot string) (*jute.MultiRequest, error) {
	req := &jute.MultiRequest{Ops: make([]jute.MultiOp, 0, len(ops))}
	for i, op := range ops {
		var wire int32
		switch op.Type {
		case OpGetData:
			wire = jute.OpGetData
		case OpGetChildren:
			wire = jute.OpGetChildren
		default:
			return nil, wrapErr("multiRead", op.Path, fmt.Errorf("%w: op %d: type %v not allowed in multiRead", ErrBadArguments, i, op.Type))
		}
		if err := ValidatePath(op.Path, false); err != nil {
			return nil, wrapErr("multiRead", op.Path, err)
		}
		rec := &jute.PathWatchRequest{Path: chrootPath(chroot, op.Path)}
		req.Ops = append(req.Ops, jute.MultiOp{Type: wire, Record: rec})
	}
	return req, nil
}

// multiReadResults turns a multiRead response into per-read results. Each
// read's error is wrapped with the op's name and path.
func multiReadResults(resp *jute.MultiResponse, ops []ReadOp) ([]ReadResult, error) {
	if len(resp.Results) != len(ops) {
		return nil, wrapErr("multiRead", "", fmt.Errorf("%w: %d results for %d reads", ErrProtocol, len(resp.Results), len(ops)))
	}
	res := make([]ReadResult, len(ops))
	for i, r := range resp.Results {
		out := ReadResult{Type: ops[i].Type, Path: ops[i].Path}
		switch rec := r.Record.(type) {
		case *jute.GetDataResponse:
			if out.Type != OpGetData {
				return nil, wrapErr("multiRead", out.Path, fmt.Errorf("%w: result %d: getData result for a %v", ErrProtocol, i, out.Type))
			}
			out.Data = rec.Data
			st := Stat(rec.Stat)
			out.Stat = &st
		case *jute.GetChildrenResponse:
			if out.Type != OpGetChildren {
				return nil, wrapErr("multiRead", out.Path, fmt.Errorf("%w: result %d: getChildren result for a %v", ErrProtocol, i, out.Type))
			}
			out.Children = rec.Items
		default:
			if r.Type != jute.OpError {
				return nil, wrapErr("multiRead", out.Path, fmt.Errorf("%w: result %d: type %d", ErrProtocol, i, r.Type))
			}
			if r.Err == 0 {
				return nil, wrapErr("multiRead", out.Path, fmt.Errorf("%w: result %d: error result without a code", ErrProtocol, i))
			}
			out.Err = wrapErr("multiRead "+out.Type.String(), out.Path, codeError(r.Err))
		}
		res[i] = out
	}
	return res, nil
}
