package kerberos

import "time"

// SetClock makes m read the time from now, so tests can move past a
// ticket's renewal point without waiting for it.
func SetClock(m *Mechanism, now func() time.Time) {
	m.kdc.Lock()
	defer m.kdc.Unlock()
	m.now = now
}
