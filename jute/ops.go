package jute

// PathRecord is a record holding only a path. Several requests and replies
// share this layout; they are declared as aliases of it.
type PathRecord struct {
	Path string
}

// Encode appends the encoding of r.
func (r *PathRecord) Encode(b []byte) []byte { return AppendString(b, r.Path) }

// Decode reads r from d.
func (r *PathRecord) Decode(d *Decoder) { r.Path = d.String() }

// Records with the PathRecord layout.
type (
	SyncRequest                 = PathRecord
	SyncResponse                = PathRecord
	GetACLRequest               = PathRecord
	CreateResponse              = PathRecord
	GetAllChildrenNumberRequest = PathRecord
	// GetEphemeralsRequest's path is a prefix: every ephemeral node of the
	// session whose path starts with it is returned.
	GetEphemeralsRequest = PathRecord
)

// PathWatchRequest is a read request: a path and whether to leave a watch.
type PathWatchRequest struct {
	Path  string
	Watch bool
}

// Encode appends the encoding of r.
func (r *PathWatchRequest) Encode(b []byte) []byte {
	b = AppendString(b, r.Path)
	return AppendBool(b, r.Watch)
}

// Decode reads r from d.
func (r *PathWatchRequest) Decode(d *Decoder) {
	r.Path = d.String()
	r.Watch = d.Bool()
}

// Records with the PathWatchRequest layout.
type (
	ExistsRequest       = PathWatchRequest
	GetDataRequest      = PathWatchRequest
	GetChildrenRequest  = PathWatchRequest
	GetChildren2Request = PathWatchRequest
)

// PathVersionRequest is a path and an expected version (-1 for any).
type PathVersionRequest struct {
	Path    string
	Version int32
}

// Encode appends the encoding of r.
func (r *PathVersionRequest) Encode(b []byte) []byte {
	b = AppendString(b, r.Path)
	return AppendInt(b, r.Version)
}

// Decode reads r from d.
func (r *PathVersionRequest) Decode(d *Decoder) {
	r.Path = d.String()
	r.Version = d.Int()
}

// Records with the PathVersionRequest layout.
type (
	DeleteRequest       = PathVersionRequest
	CheckVersionRequest = PathVersionRequest
)

// PathTypeRequest is a path and a watcher type or watch mode.
type PathTypeRequest struct {
	Path string
	Type int32
}

// Encode appends the encoding of r.
func (r *PathTypeRequest) Encode(b []byte) []byte {
	b = AppendString(b, r.Path)
	return AppendInt(b, r.Type)
}

// Decode reads r from d.
func (r *PathTypeRequest) Decode(d *Decoder) {
	r.Path = d.String()
	r.Type = d.Int()
}

// Records with the PathTypeRequest layout. For AddWatchRequest, Type is the
// AddWatch mode (AddWatchPersistent, AddWatchPersistentRecursive).
type (
	CheckWatchesRequest  = PathTypeRequest
	RemoveWatchesRequest = PathTypeRequest
	AddWatchRequest      = PathTypeRequest
)

// StatResponse is a reply holding only a Stat (exists, setData, setACL).
type StatResponse struct {
	Stat Stat
}

// Encode appends the encoding of r.
func (r *StatResponse) Encode(b []byte) []byte { return r.Stat.Encode(b) }

// Decode reads r from d.
func (r *StatResponse) Decode(d *Decoder) { r.Stat.Decode(d) }

// Records with the StatResponse layout.
type (
	ExistsResponse  = StatResponse
	SetDataResponse = StatResponse
	SetACLResponse  = StatResponse
)

// CreateRequest creates a node (ops create, create2, createContainer).
type CreateRequest struct {
	Path  string
	Data  []byte
	ACL   []ACL
	Flags int32
}

// Encode appends the encoding of r.
func (r *CreateRequest) Encode(b []byte) []byte {
	b = AppendString(b, r.Path)
	b = AppendBuffer(b, r.Data)
	b = AppendACLs(b, r.ACL)
	return AppendInt(b, r.Flags)
}

// Decode reads r from d.
func (r *CreateRequest) Decode(d *Decoder) {
	r.Path = d.String()
	r.Data = d.Buffer()
	r.ACL = d.ACLs()
	r.Flags = d.Int()
}

// CreateTTLRequest creates a node with a time to live (op createTTL).
type CreateTTLRequest struct {
	Path  string
	Data  []byte
	ACL   []ACL
	Flags int32
	TTL   int64 // ms
}

// Encode appends the encoding of r.
func (r *CreateTTLRequest) Encode(b []byte) []byte {
	b = AppendString(b, r.Path)
	b = AppendBuffer(b, r.Data)
	b = AppendACLs(b, r.ACL)
	b = AppendInt(b, r.Flags)
	return AppendLong(b, r.TTL)
}

// Decode reads r from d.
func (r *CreateTTLRequest) Decode(d *Decoder) {
	r.Path = d.String()
	r.Data = d.Buffer()
	r.ACL = d.ACLs()
	r.Flags = d.Int()
	r.TTL = d.Long()
}

// Create2Response is the reply to create2, createContainer and createTTL.
type Create2Response struct {
	Path string
	Stat Stat
}

