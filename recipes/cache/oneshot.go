package cache

import (
	"reflect"
	"sync"

	"github.com/zkcurator/zkcurator/zk"
)

// Kinds of one-shot watches the fallback mode sets.
const (
	watchData  uint8 = iota // GetW / ExistsW on an existing node
	watchChild              // ChildrenW
	watchExist              // ExistsW on the missing root
)

// watchReg identifies a one-shot watch: its path, kind and the session
// epoch it was set in.
type watchReg struct {
	path  string
	kind  uint8
	epoch uint32
}

// muxShardSize is how many one-shot channels one goroutine selects on.
const muxShardSize = 256

// watchMux waits on many one-shot watch channels with a few goroutines
// (one per muxShardSize channels, each in reflect.Select) rather than one
// goroutine per watch, and hands each event to out.
type watchMux struct {
	out  func(watchReg, zk.Event)
	done <-chan struct{}
	wg   *sync.WaitGroup

	mu     sync.Mutex
	shards []*muxShard
}

type muxShard struct {
	wake chan struct{} // cap 1
	mu   sync.Mutex
	adds []muxEntry
	n    int // channels owned, queued adds included (watchMux.mu)
}

type muxEntry struct {
	ch  <-chan zk.Event
	reg watchReg
}

func newWatchMux(out func(watchReg, zk.Event), done <-chan struct{}, wg *sync.WaitGroup) *watchMux {
	return &watchMux{out: out, done: done, wg: wg}
}

// add starts waiting on ch.
func (m *watchMux) add(ch <-chan zk.Event, reg watchReg) {
	m.mu.Lock()
	var sh *muxShard
	for _, s := range m.shards {
		if s.n < muxShardSize {
			sh = s
			break
		}
	}
	if sh == nil {
		select {
		case <-m.done:
			m.mu.Unlock()
			return
		default:
		}
		sh = &muxShard{wake: make(chan struct{}, 1)}
		m.shards = append(m.shards, sh)
		m.wg.Add(1)
		go m.run(sh)
	}
	sh.n++
	m.mu.Unlock()
	sh.mu.Lock()
	sh.adds = append(sh.adds, muxEntry{ch, reg})
	sh.mu.Unlock()
	select {
	case sh.wake <- struct{}{}:
	default:
	}
}

func (m *watchMux) run(sh *muxShard) {
	defer m.wg.Done()
	cases := []reflect.SelectCase{
		{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(m.done)},
		{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(sh.wake)},
	}
	regs := []watchReg{{}, {}}
	for {
		i, v, ok := reflect.Select(cases)
		switch i {
		case 0:
			return
		case 1:
			sh.mu.Lock()
			for _, e := range sh.adds {
				cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(e.ch)})
				regs = append(regs, e.reg)
			}
			clear(sh.adds)
			sh.adds = sh.adds[:0]
			sh.mu.Unlock()
			continue
		}
		reg := regs[i]
		last := len(cases) - 1
		cases[i], regs[i] = cases[last], regs[last]
		cases[last], regs[last] = reflect.SelectCase{}, watchReg{}
		cases, regs = cases[:last], regs[:last]
		m.mu.Lock()
		sh.n--
		m.mu.Unlock()
		ev := zk.Event{Type: zk.EventNotWatching}
		if ok {
			ev = v.Interface().(zk.Event)
		}
		m.out(reg, ev)
	}
}
