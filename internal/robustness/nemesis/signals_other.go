//go:build !unix

package nemesis

import "os"

// sigStop and sigCont pause and resume a process; nil where there are none.
var sigStop, sigCont os.Signal
