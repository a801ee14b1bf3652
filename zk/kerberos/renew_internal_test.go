package kerberos

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"
	"github.com/stretchr/testify/require"
)

// fakeTimer is a renewal timer the test fires itself.
type fakeTimer struct {
	d       time.Duration
	f       func()
	stopped bool
}

// renewRig is a Mechanism whose clock, timer and KDC are the test's: the
// KDC hands out tickets of lifetime life (TGTs through fetchTGT, service
// tickets through fetchSvc, which gets the TGT first as the real one
// does), or fails while fail is set.
type renewRig struct {
	m    *Mechanism
	life time.Duration

	mu       sync.Mutex
	now      time.Time
	timers   []*fakeTimer
	tgtCalls int
	svcCalls int
	fail     bool
	block    chan struct{} // if set, fetchTGT waits for it to close
	entered  chan struct{} // closed when a blocked fetchTGT starts waiting
}

func newRenewRig(t *testing.T, life time.Duration, jitter float64) *renewRig {
	t.Helper()
	g := &renewRig{m: unreachableMechanism(t, 0), life: life, now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	m := g.m
	clear(m.tgts)
	clear(m.svc)
	m.now = g.clock
	m.jitter = func() float64 { return jitter }
	m.after = func(d time.Duration, f func()) renewalTimer {
		g.mu.Lock()
		defer g.mu.Unlock()
		ft := &fakeTimer{d: d, f: f}
		g.timers = append(g.timers, ft)
		return stopFunc(func() bool {
			g.mu.Lock()
			defer g.mu.Unlock()
			was := !ft.stopped
			ft.stopped = true
			return was
		})
	}
	m.fetchTGT = func(realm string, now time.Time) (*ticket, error) {
		g.mu.Lock()
		g.tgtCalls++
		block, entered, fail := g.block, g.entered, g.fail
		g.mu.Unlock()
		if block != nil {
			close(entered)
			<-block
		}
		if fail {
			return nil, ErrKDCUnreachable
		}
		return g.ticket("krbtgt/"+realm, now), nil
	}
	m.fetchSvc = func(spn, realm string, now time.Time) (*ticket, error) {
		if _, err := m.tgt(realm, now); err != nil {
			return nil, err
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		g.svcCalls++
		if g.fail {
			return nil, ErrKDCUnreachable
		}
		return g.ticket(spn, now), nil
	}
	return g
}

type stopFunc func() bool

func (f stopFunc) Stop() bool { return f() }

func (g *renewRig) clock() time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.now
}

func (g *renewRig) advance(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.now = g.now.Add(d)
}

func (g *renewRig) setFail(on bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.fail = on
}

func (g *renewRig) calls() [2]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return [2]int{g.tgtCalls, g.svcCalls}
}

// ticket is a ticket for name issued at now.
func (g *renewRig) ticket(name string, now time.Time) *ticket {
	key := types.EncryptionKey{KeyType: etypeID.AES256_CTS_HMAC_SHA1_96, KeyValue: make([]byte, 32)}
	tkt := messages.Ticket{TktVNO: 5, Realm: "EXAMPLE.TEST", SName: types.NewPrincipalName(nametype.KRB_NT_SRV_INST, name)}
	return &ticket{tkt: tkt, key: key, life: g.life, end: now.Add(g.life), kdcEnd: now.Add(g.life)}
}

// armed is the one timer armed and not stopped (nil if none); more than
// one fails the test.
func (g *renewRig) armed(t *testing.T) *fakeTimer {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	var live []*fakeTimer
	for _, ft := range g.timers {
		if !ft.stopped {
			live = append(live, ft)
		}
	}
	require.LessOrEqual(t, len(live), 1, "more than one renewal timer armed")
	if len(live) == 0 {
		return nil
	}
	return live[0]
}

// fire moves the clock to the armed timer's time and runs it as the
// timer's goroutine would, marking it spent.
func (g *renewRig) fire(t *testing.T) {
	t.Helper()
	ft := g.armed(t)
	require.NotNil(t, ft, "no renewal timer armed")
	g.advance(ft.d)
	g.mu.Lock()
	ft.stopped = true // spent
	g.mu.Unlock()
	ft.f()
}

// connect starts an exchange for zookeeper/localhost.
func (g *renewRig) connect(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := g.m.Start(ctx, "localhost:2181")
	require.NoError(t, err)
}

func (g *renewRig) held(name string) *ticket {
	g.m.mu.Lock()
	defer g.m.mu.Unlock()
	if t, ok := g.m.svc[name]; ok {
		return t
	}
	return g.m.tgts[name]
}

const spn = "zookeeper/localhost"

