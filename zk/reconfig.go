package zk

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/zkcurator/zkcurator/jute"
)

// ConfigNode is the node that holds the ensemble's dynamic configuration.
// It is read outside any chroot or namespace.
const ConfigNode = "/zookeeper/config"

// ServerSpec is one "server.N=..." line of a dynamic configuration:
// server.<ID>=<Host>:<QuorumPort>:<ElectionPort>[:<Role>][;[<ClientHost>:]<ClientPort>].
type ServerSpec struct {
	ID           int64
	Host         string // quorum address host
	QuorumPort   int
	ElectionPort int
	Role         string // "participant" (the default) or "observer"
	ClientHost   string // "" when the line has no client address
	ClientPort   int    // 0 when the line has no client address
}

// ClientAddr returns the client address ("host:port") clients connect to,
// "" when the line has none. A wildcard client host (0.0.0.0, ::) or a
// missing one stands for the quorum address's host, as in Curator's
// EnsembleTracker.
func (s ServerSpec) ClientAddr() string {
	if s.ClientPort == 0 {
		return ""
	}
	h := s.ClientHost
	if ip := net.ParseIP(h); h == "" || (ip != nil && ip.IsUnspecified()) {
		h = s.Host
	}
	return net.JoinHostPort(h, strconv.Itoa(s.ClientPort))
}

// String formats s as the right-hand side of its config line, the form
// Reconfig's joining list takes after "server.N=".
func (s ServerSpec) String() string {
	b := fmt.Sprintf("%s:%d:%d", hostForConfig(s.Host), s.QuorumPort, s.ElectionPort)
	if s.Role != "" {
		b += ":" + s.Role
	}
	if s.ClientPort != 0 {
		b += ";"
		if s.ClientHost != "" {
			b += hostForConfig(s.ClientHost) + ":"
		}
		b += strconv.Itoa(s.ClientPort)
	}
	return b
}

func hostForConfig(h string) string {
	if strings.Contains(h, ":") {
		return "[" + h + "]"
	}
	return h
}

// EnsembleConfig is a parsed dynamic configuration (the data of
// ConfigNode).
type EnsembleConfig struct {
	Servers []ServerSpec
	// Version is the configuration version (the "version=" line, hex): the
	// fromConfig of a conditional Reconfig. 0 when absent.
	Version int64
	Raw     string // the node's data as read
}

// ClientServers returns the client addresses of every server that has one
// (participants and observers), in ID order of the config lines.
func (c *EnsembleConfig) ClientServers() []string {
	var out []string
	for _, s := range c.Servers {
		if a := s.ClientAddr(); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// ParseConfig parses the data of ConfigNode. Blank lines and keys other
// than server.N and version are ignored; a malformed server line or
// version is an error wrapping ErrBadArguments.
func ParseConfig(data []byte) (*EnsembleConfig, error) {
	cfg := &EnsembleConfig{Raw: string(data)}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch {
		case key == "version":
			v, err := strconv.ParseInt(val, 16, 64)
			if err != nil {
				return nil, fmt.Errorf("zk: config: version %q: %w", val, ErrBadArguments)
			}
			cfg.Version = v
		case strings.HasPrefix(key, "server."):
			id, err := strconv.ParseInt(strings.TrimPrefix(key, "server."), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("zk: config: %q: %w", line, ErrBadArguments)
			}
			s, err := parseServerSpec(val)
			if err != nil {
				return nil, fmt.Errorf("zk: config: %q: %w: %w", line, ErrBadArguments, err)
			}
			s.ID = id
			cfg.Servers = append(cfg.Servers, s)
		}
	}
	return cfg, nil
}

// parseServerSpec parses host:quorum:election[:role][;[clientHost:]clientPort].
func parseServerSpec(v string) (ServerSpec, error) {
	var s ServerSpec
	quorum, client, hasClient := strings.Cut(v, ";")
	host, rest, err := splitHost(quorum)
	if err != nil {
		return s, err
	}
	parts := strings.Split(rest, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return s, fmt.Errorf("want host:quorumPort:electionPort[:role]")
	}
	s.Host = host
	if s.QuorumPort, err = port(parts[0]); err != nil {
		return s, err
	}
	if s.ElectionPort, err = port(parts[1]); err != nil {
		return s, err
	}
	if len(parts) == 3 {
		s.Role = parts[2]
	}
	if hasClient {
		client = strings.TrimSpace(client)
		if i := strings.LastIndexByte(client, ':'); i >= 0 {
			s.ClientHost = strings.Trim(client[:i], "[]")
			client = client[i+1:]
		}
		if s.ClientPort, err = port(client); err != nil {
			return s, err
		}
	}
	return s, nil
}

// splitHost splits "host:rest" or "[v6]:rest".
func splitHost(v string) (host, rest string, err error) {
	if strings.HasPrefix(v, "[") {
		i := strings.Index(v, "]:")
		if i < 0 {
			return "", "", fmt.Errorf("bad address %q", v)
		}
		return v[1:i], v[i+2:], nil
	}
	host, rest, ok := strings.Cut(v, ":")
	if !ok || host == "" {
		return "", "", fmt.Errorf("bad address %q", v)
	}
	return host, rest, nil
}

func port(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("bad port %q", s)
	}
	return n, nil
}

