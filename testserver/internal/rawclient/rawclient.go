// Package rawclient is a minimal ZooKeeper wire client for the tests of
// testserver and its conformance suite. It performs the handshake, writes
// request frames exactly as given and hands back every frame the server
// sends, in order. It does no xid matching, pings, reconnects or watch
// bookkeeping of its own: the tests decide what to send and check what comes
// back, byte for byte, against the embedded server or a real ZooKeeper.
package rawclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/jute"
)

// ErrClosed is returned by Next once the connection has closed and every
// frame read before has been returned.
var ErrClosed = errors.New("rawclient: connection closed")

// maxFrame bounds frames read from the server (larger than jute.maxbuffer so
// tests can see what a server sends beyond it).
const maxFrame = 16 << 20

// handshakeTimeout bounds the handshake when ctx has no deadline.
const handshakeTimeout = 10 * time.Second

// Frame is one frame the server sent after the handshake: its reply header
// and the rest of the frame (the body, meaningful when Header.Err is 0 or
// the frame is a notification).
type Frame struct {
	Header jute.ReplyHeader
	Body   []byte
}

// Options are the ConnectRequest fields of a handshake.
type Options struct {
	// SessionID and Passwd re-attach to an existing session; zero asks for
	// a new one.
	SessionID int64
	Passwd    []byte
	// Timeout is the requested session timeout (0: 10s).
	Timeout time.Duration
	// LastZxid is the largest zxid the client claims to have seen.
	LastZxid int64
	// ReadOnly sets the readOnly flag: the client accepts a read-only
	// server.
	ReadOnly bool
	// NoReadOnlyFlag omits the trailing readOnly byte, as pre-3.4 clients
	// do; the server then answers without it too.
	NoReadOnlyFlag bool
	// Trailing is appended to the ConnectRequest after the readOnly byte
	// (a server ignores it).
	Trailing []byte
}

// Client is one raw connection. Send may be called from one goroutine at a
// time; frames are read by a goroutine of the Client, which Close ends.
type Client struct {
	nc   net.Conn
	resp jute.ConnectResponse

	frames chan Frame
	done   chan struct{} // closed when the reader ends

	mu      sync.Mutex
	readErr error
}

// Dial connects to addr (a loopback host:port) and performs the handshake
// with o. It returns the client even when the server refused the session
// (Response().TimeOut 0: the session expired or the password was wrong); the
// server then closes the connection, which Next reports as ErrClosed.
func Dial(ctx context.Context, addr string, o Options) (*Client, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, handshakeTimeout)
		defer cancel()
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("rawclient: dial %s: %w", addr, err)
	}
	c, err := handshake(ctx, nc, o)
	if err != nil {
		_ = nc.Close()
		return nil, fmt.Errorf("rawclient: handshake with %s: %w", addr, err)
	}
	return c, nil
}

func handshake(ctx context.Context, nc net.Conn, o Options) (*Client, error) {
	timeout := o.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	passwd := o.Passwd
	if passwd == nil {
		passwd = make([]byte, jute.PasswordLen)
	}
	req := jute.ConnectRequest{
		LastZxidSeen: o.LastZxid,
		TimeOut:      int32(timeout / time.Millisecond),
		SessionID:    o.SessionID,
		Passwd:       passwd,
		ReadOnly:     o.ReadOnly,
	}
	b, start := jute.BeginFrame(nil)
	b = req.Encode(b)
	if o.NoReadOnlyFlag {
		b = b[:len(b)-1]
	}
	b = append(b, o.Trailing...)
	b = jute.EndFrame(b, start)
	deadline, _ := ctx.Deadline()
	if err := nc.SetDeadline(deadline); err != nil {
		return nil, err
	}
	if _, err := nc.Write(b); err != nil {
		return nil, err
	}
	body, err := jute.ReadFrame(nc, nil, maxFrame)
	if err != nil {
		return nil, err
	}
	if err := nc.SetDeadline(time.Time{}); err != nil {
		return nil, err
	}
	c := &Client{nc: nc, frames: make(chan Frame, 1024), done: make(chan struct{})}
	if err := jute.Unmarshal(body, &c.resp); err != nil {
		return nil, err
	}
	go c.readLoop()
	return c, nil
}

