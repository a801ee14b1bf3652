package zktest

import (
	"io"
	"net"
	"testing"

	"github.com/stretchr/testify/require"
)

// echoServer accepts connections and echoes what it reads, until the test
// ends.
func echoServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); _, _ = io.Copy(c, c) }()
		}
	}()
	return ln.Addr().String()
}

func TestProxyCountsAndCuts(t *testing.T) {
	p := NewProxy(t, echoServer(t))
	require.Equal(t, 0, p.Accepted())
	c, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte("hi"))
	require.NoError(t, err)
	buf := make([]byte, 2)
	_, err = io.ReadFull(c, buf)
	require.NoError(t, err)
	require.Equal(t, "hi", string(buf))
	require.Equal(t, 1, p.Accepted())

	p.Cut()
	_, err = c.Read(buf)
	require.Error(t, err, "the connection was cut")

	c2, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	defer c2.Close()
	_, err = c2.Write([]byte("ok"))
	require.NoError(t, err)
	_, err = io.ReadFull(c2, buf)
	require.NoError(t, err, "new connections still pass")
	require.Equal(t, 2, p.Accepted())
}
