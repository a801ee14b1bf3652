//go:build unix

package nemesis

import (
	"os"
	"syscall"
)

// sigStop and sigCont pause and resume a process; nil where there are none.
var sigStop, sigCont os.Signal = syscall.SIGSTOP, syscall.SIGCONT
