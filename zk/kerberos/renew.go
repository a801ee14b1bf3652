package kerberos

import (
	"time"
)

// Proactive renewal: the rule of the Java client's login thread
// (org.apache.zookeeper.Login) applied to every ticket a Mechanism holds,
// on a timer instead of a thread.
//
// A ticket is renewed at 80 % of its lifetime plus up to 5 % jitter, but
// not sooner than a minute (Login's default zookeeper.kerberos.
// minReLoginTimeMs; half the lifetime for shorter tickets) after it was
// planned, unless that would be after it stops being usable: then at
// once. A renewal that fails is retried with backoff (Login waits 10 s,
// then a minute) until the ticket stops being usable; the ticket stays
// in use meanwhile. Java's thread gives up on a credentials cache whose
// TGT cannot be renewed past its end; here the renewal keeps reading the
// cache until the TGT expires, so a new kinit is picked up.

const (
	renewWindow   = 0.80             // Login's TICKET_RENEW_WINDOW
	renewJitter   = 0.05             // Login's TICKET_RENEW_JITTER
	minRenewDelay = time.Minute      // Login's MIN_TIME_BEFORE_RELOGIN
	retryFirst    = 10 * time.Second // Login's sleepBeforeRetryFailedRefresh
	retryMax      = time.Minute
)

// renewalTimer is the part of *time.Timer the renewal uses.
type renewalTimer interface{ Stop() bool }

func afterFunc(d time.Duration, f func()) renewalTimer { return time.AfterFunc(d, f) }

// plan sets when t, got or read at now, is to be renewed, and clears its
// failures. Called with m.mu held.
func (m *Mechanism) plan(t *ticket, now time.Time) {
	t.failed = 0
	if !t.usable(now) {
		t.renewAt = time.Time{} // the next connection asks the KDC
		return
	}
	start := t.end.Add(-t.life)
	at := start.Add(time.Duration(float64(t.life) * (renewWindow + renewJitter*m.jitter())))
	if earliest := now.Add(min(minRenewDelay, t.life/2)); at.Before(earliest) {
		at = earliest
	}
	if !at.Before(t.usableUntil()) {
		at = now
	}
	t.renewAt = at
}

// retryDelay is the wait before the next attempt to renew a ticket of
// lifetime life after failures failed ones in a row: retryFirst doubling
// up to retryMax, scaled down for tickets shorter than some hours (a
// hundredth, then a tenth of the lifetime).
func retryDelay(failures int, life time.Duration) time.Duration {
	d := min(retryFirst, max(life/100, 10*time.Millisecond))
	limit := max(min(retryMax, life/10), d)
	for i := 1; i < failures && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// failed records that renewing t at now failed: retry after a backoff,
// but no later than the last moment t is usable; not at all once it is
// no longer usable. Called with m.mu held.
func (m *Mechanism) failedRenewal(t *ticket, now time.Time) {
	t.failed++
	if !t.usable(now) {
		t.renewAt = time.Time{}
		return
	}
	t.renewAt = now.Add(retryDelay(t.failed, t.life))
	if last := t.usableUntil(); t.renewAt.After(last) {
		t.renewAt = last
	}
}

// due reports whether t is to be renewed in a round at now: its time has
// come, or it is due for renewal and has not failed yet (one round then
// renews the tickets whose jittered times are close).
func (t *ticket) due(now time.Time) bool {
	if t.renewAt.IsZero() {
		return false
	}
	return !now.Before(t.renewAt) || (t.failed == 0 && !t.fresh(now))
}

// rescheduleLocked arms the timer for the earliest renewal of the
// tickets held (none: no timer). Called with m.mu held.
func (m *Mechanism) rescheduleLocked(now time.Time) {
	if m.closed {
		return
	}
	var next time.Time
	for _, tickets := range []map[string]*ticket{m.tgts, m.svc} {
		for _, t := range tickets {
			if !t.renewAt.IsZero() && (next.IsZero() || t.renewAt.Before(next)) {
				next = t.renewAt
			}
		}
	}
	if m.timer != nil && next.Equal(m.timerAt) {
		return
	}
	m.stopTimerLocked()
	if next.IsZero() {
		return
	}
	m.timerGen++
	gen := m.timerGen
	m.timerAt = next
	m.timer = m.after(max(next.Sub(now), 0), func() { m.renewRound(gen) })
}

// stopTimerLocked stops the renewal timer. Called with m.mu held.
func (m *Mechanism) stopTimerLocked() {
	if m.timer != nil {
		m.timer.Stop()
		m.timer = nil
	}
}

// renewRound renews the tickets due, on the goroutine of the timer gen
// that fired; then arms the timer for the next renewal.
func (m *Mechanism) renewRound(gen int) {
	m.mu.Lock()
	if gen == m.timerGen {
		m.timer = nil
	}
	if m.closed || m.renewing {
		m.mu.Unlock()
		return
	}
	m.renewing = true
	m.inFlight.Add(1)
	m.mu.Unlock()
	defer m.inFlight.Done()

	m.kdc.Lock()
	m.renewDue()
	m.kdc.Unlock()

	m.mu.Lock()
	defer m.mu.Unlock()
	m.renewing = false
	m.rescheduleLocked(m.now())
}

// renewDue renews the TGTs due, then (if all of those were renewed) the
// service tickets due. Called with m.kdc held.
func (m *Mechanism) renewDue() {
	now := m.now()
	tgtsOK := true
	for _, realm := range m.dueNames(m.tgts, now) {
		if m.isClosed() {
			return
		}
		if !m.renewOne(m.tgts, realm, now, func() (*ticket, error) { return m.fetchTGT(realm, now) }) {
			tgtsOK = false
		}
	}
	for _, spn := range m.dueNames(m.svc, now) {
		if m.isClosed() {
			return
		}
		if !tgtsOK { // the KDC just failed: do not ask it for each service ticket
			m.mu.Lock()
			if t := m.svc[spn]; t != nil {
				m.failedRenewal(t, now)
			}
			m.mu.Unlock()
			continue
		}
		m.renewOne(m.svc, spn, now, func() (*ticket, error) { return m.fetchSvc(spn, m.serviceRealm(spn), now) })
	}
}

// dueNames lists the names of the tickets due at now, the client's realm
// first among TGTs (cross-realm TGTs come from it).
func (m *Mechanism) dueNames(tickets map[string]*ticket, now time.Time) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var names []string
	for name, t := range tickets {
		if !t.due(now) {
			continue
		}
		if name == m.r.realm {
			names = append([]string{name}, names...)
		} else {
			names = append(names, name)
		}
	}
	return names
}

// renewOne replaces the ticket of tickets under name with fetch's, or on
// failure keeps it and plans a retry. It reports success. Called with
// m.kdc held.
func (m *Mechanism) renewOne(tickets map[string]*ticket, name string, now time.Time, fetch func() (*ticket, error)) bool {
	t, err := fetch()
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil || t == nil {
		if old := tickets[name]; old != nil {
			m.failedRenewal(old, now)
		}
		return false
	}
	m.plan(t, now)
	tickets[name] = t
	return true
}
