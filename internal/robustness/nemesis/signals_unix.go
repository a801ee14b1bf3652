//go:build unix

package nemesis

import (
	"os"
	"syscall"
)

// SigStop and SigCont pause and resume a process (SIGSTOP, SIGCONT); nil
// where there are none.
var SigStop, SigCont os.Signal = syscall.SIGSTOP, syscall.SIGCONT
