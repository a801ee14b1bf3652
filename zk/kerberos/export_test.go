package kerberos

import "time"

// SetClock makes m read the time from now, so tests can move past a
// ticket's renewal point without waiting for it. The renewal timer, whose
// delays a moved clock makes meaningless, then never fires by itself:
// RenewNow runs what it would.
func SetClock(m *Mechanism, now func() time.Time) {
	m.kdc.Lock()
	defer m.kdc.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = now
	m.after = func(time.Duration, func()) renewalTimer { return stoppedTimer{} }
}

type stoppedTimer struct{}

func (stoppedTimer) Stop() bool { return false }

// RenewNow runs a renewal round as the timer would: it renews the tickets
// due at m's clock.
func RenewNow(m *Mechanism) {
	m.mu.Lock()
	gen := m.timerGen
	m.mu.Unlock()
	m.renewRound(gen)
}
