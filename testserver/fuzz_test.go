package testserver

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/zk"
)

// requestFrame encodes a request body (header + record) as process sees it.
func requestFrame(xid, op int32, rec jute.Record) []byte {
	h := jute.RequestHeader{Xid: xid, Type: op}
	b := h.Encode(nil)
	if rec != nil {
		b = rec.Encode(b)
	}
	return b
}

func fuzzSeeds() [][]byte {
	acl := openACLUnsafe
	return [][]byte{
		requestFrame(1, jute.OpCreate, &jute.CreateRequest{Path: "/a", Data: []byte("x"), ACL: acl}),
		requestFrame(1, jute.OpCreate2, &jute.CreateRequest{Path: "/a/b-", ACL: acl, Flags: jute.FlagEphemeralSequential}),
		requestFrame(1, jute.OpCreateContainer, &jute.CreateRequest{Path: "/c", ACL: acl, Flags: jute.FlagContainer}),
		requestFrame(1, jute.OpCreateTTL, &jute.CreateTTLRequest{Path: "/t", ACL: acl, Flags: jute.FlagPersistentWithTTL, TTL: 1}),
		requestFrame(2, jute.OpDelete, &jute.DeleteRequest{Path: "/a", Version: -1}),
		requestFrame(3, jute.OpSetData, &jute.SetDataRequest{Path: "/a", Data: []byte("y"), Version: -1}),
		requestFrame(4, jute.OpGetData, &jute.GetDataRequest{Path: "/a", Watch: true}),
		requestFrame(4, jute.OpExists, &jute.ExistsRequest{Path: "/a", Watch: true}),
		requestFrame(5, jute.OpGetChildren2, &jute.GetChildren2Request{Path: "/", Watch: true}),
		requestFrame(6, jute.OpSetACL, &jute.SetACLRequest{Path: "/a", ACL: []jute.ACL{{Perms: 31, ID: jute.Id{Scheme: "auth"}}}, Version: -1}),
		requestFrame(6, jute.OpGetACL, &jute.GetACLRequest{Path: "/a"}),
		requestFrame(7, jute.OpMulti, &jute.MultiRequest{Ops: []jute.MultiOp{
			{Type: jute.OpCreate, Record: &jute.CreateRequest{Path: "/m", ACL: acl}},
			{Type: jute.OpCheck, Record: &jute.CheckVersionRequest{Path: "/m", Version: 0}},
			{Type: jute.OpDelete, Record: &jute.DeleteRequest{Path: "/m", Version: -1}}}}),
		requestFrame(8, jute.OpMultiRead, &jute.MultiRequest{Ops: []jute.MultiOp{
			{Type: jute.OpGetData, Record: &jute.GetDataRequest{Path: "/"}}}}),
		requestFrame(jute.XidSetWatches, jute.OpSetWatches2, &jute.SetWatches2{DataWatches: []string{"/a"}, PersistentRecursiveWatches: []string{"/"}}),
		requestFrame(9, jute.OpAddWatch, &jute.AddWatchRequest{Path: "/", Type: 1}),
		requestFrame(9, jute.OpRemoveWatches, &jute.RemoveWatchesRequest{Path: "/", Type: 3}),
		requestFrame(jute.XidAuth, jute.OpAuth, &jute.AuthPacket{Scheme: "digest", Auth: []byte("u:p")}),
		requestFrame(10, jute.OpGetEphemerals, &jute.GetEphemeralsRequest{Path: "/"}),
		requestFrame(10, jute.OpGetAllChildrenNumber, &jute.GetAllChildrenNumberRequest{Path: "/"}),
		requestFrame(10, jute.OpWhoAmI, nil),
		requestFrame(11, jute.OpCloseSession, nil),
		requestFrame(jute.XidPing, jute.OpPing, nil),
	}
}

// checkTree verifies the tree's structural invariants.
func checkTree(t *testing.T, s *Server) {
	t.Helper()
	for p, n := range s.tree.nodes {
		if p == "/" {
			continue
		}
		parent, child := zk.SplitPath(p)
		pn := s.tree.get(parent)
		if pn == nil {
			t.Fatalf("node %q has no parent", p)
		}
		if !pn.children.Has(child) {
			t.Fatalf("parent of %q does not list it", p)
		}
		n.children.Each(func(c string) {
			if s.tree.nodes[p+"/"+c] == nil {
				t.Fatalf("%q lists missing child %q", p, c)
			}
		})
	}
}

