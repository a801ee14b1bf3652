package zk

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
)

// noNodeServer is a minimal server on 127.0.0.1 (this package's tests
// cannot import testserver, which imports zk): it accepts one session per
// connection and answers every request with NoNode, pings and
// closeSession with OK.
func noNodeServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer nc.Close()
				br := bufio.NewReader(nc)
				if _, err := jute.ReadFrame(br, nil, 1<<20); err != nil {
					return
				}
				b, start := jute.BeginFrame(nil)
				resp := jute.ConnectResponse{TimeOut: 10000, SessionID: 1, Passwd: make([]byte, 16)}
				if _, err := nc.Write(jute.EndFrame(resp.Encode(b), start)); err != nil {
					return
				}
				for {
					f, err := jute.ReadFrame(br, nil, 1<<20)
					if err != nil {
						return
					}
					var h jute.RequestHeader
					h.Decode(jute.NewDecoder(f))
					rh := jute.ReplyHeader{Xid: h.Xid, Err: jute.ErrNoNode}
					if h.Type == jute.OpPing || h.Type == jute.OpCloseSession {
						rh.Err = 0
					}
					b, start := jute.BeginFrame(nil)
					if _, err := nc.Write(jute.EndFrame(rh.Encode(b), start)); err != nil || h.Type == jute.OpCloseSession {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// TestDeleteWorkerFinishesEachJobOnce: several guaranteed deletes pending
// at once are each finished exactly once. The worker used to range over
// its job list while finish removed jobs from it in place, so a job could
// be seen twice and its done channel closed twice (a panic).
func TestDeleteWorkerFinishesEachJobOnce(t *testing.T) {
	addr := noNodeServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := Connect(ctx, addr)
	require.NoError(t, err)
	defer c.Close()

	w := c.deletes
	var dones []<-chan struct{}
	w.mu.Lock() // pending together, as after a connection loss
	for i := range 5 {
		j := &deleteJob{path: fmt.Sprintf("/gone-%d", i), version: -1, done: make(chan struct{})}
		w.jobs = append(w.jobs, j)
		dones = append(dones, j.done)
	}
	w.mu.Unlock()
	dones = append(dones, w.add("/gone-last", -1, deleteOptions{})) // wakes (or starts) the worker
	for i, d := range dones {
		select {
		case <-d:
		case <-ctx.Done():
			t.Fatalf("delete %d never finished", i)
		}
	}
	require.Eventually(t, func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		return len(w.jobs) == 0
	}, 10*time.Second, time.Millisecond)
}
