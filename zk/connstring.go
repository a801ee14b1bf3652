package zk

import (
	"fmt"
	"net"
	"strings"
)

// DefaultPort is the port used for a host given without one.
const DefaultPort = "2181"

// parseConnectString splits "h1:2181,h2:2181/chroot" into host:port pairs
// and the chroot ("" when there is none, or when it is "/").
func parseConnectString(s string) (hosts []string, chroot string, err error) {
	hostPart := s
	if i := strings.IndexByte(s, '/'); i >= 0 {
		hostPart, chroot = s[:i], s[i:]
		if chroot == "/" {
			chroot = ""
		} else if err := ValidatePath(chroot, false); err != nil {
			return nil, "", fmt.Errorf("zk: connect string %q: chroot: %w", s, err)
		}
	}
	for _, h := range strings.Split(hostPart, ",") {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(h); err != nil {
			// No port (or a bare IPv6 address): add the default port.
			h = net.JoinHostPort(strings.Trim(h, "[]"), DefaultPort)
			if _, _, err := net.SplitHostPort(h); err != nil {
				return nil, "", fmt.Errorf("zk: connect string %q: bad host %q", s, h)
			}
		}
		hosts = append(hosts, h)
	}
	if len(hosts) == 0 {
		return nil, "", fmt.Errorf("zk: connect string %q: no hosts", s)
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

// stripChroot removes the chroot from a server path.
func stripChroot(chroot, p string) string {
	if chroot == "" {
		return p
	}
	if p == chroot {
		return "/"
	}
	if strings.HasPrefix(p, chroot+"/") {
		return p[len(chroot):]
	}
	return p
}
