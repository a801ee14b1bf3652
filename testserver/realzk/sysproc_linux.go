//go:build linux

package realzk

import "syscall"

// sysProcAttr makes the kernel SIGKILL the JVM when the thread that started
// it exits, so a crashed test binary does not leave servers running.
// (The signal is tied to the starting OS thread; Go only ends threads of
// goroutines that exit while locked to them, which this package never does.)
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
