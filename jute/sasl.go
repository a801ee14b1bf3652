package jute

// GetSASLRequest is the body of a SASL request (op 102): the client's
// token. (The Java client also decodes the server's reply to it with this
// record; the two records have the same one field.)
type GetSASLRequest struct {
	Token []byte
}

// Encode appends the encoding of r.
func (r *GetSASLRequest) Encode(b []byte) []byte { return AppendBuffer(b, r.Token) }

// Decode reads r from d.
func (r *GetSASLRequest) Decode(d *Decoder) { r.Token = d.Buffer() }

// SetSASLResponse is the body of the server's reply to a SASL request:
// its token, null when it has none to send (the last step of DIGEST-MD5
// on some servers, or a server without SASL configured).
type SetSASLResponse struct {
	Token []byte
}

// Encode appends the encoding of r.
func (r *SetSASLResponse) Encode(b []byte) []byte { return AppendBuffer(b, r.Token) }

// Decode reads r from d.
func (r *SetSASLResponse) Decode(d *Decoder) { r.Token = d.Buffer() }
