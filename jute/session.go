package jute

// ConnectRequest is the client's handshake, sent bare (no header).
type ConnectRequest struct {
	ProtocolVersion int32
	LastZxidSeen    int64
	TimeOut         int32 // requested session timeout, ms
	SessionID       int64 // 0 for a new session
	Passwd          []byte
	ReadOnly        bool
}

// Encode appends the encoding of r. ReadOnly is always sent.
func (r *ConnectRequest) Encode(b []byte) []byte {
	b = AppendInt(b, r.ProtocolVersion)
	b = AppendLong(b, r.LastZxidSeen)
	b = AppendInt(b, r.TimeOut)
	b = AppendLong(b, r.SessionID)
	p := r.Passwd
	if p == nil {
		p = make([]byte, PasswordLen)
	}
	b = AppendBuffer(b, p)
	return AppendBool(b, r.ReadOnly)
}

// Decode reads r from d. The trailing readOnly byte is optional, as old
// clients omit it.
func (r *ConnectRequest) Decode(d *Decoder) {
	r.ProtocolVersion = d.Int()
	r.LastZxidSeen = d.Long()
	r.TimeOut = d.Int()
	r.SessionID = d.Long()
	r.Passwd = d.Buffer()
	r.ReadOnly = d.err == nil && d.Remaining() > 0 && d.Bool()
}

// ConnectResponse is the server's handshake reply, sent bare (no header).
// A TimeOut <= 0 on a reconnect means the session has expired.
type ConnectResponse struct {
	ProtocolVersion int32
	TimeOut         int32 // negotiated session timeout, ms
	SessionID       int64
	Passwd          []byte
	ReadOnly        bool
}

// Encode appends the encoding of r.
func (r *ConnectResponse) Encode(b []byte) []byte {
	b = AppendInt(b, r.ProtocolVersion)
	b = AppendInt(b, r.TimeOut)
	b = AppendLong(b, r.SessionID)
	b = AppendBuffer(b, r.Passwd)
	return AppendBool(b, r.ReadOnly)
}

// Decode reads r from d. The trailing readOnly byte is optional, as old
// servers omit it.
func (r *ConnectResponse) Decode(d *Decoder) {
	r.ProtocolVersion = d.Int()
	r.TimeOut = d.Int()
	r.SessionID = d.Long()
	r.Passwd = d.Buffer()
	r.ReadOnly = d.err == nil && d.Remaining() > 0 && d.Bool()
}

// AuthPacket adds a credential to the session (xid -4, op 100).
type AuthPacket struct {
	Type   int32 // always 0
	Scheme string
	Auth   []byte
}

// Encode appends the encoding of r.
func (r *AuthPacket) Encode(b []byte) []byte {
	b = AppendInt(b, r.Type)
	b = AppendString(b, r.Scheme)
	return AppendBuffer(b, r.Auth)
}

// Decode reads r from d.
func (r *AuthPacket) Decode(d *Decoder) {
	r.Type = d.Int()
	r.Scheme = d.String()
	r.Auth = d.Buffer()
}

// WatcherEvent is the body of a notification (xid -1).
type WatcherEvent struct {
	Type  int32
	State int32
	Path  string
}

// Encode appends the encoding of r.
func (r *WatcherEvent) Encode(b []byte) []byte {
	b = AppendInt(b, r.Type)
	b = AppendInt(b, r.State)
	return AppendString(b, r.Path)
}

// Decode reads r from d.
func (r *WatcherEvent) Decode(d *Decoder) {
	r.Type = d.Int()
	r.State = d.Int()
	r.Path = d.String()
}

// SetWatches restores one-shot watches after a reconnect (xid -8, op 101).
type SetWatches struct {
	RelativeZxid int64
	DataWatches  []string
	ExistWatches []string
	ChildWatches []string
}

// Encode appends the encoding of r.
func (r *SetWatches) Encode(b []byte) []byte {
	b = AppendLong(b, r.RelativeZxid)
	b = AppendStrings(b, r.DataWatches)
	b = AppendStrings(b, r.ExistWatches)
	return AppendStrings(b, r.ChildWatches)
}

// Decode reads r from d.
func (r *SetWatches) Decode(d *Decoder) {
	r.RelativeZxid = d.Long()
	r.DataWatches = d.Strings()
	r.ExistWatches = d.Strings()
	r.ChildWatches = d.Strings()
}

// SetWatches2 restores one-shot and persistent watches (op 105, 3.6+).
type SetWatches2 struct {
	RelativeZxid               int64
	DataWatches                []string
	ExistWatches               []string
	ChildWatches               []string
	PersistentWatches          []string
	PersistentRecursiveWatches []string
}

// Encode appends the encoding of r.
func (r *SetWatches2) Encode(b []byte) []byte {
	b = AppendLong(b, r.RelativeZxid)
	b = AppendStrings(b, r.DataWatches)
	b = AppendStrings(b, r.ExistWatches)
	b = AppendStrings(b, r.ChildWatches)
	b = AppendStrings(b, r.PersistentWatches)
	return AppendStrings(b, r.PersistentRecursiveWatches)
}

// Decode reads r from d.
func (r *SetWatches2) Decode(d *Decoder) {
	r.RelativeZxid = d.Long()
	r.DataWatches = d.Strings()
	r.ExistWatches = d.Strings()
	r.ChildWatches = d.Strings()
	r.PersistentWatches = d.Strings()
	r.PersistentRecursiveWatches = d.Strings()
}
