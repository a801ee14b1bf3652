package testserver

// The tree bins of javaSet: a port of java.util.HashMap.TreeNode, keyed by
// distinct Strings. Only the order of the next links matters to callers,
// but that order depends on the red-black balancing, so all of it is here.

// treeRoot is TreeNode.root.
func (n *jnode) treeRoot() *jnode {
	r := n
	for r.parent != nil {
		r = r.parent
	}
	return r
}

// find is TreeNode.find for a String key.
func (n *jnode) find(h int32, key string) *jnode {
	p := n
	for p != nil {
		pl, pr := p.left, p.right
		switch {
		case p.hash > h:
			p = pl
		case p.hash < h:
			p = pr
		case p.key == key:
			return p
		case pl == nil:
			p = pr
		case pr == nil:
			p = pl
		default:
			if javaCompare(key, p.key) < 0 {
				p = pl
			} else {
				p = pr
			}
		}
	}
	return nil
}

// dirOf orders key h/k against tree node p (hash, then compareTo).
func dirOf(h int32, k string, p *jnode) int {
	switch {
	case p.hash > h:
		return -1
	case p.hash < h:
		return 1
	}
	return javaCompare(k, p.key)
}

// treeifyBin is HashMap.treeifyBin.
func (s *javaSet) treeifyBin(h int32) {
	if len(s.table) < javaMinTreeifyCap {
		s.resize()
		return
	}
	i := s.index(h)
	var hd, tl *jnode
	for e := s.table[i]; e != nil; e = e.next {
		e.tree = true
		e.prev, e.parent, e.left, e.right, e.red = tl, nil, nil, nil, false
		if tl == nil {
			hd = e
		}
		tl = e
	}
	if s.table[i] = hd; hd != nil {
		s.treeify(hd)
	}
}

// treeify is TreeNode.treeify on the bin headed by hd.
func (s *javaSet) treeify(hd *jnode) {
	var root *jnode
	for x := hd; x != nil; x = x.next {
		x.left, x.right = nil, nil
		if root == nil {
			x.parent, x.red = nil, false
			root = x
			continue
		}
		for p := root; ; {
			dir := dirOf(x.hash, x.key, p)
			xp := p
			if dir <= 0 {
				p = p.left
			} else {
				p = p.right
			}
			if p == nil {
				x.parent = xp
				if dir <= 0 {
					xp.left = x
				} else {
					xp.right = x
				}
				root = balanceInsertion(root, x)
				break
			}
		}
	}
	s.moveRootToFront(root)
}

// untreeify is TreeNode.untreeify: plain nodes in next order.
func untreeify(hd *jnode) *jnode {
	var head, tail *jnode
	for q := hd; q != nil; q = q.next {
		p := &jnode{hash: q.hash, key: q.key}
		if tail == nil {
			head = p
		} else {
			tail.next = p
		}
		tail = p
	}
	return head
}

// putTreeVal is TreeNode.putTreeVal; it reports whether key was added.
func (s *javaSet) putTreeVal(first *jnode, h int32, key string) bool {
	root := first.treeRoot()
	for p := root; ; {
		if p.hash == h && p.key == key {
			return false
		}
		dir := dirOf(h, key, p)
		xp := p
		if dir <= 0 {
			p = p.left
		} else {
			p = p.right
		}
		if p == nil {
			xpn := xp.next
			x := &jnode{hash: h, key: key, next: xpn, tree: true}
			if dir <= 0 {
				xp.left = x
			} else {
				xp.right = x
			}
			xp.next = x
			x.parent, x.prev = xp, xp
			if xpn != nil {
				xpn.prev = x
			}
			s.moveRootToFront(balanceInsertion(root, x))
			return true
		}
	}
}

// moveRootToFront is TreeNode.moveRootToFront.
func (s *javaSet) moveRootToFront(root *jnode) {
	if root == nil || len(s.table) == 0 {
		return
	}
	i := s.index(root.hash)
	first := s.table[i]
	if root == first {
		return
	}
	s.table[i] = root
	rp, rn := root.prev, root.next
	if rn != nil {
		rn.prev = rp
	}
	if rp != nil {
		rp.next = rn
	}
	if first != nil {
		first.prev = root
	}
	root.next = first
	root.prev = nil
}

