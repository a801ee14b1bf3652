package harness

import (
	"bufio"
	"os"
	"runtime"
	"strings"
)

// CommandLine renders a report command's invocation (os.Args) as the
// `go run ./cmd/<name>` command that reproduces it.
func CommandLine(name string, args []string) string {
	cmd := "go run ./cmd/" + name
	if len(args) == 0 {
		return cmd
	}
	return strings.Join(append([]string{cmd}, args[1:]...), " ")
}

// LoadAvg returns the 1, 5 and 15 minute load averages, or "unknown".
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// CPUModel returns the CPU's model name from /proc/cpuinfo, or GOARCH.
func CPUModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}
