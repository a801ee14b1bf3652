package testserver

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Quotas as ZooKeeper 3.8's DataTree keeps them. A client (zkCli's
// setquota) marks a path P by creating /zookeeper/quota/P/zookeeper_limits
// and /zookeeper/quota/P/zookeeper_stats. Creating the limits node adds P
// to the set of quota paths; creating the stats node sets its data to the
// node count and data bytes of P's subtree ("count=N,bytes=M"); from then
// on every create, delete and setData under P updates those numbers in the
// stats node's data (without changing its Stat version, as the real server
// does). Deleting the limits node removes P from the set. Limits are not
// enforced, like a real server without zookeeper.enforceQuota.
const (
	quotaRoot      = "/zookeeper/quota"
	quotaLimitNode = "zookeeper_limits"
	quotaStatNode  = "zookeeper_stats"
)

// quotaComponents is PathTrie.split: the path's components, skipping empty
// and blank ones.
func quotaComponents(path string) []string {
	var out []string
	for _, c := range strings.Split(path, "/") {
		if strings.TrimFunc(c, func(r rune) bool { return r <= ' ' }) != "" {
			out = append(out, c)
		}
	}
	return out
}

// quotaKey is the canonical form of a quota path, as PathTrie rebuilds it.
func quotaKey(path string) string { return "/" + strings.Join(quotaComponents(path), "/") }

// maxQuotaPrefix is DataTree.getMaxPrefixWithQuota: the longest quota path
// that is path or one of its ancestors, "" for none (or the root).
func (t *tree) maxQuotaPrefix(path string) string {
	if len(t.quotas) == 0 {
		return ""
	}
	comps := quotaComponents(path)
	best := ""
	for i := range comps {
		k := "/" + strings.Join(comps[:i+1], "/")
		if _, ok := t.quotas[k]; ok {
			best = k
		}
	}
	return best
}

// quotaCreated runs DataTree.createNode's quota steps for a new node.
func (t *tree) quotaCreated(path, parent, child string, dataLen int) {
	if strings.HasPrefix(parent, quotaRoot) {
		trimmed := parent[len(quotaRoot):]
		if child == quotaLimitNode && trimmed != "" {
			t.quotas[quotaKey(trimmed)] = struct{}{}
		}
		if child == quotaStatNode {
			t.recountQuota(trimmed)
		}
	}
	if p := t.maxQuotaPrefix(path); p != "" {
		t.updateQuotaStat(p, int64(dataLen), 1)
	}
}

// quotaDeleted runs DataTree.deleteNode's quota steps for a removed node.
func (t *tree) quotaDeleted(path, parent, child string, dataLen int) {
	if strings.HasPrefix(parent, "/zookeeper") && child == quotaLimitNode && len(parent) > len(quotaRoot) {
		delete(t.quotas, quotaKey(parent[len(quotaRoot):]))
	}
	if p := t.maxQuotaPrefix(path); p != "" {
		t.updateQuotaStat(p, -int64(dataLen), -1)
	}
}

// setData replaces a node's data, updating the quota stats above it
// (DataTree.setData).
func (t *tree) setData(path string, n *node, data []byte) {
	old := len(n.data)
	n.data = data
	if p := t.maxQuotaPrefix(path); p != "" {
		t.updateQuotaStat(p, int64(len(data)-old), 0)
	}
}

// recountQuota is DataTree.updateQuotaForPath: the stats node of quota path
// p gets the count and bytes of p's subtree.
func (t *tree) recountQuota(p string) {
	var count, bytes int64
	var walk func(path string)
	walk = func(path string) {
		n := t.get(path)
		if n == nil {
			return
		}
		count++
		bytes += int64(len(n.data))
		n.children.Each(func(c string) {
			if path == "/" || path == "" {
				walk("/" + c)
			} else {
				walk(path + "/" + c)
			}
		})
	}
	walk(p)
	if st := t.nodes[quotaRoot+p+"/"+quotaStatNode]; st != nil {
		st.data = statsTrack{"count": count, "bytes": bytes}.bytes()
	}
}

// updateQuotaStat is DataTree.updateQuotaStat.
func (t *tree) updateQuotaStat(p string, bytesDiff, countDiff int64) {
	st := t.nodes[quotaRoot+p+"/"+quotaStatNode]
	if st == nil {
		return // the real server logs "Missing node for stat"
	}
	s := parseStatsTrack(string(st.data))
	s["count"] = s.get("count") + countDiff
	s["bytes"] = s.get("bytes") + bytesDiff
	st.data = s.bytes()
}

// setupQuotas is DataTree.setupQuota, run after a tree is loaded: every
// zookeeper_limits leaf under /zookeeper/quota marks its path, whose stats
// are recounted.
func (t *tree) setupQuotas() {
	clear(t.quotas)
	for path := range t.nodes {
		if !strings.HasPrefix(path, quotaRoot+"/") || !strings.HasSuffix(path, "/"+quotaLimitNode) {
			continue
		}
		if t.nodes[path].numChildren() != 0 {
			continue
		}
		real := strings.TrimSuffix(path[len(quotaRoot):], "/"+quotaLimitNode)
		if real == "" {
			continue
		}
		t.recountQuota(real)
		t.quotas[quotaKey(real)] = struct{}{}
	}
}

// statsTrack is org.apache.zookeeper.StatsTrack: key=value pairs.
type statsTrack map[string]int64

// parseStatsTrack parses "count=N,bytes=M" and the 3.7+ form with hard
// limits ("count=N,bytes=M=;countHardLimit=..."). Pairs the Java parser
// would throw on are skipped.
func parseStatsTrack(s string) statsTrack {
	st := statsTrack{}
	if s == "" {
		return st
	}
	for _, pair := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		kv := strings.Split(pair, "=")
		for len(kv) > 0 && kv[len(kv)-1] == "" { // Java's split drops trailing empties
			kv = kv[:len(kv)-1]
		}
		if len(kv) < 2 {
			continue
		}
		v := kv[1]
		if v == "" {
			v = "-1"
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			continue
		}
		st[kv[0]] = n
	}
	return st
}

// get returns a value, -1 when absent (StatsTrack.getValue).
func (s statsTrack) get(k string) int64 {
	if v, ok := s[k]; ok {
		return v
	}
	return -1
}

// String is StatsTrack.toString: count and bytes first, then any other key
// sorted, after an extra "=" that old parsers ignore.
func (s statsTrack) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "count=%d,bytes=%d", s.get("count"), s.get("bytes"))
	var extra []string
	for k := range s {
		if k != "count" && k != "bytes" {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		b.WriteString("=")
		slices.Sort(extra)
		for _, k := range extra {
			fmt.Fprintf(&b, ";%s=%d", k, s[k])
		}
	}
	return b.String()
}

func (s statsTrack) bytes() []byte { return []byte(s.String()) }
