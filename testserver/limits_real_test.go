package testserver_test

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/testserver/internal/rawclient"
	"github.com/zkcurator/zkcurator/testserver/realzk"
)

// fourLetterAt sends a four-letter word and returns the whole answer.
func fourLetterAt(t *testing.T, addr, word string) string {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	defer nc.Close()
	require.NoError(t, nc.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = io.WriteString(nc, word)
	require.NoError(t, err)
	b, err := io.ReadAll(nc)
	require.NoError(t, err)
	return string(b)
}

// TestLimitsLikeReal compares, with ZooKeeper 3.8 left at its defaults
// (needs ZKCURATOR_REAL_ZK=1): the four-letter word whitelist (srvr only)
// and its refusal text, and maxClientCnxns (the connection past the limit
// is closed before its handshake is answered).
func TestLimitsLikeReal(t *testing.T) {
	zktest.RequireReal(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const maxConns = 3
	real, err := realzk.Start(ctx, realzk.Options{
		Config:           map[string]string{"4lw.commands.whitelist": "srvr", "maxClientCnxns": "3"},
		SystemProperties: map[string]string{"zookeeper.4lw.commands.whitelist": "srvr"},
		Logf:             t.Logf,
	})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, real.Close()) })
	emb := testserver.New(t, testserver.WithMaxClientConns(maxConns))

	for _, w := range []string{"ruok", "cons", "stat", "mntr", "conf", "envi", "wchs", "wchc", "dump", "isro", "crst", "srst"} {
		require.Equal(t, fourLetterAt(t, real.Addr(0), w), fourLetterAt(t, emb.Addr(), w), w)
	}
	require.Regexp(t, `^Zookeeper version: 3\.8\.`, fourLetterAt(t, real.Addr(0), "srvr"))
	require.Regexp(t, `^Zookeeper version: 3\.8\.`, fourLetterAt(t, emb.Addr(), "srvr"))

	for name, addr := range map[string]string{"real": real.Addr(0), "embedded": emb.Addr()} {
		// The four-letter connections above may still be counted for a
		// moment: retry until maxConns sessions are held.
		var held []*rawclient.Client
		deadline := time.Now().Add(20 * time.Second)
		for len(held) < maxConns {
			require.True(t, time.Now().Before(deadline), "%s: could not open %d sessions", name, maxConns)
			dctx, dcancel := context.WithTimeout(ctx, 5*time.Second)
			c, err := rawclient.Dial(dctx, addr, rawclient.Options{})
			dcancel()
			if err == nil {
				held = append(held, c)
			}
		}
		dctx, dcancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := rawclient.Dial(dctx, addr, rawclient.Options{})
		dcancel()
		require.Error(t, err, "%s: connection %d from one IP was served", name, maxConns+1)
		require.NotErrorIs(t, err, context.DeadlineExceeded, "%s: refused by closing, not by silence", name)
		for _, c := range held {
			_ = c.Close()
		}
	}
}
