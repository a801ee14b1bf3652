//go:build !linux

package history

// Now returns a monotonic time in nanoseconds. Off Linux it is this
// process's own clock, so child processes (which the suite only starts on
// Linux) would not share it.
func Now() int64 { return fallbackNow() }
