package reaper_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/recipes/reaper"
)

// Lock parents left behind under /locks are removed once they stayed empty.
func ExampleChildReaper() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
	defer stop()
	for _, p := range []string{"/locks/order-17", "/locks/order-18/holder"} {
		if err := c.EnsurePath(ctx, p); err != nil {
			log.Fatal(err)
		}
	}

	cr, err := reaper.NewChildReaper(c, "/locks", reaper.ReapUntilDelete,
		reaper.WithThreshold(150*time.Millisecond), // minutes in production
		reaper.WithLeaderPath("/reapers/locks"))    // one reaper of many does the work
	if err != nil {
		log.Fatal(err)
	}
	defer cr.Close()
	if err := cr.Start(ctx); err != nil {
		log.Fatal(err)
	}
	for {
		ok, _, err := c.Exists(ctx, "/locks/order-17")
		if err != nil {
			log.Fatal(err)
		}
		if !ok {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	children, _, err := c.Children(ctx, "/locks")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(children)
	// Output: [order-18]
}
