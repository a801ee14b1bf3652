package history

import "time"

// start anchors fallbackNow.
var start = time.Now()

// fallbackNow is a monotonic time in nanoseconds from this process's own
// clock.
func fallbackNow() int64 { return int64(time.Since(start)) + 1 }
