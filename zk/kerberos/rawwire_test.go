package kerberos_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/zk"
)

// rawConn is a bare ZooKeeper connection speaking just enough of the wire
// protocol (handshake, sasl, getData) to check the mechanism's tokens
// against a real server independently of zk's SASL flow.
type rawConn struct {
	t   *testing.T
	c   net.Conn
	xid int32
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(30*time.Second)))
	r := &rawConn{t: t, c: c}
	b, start := jute.BeginFrame(nil)
	b = (&jute.ConnectRequest{TimeOut: 10000}).Encode(b)
	r.write(jute.EndFrame(b, start))
	var resp jute.ConnectResponse
	require.NoError(t, jute.Unmarshal(r.read(), &resp))
	require.Positive(t, resp.TimeOut)
	return r
}

func (r *rawConn) write(b []byte) {
	_, err := r.c.Write(b)
	require.NoError(r.t, err)
}

func (r *rawConn) read() []byte {
	b, err := jute.ReadFrame(r.c, nil, 1<<20)
	require.NoError(r.t, err)
	return b
}

// call sends one request (op, body) and returns the reply's error code
// and body.
func (r *rawConn) call(op int32, body func([]byte) []byte) (int32, *jute.Decoder) {
	r.xid++
	b, start := jute.BeginFrame(nil)
	b = jute.AppendInt(b, r.xid)
	b = jute.AppendInt(b, op)
	r.write(jute.EndFrame(body(b), start))
	d := jute.NewDecoder(r.read())
	xid, _, code := d.Int(), d.Long(), d.Int()
	require.Equal(r.t, r.xid, xid)
	return code, d
}

// authenticate runs mech's exchange with the server as zk's flow does:
// each token in a GetSASLRequest, each reply's token to the next step.
func (r *rawConn) authenticate(mech zk.SASLMechanism, server string) error {
	ctx := context.Background()
	ex, err := mech.Start(ctx, server)
	if err != nil {
		return err
	}
	var challenge []byte
	for {
		resp, done, err := ex.Step(ctx, challenge)
		if err != nil {
			return err
		}
		code, d := r.call(jute.OpSASL, func(b []byte) []byte { return jute.AppendBuffer(b, resp) })
		if code != 0 {
			return zk.ErrAuthFailed
		}
		challenge = d.Buffer()
		if done {
			return nil
		}
	}
}

// get reads path's data; code is the server's error code.
func (r *rawConn) get(path string) (data []byte, code int32) {
	code, d := r.call(jute.OpGetData, func(b []byte) []byte {
		return jute.AppendBool(jute.AppendString(b, path), false)
	})
	if code != 0 {
		return nil, code
	}
	return d.Buffer(), 0
}
