package realzk

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// fourLetterTimeout bounds one four-letter-word exchange when ctx has no
// earlier deadline.
const fourLetterTimeout = 5 * time.Second

// fourLetter sends cmd to the server at addr and returns everything it
// answers before closing the connection.
func fourLetter(ctx context.Context, addr, cmd string) (string, error) {
	if len(cmd) != 4 {
		return "", fmt.Errorf("realzk: four-letter word %q: must be 4 characters", cmd)
	}
	deadline := time.Now().Add(fourLetterTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("realzk: %s %s: %w", cmd, addr, err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(deadline); err != nil {
		return "", fmt.Errorf("realzk: %s %s: %w", cmd, addr, err)
	}
	// Unblock the exchange if ctx is cancelled before the deadline.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := io.WriteString(conn, cmd); err != nil {
		return "", fmt.Errorf("realzk: %s %s: %w", cmd, addr, err)
	}
	b, err := io.ReadAll(io.LimitReader(conn, 1<<20))
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return string(b), fmt.Errorf("realzk: %s %s: %w", cmd, addr, err)
	}
	return string(b), nil
}

// parseMode extracts the value of the "Mode:" line of a srvr/stat answer
// ("standalone", "leader", "follower", "observer"), or "" if there is none
// (a server that is not serving answers "This ZooKeeper instance is not
// currently serving requests").
func parseMode(srvr string) string {
	sc := bufio.NewScanner(strings.NewReader(srvr))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Mode:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
