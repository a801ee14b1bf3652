package testserver

// javaSet reproduces the iteration order of a java.util.HashSet<String>
// (a java.util.HashMap underneath, as in OpenJDK 8 to 25) for the same
// history of adds and removes, so that the embedded server lists children
// and ephemeral nodes in the order a real ZooKeeper does. It is a port of
// the parts of HashMap that decide the order:
//
//   - a key's hash is Java's String.hashCode (over UTF-16 code units),
//     spread as HashMap.hash does: h ^ (h >>> 16);
//   - the table is allocated on the first add, with the capacity given at
//     construction rounded up to a power of two (HashMap(int)), or 16
//     (HashMap()); the load factor is 0.75;
//   - the table doubles when the size passes the threshold; a resize
//     splits every bucket into a low and a high bucket, each keeping its
//     keys' relative order; removes never shrink the table;
//   - a bucket is a chain in insertion order; when a chain reaches 9 keys
//     the table is resized if it has fewer than 64 buckets, else the
//     bucket becomes a red-black tree bin (TreeNode), whose iteration order
//     (its next links) changes as the tree is balanced: the root is moved
//     to the front, a new key goes right after its tree parent, and a
//     bin that shrinks is turned back into a chain.
//
// Keys are distinct Strings, so TreeNode's tieBreakOrder (identity hash
// codes) is never reached: order in a tree is by hash, then compareTo.
type javaSet struct {
	table     []*jnode
	size      int
	threshold int // the capacity to allocate while table is nil
}

// jnode is HashMap.Node, or HashMap.TreeNode when tree is set.
type jnode struct {
	hash int32
	key  string
	next *jnode

	tree                      bool
	parent, left, right, prev *jnode
	red                       bool
}

// HashMap constants.
const (
	javaDefaultCapacity = 16
	javaTreeifyAt       = 8 // TREEIFY_THRESHOLD
	javaUntreeifyAt     = 6 // UNTREEIFY_THRESHOLD
	javaMinTreeifyCap   = 64
)

// newJavaSet returns the set new HashSet<String>(capacity) makes; capacity
// 0 is the no-argument constructor (16 buckets).
func newJavaSet(capacity int) *javaSet {
	s := &javaSet{}
	if capacity > 0 {
		s.threshold = javaTableSizeFor(capacity)
	}
	return s
}

// javaTableSizeFor is HashMap.tableSizeFor: the smallest power of two >= c
// (1 for c <= 1).
func javaTableSizeFor(c int) int {
	n := 1
	for n < c {
		n <<= 1
	}
	return n
}

// javaSpreadHash is HashMap.hash of a String key.
func javaSpreadHash(key string) int32 {
	h := javaStringHash(key)
	return h ^ int32(uint32(h)>>16)
}

// javaCompare is String.compareTo's sign. Valid ZooKeeper names hold no
// surrogates, where UTF-8 byte order and UTF-16 order could differ.
func javaCompare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (s *javaSet) index(h int32) int { return int(h) & (len(s.table) - 1) }

// Len returns the number of keys.
func (s *javaSet) Len() int {
	if s == nil {
		return 0
	}
	return s.size
}

// Has reports whether key is in the set (HashMap.getNode).
func (s *javaSet) Has(key string) bool {
	if s == nil || len(s.table) == 0 {
		return false
	}
	h := javaSpreadHash(key)
	first := s.table[s.index(h)]
	if first == nil {
		return false
	}
	if first.hash == h && first.key == key {
		return true
	}
	if first.tree {
		return first.treeRoot().find(h, key) != nil
	}
	for e := first.next; e != nil; e = e.next {
		if e.hash == h && e.key == key {
			return true
		}
	}
	return false
}

// Add adds key and reports whether it was new.
func (s *javaSet) Add(key string) bool { return s.put(javaSpreadHash(key), key) }

