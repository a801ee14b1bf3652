package harness

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"
)

// Main is the main function of a report command (benchreport,
// recipereport, curvereport). It first serves as an embedded-server child
// if it is one (ServeIfChild); then it parses the whole command line
// (os.Args, which the report echoes) with parse, and runs run with a
// context that ends after timeout, writing to stdout and stderr. An error
// is printed as "<name>: <error>"; a parse error exits with 2, a run
// error with 1.
func Main[C any](name string, timeout time.Duration, parse func(argv []string) (C, error),
	run func(ctx context.Context, cfg C, stdout, stderr io.Writer) error) {
	ServeIfChild()
	cfg, err := parse(os.Args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	err = run(ctx, cfg, os.Stdout, os.Stderr)
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}
