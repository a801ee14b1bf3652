package testserver

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
)

func createOp(op int32, path string, flags int32) jute.MultiOp {
	return jute.MultiOp{Type: op, Record: &jute.CreateRequest{Path: path, ACL: openACLUnsafe, Flags: flags}}
}

func (c *tclient) multi(op int32, ops ...jute.MultiOp) (jute.MultiResponse, jute.ReplyHeader) {
	c.t.Helper()
	var resp jute.MultiResponse
	h := c.call(op, &jute.MultiRequest{Ops: ops}, &resp)
	return resp, h
}

func TestMultiSuccess(t *testing.T) {
	root, c, w := twoSessions(t)
	c.mustCreate(root, nil, 0)
	c.mustCreate(root+"/old", nil, 0)
	_, err := w.children(root, true)
	require.EqualValues(t, 0, err)
	resp, h := c.multi(jute.OpMulti,
		createOp(jute.OpCreate, root+"/a", 0),
		createOp(jute.OpCreate2, root+"/a/b", 0), // reported as a plain create
		createOp(jute.OpCreate, root+"/s-", jute.FlagPersistentSequential),
		createOp(jute.OpCreate, root+"/s-", jute.FlagPersistentSequential),
		createOp(jute.OpCreateContainer, root+"/c", jute.FlagContainer),
		jute.MultiOp{Type: jute.OpSetData, Record: &jute.SetDataRequest{Path: root + "/a", Data: []byte("d"), Version: 0}},
		jute.MultiOp{Type: jute.OpCheck, Record: &jute.CheckVersionRequest{Path: root + "/a", Version: 1}},
		jute.MultiOp{Type: jute.OpDelete, Record: &jute.DeleteRequest{Path: root + "/old", Version: -1}},
	)
	require.EqualValues(t, 0, h.Err)
	require.Len(t, resp.Results, 8)
	types := make([]int32, len(resp.Results))
	for i, r := range resp.Results {
		types[i] = r.Type
		require.EqualValues(t, 0, r.Err)
	}
	require.Equal(t, []int32{1, 1, 1, 1, 15, 5, 13, 2}, types)
	require.Equal(t, root+"/a/b", resp.Results[1].Record.(*jute.CreateResponse).Path)
	require.Equal(t, root+"/s-0000000002", resp.Results[2].Record.(*jute.CreateResponse).Path)
	require.Equal(t, root+"/s-0000000003", resp.Results[3].Record.(*jute.CreateResponse).Path)
	c2 := resp.Results[4].Record.(*jute.Create2Response)
	require.Equal(t, h.Zxid, c2.Stat.Czxid, "one zxid for the whole multi")
	sd := resp.Results[5].Record.(*jute.SetDataResponse)
	require.EqualValues(t, 1, sd.Stat.Version)
	require.Equal(t, h.Zxid, sd.Stat.Mzxid)
	// The child watch fired once (one-shot), for the first change.
	w.expectEvents(ev(jute.EventNodeChildrenChanged, root))
}

func TestMultiFailureIsAtomic(t *testing.T) {
	root, c := oneSession(t)
	c.mustCreate(root, []byte("v"), 0)
	z := c.ping().Zxid
	resp, h := c.multi(jute.OpMulti,
		createOp(jute.OpCreate, root+"/a", 0),
		jute.MultiOp{Type: jute.OpSetData, Record: &jute.SetDataRequest{Path: root, Version: 7}},
		jute.MultiOp{Type: jute.OpDelete, Record: &jute.DeleteRequest{Path: root + "/zz", Version: -1}},
	)
	require.EqualValues(t, 0, h.Err, "a failed multi is still a successful reply")
	require.Equal(t, z+1, h.Zxid, "a failed multi uses a zxid")
	require.Equal(t, []jute.MultiResult{
		{Type: jute.OpError, Err: 0},
		{Type: jute.OpError, Err: jute.ErrBadVersion},
		{Type: jute.OpError, Err: jute.ErrRuntimeInconsistency},
	}, resp.Results)
	_, err := c.exists(root+"/a", false)
	require.Equal(t, jute.ErrNoNode, err)
	require.Zero(t, c.stat(root).Cversion)

	// Ops see the effects of earlier ops of the same multi.
	resp, h = c.multi(jute.OpMulti,
		createOp(jute.OpCreate, root+"/x", jute.FlagEphemeral),
		createOp(jute.OpCreate, root+"/x/y", 0),
	)
	require.EqualValues(t, 0, h.Err)
	require.Equal(t, jute.ErrNoChildrenForEphemerals, resp.Results[1].Err)
}

func TestMultiEdgeCases(t *testing.T) {
	root, c := oneSession(t)
	c.mustCreate(root, nil, 0)
	resp, h := c.multi(jute.OpMulti)
	require.EqualValues(t, 0, h.Err)
	require.Empty(t, resp.Results)
	// Read ops in a multi, or TTL flags on a plain create: marshalling error.
	_, h = c.multi(jute.OpMulti, jute.MultiOp{Type: jute.OpGetData, Record: &jute.GetDataRequest{Path: root}})
	require.Equal(t, jute.ErrMarshallingError, h.Err)
	_, h = c.multi(jute.OpMulti, createOp(jute.OpCreate, root+"/t", jute.FlagPersistentWithTTL))
	require.Equal(t, jute.ErrMarshallingError, h.Err)
	// A TTL create in a multi.
	resp, h = c.multi(jute.OpMulti, jute.MultiOp{Type: jute.OpCreateTTL, Record: &jute.CreateTTLRequest{
		Path: root + "/t", ACL: openACLUnsafe, Flags: jute.FlagPersistentWithTTL, TTL: 60000}})
	require.EqualValues(t, 0, h.Err)
	require.EqualValues(t, jute.OpCreate2, resp.Results[0].Type)
	// Bad flags fail the op, not the request.
	resp, h = c.multi(jute.OpMulti, createOp(jute.OpCreate, root+"/f", 42))
	require.EqualValues(t, 0, h.Err)
	require.Equal(t, jute.ErrBadArguments, resp.Results[0].Err)
}

func TestMultiRead(t *testing.T) {
	root, c := oneSession(t)
	c.mustCreate(root, []byte("d"), 0)
	c.mustCreate(root+"/k", nil, 0)
	resp, h := c.multi(jute.OpMultiRead,
		jute.MultiOp{Type: jute.OpGetData, Record: &jute.GetDataRequest{Path: root, Watch: true}},
		jute.MultiOp{Type: jute.OpGetChildren, Record: &jute.GetChildrenRequest{Path: root + "/none"}},
		jute.MultiOp{Type: jute.OpGetChildren, Record: &jute.GetChildrenRequest{Path: root}},
	)
	require.EqualValues(t, 0, h.Err)
	require.Len(t, resp.Results, 3)
	gd := resp.Results[0].Record.(*jute.GetDataResponse)
	require.Equal(t, []byte("d"), gd.Data)
	require.Equal(t, jute.MultiResult{Type: jute.OpError, Err: jute.ErrNoNode}, resp.Results[1])
	require.Equal(t, []string{"k"}, resp.Results[2].Record.(*jute.GetChildrenResponse).Items)
	// No watch was left by the read.
	c.setData(root, nil, -1)
	c.noEvents()
	_, h = c.multi(jute.OpMultiRead, createOp(jute.OpCreate, root+"/w", 0))
	require.Equal(t, jute.ErrMarshallingError, h.Err)
}