// Encode appends the encoding of r.
func (r *Create2Response) Encode(b []byte) []byte {
	b = AppendString(b, r.Path)
	return r.Stat.Encode(b)
}

// Decode reads r from d.
func (r *Create2Response) Decode(d *Decoder) {
	r.Path = d.String()
	r.Stat.Decode(d)
}

// GetDataResponse is the reply to getData.
type GetDataResponse struct {
	Data []byte
	Stat Stat
}

// Encode appends the encoding of r.
func (r *GetDataResponse) Encode(b []byte) []byte {
	b = AppendBuffer(b, r.Data)
	return r.Stat.Encode(b)
}

// Decode reads r from d.
func (r *GetDataResponse) Decode(d *Decoder) {
	r.Data = d.Buffer()
	r.Stat.Decode(d)
}

// SetDataRequest replaces a node's data if its version matches (-1: any).
type SetDataRequest struct {
	Path    string
	Data    []byte
	Version int32
}

// Encode appends the encoding of r.
func (r *SetDataRequest) Encode(b []byte) []byte {
	b = AppendString(b, r.Path)
	b = AppendBuffer(b, r.Data)
	return AppendInt(b, r.Version)
}

// Decode reads r from d.
func (r *SetDataRequest) Decode(d *Decoder) {
	r.Path = d.String()
	r.Data = d.Buffer()
	r.Version = d.Int()
}

// GetACLResponse is the reply to getACL.
type GetACLResponse struct {
	ACL  []ACL
	Stat Stat
}

// Encode appends the encoding of r.
func (r *GetACLResponse) Encode(b []byte) []byte {
	b = AppendACLs(b, r.ACL)
	return r.Stat.Encode(b)
}

// Decode reads r from d.
func (r *GetACLResponse) Decode(d *Decoder) {
	r.ACL = d.ACLs()
	r.Stat.Decode(d)
}

// SetACLRequest replaces a node's ACL if its aversion matches (-1: any).
type SetACLRequest struct {
	Path    string
	ACL     []ACL
	Version int32
}

// Encode appends the encoding of r.
func (r *SetACLRequest) Encode(b []byte) []byte {
	b = AppendString(b, r.Path)
	b = AppendACLs(b, r.ACL)
	return AppendInt(b, r.Version)
}

// Decode reads r from d.
func (r *SetACLRequest) Decode(d *Decoder) {
	r.Path = d.String()
	r.ACL = d.ACLs()
	r.Version = d.Int()
}

// StringsResponse is a reply holding a vector of strings.
type StringsResponse struct {
	Items []string
}

// Encode appends the encoding of r.
func (r *StringsResponse) Encode(b []byte) []byte { return AppendStrings(b, r.Items) }

// Decode reads r from d.
func (r *StringsResponse) Decode(d *Decoder) { r.Items = d.Strings() }

// Records with the StringsResponse layout.
type (
	GetChildrenResponse   = StringsResponse
	GetEphemeralsResponse = StringsResponse
)

// GetChildren2Response is the reply to getChildren2.
type GetChildren2Response struct {
	Children []string
	Stat     Stat
}

// Encode appends the encoding of r.
func (r *GetChildren2Response) Encode(b []byte) []byte {
	b = AppendStrings(b, r.Children)
	return r.Stat.Encode(b)
}

// Decode reads r from d.
func (r *GetChildren2Response) Decode(d *Decoder) {
	r.Children = d.Strings()
	r.Stat.Decode(d)
}

// IntRecord is a record holding one int.
type IntRecord struct {
	Value int32
}

// Encode appends the encoding of r.
func (r *IntRecord) Encode(b []byte) []byte { return AppendInt(b, r.Value) }

// Decode reads r from d.
func (r *IntRecord) Decode(d *Decoder) { r.Value = d.Int() }

// Records with the IntRecord layout. ErrorResponse carries an error code
// (multi results, addWatch); GetAllChildrenNumberResponse a node count.
type (
	ErrorResponse                = IntRecord
	GetAllChildrenNumberResponse = IntRecord
)

// ClientInfo is one authenticated identity returned by whoAmI.
type ClientInfo struct {
	AuthScheme string
	User       string
}

// WhoAmIResponse is the reply to whoAmI (3.7+).
type WhoAmIResponse struct {
	ClientInfo []ClientInfo
}

// Encode appends the encoding of r.
func (r *WhoAmIResponse) Encode(b []byte) []byte {
	b = AppendInt(b, int32(len(r.ClientInfo)))
	for _, c := range r.ClientInfo {
		b = AppendString(b, c.AuthScheme)
		b = AppendString(b, c.User)
	}
	return b
}

// Decode reads r from d.
func (r *WhoAmIResponse) Decode(d *Decoder) {
	n := d.VectorLen(8)
	if n < 0 {
		r.ClientInfo = nil
		return
	}
	r.ClientInfo = make([]ClientInfo, n)
	for i := range r.ClientInfo {
		r.ClientInfo[i].AuthScheme = d.String()
		r.ClientInfo[i].User = d.String()
	}
	if d.err != nil {
		r.ClientInfo = nil
	}
}
