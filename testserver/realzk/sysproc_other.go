//go:build !linux

package realzk

import "syscall"

// sysProcAttr returns nil: only Linux has Pdeathsig. Elsewhere a test binary
// that dies without Close can leave its servers running.
func sysProcAttr() *syscall.SysProcAttr { return nil }