// Response returns the server's ConnectResponse.
func (c *Client) Response() jute.ConnectResponse { return c.resp }

// SessionID returns the session id the server granted (0 if refused).
func (c *Client) SessionID() int64 { return c.resp.SessionID }

// Conn returns the TCP connection, for tests that write to or close it
// directly.
func (c *Client) Conn() net.Conn { return c.nc }

func (c *Client) readLoop() {
	defer close(c.done)
	defer close(c.frames)
	for {
		body, err := jute.ReadFrame(c.nc, nil, maxFrame)
		if err != nil {
			c.mu.Lock()
			c.readErr = err
			c.mu.Unlock()
			return
		}
		var f Frame
		d := jute.NewDecoder(body)
		f.Header.Decode(d)
		if d.Err() != nil {
			c.mu.Lock()
			c.readErr = fmt.Errorf("reply header: %w", d.Err())
			c.mu.Unlock()
			return
		}
		f.Body = body[d.Offset():]
		// Close drains the channel, so this send cannot block forever.
		c.frames <- f
	}
}

// Frames returns the channel of frames read, closed when the connection
// ends. Use either Frames or Next, not both at once.
func (c *Client) Frames() <-chan Frame { return c.frames }

// ReadErr returns the error that ended the reader (io.EOF when the server
// closed the connection), or nil while it runs.
func (c *Client) ReadErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.readErr
}

// Next returns the next frame. It returns ErrClosed once the connection has
// ended and every frame was returned, or ctx's error.
func (c *Client) Next(ctx context.Context) (Frame, error) {
	select {
	case f, ok := <-c.frames:
		if !ok {
			return Frame{}, ErrClosed
		}
		return f, nil
	case <-ctx.Done():
		return Frame{}, ctx.Err()
	}
}

// Send writes one request: a RequestHeader{xid, op} followed by req's
// encoding (nothing when req is nil).
func (c *Client) Send(xid, op int32, req jute.Record) error {
	b, start := jute.BeginFrame(nil)
	h := jute.RequestHeader{Xid: xid, Type: op}
	b = h.Encode(b)
	if req != nil {
		b = req.Encode(b)
	}
	return c.SendRaw(jute.EndFrame(b, start))
}

// SendBody writes one request whose body is given as raw bytes (possibly
// garbage), after a RequestHeader{xid, op}.
func (c *Client) SendBody(xid, op int32, body []byte) error {
	b, start := jute.BeginFrame(nil)
	h := jute.RequestHeader{Xid: xid, Type: op}
	b = append(h.Encode(b), body...)
	return c.SendRaw(jute.EndFrame(b, start))
}

// SendRaw writes b as is (it must hold whole frames for the server to make
// sense of it).
func (c *Client) SendRaw(b []byte) error {
	_ = c.nc.SetWriteDeadline(time.Now().Add(handshakeTimeout))
	_, err := c.nc.Write(b)
	return err
}

// Close closes the TCP connection without ending the session (use
// CloseSession first for that) and waits for the reader goroutine. Frames
// not yet returned are dropped. Close is idempotent.
func (c *Client) Close() error {
	err := c.nc.Close()
	// Unblock a reader waiting to hand over a frame.
	for {
		select {
		case _, ok := <-c.frames:
			if !ok {
				<-c.done
				return ignoreClosed(err)
			}
		case <-c.done:
			return ignoreClosed(err)
		}
	}
}

// Done returns a channel closed once the reader goroutine has ended.
func (c *Client) Done() <-chan struct{} { return c.done }

func ignoreClosed(err error) error {
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// CloseSession sends closeSession with xid and closes the connection once
// the server has answered or closed it (or ctx ends). Frames read meanwhile
// are returned, the reply included.
func (c *Client) CloseSession(ctx context.Context, xid int32) ([]Frame, error) {
	if err := c.Send(xid, jute.OpCloseSession, nil); err != nil {
		_ = c.Close()
		return nil, err
	}
	var got []Frame
	for {
		f, err := c.Next(ctx)
		if err != nil {
			_ = c.Close()
			if errors.Is(err, ErrClosed) {
				return got, nil
			}
			return got, err
		}
		got = append(got, f)
	}
}