// removeTreeNode is TreeNode.removeTreeNode with movable=true.
func (s *javaSet) removeTreeNode(p *jnode) {
	i := s.index(p.hash)
	first := s.table[i]
	root := first
	succ, pred := p.next, p.prev
	if pred == nil {
		first = succ
		s.table[i] = first
	} else {
		pred.next = succ
	}
	if succ != nil {
		succ.prev = pred
	}
	if first == nil {
		return
	}
	if root.parent != nil {
		root = root.treeRoot()
	}
	if root == nil || root.right == nil || root.left == nil || root.left.left == nil {
		s.table[i] = untreeify(first) // too small
		return
	}
	pl, pr := p.left, p.right
	var replacement *jnode
	switch {
	case pl != nil && pr != nil:
		root, replacement = swapWithSuccessor(root, p)
	case pl != nil:
		replacement = pl
	case pr != nil:
		replacement = pr
	default:
		replacement = p
	}
	if replacement != p {
		pp := p.parent
		replacement.parent = pp
		switch {
		case pp == nil:
			root = replacement
			root.red = false
		case p == pp.left:
			pp.left = replacement
		default:
			pp.right = replacement
		}
		p.left, p.right, p.parent = nil, nil, nil
	}
	r := root
	if !p.red {
		r = balanceDeletion(root, replacement)
	}
	if replacement == p { // detach
		pp := p.parent
		p.parent = nil
		if pp != nil {
			if p == pp.left {
				pp.left = nil
			} else if p == pp.right {
				pp.right = nil
			}
		}
	}
	s.moveRootToFront(r)
}

// swapWithSuccessor is removeTreeNode's case of a node p with two
// children: p trades places (and colors) with its in-order successor. It
// returns the root and the node that replaces p.
func swapWithSuccessor(root, p *jnode) (*jnode, *jnode) {
	pl, pr := p.left, p.right
	var replacement *jnode
	sn := pr
	for sn.left != nil { // find successor
		sn = sn.left
	}
	sn.red, p.red = p.red, sn.red // swap colors
	sr := sn.right
	pp := p.parent
	if sn == pr { // p was sn's direct parent
		p.parent = sn
		sn.right = p
	} else {
		sp := sn.parent
		if p.parent = sp; sp != nil {
			if sn == sp.left {
				sp.left = p
			} else {
				sp.right = p
			}
		}
		if sn.right = pr; pr != nil {
			pr.parent = sn
		}
	}
	p.left = nil
	if p.right = sr; sr != nil {
		sr.parent = p
	}
	if sn.left = pl; pl != nil {
		pl.parent = sn
	}
	switch sn.parent = pp; {
	case pp == nil:
		root = sn
	case p == pp.left:
		pp.left = sn
	default:
		pp.right = sn
	}
	if sr != nil {
		replacement = sr
	} else {
		replacement = p
	}
	return root, replacement
}

// split is TreeNode.split: the bin at index of a table being doubled from
// bit buckets.
func (s *javaSet) split(b *jnode, index, bit int) {
	var loHead, loTail, hiHead, hiTail *jnode
	lc, hc := 0, 0
	for e := b; e != nil; {
		next := e.next
		e.next = nil
		if int(e.hash)&bit == 0 {
			if e.prev = loTail; loTail == nil {
				loHead = e
			} else {
				loTail.next = e
			}
			loTail = e
			lc++
		} else {
			if e.prev = hiTail; hiTail == nil {
				hiHead = e
			} else {
				hiTail.next = e
			}
			hiTail = e
			hc++
		}
		e = next
	}
	if loHead != nil {
		if lc <= javaUntreeifyAt {
			s.table[index] = untreeify(loHead)
		} else {
			s.table[index] = loHead
			if hiHead != nil { // else it is still one tree
				s.treeify(loHead)
			}
		}
	}
	if hiHead != nil {
		if hc <= javaUntreeifyAt {
			s.table[index+bit] = untreeify(hiHead)
		} else {
			s.table[index+bit] = hiHead
			if loHead != nil {
				s.treeify(hiHead)
			}
		}
	}
}

func rotateLeft(root, p *jnode) *jnode {
	if p == nil || p.right == nil {
		return root
	}
	r := p.right
	if p.right = r.left; p.right != nil {
		p.right.parent = p
	}
	pp := p.parent
	switch r.parent = pp; {
	case pp == nil:
		root = r
		r.red = false
	case pp.left == p:
		pp.left = r
	default:
		pp.right = r
	}
	r.left = p
	p.parent = r
	return root
}

