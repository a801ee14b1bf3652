package testserver

import (
	"fmt"
	"strings"
	"time"
)

// fourLetterWords are the commands a 3.8 server recognises in place of a
// handshake.
var fourLetterWords = map[string]bool{
	"ruok": true, "dump": true, "conf": true, "envi": true, "srst": true,
	"stmk": true, "gtmk": true, "isro": true, "stat": true, "srvr": true,
	"wchs": true, "wchc": true, "wchp": true, "mntr": true, "dirs": true,
	"cons": true, "crst": true, "hash": true,
}

// parseFourLetterWhitelist reads a whitelist as
// FourLetterCommands.isEnabled does: comma-separated, trimmed, "*" for
// every known word; "srvr" is always added.
func parseFourLetterWhitelist(words []string) map[string]bool {
	set := map[string]bool{"srvr": true}
	for _, w := range words {
		for _, cmd := range strings.Split(w, ",") {
			cmd = strings.TrimSpace(cmd)
			if cmd == "*" {
				for k := range fourLetterWords {
					set[k] = true
				}
				continue
			}
			if cmd != "" {
				set[cmd] = true
			}
		}
	}
	return set
}

func fourLetterWord(b [4]byte) (string, bool) {
	w := string(b[:])
	return w, fourLetterWords[w]
}

// serveFourLetter writes the answer to a four-letter word and closes the
// connection. Implemented: ruok, isro, srvr, stat, mntr, cons, conf, dump, wchs;
// the others, and every word not whitelisted (WithFourLetterWords), get
// the "not in the whitelist" answer.
func (s *Server) serveFourLetter(c *conn, cmd string) {
	var out string
	word := cmd
	isro := cmd == "isro" && (s.cfg.readOnlyMode || s.ro.on.Load())
	if !s.cfg.fourLetter[cmd] && !isro {
		cmd = "" // not enabled: the default answer below
	}
	switch cmd {
	case "ruok":
		out = "imok"
	case "isro":
		out = s.isroAnswer()
	case "srvr", "stat":
		out = s.statText(cmd == "stat")
	case "cons":
		out = s.consText(false) + "\n"
	case "mntr":
		out = s.mntrText()
	case "conf":
		out = s.confText()
	case "dump":
		out = s.dumpText()
	case "wchs":
		s.mu.Lock()
		conns := len(s.dataWatches.byConn)
		for cc := range s.childWatches.byConn {
			if _, ok := s.dataWatches.byConn[cc]; !ok {
				conns++
			}
		}
		paths := len(s.dataWatches.table) + len(s.childWatches.table)
		total := s.dataWatches.size() + s.childWatches.size()
		s.mu.Unlock()
		out = fmt.Sprintf("%d connections watching %d paths\nTotal watches:%d\n", conns, paths, total)
	default:
		out = notWhitelisted(word)
	}
	_ = c.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, _ = c.nc.Write([]byte(out))
	c.abort()
}

// notWhitelisted is ZooKeeper's answer (NopCommand) to a word not enabled.
func notWhitelisted(cmd string) string {
	return cmd + " is not executed because it is not in the whitelist.\n"
}

// fullVersion is the version line of srvr, stat and mntr. s.mu is held.
func (s *Server) fullVersion() string {
	return s.ver.full + "-zkcurator-testserver, built on 1970-01-01 00:00 UTC"
}

// consText lists the connections in ZooKeeper's dumpConnectionInfo format.
func (s *Server) consText(brief bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for c := range s.conns {
		if c.isClosed() {
			continue
		}
		fmt.Fprintf(&b, " /%s[1](queued=0,recved=%d,sent=%d", c.remote, c.recv.Load(), c.sent.Load())
		if !brief && c.sess != nil {
			fmt.Fprintf(&b, ",sid=0x%x,lop=%s,est=%d,to=%d,lzxid=0x%x,lresp=0,llat=0,minlat=0,avglat=0.0,maxlat=0",
				uint64(c.sess.id), c.lastOp, c.created.UnixMilli(), c.sess.timeout.Milliseconds(), uint64(c.lastZxid))
		}
		b.WriteString(")\n")
	}
	return b.String()
}

func (s *Server) statText(withClients bool) string {
	var b strings.Builder
	s.mu.Lock()
	fmt.Fprintf(&b, "Zookeeper version: %s\n", s.fullVersion())
	s.mu.Unlock()
	if withClients {
		b.WriteString("Clients:\n")
		b.WriteString(s.consText(true))
		b.WriteString("\n")
	}
	s.mu.Lock()
	conns := len(s.conns)
	zxid := s.zxid
	nodes := len(s.tree.nodes) + 1 // DataTree counts the root twice
	s.mu.Unlock()
	fmt.Fprintf(&b, "Latency min/avg/max: 0/0.0/0\nReceived: %d\nSent: %d\nConnections: %d\nOutstanding: 0\nZxid: 0x%x\nMode: standalone\nNode count: %d\n",
		s.packetsRecv.Load(), s.packetsSent.Load(), conns, uint64(zxid), nodes)
	return b.String()
}

func (s *Server) mntrText() string {
	s.mu.Lock()
	ephemerals := 0
	for _, set := range s.tree.ephemerals {
		ephemerals += set.Len()
	}
	var dataSize int
	for p, n := range s.tree.nodes {
		dataSize += len(p) + len(n.data)
	}
	kv := [][2]any{
		{"zk_version", s.fullVersion()},
		{"zk_server_state", "standalone"},
		{"zk_ephemerals_count", ephemerals},
		{"zk_num_alive_connections", len(s.conns)},
		{"zk_avg_latency", "0.0"},
		{"zk_outstanding_requests", 0},
		{"zk_znode_count", len(s.tree.nodes) + 1},
		{"zk_global_sessions", len(s.sessions)},
		{"zk_packets_sent", s.packetsSent.Load()},
		{"zk_packets_received", s.packetsRecv.Load()},
		{"zk_watch_count", s.dataWatches.size() + s.childWatches.size()},
		{"zk_min_latency", 0},
		{"zk_max_latency", 0},
		{"zk_approximate_data_size", dataSize},
		{"zk_local_sessions", 0},
		{"zk_uptime", time.Since(s.started).Milliseconds()},
	}
	s.mu.Unlock()
	var b strings.Builder
	for _, e := range kv {
		fmt.Fprintf(&b, "%s\t%v\n", e[0], e[1])
	}
	return b.String()
}

func (s *Server) confText() string {
	port := s.addr[strings.LastIndexByte(s.addr, ':')+1:]
	return fmt.Sprintf("clientPort=%s\nsecureClientPort=-1\ndataDir=/dev/null\ndataDirSize=0\ndataLogDir=/dev/null\ndataLogSize=0\n"+
		"tickTime=%d\nmaxClientCnxns=%d\nminSessionTimeout=%d\nmaxSessionTimeout=%d\nclientPortListenBacklog=-1\nserverId=0\n",
		port, s.cfg.tick.Milliseconds(), s.cfg.maxClientConns, s.minTimeout.Milliseconds(), s.maxTimeout.Milliseconds())
}
