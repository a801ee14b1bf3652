package jute

// Record is a jute record: a fixed sequence of fields encoded in order.
type Record interface {
	// Encode appends the record's encoding to b and returns the result.
	Encode(b []byte) []byte
	// Decode reads the record's fields from d. Errors are recorded in d.
	Decode(d *Decoder)
}

// Unmarshal decodes r from b. Bytes after the record are ignored, as
// ZooKeeper's own decoders ignore them.
func Unmarshal(b []byte, r Record) error {
	d := Decoder{buf: b}
	r.Decode(&d)
	return d.err
}

// Marshal returns the encoding of r in a new slice.
func Marshal(r Record) []byte {
	return r.Encode(nil)
}

// Id names an identity in an ACL: a scheme ("world", "auth", "digest",
// "ip", ...) and an id within it.
type Id struct {
	Scheme string
	ID     string
}

// Encode appends the encoding of r.
func (r *Id) Encode(b []byte) []byte {
	b = AppendString(b, r.Scheme)
	return AppendString(b, r.ID)
}

// Decode reads r from d.
func (r *Id) Decode(d *Decoder) {
	r.Scheme = d.String()
	r.ID = d.String()
}

// ACL is one access-control entry: a permission bit set for an identity.
type ACL struct {
	Perms int32
	ID    Id
}

// Encode appends the encoding of r.
func (r *ACL) Encode(b []byte) []byte {
	b = AppendInt(b, r.Perms)
	return r.ID.Encode(b)
}

// Decode reads r from d.
func (r *ACL) Decode(d *Decoder) {
	r.Perms = d.Int()
	r.ID.Decode(d)
}

// AppendACLs appends a vector of ACLs.
func AppendACLs(b []byte, acl []ACL) []byte {
	b = AppendInt(b, int32(len(acl)))
	for i := range acl {
		b = acl[i].Encode(b)
	}
	return b
}

// ACLs reads a vector of ACLs; null is returned as nil.
func (d *Decoder) ACLs() []ACL {
	n := d.VectorLen(12)
	if n < 0 {
		return nil
	}
	v := make([]ACL, n)
	for i := range v {
		v[i].Decode(d)
	}
	if d.err != nil {
		return nil
	}
	return v
}

// StatSize is the encoded size of a Stat.
const StatSize = 68

// Stat is a znode's metadata.
type Stat struct {
	Czxid          int64 // zxid of the create
	Mzxid          int64 // zxid of the last data change
	Ctime          int64 // create time, ms since the epoch
	Mtime          int64 // last data change time, ms since the epoch
	Version        int32 // number of data changes
	Cversion       int32 // number of child changes
	Aversion       int32 // number of ACL changes
	EphemeralOwner int64 // session id of an ephemeral node's owner, else 0
	DataLength     int32 // length of the data
	NumChildren    int32 // number of children
	Pzxid          int64 // zxid of the last child change
}

// Encode appends the encoding of r.
func (r *Stat) Encode(b []byte) []byte {
	b = AppendLong(b, r.Czxid)
	b = AppendLong(b, r.Mzxid)
	b = AppendLong(b, r.Ctime)
	b = AppendLong(b, r.Mtime)
	b = AppendInt(b, r.Version)
	b = AppendInt(b, r.Cversion)
	b = AppendInt(b, r.Aversion)
	b = AppendLong(b, r.EphemeralOwner)
	b = AppendInt(b, r.DataLength)
	b = AppendInt(b, r.NumChildren)
	return AppendLong(b, r.Pzxid)
}

// Decode reads r from d.
func (r *Stat) Decode(d *Decoder) {
	if !d.need(StatSize, "Stat") {
		*r = Stat{}
		return
	}
	r.Czxid = d.Long()
	r.Mzxid = d.Long()
	r.Ctime = d.Long()
	r.Mtime = d.Long()
	r.Version = d.Int()
	r.Cversion = d.Int()
	r.Aversion = d.Int()
	r.EphemeralOwner = d.Long()
	r.DataLength = d.Int()
	r.NumChildren = d.Int()
	r.Pzxid = d.Long()
}

// RequestHeader starts every request frame after the handshake.
type RequestHeader struct {
	Xid  int32
	Type int32
}

// Encode appends the encoding of r.
func (r *RequestHeader) Encode(b []byte) []byte {
	b = AppendInt(b, r.Xid)
	return AppendInt(b, r.Type)
}

// Decode reads r from d.
func (r *RequestHeader) Decode(d *Decoder) {
	r.Xid = d.Int()
	r.Type = d.Int()
}

// ReplyHeaderSize is the encoded size of a ReplyHeader.
const ReplyHeaderSize = 16

// ReplyHeader starts every reply frame after the handshake.
type ReplyHeader struct {
	Xid  int32
	Zxid int64
	Err  int32
}

// Encode appends the encoding of r.
func (r *ReplyHeader) Encode(b []byte) []byte {
	b = AppendInt(b, r.Xid)
	b = AppendLong(b, r.Zxid)
	return AppendInt(b, r.Err)
}

// Decode reads r from d.
func (r *ReplyHeader) Decode(d *Decoder) {
	r.Xid = d.Int()
	r.Zxid = d.Long()
	r.Err = d.Int()
}
