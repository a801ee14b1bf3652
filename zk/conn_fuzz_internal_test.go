package zk

import (
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/zkcurator/zkcurator/internal/queue"
	"github.com/zkcurator/zkcurator/jute"
)

// replyKinds are the requests a reply can answer, with the record their
// reply body is decoded into; the last two stand for out-of-band frames.
var replyKinds = []struct {
	op   int32
	resp func() jute.Record
}{
	{jute.OpCreate, func() jute.Record { return &jute.CreateResponse{} }},
	{jute.OpCreate2, func() jute.Record { return &jute.Create2Response{} }},
	{jute.OpExists, func() jute.Record { return &jute.ExistsResponse{} }},
	{jute.OpGetData, func() jute.Record { return &jute.GetDataResponse{} }},
	{jute.OpSetData, func() jute.Record { return &jute.SetDataResponse{} }},
	{jute.OpGetACL, func() jute.Record { return &jute.GetACLResponse{} }},
	{jute.OpGetChildren2, func() jute.Record { return &jute.GetChildren2Response{} }},
	{jute.OpSync, func() jute.Record { return &jute.SyncResponse{} }},
	{jute.OpMulti, func() jute.Record { return &jute.MultiResponse{} }},
	{jute.OpGetEphemerals, func() jute.Record { return &jute.GetEphemeralsResponse{} }},
	{jute.OpGetAllChildrenNumber, func() jute.Record { return &jute.GetAllChildrenNumberResponse{} }},
	{jute.OpAddWatch, func() jute.Record { return &jute.ErrorResponse{} }},
	{jute.OpDelete, nil},
	{jute.XidNotification, nil}, // a watch event
	{jute.XidAuth, nil},         // an auth reply
}

// feedFrame hands the reader one reply built from data: data[0] picks
// what it answers, data[1:] is the body after a well-formed header (error
// code 0, or data[1] as the code when it is odd). It must never panic.
func feedFrame(t *testing.T, data []byte) {
	if len(data) < 2 {
		return
	}
	c := &Conn{
		log: slog.New(slog.DiscardHandler), chroot: "/app", epoch: time.Now(),
		watches: newWatchRegistry(), events: queue.New[eventItem](),
		out: newOutQueue(), dead: make(chan struct{}), dialed: make(chan struct{}),
	}
	ln := &link{done: make(chan struct{})}
	k := replyKinds[int(data[0])%len(replyKinds)]
	h := jute.ReplyHeader{Xid: 1, Zxid: 1}
	if data[1]&1 == 1 {
		h.Err = -int32(data[1])
	}
	var r *request
	switch k.op {
	case jute.XidNotification, jute.XidAuth:
		h.Xid = k.op
	default:
		var resp jute.Record
		if k.resp != nil {
			resp = k.resp()
		}
		r = newRequest(k.op, nil, resp)
		r.xid = 1
		if k.op == jute.OpExists || k.op == jute.OpAddWatch {
			r.watch = &watchReg{kind: watchData, spath: "/app/a", path: "/a", oneshot: &oneShot{ch: make(chan Event, 1)}}
		}
		c.pend.Push(r)
	}
	b, start := jute.BeginFrame(nil)
	b = h.Encode(b)
	b = append(b, data[2:]...)
	frame := jute.EndFrame(b, start)[4:]
	_ = c.handleFrame(ln, frame)
	if r != nil {
		select {
		case <-r.done:
		default:
			t.Fatalf("op %d: reply read but the caller not answered", k.op)
		}
	}
	c.events.Close()
}

// TestHandleFrameRandomBodies feeds the reader many random reply bodies
// for every kind of request: no panic, every caller answered.
func TestHandleFrameRandomBodies(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20000; i++ {
		data := make([]byte, 2+rng.IntN(64))
		for j := range data {
			switch rng.IntN(3) {
			case 0:
				data[j] = byte(rng.IntN(4))
			case 1:
				data[j] = 0xff
			default:
				data[j] = byte(rng.Uint32())
			}
		}
		feedFrame(t, data)
	}
}

func FuzzHandleFrame(f *testing.F) {
	for i := range replyKinds {
		f.Add([]byte{byte(i), 0})
		f.Add([]byte{byte(i), 0, 0, 0, 0, 1, '/'})
		f.Add([]byte{byte(i), 0, 0xff, 0xff, 0xff, 0xff})
	}
	f.Fuzz(feedFrame)
}