// GetConfig reads the ensemble's dynamic configuration (ConfigNode, outside
// the chroot). A server without dynamic configuration returns an empty
// config.
func (c *Conn) GetConfig(ctx context.Context) (*EnsembleConfig, *Stat, error) {
	resp := &jute.GetDataResponse{}
	if err := c.do(ctx, newRequest(jute.OpGetData, &jute.GetDataRequest{Path: ConfigNode}, resp)); err != nil {
		return nil, nil, wrapErr("getconfig", ConfigNode, err)
	}
	return parsedConfig(resp)
}

// GetConfigW is GetConfig that also sets a one-shot watch on ConfigNode:
// the channel gets one event when the configuration changes (or
// EventNotWatching when the session ends).
func (c *Conn) GetConfigW(ctx context.Context) (*EnsembleConfig, *Stat, <-chan Event, error) {
	ch := make(chan Event, 1)
	resp := &jute.GetDataResponse{}
	r := newRequest(jute.OpGetData, &jute.GetDataRequest{Path: ConfigNode, Watch: true}, resp)
	r.watch = &watchReg{kind: watchData, path: ConfigNode, spath: ConfigNode, oneshot: &oneShot{ch: ch}}
	if err := c.do(ctx, r); err != nil {
		return nil, nil, nil, wrapErr("getconfig", ConfigNode, err)
	}
	cfg, st, err := parsedConfig(resp)
	return cfg, st, ch, err
}

func parsedConfig(resp *jute.GetDataResponse) (*EnsembleConfig, *Stat, error) {
	cfg, err := ParseConfig(resp.Data)
	if err != nil {
		return nil, nil, err
	}
	return cfg, statOf(&resp.Stat), nil
}

// reconfigRequest is ReconfigRequest; an empty list is sent as null, as
// the Java client does (newMembers null means incremental).
type reconfigRequest struct {
	joining, leaving, newMembers []string
	curConfigID                  int64
}

func (r *reconfigRequest) Encode(b []byte) []byte {
	for _, l := range [][]string{r.joining, r.leaving, r.newMembers} {
		if len(l) == 0 {
			b = jute.AppendInt(b, -1)
		} else {
			b = jute.AppendString(b, strings.Join(l, ","))
		}
	}
	return jute.AppendLong(b, r.curConfigID)
}

func (r *reconfigRequest) Decode(d *jute.Decoder) {}

// Reconfig changes the ensemble's membership (ZooKeeper's reconfig, op 16)
// and returns the new configuration. Incremental: joining lists servers to
// add ("server.4=host:2888:3888:participant;2181" each) and leaving the
// IDs to remove ("3"); non-incremental: newMembers lists the whole new
// membership (then joining and leaving must be empty). fromConfig is the
// config version the change is based on, or -1 for any. The server must
// run with reconfigEnabled=true (else ErrReconfigDisabled) and the caller
// must be allowed to write ConfigNode (a super user, or skipACL); other
// failures: ErrNewConfigNoQuorum (the new members are not up),
// ErrReconfigInProgress, ErrBadVersion (fromConfig is stale),
// ErrBadArguments.
func (c *Conn) Reconfig(ctx context.Context, joining, leaving, newMembers []string, fromConfig int64) (*EnsembleConfig, *Stat, error) {
	if len(newMembers) > 0 && (len(joining) > 0 || len(leaving) > 0) {
		return nil, nil, wrapErr("reconfig", "", fmt.Errorf("%w: newMembers with joining or leaving", ErrBadArguments))
	}
	if len(newMembers) == 0 && len(joining) == 0 && len(leaving) == 0 {
		return nil, nil, wrapErr("reconfig", "", fmt.Errorf("%w: nothing to change", ErrBadArguments))
	}
	resp := &jute.GetDataResponse{}
	req := &reconfigRequest{joining: joining, leaving: leaving, newMembers: newMembers, curConfigID: fromConfig}
	if err := c.do(ctx, newRequest(jute.OpReconfig, req, resp)); err != nil {
		return nil, nil, wrapErr("reconfig", "", err)
	}
	return parsedConfig(resp)
}