func rotateRight(root, p *jnode) *jnode {
	if p == nil || p.left == nil {
		return root
	}
	l := p.left
	if p.left = l.right; p.left != nil {
		p.left.parent = p
	}
	pp := p.parent
	switch l.parent = pp; {
	case pp == nil:
		root = l
		l.red = false
	case pp.right == p:
		pp.right = l
	default:
		pp.left = l
	}
	l.right = p
	p.parent = l
	return root
}

func isRed(n *jnode) bool { return n != nil && n.red }

// parentOf returns n's parent, nil for nil.
func parentOf(n *jnode) *jnode {
	if n == nil {
		return nil
	}
	return n.parent
}

func balanceInsertion(root, x *jnode) *jnode {
	x.red = true
	for {
		xp := x.parent
		if xp == nil {
			x.red = false
			return x
		}
		xpp := xp.parent
		if !xp.red || xpp == nil {
			return root
		}
		if xppl := xpp.left; xp == xppl {
			if xppr := xpp.right; isRed(xppr) {
				xppr.red, xp.red, xpp.red = false, false, true
				x = xpp
				continue
			}
			if x == xp.right {
				x = xp
				root = rotateLeft(root, x)
				xp = x.parent
				xpp = parentOf(xp)
			}
			if xp != nil {
				xp.red = false
				if xpp != nil {
					xpp.red = true
					root = rotateRight(root, xpp)
				}
			}
		} else {
			if isRed(xppl) {
				xppl.red, xp.red, xpp.red = false, false, true
				x = xpp
				continue
			}
			if x == xp.left {
				x = xp
				root = rotateRight(root, x)
				xp = x.parent
				xpp = parentOf(xp)
			}
			if xp != nil {
				xp.red = false
				if xpp != nil {
					xpp.red = true
					root = rotateLeft(root, xpp)
				}
			}
		}
	}
}

func balanceDeletion(root, x *jnode) *jnode {
	for {
		if x == nil || x == root {
			return root
		}
		xp := x.parent
		switch {
		case xp == nil:
			x.red = false
			return x
		case x.red:
			x.red = false
			return root
		case xp.left == x:
			root, x = deletionFixLeft(root, x, xp)
		default:
			root, x = deletionFixRight(root, x, xp)
		}
	}
}

// deletionFixLeft is balanceDeletion's step for x a black left child; it
// returns the root and the next x.
func deletionFixLeft(root, x, xp *jnode) (*jnode, *jnode) {
	xpr := xp.right
	if isRed(xpr) {
		xpr.red = false
		xp.red = true
		root = rotateLeft(root, xp)
		xp = x.parent
		xpr = nil
		if xp != nil {
			xpr = xp.right
		}
	}
	if xpr == nil {
		return root, xp
	}
	sl, sr := xpr.left, xpr.right
	if !isRed(sr) && !isRed(sl) {
		xpr.red = true
		return root, xp
	}
	if !isRed(sr) {
		if sl != nil {
			sl.red = false
		}
		xpr.red = true
		root = rotateRight(root, xpr)
		xp = x.parent
		xpr = nil
		if xp != nil {
			xpr = xp.right
		}
	}
	if xpr != nil {
		xpr.red = xp != nil && xp.red
		if sr = xpr.right; sr != nil {
			sr.red = false
		}
	}
	if xp != nil {
		xp.red = false
		root = rotateLeft(root, xp)
	}
	return root, root
}

// deletionFixRight mirrors deletionFixLeft for x a right child.
func deletionFixRight(root, x, xp *jnode) (*jnode, *jnode) {
	xpl := xp.left
	if isRed(xpl) {
		xpl.red = false
		xp.red = true
		root = rotateRight(root, xp)
		xp = x.parent
		xpl = nil
		if xp != nil {
			xpl = xp.left
		}
	}
	if xpl == nil {
		return root, xp
	}
	sl, sr := xpl.left, xpl.right
	if !isRed(sl) && !isRed(sr) {
		xpl.red = true
		return root, xp
	}
	if !isRed(sl) {
		if sr != nil {
			sr.red = false
		}
		xpl.red = true
		root = rotateLeft(root, xpl)
		xp = x.parent
		xpl = nil
		if xp != nil {
			xpl = xp.left
		}
	}
	if xpl != nil {
		xpl.red = xp != nil && xp.red
		if sl = xpl.left; sl != nil {
			sl.red = false
		}
	}
	if xp != nil {
		xp.red = false
		root = rotateRight(root, xp)
	}
	return root, root
}
