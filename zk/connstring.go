package zk

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// DefaultPort is the port used for a host given without one.
const DefaultPort = "2181"

// parseConnectString splits "h1:2181,h2:2181/chroot" into host:port pairs
// and the chroot ("" when there is none, or when it is "/"). A host
// without a port gets DefaultPort. Every error wraps
// ErrInvalidConnectString: an empty host (",," or ":2181"), a port that is
// not a number in 1..65535, an empty or invalid chroot segment.
func parseConnectString(s string) (hosts []string, chroot string, err error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("zk: connect string %q: %w: "+format, append([]any{s, ErrInvalidConnectString}, args...)...)
	}
	hostPart := s
	if i := strings.IndexByte(s, '/'); i >= 0 {
		hostPart, chroot = s[:i], s[i:]
		if chroot == "/" {
			chroot = ""
		} else if err := ValidatePath(chroot, false); err != nil {
			return nil, "", fmt.Errorf("zk: connect string %q: %w: chroot: %w", s, ErrInvalidConnectString, err)
		}
	}
	if strings.TrimSpace(hostPart) == "" {
		return nil, "", bad("no hosts")
	}
	for _, h := range strings.Split(hostPart, ",") {
		h = strings.TrimSpace(h)
		if h == "" {
			return nil, "", bad("empty host")
		}
		host, port, err := net.SplitHostPort(h)
		if err != nil {
			// No port (or a bare IPv6 address): add the default port.
			host, port = strings.Trim(h, "[]"), DefaultPort
			h = net.JoinHostPort(host, port)
			if _, _, err := net.SplitHostPort(h); err != nil {
				return nil, "", bad("bad host %q", h)
			}
		}
		if host == "" {
			return nil, "", bad("host %q: empty host name", h)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return nil, "", bad("host %q: port %q is not a number in 1..65535", h, port)
		}
		hosts = append(hosts, h)
	}
	return hosts, chroot, nil
}

// chrootPath prefixes the chroot to a client path ("/" maps to the chroot).
func chrootPath(chroot, p string) string {
	if chroot == "" {
		return p
	}
	if p == "/" {
		return chroot
	}
	return chroot + p
}

// stripChroot removes the chroot from a server path. A path outside the
// chroot is returned unchanged; callers that must not see one use
// underChroot.
func stripChroot(chroot, p string) string {
	if cp, ok := underChroot(chroot, p); ok {
		return cp
	}
	return p
}

// underChroot returns the client path of server path p and true, or false
// when p is outside the chroot ("/other" or "/application" for chroot
// "/app"): such a path has no client path and must not reach the caller.
func underChroot(chroot, p string) (string, bool) {
	switch {
	case chroot == "":
		return p, true
	case p == chroot:
		return "/", true
	case len(p) > len(chroot) && p[len(chroot)] == '/' && strings.HasPrefix(p, chroot):
		return p[len(chroot):], true
	}
	return "", false
}