func TestRenewalPlan(t *testing.T) {
	g := newRenewRig(t, time.Hour, 0.5)
	now := g.clock()
	plan := func(life, age time.Duration) time.Duration {
		tk := &ticket{life: life, end: now.Add(life - age), failed: 3}
		g.m.mu.Lock()
		defer g.m.mu.Unlock()
		g.m.plan(tk, now)
		require.Zero(t, tk.failed)
		if tk.renewAt.IsZero() {
			return -1
		}
		return tk.renewAt.Sub(now)
	}
	require.Equal(t, 49*time.Minute+30*time.Second, plan(time.Hour, 0), "82.5 %: the window's middle at jitter 0.5")
	require.Equal(t, 19*time.Minute+30*time.Second, plan(time.Hour, 30*time.Minute), "read mid-life from a credentials cache")
	require.Equal(t, time.Minute, plan(time.Hour, 55*time.Minute), "past its renewal point: not sooner than a minute")
	require.Equal(t, time.Duration(0), plan(time.Hour, 59*time.Minute), "a minute is past its usable end: at once")
	require.Equal(t, time.Duration(-1), plan(time.Hour, 59*time.Minute+45*time.Second), "no longer usable: never")
	require.Equal(t, 8250*time.Millisecond, plan(10*time.Second, 0), "short tickets: the same 80-85 %")

	g.m.jitter = func() float64 { return 0 }
	require.Equal(t, 48*time.Minute, plan(time.Hour, 0))
	g.m.jitter = func() float64 { return 0.999999 }
	require.InDelta(t, float64(51*time.Minute), float64(plan(time.Hour, 0)), float64(time.Second))
}

func TestRetryDelay(t *testing.T) {
	var got []time.Duration
	for n := 1; n <= 6; n++ {
		got = append(got, retryDelay(n, 10*time.Hour))
	}
	require.Equal(t, []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, time.Minute, time.Minute, time.Minute}, got,
		"as Login: 10 s, then (doubling) a minute")
	got = got[:0]
	for n := 1; n <= 6; n++ {
		got = append(got, retryDelay(n, 15*time.Second))
	}
	require.Equal(t, []time.Duration{150 * time.Millisecond, 300 * time.Millisecond, 600 * time.Millisecond, 1200 * time.Millisecond, 1500 * time.Millisecond, 1500 * time.Millisecond}, got,
		"scaled to a short lifetime")
}

// No timer before the Mechanism holds tickets; after the first
// connection one timer, at 80 % of the tickets' lifetime (jitter 0);
// when it fires the TGT and the service ticket are renewed with no
// connection asking, and the next renewal is planned from the new ones.
func TestRenewalScheduledAt80Percent(t *testing.T) {
	g := newRenewRig(t, time.Hour, 0)
	require.Nil(t, g.armed(t), "no tickets, no timer")

	g.connect(t)
	require.Equal(t, [2]int{1, 1}, g.calls())
	ft := g.armed(t)
	require.NotNil(t, ft)
	require.Equal(t, 48*time.Minute, ft.d)
	oldTGT, oldSvc := g.held("EXAMPLE.TEST"), g.held(spn)

	g.connect(t)
	require.Equal(t, [2]int{1, 1}, g.calls(), "fresh tickets serve")
	require.Same(t, ft, g.armed(t), "and leave the timer alone")

	g.fire(t)
	require.Equal(t, [2]int{2, 2}, g.calls(), "one round renews both")
	require.NotSame(t, oldTGT, g.held("EXAMPLE.TEST"))
	require.NotSame(t, oldSvc, g.held(spn))
	require.Equal(t, 48*time.Minute, g.armed(t).d, "next at 80 % of the new tickets")

	g.advance(30 * time.Minute) // 78 minutes after the first tickets: they would have expired
	g.connect(t)
	require.Equal(t, [2]int{2, 2}, g.calls(), "the renewed tickets serve, no KDC asked")
}

