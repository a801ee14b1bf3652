package testserver

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// javaDateLayout is java.util.Date.toString's format.
const javaDateLayout = "Mon Jan 02 15:04:05 MST 2006"

// dumpText answers the dump four-letter word as ZooKeeper 3.8's
// DumpCommand does: the session tracker's expiry sets (sessions grouped by
// their expiry time, rounded up to the next tick as ExpiryQueue does),
// the ephemeral nodes of each session that has had one, and the
// connections grouped the same way (NIOServerCnxnFactory's 10s buckets).
// Within a set the real server's order is that of identity hashes, here it
// is by session id; and the real server rounds on its monotonic clock, so
// its expiry times are not on round wall-clock seconds as these are.
func (s *Server) dumpText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	// ExpiryQueue.roundToNextInterval: sessions are bucketed by tick,
	// NIO connections by the 10s sessionless-connection timeout.
	expiry := func(sess *session, interval int64) int64 {
		at := sess.lastHeard.Add(sess.timeout).UnixMilli()
		return (at/interval + 1) * interval
	}
	tick := s.cfg.tick.Milliseconds()
	ids := slices.Sorted(maps.Keys(s.sessions))
	writeSets := func(title string, items map[int64][]string, n int) {
		times := slices.Sorted(maps.Keys(items))
		fmt.Fprintf(&b, "%s Sets (%d)/(%d):\n", title, len(times), n)
		for _, at := range times {
			fmt.Fprintf(&b, "%d expire at %s:\n", len(items[at]), time.UnixMilli(at).Format(javaDateLayout))
			for _, it := range items[at] {
				fmt.Fprintf(&b, "\t%s\n", it)
			}
		}
	}

	b.WriteString("SessionTracker dump:\n")
	sets := map[int64][]string{}
	for _, id := range ids {
		at := expiry(s.sessions[id], tick)
		sets[at] = append(sets[at], hexID(id))
	}
	writeSets("Session", sets, len(ids))

	b.WriteString("ephemeral nodes dump:\n")
	owners := slices.Sorted(maps.Keys(s.tree.ephemerals))
	fmt.Fprintf(&b, "Sessions with Ephemerals (%d):\n", len(owners))
	for _, id := range owners {
		fmt.Fprintf(&b, "%s:\n", hexID(id))
		s.tree.ephemerals[id].Each(func(p string) { fmt.Fprintf(&b, "\t%s\n", p) })
	}

	b.WriteString("Connections dump:\n")
	conns := map[int64][]string{}
	n := 0
	for c := range s.conns {
		if c.isClosed() {
			continue
		}
		// A connection without a session (this one, for instance) is
		// listed with id 0 and the sessionless timeout.
		var at, id int64
		if c.sess != nil {
			at, id = expiry(c.sess, 10000), c.sess.id
		} else {
			at = (c.created.Add(10*time.Second).UnixMilli()/10000 + 1) * 10000
		}
		conns[at] = append(conns[at], fmt.Sprintf("ip: /%s sessionId: %s", c.remote, hexID(id)))
		n++
	}
	for _, v := range conns {
		slices.Sort(v)
	}
	writeSets("Connections", conns, n)
	return b.String()
}