// put is HashMap.putVal.
func (s *javaSet) put(h int32, key string) bool {
	if len(s.table) == 0 {
		s.resize()
	}
	i := s.index(h)
	p := s.table[i]
	switch {
	case p == nil:
		s.table[i] = &jnode{hash: h, key: key}
	case p.hash == h && p.key == key:
		return false
	case p.tree:
		if !s.putTreeVal(p, h, key) {
			return false
		}
	default:
		for binCount := 0; ; binCount++ {
			e := p.next
			if e == nil {
				p.next = &jnode{hash: h, key: key}
				if binCount >= javaTreeifyAt-1 {
					s.treeifyBin(h)
				}
				break
			}
			if e.hash == h && e.key == key {
				return false
			}
			p = e
		}
	}
	s.size++
	if s.size > s.threshold {
		s.resize()
	}
	return true
}

// Remove removes key and reports whether it was there (HashMap.removeNode
// with movable=true).
func (s *javaSet) Remove(key string) bool {
	if s == nil || len(s.table) == 0 {
		return false
	}
	h := javaSpreadHash(key)
	i := s.index(h)
	p := s.table[i]
	if p == nil {
		return false
	}
	var node *jnode
	if p.hash == h && p.key == key {
		node = p
	} else if e := p.next; e != nil {
		if p.tree {
			node = p.treeRoot().find(h, key)
		} else {
			for ; e != nil; e = e.next {
				if e.hash == h && e.key == key {
					node = e
					break
				}
				p = e
			}
		}
	}
	if node == nil {
		return false
	}
	switch {
	case node.tree:
		s.removeTreeNode(node)
	case node == p:
		s.table[i] = node.next
	default:
		p.next = node.next
	}
	s.size--
	return true
}

// resize is HashMap.resize (capacities below MAXIMUM_CAPACITY).
func (s *javaSet) resize() {
	oldTab := s.table
	oldCap, oldThr := len(oldTab), s.threshold
	var newCap, newThr int
	switch {
	case oldCap > 0:
		newCap = oldCap << 1
		if oldCap >= javaDefaultCapacity {
			newThr = oldThr << 1
		}
	case oldThr > 0:
		newCap = oldThr
	default:
		newCap, newThr = javaDefaultCapacity, javaDefaultCapacity*3/4
	}
	if newThr == 0 {
		newThr = int(float32(newCap) * 0.75)
	}
	s.threshold = newThr
	s.table = make([]*jnode, newCap)
	for j, e := range oldTab {
		switch {
		case e == nil:
		case e.next == nil:
			s.table[int(e.hash)&(newCap-1)] = e
		case e.tree:
			s.split(e, j, oldCap)
		default:
			var loHead, loTail, hiHead, hiTail *jnode
			for e != nil {
				next := e.next
				if int(e.hash)&oldCap == 0 {
					if loTail == nil {
						loHead = e
					} else {
						loTail.next = e
					}
					loTail = e
				} else {
					if hiTail == nil {
						hiHead = e
					} else {
						hiTail.next = e
					}
					hiTail = e
				}
				e = next
			}
			if loTail != nil {
				loTail.next = nil
				s.table[j] = loHead
			}
			if hiTail != nil {
				hiTail.next = nil
				s.table[j+oldCap] = hiHead
			}
		}
	}
}

// Each calls f for every key in iteration order.
func (s *javaSet) Each(f func(key string)) {
	if s == nil {
		return
	}
	for _, e := range s.table {
		for ; e != nil; e = e.next {
			f(e.key)
		}
	}
}

// List returns the keys in iteration order (new ArrayList<>(set)).
func (s *javaSet) List() []string {
	out := make([]string, 0, s.Len())
	s.Each(func(k string) { out = append(out, k) })
	return out
}

// Clone is HashSet.clone on Java 17: a new map pre-sized for the current
// size (putMapEntries: tableSizeFor((int)(size/0.75f + 1f))), filled in
// this set's iteration order. Its order can differ from this set's when
// removes left this table larger than the clone's.
func (s *javaSet) Clone() *javaSet {
	c := &javaSet{}
	if s.Len() == 0 {
		return c
	}
	c.threshold = javaTableSizeFor(int(float32(s.size)/float32(0.75) + 1))
	for _, e := range s.table {
		for ; e != nil; e = e.next {
			c.put(e.hash, e.key)
		}
	}
	return c
}