// A failed renewal keeps the tickets in hand (connections still use
// them), is retried with growing delays, never past the tickets' usable
// end, and no more once they are unusable. A renewal that succeeds
// resets the backoff.
func TestRenewalRetriedWithBackoff(t *testing.T) {
	g := newRenewRig(t, time.Hour, 0)
	g.connect(t)
	tgt, svc := g.held("EXAMPLE.TEST"), g.held(spn)
	g.setFail(true)

	var delays []time.Duration
	for g.armed(t) != nil {
		ft := g.armed(t)
		delays = append(delays, ft.d)
		g.fire(t)
		require.Same(t, tgt, g.held("EXAMPLE.TEST"), "a failed renewal keeps the TGT")
		require.Same(t, svc, g.held(spn), "a failed renewal keeps the service ticket")
		if tgt.usable(g.clock()) {
			g.connect(t) // served by the ticket in hand; its own KDC attempt fails too
		}
		require.Less(t, len(delays), 100, "retries without end")
	}
	require.Equal(t, 48*time.Minute, delays[0])
	require.Equal(t, []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, time.Minute, time.Minute}, delays[1:6])
	require.False(t, tgt.usable(g.clock()), "retried until the ticket was no longer usable")
	require.Equal(t, tgt.usableUntil(), g.clock(), "the last retry at its usable end")
	require.Equal(t, [2]int{1, 1}, [2]int{len(g.m.tgts), len(g.m.svc)}, "expired tickets are not dropped by the renewal")

	// The KDC is back: the next connection gets new tickets (the
	// on-demand path), and that arms the timer again.
	g.setFail(false)
	g.connect(t)
	require.NotSame(t, tgt, g.held("EXAMPLE.TEST"))
	require.Equal(t, 48*time.Minute, g.armed(t).d)

	// One failure, then success: the backoff starts again afterwards.
	g.setFail(true)
	g.fire(t)
	require.Equal(t, 10*time.Second, g.armed(t).d)
	g.setFail(false)
	g.fire(t)
	require.Equal(t, 48*time.Minute, g.armed(t).d)
	g.setFail(true)
	g.fire(t)
	require.Equal(t, 10*time.Second, g.armed(t).d, "backoff reset by the success")
}

// Close stops the timer; a timer that fires anyway (it raced with Close)
// does nothing.
func TestRenewalStopsAtClose(t *testing.T) {
	g := newRenewRig(t, time.Hour, 0)
	g.connect(t)
	ft := g.armed(t)
	require.NotNil(t, ft)
	require.NoError(t, g.m.Close())
	require.Nil(t, g.armed(t), "Close stopped the timer")
	g.advance(ft.d)
	ft.f() // fired just as Close stopped it
	require.Equal(t, [2]int{1, 1}, g.calls(), "nothing renewed after Close")
	require.Nil(t, g.armed(t), "nor a timer armed")
}

// A connection does not wait for a renewal in flight when the ticket in
// hand is usable; Close waits for the renewal to finish, after which
// nothing is armed.
func TestRenewalInFlight(t *testing.T) {
	g := newRenewRig(t, time.Hour, 0)
	g.connect(t)
	ft := g.armed(t)
	g.mu.Lock()
	g.block, g.entered = make(chan struct{}), make(chan struct{})
	block, entered := g.block, g.entered
	g.mu.Unlock()
	g.advance(ft.d)
	g.mu.Lock()
	ft.stopped = true
	g.mu.Unlock()
	round := make(chan struct{})
	go func() {
		defer close(round)
		ft.f()
	}()
	<-entered // the round is talking to the KDC

	g.connect(t) // returns: the usable ticket in hand serves

	var order []string
	var orderMu sync.Mutex
	note := func(s string) {
		orderMu.Lock()
		defer orderMu.Unlock()
		order = append(order, s)
	}
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		_ = g.m.Close()
		note("close returned")
	}()
	require.Eventually(t, func() bool { return g.m.isClosed() }, 10*time.Second, time.Millisecond)
	note("renewal released")
	close(block)
	<-closed
	<-round
	require.Equal(t, []string{"renewal released", "close returned"}, order, "Close waited for the renewal")
	require.Nil(t, g.armed(t), "no timer after Close")
	require.Equal(t, [2]int{2, 1}, g.calls(), "the round stopped at Close: no service ticket asked")
}

// A credentials cache's TGT whose end is its renew-till cannot be
// renewed: the KDC is not asked.
func TestCCacheTGTNotRenewablePastRenewTill(t *testing.T) {
	m := unreachableMechanism(t, 5*time.Minute) // due for renewal, usable
	m.r.kt = nil                                // as if from a credentials cache (m.r.ccache "": never re-read)
	tgt := m.tgts["EXAMPLE.TEST"]
	now := time.Now()
	tgt.kdcEnd = tgt.end
	tgt.renewTill = tgt.end
	_, err := m.newTGT("EXAMPLE.TEST", now)
	require.ErrorContains(t, err, "renew-till")
	require.NotErrorIs(t, err, ErrKDCUnreachable, "the KDC was not asked")

	tgt.renewTill = tgt.end.Add(time.Hour)
	_, err = m.newTGT("EXAMPLE.TEST", now)
	require.ErrorIs(t, err, ErrKDCUnreachable, "renewable: the KDC is asked")
}
