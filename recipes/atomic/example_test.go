package atomic_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/recipes/atomic"
	"github.com/zkcurator/zkcurator/retry"
)

// A Long is a counter many processes (Go or Java/Curator) update atomically.
func ExampleLong() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
	defer stop()

	hits, err := atomic.NewLong(c, "/counters/hits", retry.NTimes(10, 10*time.Millisecond),
		atomic.WithPromotedToLock("/counters/hits-lock", 5*time.Second, retry.NTimes(10, 10*time.Millisecond)))
	if err != nil {
		log.Fatal(err)
	}
	for range 3 {
		r, err := hits.Increment(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r.Succeeded, r.PreValue, "->", r.PostValue)
	}
	// Output:
	// true 0 -> 1
	// true 1 -> 2
	// true 2 -> 3
}
