package zk

import (
	"net"
	"slices"
	"strings"
)

// UpdateServerList replaces the list with servers (shuffled) and decides,
// as the Java client does (ZOOKEEPER-1355), whether this client should
// move so that the expected load stays even over the new list:
//
//   - the list grew and current is still in it: move to one of the new
//     servers with probability 1 - old/new;
//   - current is no longer in the list: always move (to a new server when
//     the list grew, else to an old or new one with probabilities that
//     keep the load even);
//   - the list shrank or kept its size and current is still in it: stay.
//
// When it returns true, the next calls of Next hand out the servers to
// move to first (the new or old ones, by those probabilities), then fall
// back to round robin. current "" means not connected: the server last
// connected to stands in. An empty list fails with ErrNoServers, a
// malformed entry with ErrInvalidConnectString, and the list is unchanged.
func (p *StaticHostProvider) UpdateServerList(servers []string, current string) (bool, error) {
	list, err := normalizeServers(servers)
	if err != nil {
		return false, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	list = p.shuffled(list)
	oldSize := len(p.servers)

	my := current
	if p.reconfig && p.lastReconfigTarget != "" {
		my = p.lastReconfigTarget
	}
	if my == "" {
		if p.last >= 0 && p.last < oldSize {
			my = p.servers[p.last]
		} else {
			my = p.servers[0]
		}
	}
	myIn := slices.ContainsFunc(list, func(s string) bool { return sameServer(s, my) })

	p.oldSrv, p.newSrv = p.oldSrv[:0], p.newSrv[:0]
	for _, s := range list {
		if slices.Contains(p.servers, s) {
			p.oldSrv = append(p.oldSrv, s)
		} else {
			p.newSrv = append(p.newSrv, s)
		}
	}
	numOld, numNew := len(p.oldSrv), len(p.newSrv)
	p.reconfig = true
	switch {
	case numOld+numNew > oldSize && myIn:
		// Grew: of every server's clients, the share 1 - old/new moves.
		if p.rng.Float64() <= 1-float64(oldSize)/float64(numOld+numNew) {
			p.pNew, p.pOld = 1, 0
		} else {
			p.reconfig = false
		}
	case numOld+numNew > oldSize:
		p.pNew, p.pOld = 1, 0
	case myIn:
		p.reconfig = false
	default:
		// Shrank (or same size) and my server left: spread its clients
		// so that old and new servers end with the same expected load.
		if oldSize == numOld {
			p.pOld = 1 // every listed server was listed before
		} else {
			p.pOld = float64(numOld*(oldSize-(numOld+numNew))) / float64((numOld+numNew)*(oldSize-numOld))
		}
		p.pNew = 1 - p.pOld
	}

	if !p.reconfig {
		i := -1
		if p.cur >= 0 && p.cur < oldSize {
			i = slices.Index(list, p.servers[p.cur])
		}
		p.cur = i
	} else {
		p.cur = -1
	}
	p.servers = list
	p.curOld, p.curNew = -1, -1
	p.last = p.cur
	p.tries = 0
	p.lastReconfigTarget = ""
	return p.reconfig, nil
}

// nextReconfigLocked is the Java client's nextHostInReconfigMode: a new
// server with probability pNew, else an old one, each set tried once.
func (p *StaticHostProvider) nextReconfigLocked() (string, bool) {
	takeNew := p.rng.Float64() <= p.pNew
	if p.curNew+1 < len(p.newSrv) && (takeNew || p.curOld+1 >= len(p.oldSrv)) {
		p.curNew++
		return p.newSrv[p.curNew], true
	}
	if p.curOld+1 < len(p.oldSrv) {
		p.curOld++
		return p.oldSrv[p.curOld], true
	}
	return "", false
}

// sameServer compares two "host:port" servers, ignoring case in the host.
func sameServer(a, b string) bool {
	if a == b {
		return true
	}
	ah, ap, err1 := net.SplitHostPort(a)
	bh, bp, err2 := net.SplitHostPort(b)
	return err1 == nil && err2 == nil && ap == bp && strings.EqualFold(ah, bh)
}