// FuzzRequest feeds arbitrary request frames to the dispatcher of a
// session: the server must neither panic nor corrupt its tree.
func FuzzRequest(f *testing.F) {
	seeds := fuzzSeeds()
	for i, a := range seeds {
		f.Add(a, seeds[(i+1)%len(seeds)])
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		s, err := newServer(defaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		s.cfg.outLimit = 1 << 20
		nc, peer := net.Pipe()
		defer peer.Close()
		c := newConn(s, nc)
		defer c.abort()
		s.mu.Lock()
		sess := s.newSessionLocked(time.Second, time.Now())
		sess.conn, c.sess = c, sess
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		for _, frame := range [][]byte{seeds[0], a, b, seeds[len(seeds)-3]} {
			if !s.process(c, frame) {
				break
			}
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.tickLocked(time.Now().Add(time.Hour))
		checkTree(t, s)
	})
}

// FuzzHandshake feeds arbitrary ConnectRequest frames.
func FuzzHandshake(f *testing.F) {
	good := jute.ConnectRequest{TimeOut: 3000}
	f.Add(good.Encode(nil))
	f.Add([]byte{0, 0, 0})
	f.Fuzz(func(t *testing.T, frame []byte) {
		s, err := newServer(defaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		nc, peer := net.Pipe()
		defer peer.Close()
		c := newConn(s, nc)
		defer c.abort()
		s.handshake(c, frame)
	})
}

// lowLimits returns a configuration with every limit set low, so that
// fuzzing reaches them: small frames, small per-connection and
// server-wide reply queues, a short handshake deadline, one connection
// per IP.
func lowLimits() config {
	cfg := defaultConfig()
	cfg.maxBuffer = 4 << 10
	cfg.outLimit = 8 << 10
	cfg.maxQueued = 12 << 10
	cfg.handshakeTimeout = 50 * time.Millisecond
	cfg.maxClientConns = 1
	cfg.fourLetter = parseFourLetterWhitelist([]string{"*"})
	return cfg
}

// frameOf prefixes b with its length.
func frameOf(b []byte) []byte {
	out := make([]byte, 4, 4+len(b))
	out[0], out[1], out[2], out[3] = byte(len(b)>>24), byte(len(b)>>16), byte(len(b)>>8), byte(len(b))
	return append(out, b...)
}

// connectionSeeds are byte streams a client might send on a new
// connection: a handshake followed by requests, four-letter words, frames
// past the limits, partial frames.
func connectionSeeds() [][]byte {
	hs := frameOf((&jute.ConnectRequest{TimeOut: 3000, Passwd: make([]byte, 16)}).Encode(nil))
	var all []byte
	all = append(all, hs...)
	for _, r := range fuzzSeeds() {
		all = append(all, frameOf(r)...)
	}
	watchAll := append(append([]byte(nil), hs...), frameOf(requestFrame(1, jute.OpAddWatch, &jute.AddWatchRequest{Path: "/", Type: 1}))...)
	for i := range 20 {
		watchAll = append(watchAll, frameOf(requestFrame(int32(i+2), jute.OpCreate, &jute.CreateRequest{Path: "/n", Data: make([]byte, 1000), ACL: openACLUnsafe, Flags: jute.FlagPersistentSequential}))...)
	}
	return [][]byte{
		hs,
		all,
		watchAll,
		[]byte("ruok"),
		[]byte("srvr"),
		[]byte("cons"),
		{0x00, 0x0f, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, // 1 MiB-1 announced, 10 sent
		{0x7f, 0xff, 0xff, 0xff},
		{0xff, 0xff, 0xff, 0xff},
		append(append([]byte(nil), hs...), 0, 0, 0x20, 0, 1, 2), // request past maxBuffer
		hs[:len(hs)-3],
		append(append([]byte(nil), hs...), frameOf(requestFrame(1, jute.OpCreateSession, nil))...),
	}
}

// FuzzConnection feeds an arbitrary byte stream to a server connection,
// from the handshake on, with every limit set low (lowLimits). The peer
// reads the replies or, when drain is false, never does (a slow
// consumer). The server must neither panic nor hang, and once the
// connection is gone its tree is sound and no queued reply bytes or
// connection counts are left behind.
func FuzzConnection(f *testing.F) {
	for _, seed := range connectionSeeds() {
		f.Add(seed, true)
		f.Add(seed, false)
	}
	f.Fuzz(func(t *testing.T, in []byte, drain bool) {
		s, err := newServer(lowLimits())
		if err != nil {
			t.Fatal(err)
		}
		nc, peer := net.Pipe()
		c := newConn(s, nc)
		s.mu.Lock()
		if !s.admitLocked(c) {
			t.Fatal("first connection refused")
		}
		s.conns[c] = struct{}{}
		s.connWG.Add(1)
		s.mu.Unlock()
		s.trackOutput(c)
		go c.serve()
		drained := make(chan struct{})
		go func() {
			defer close(drained)
			if drain {
				_, _ = io.Copy(io.Discard, peer)
			}
		}()
		_ = peer.SetWriteDeadline(time.Now().Add(2 * time.Second))
		_, _ = peer.Write(in)
		_ = peer.Close()
		<-drained
		done := make(chan struct{})
		go func() { s.connWG.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("connection goroutines did not end")
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if n := s.queued.Load(); n != 0 {
			t.Fatalf("%d reply bytes still counted as queued", n)
		}
		if len(s.conns) != 0 || len(s.perIP) != 0 {
			t.Fatalf("connections left: %d, per-IP counts %v", len(s.conns), s.perIP)
		}
		s.tickLocked(time.Now().Add(time.Hour))
		checkTree(t, s)
	})
}
