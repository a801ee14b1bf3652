package jute

// MultiHeaderSize is the encoded size of a MultiHeader.
const MultiHeaderSize = 9

// MultiHeader precedes each op of a multi request and each result of a multi
// response; a header with Done set ends the sequence.
type MultiHeader struct {
	Type int32
	Done bool
	Err  int32
}

// Encode appends the encoding of r.
func (r *MultiHeader) Encode(b []byte) []byte {
	b = AppendInt(b, r.Type)
	b = AppendBool(b, r.Done)
	return AppendInt(b, r.Err)
}

// Decode reads r from d.
func (r *MultiHeader) Decode(d *Decoder) {
	r.Type = d.Int()
	r.Done = d.Bool()
	r.Err = d.Int()
}

var multiEnd = MultiHeader{Type: -1, Done: true, Err: -1}

// MultiOp is one operation of a multi (or multiRead) request. Record's
// concrete type must match Type (see [NewMultiOpRecord]).
type MultiOp struct {
	Type   int32
	Record Record
}

// NewMultiOpRecord returns an empty request record for a multi op type, or
// nil when the op cannot appear in a multi or multiRead.
func NewMultiOpRecord(op int32) Record {
	switch op {
	case OpCreate, OpCreate2, OpCreateContainer:
		return &CreateRequest{}
	case OpCreateTTL:
		return &CreateTTLRequest{}
	case OpDelete, OpCheck:
		return &PathVersionRequest{}
	case OpSetData:
		return &SetDataRequest{}
	case OpGetChildren, OpGetData:
		return &PathWatchRequest{}
	}
	return nil
}

// MultiRequest is the body of a multi (op 14) or multiRead (op 22) request.
type MultiRequest struct {
	Ops []MultiOp
}

// Encode appends the encoding of r.
func (r *MultiRequest) Encode(b []byte) []byte {
	for _, op := range r.Ops {
		h := MultiHeader{Type: op.Type, Done: false, Err: -1}
		b = h.Encode(b)
		if op.Record != nil { // a caller's mistake; the server rejects the frame
			b = op.Record.Encode(b)
		}
	}
	return multiEnd.Encode(b)
}

// Decode reads r from d. An op type that cannot appear in a multi is an error.
func (r *MultiRequest) Decode(d *Decoder) {
	r.Ops = r.Ops[:0]
	for d.err == nil {
		var h MultiHeader
		h.Decode(d)
		if d.err != nil || h.Done {
			return
		}
		rec := NewMultiOpRecord(h.Type)
		if rec == nil {
			d.Fail("multi op type %d not allowed", h.Type)
			return
		}
		rec.Decode(d)
		r.Ops = append(r.Ops, MultiOp{Type: h.Type, Record: rec})
	}
}

// MultiResult is one result of a multi response. Type is the op's code, or
// OpError (-1) with Err set. Record is nil for delete and check results, and
// for error results.
type MultiResult struct {
	Type   int32
	Err    int32
	Record Record
}

// newMultiResultRecord returns an empty reply record for a multi result type;
// ok is false for an unknown type.
func newMultiResultRecord(op int32) (rec Record, ok bool) {
	switch op {
	case OpCreate:
		return &CreateResponse{}, true
	case OpCreate2, OpCreateContainer, OpCreateTTL:
		return &Create2Response{}, true
	case OpDelete, OpCheck:
		return nil, true
	case OpSetData:
		return &SetDataResponse{}, true
	case OpGetChildren:
		return &GetChildrenResponse{}, true
	case OpGetData:
		return &GetDataResponse{}, true
	}
	return nil, false
}

// MultiResponse is the body of a multi or multiRead reply.
type MultiResponse struct {
	Results []MultiResult
}

// Encode appends the encoding of r.
func (r *MultiResponse) Encode(b []byte) []byte {
	for _, res := range r.Results {
		if res.Type == OpError {
			h := MultiHeader{Type: OpError, Done: false, Err: res.Err}
			b = h.Encode(b)
			b = AppendInt(b, res.Err)
			continue
		}
		h := MultiHeader{Type: res.Type, Done: false, Err: 0}
		b = h.Encode(b)
		if res.Record != nil {
			b = res.Record.Encode(b)
		}
	}
	return multiEnd.Encode(b)
}

// Decode reads r from d. An unknown result type is an error.
func (r *MultiResponse) Decode(d *Decoder) {
	r.Results = r.Results[:0]
	for d.err == nil {
		var h MultiHeader
		h.Decode(d)
		if d.err != nil || h.Done {
			return
		}
		if h.Type == OpError {
			var e ErrorResponse
			e.Decode(d)
			r.Results = append(r.Results, MultiResult{Type: OpError, Err: e.Value})
			continue
		}
		rec, ok := newMultiResultRecord(h.Type)
		if !ok {
			d.Fail("multi result type %d unknown", h.Type)
			return
		}
		if rec != nil {
			rec.Decode(d)
		}
		r.Results = append(r.Results, MultiResult{Type: h.Type, Err: h.Err, Record: rec})
	}
}
